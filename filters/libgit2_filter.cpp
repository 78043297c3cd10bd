// SPDX-License-Identifier: MIT
#include "filters/libgit2_filter.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <sys/stat.h>

#include <git2.h>
#include <git2/sys/filter.h>

#include "core/secret_cipher.hpp"

namespace twin::filters {
namespace {

// What identifies a version of a key file: absent, or its inode, size and mtime. A key
// imported while the process runs (or removed) is seen at the next file filtered.
struct KeyFileStamp {
  bool present = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const KeyFileStamp&) const = default;
};

KeyFileStamp stamp_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return {};
  return {true, st.st_dev, st.st_ino, st.st_size,
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

struct CachedKey {
  KeyFileStamp stamp;
  std::optional<SecretKey> key;
};

// The key of each repository filtered so far, by git dir (a process may open several).
// Failures are not remembered: a key with bad permissions fails every file until fixed.
// Entries are never removed, so the pointers handed out stay valid.
Result<const SecretKey*> key_for(git_repository* repo) {
  static std::mutex mutex;
  static std::map<std::string, CachedKey> keys;
  std::string git_dir = git_repository_path(repo);
  while (git_dir.size() > 1 && git_dir.back() == '/')
    git_dir.pop_back();
  KeyFileStamp stamp = stamp_of(key_file(git_dir));
  std::lock_guard lock(mutex);
  CachedKey& cached = keys[git_dir];
  if (!(cached.stamp == stamp)) {
    cached.key = TWIN_TRY(load_key(git_dir));
    cached.stamp = stamp;
  }
  return cached.key ? &*cached.key : nullptr;
}

int report(const std::string& message) {
  git_error_set_str(GIT_ERROR_FILTER, message.c_str());
  return -1;
}

// libgit2 streams a file through write() in pieces; the cipher needs all of it (SIV
// authenticates the whole message), so the stream collects it and filters on close().
struct CryptStream {
  git_writestream base; // first: libgit2 hands this pointer back to the callbacks
  git_writestream* next = nullptr;
  bool clean = false;
  const SecretKey* key = nullptr;
  std::string path;
  std::string content;
};

CryptStream* self(git_writestream* stream) {
  return reinterpret_cast<CryptStream*>(stream);
}

int stream_write(git_writestream* stream, const char* buffer, size_t length) {
  try {
    self(stream)->content.append(buffer, length);
    return 0;
  } catch (const std::bad_alloc&) {
    return report("twin-crypt: out of memory");
  }
}

int stream_close(git_writestream* stream) {
  CryptStream* s = self(stream);
  try {
    auto result = s->clean ? clean_secret(s->key, s->path, s->content)
                           : smudge_secret(s->key, s->path, s->content);
    if (!result)
      return report(fmt::format("twin-crypt: {}: {}", s->path, result.error().message));
    if (int error = s->next->write(s->next, result->data(), result->size()); error < 0)
      return error;
    return s->next->close(s->next);
  } catch (const std::exception& e) {
    return report(fmt::format("twin-crypt: {}: {}", s->path, e.what()));
  }
}

void stream_free(git_writestream* stream) {
  delete self(stream);
}

int open_stream(git_writestream** out, git_filter*, void**, const git_filter_source* source,
                git_writestream* next) {
  try {
    auto key = key_for(git_filter_source_repo(source));
    if (!key)
      return report(fmt::format("twin-crypt: {}", key.error().message));
    auto* stream = new CryptStream;
    stream->base.write = stream_write;
    stream->base.close = stream_close;
    stream->base.free = stream_free;
    stream->next = next;
    stream->clean = git_filter_source_mode(source) == GIT_FILTER_CLEAN;
    stream->key = *key;
    stream->path = git_filter_source_path(source) ? git_filter_source_path(source) : "";
    *out = &stream->base;
    return 0;
  } catch (const std::exception& e) {
    return report(fmt::format("twin-crypt: {}", e.what()));
  }
}

} // namespace

Status register_libgit2_filters() {
  // git_filter_register keeps the pointer: the filter lives as long as the process.
  static git_filter filter = [] {
    git_filter f;
    git_filter_init(&f, GIT_FILTER_VERSION);
    f.attributes = "filter=twin-crypt";
    f.stream = open_stream;
    return f;
  }();
  static bool registered = false;
  if (registered)
    return {};
  git_libgit2_init(); // reference-counted, and left to the process's end like GitRepo's
  int error = git_filter_register(k_crypt_filter_name, &filter, GIT_FILTER_DRIVER_PRIORITY);
  if (error < 0 && error != GIT_EEXISTS) {
    const git_error* e = git_error_last();
    return fail("cannot register the twin-crypt filter with libgit2: {}",
                e && e->message ? e->message : "unknown error");
  }
  registered = true;
  return {};
}

} // namespace twin::filters
