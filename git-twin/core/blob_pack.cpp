// SPDX-License-Identifier: MIT
#include "core/blob_pack.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
#include <openssl/evp.h>

#include "core/fs_util.hpp"
#include "core/sha256.hpp"

namespace twin {
namespace {

constexpr std::size_t k_header_size = 12;     // "PACK", version, object count
constexpr std::size_t k_flush_size = 8 << 20; // bytes kept before a write

class Sha1 {
public:
  Sha1() : m_ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(m_ctx.get(), EVP_sha1(), nullptr);
  }
  void update(std::string_view data) { EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()); }
  void final(unsigned char (&out)[20]) {
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_ctx.get(), out, &length);
  }

private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> m_ctx;
};

void put_be32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((value >> shift) & 0xff);
}

void put_be64(std::string& out, std::uint64_t value) {
  put_be32(out, static_cast<std::uint32_t>(value >> 32));
  put_be32(out, static_cast<std::uint32_t>(value));
}

std::string_view bytes_of(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

bool id_less(const PackEntry& a, const PackEntry& b) {
  return std::memcmp(a.id.id, b.id.id, GIT_OID_RAWSZ) < 0;
}

// A compressor per thread, kept from one blob to the next: setting one up costs more than
// compressing a small file. zlib's levels, -1 its default (6).
libdeflate_compressor* compressor_for(int level) {
  struct Kept {
    libdeflate_compressor* compressor = nullptr;
    int level = 0;
    ~Kept() { libdeflate_free_compressor(compressor); }
  };
  thread_local Kept kept;
  level = level < 0 ? 6 : level;
  if (!kept.compressor || kept.level != level) {
    libdeflate_free_compressor(kept.compressor);
    kept.compressor = libdeflate_alloc_compressor(level);
    kept.level = level;
  }
  return kept.compressor;
}

// A packed blob: its type and size (4 bits of it, then 7 per byte, low bits first), then
// the content in zlib's format. Written into a buffer of this thread's, reused.
Result<std::string_view> packed_blob(std::string_view content, int level) {
  thread_local std::string out;
  char header[16];
  std::size_t header_size = 0;
  std::uint64_t size = content.size();
  unsigned char byte = static_cast<unsigned char>((3 << 4) | (size & 15)); // 3: blob
  for (size >>= 4; size != 0; size >>= 7) {
    header[header_size++] = static_cast<char>(byte | 0x80);
    byte = static_cast<unsigned char>(size & 0x7f);
  }
  header[header_size++] = static_cast<char>(byte);

  libdeflate_compressor* compressor = compressor_for(level);
  if (!compressor)
    return fail("cannot compress at zlib level {}", level);
  std::size_t bound = header_size + libdeflate_zlib_compress_bound(compressor, content.size());
  if (out.size() < bound)
    out.resize(bound);
  std::memcpy(out.data(), header, header_size);
  std::size_t compressed = libdeflate_zlib_compress(compressor, content.data(), content.size(),
                                                    out.data() + header_size, bound - header_size);
  if (compressed == 0)
    return fail("cannot compress a blob of {} bytes", content.size());
  return std::string_view(out.data(), header_size + compressed);
}

// A new file named <prefix><random> in `dir`, created read-only (0444 less the umask, as
// git creates its packs: nothing writes into a pack once it is there) but open for
// writing; fd -1 when it cannot be made.
std::string temp_file(const std::string& dir, const char* prefix, int& fd) {
  static std::atomic<std::uint64_t> counter{0};
  std::string path;
  fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    std::uint64_t unique =
        (static_cast<std::uint64_t>(::getpid()) << 40) ^
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
        counter.fetch_add(1);
    path = fmt::format("{}/{}{:016x}", dir, prefix, unique);
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0 && errno != EEXIST)
      break;
  }
  return path;
}

// Moves the finished `from` to `to` without replacing a file already there (then of the
// same bytes: packs are named by their checksum), as git does with link(2); rename(2) where
// links are not supported. Returns 1 when `to` was made, 0 when it was there, -1 on error.
int place(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) == 0) {
    ::unlink(from.c_str());
    return 1;
  }
  if (errno == EEXIST) {
    ::unlink(from.c_str());
    return 0;
  }
  return ::rename(from.c_str(), to.c_str()) == 0 ? 1 : -1;
}

} // namespace

std::string pack_index(std::vector<PackEntry>& entries, const unsigned char (&pack_checksum)[20]) {
  std::sort(entries.begin(), entries.end(), id_less);
  std::string out = "\377tOc";
  put_be32(out, 2);
  std::size_t next = 0;
  for (unsigned first = 0; first < 256; ++first) { // fan-out: ids whose first byte <= first
    while (next < entries.size() && entries[next].id.id[0] <= first)
      ++next;
    put_be32(out, static_cast<std::uint32_t>(next));
  }
  for (const auto& e : entries)
    out.append(bytes_of(e.id.id, GIT_OID_RAWSZ));
  for (const auto& e : entries)
    put_be32(out, e.crc32);
  // Offsets of 2 GiB and more go to a table of 64-bit ones, pointed to with the top bit.
  std::vector<std::uint64_t> large;
  for (const auto& e : entries) {
    if (e.offset < 0x80000000u) {
      put_be32(out, static_cast<std::uint32_t>(e.offset));
    } else {
      put_be32(out, static_cast<std::uint32_t>(0x80000000u | large.size()));
      large.push_back(e.offset);
    }
  }
  for (std::uint64_t offset : large)
    put_be64(out, offset);
  out.append(bytes_of(pack_checksum, 20));
  Sha1 sha;
  sha.update(out);
  unsigned char own[20];
  sha.final(own);
  out.append(bytes_of(own, 20));
  return out;
}

std::size_t BlobPack::IdHash::operator()(const git_oid& id) const {
  std::size_t h;
  std::memcpy(&h, id.id, sizeof h); // SHA-1 bytes are as good as any hash
  return h;
}

bool BlobPack::IdEqual::operator()(const git_oid& a, const git_oid& b) const {
  return std::memcmp(a.id, b.id, GIT_OID_RAWSZ) == 0;
}

Result<std::unique_ptr<BlobPack>> BlobPack::start(const std::string& pack_dir, int level) {
  ::mkdir(pack_dir.c_str(), 0777); // there in every repository git made; umask applies
  int fd = -1;
  std::string path = temp_file(pack_dir, "tmp_pack_", fd);
  if (fd < 0)
    return fail("cannot create a pack in '{}': {}", pack_dir, std::strerror(errno));
  // The header's object count is written when it is known (finish).
  std::unique_ptr<BlobPack> pack(new BlobPack(pack_dir, path, fd, level));
  pack->m_buffer.assign(k_header_size, '\0');
  return pack;
}

BlobPack::BlobPack(std::string pack_dir, std::string temp_path, int fd, int level)
    : m_pack_dir(std::move(pack_dir)), m_temp_path(std::move(temp_path)), m_fd(fd), m_level(level) {
  m_temp_watch.emplace(m_temp_path);
}

BlobPack::~BlobPack() {
  if (m_fd >= 0)
    ::close(m_fd);
  if (!m_temp_path.empty())
    ::unlink(m_temp_path.c_str());
  if (!m_temp_index_path.empty())
    ::unlink(m_temp_index_path.c_str());
}

Result<git_oid> BlobPack::add(std::string_view content) {
  git_oid id;
  Sha1 sha;
  std::string header = "blob " + std::to_string(content.size());
  sha.update({header.c_str(), header.size() + 1}); // with the NUL
  sha.update(content);
  sha.final(id.id);
  {
    std::lock_guard lock(m_mutex);
    if (m_failed)
      return fail("an earlier blob could not be stored in '{}'", m_temp_path);
    if (!m_claimed.insert(id).second)
      return id; // stored by the call that claimed it first
  }
  auto packed = packed_blob(content, m_level);
  std::uint32_t crc = packed ? libdeflate_crc32(0, packed->data(), packed->size()) : 0;
  std::lock_guard lock(m_mutex);
  if (!packed) {
    m_failed = true; // a caller may already hold this id
    return tl::unexpected(packed.error());
  }
  TWIN_CHECK(append(*packed, id, crc));
  return id;
}

Status BlobPack::append(std::string_view bytes, const git_oid& id, std::uint32_t crc32) {
  m_entries.push_back({id, m_written + m_buffer.size(), crc32});
  m_buffer.append(bytes);
  if (m_buffer.size() >= k_flush_size)
    return write_buffer();
  return {};
}

Status BlobPack::write_buffer() {
  if (int error = write_all(m_fd, m_buffer); error != 0) {
    m_failed = true;
    return fail("cannot write '{}': {}", m_temp_path, std::strerror(error));
  }
  m_written += m_buffer.size();
  m_buffer.clear();
  return {};
}

Status BlobPack::finish() {
  std::lock_guard lock(m_mutex);
  if (m_failed)
    return fail("a blob could not be stored in '{}'", m_temp_path);
  if (m_entries.empty())
    return {}; // the destructor removes the empty file
  if (m_entries.size() > UINT32_MAX)
    return fail("too many objects for one pack: {}", m_entries.size());
  TWIN_CHECK(write_buffer());
  std::string header = "PACK";
  put_be32(header, 2);
  put_be32(header, static_cast<std::uint32_t>(m_entries.size()));
  if (::pwrite(m_fd, header.data(), header.size(), 0) != static_cast<ssize_t>(header.size()))
    return fail("cannot write '{}': {}", m_temp_path, std::strerror(errno));

  // The pack's checksum covers the header, known only now: the file is read back, as git's
  // fast-import and bulk check-in do.
  Sha1 sha;
  std::string chunk(1 << 20, '\0');
  for (std::uint64_t at = 0; at < m_written;) {
    ssize_t got = ::pread(m_fd, chunk.data(), std::min<std::uint64_t>(chunk.size(), m_written - at),
                          static_cast<off_t>(at));
    if (got <= 0) {
      if (got < 0 && errno == EINTR)
        continue;
      return fail("cannot read '{}' back: {}", m_temp_path,
                  got < 0 ? std::strerror(errno) : "short");
    }
    sha.update({chunk.data(), static_cast<std::size_t>(got)});
    at += static_cast<std::uint64_t>(got);
  }
  unsigned char checksum[20];
  sha.final(checksum);
  // Synced before it is named, as git syncs the packs it writes (core.fsync's default).
  if (int error = write_all(m_fd, bytes_of(checksum, 20)); error != 0)
    return fail("cannot write '{}': {}", m_temp_path, std::strerror(error));
  if (::fsync(m_fd) != 0)
    return fail("cannot sync '{}': {}", m_temp_path, std::strerror(errno));

  std::string index = pack_index(m_entries, checksum);
  int index_fd = -1;
  m_temp_index_path = temp_file(m_pack_dir, "tmp_idx_", index_fd);
  if (index_fd < 0) {
    m_temp_index_path.clear();
    return fail("cannot create a pack index in '{}': {}", m_pack_dir, std::strerror(errno));
  }
  FdGuard index_guard(index_fd);
  m_temp_index_watch.emplace(m_temp_index_path);
  if (int error = write_all(index_fd, index); error != 0)
    return fail("cannot write '{}': {}", m_temp_index_path, std::strerror(error));
  if (::fsync(index_fd) != 0)
    return fail("cannot sync '{}': {}", m_temp_index_path, std::strerror(errno));

  // The index last: git looks for packs by their index.
  std::string name = m_pack_dir + "/pack-" + hex_of(checksum, sizeof checksum);
  int pack_placed = place(m_temp_path, name + ".pack");
  if (pack_placed < 0)
    return fail("cannot move '{}' into place: {}", m_temp_path, std::strerror(errno));
  m_temp_path.clear();
  m_temp_watch.reset();
  if (place(m_temp_index_path, name + ".idx") < 0) {
    int error = errno;
    if (pack_placed == 1) // not left without its index
      ::unlink((name + ".pack").c_str());
    return fail("cannot move '{}' into place: {}", m_temp_index_path, std::strerror(error));
  }
  m_temp_index_path.clear();
  m_temp_index_watch.reset();
  return {};
}

} // namespace twin
