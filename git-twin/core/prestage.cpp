// SPDX-License-Identifier: MIT
#include "core/prestage.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/index.h>

#include "core/ascii.hpp"
#include "core/blob_pack.hpp"
#include "core/fs_util.hpp"
#include "core/git_settings.hpp"
#include "core/parallel.hpp"
#include "core/remove_on_signal.hpp"

namespace twin {
namespace {

constexpr std::size_t k_min_files = 1000;
// Files read whole into memory to be hashed here; larger ones are left to git, which
// streams them.
constexpr off_t k_max_in_memory = 64 << 20;

bool same_stat(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_mode == b.st_mode &&
         a.st_uid == b.st_uid && a.st_gid == b.st_gid && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

struct Candidate {
  std::string path;
  struct stat before {};
  std::optional<git_oid> id;
  // git check-attr shows none of the content attributes: git stores the bytes as they are.
  bool stored_as_is = false;
};

// The attributes that change what git stores for a file's bytes.
bool is_content_attribute(std::string_view name) {
  return name == "filter" || name == "text" || name == "eol" || name == "crlf" || name == "ident" ||
         name == "working-tree-encoding";
}

// git's index lock, held from reading the index to replacing it, as git holds it: created
// exclusively, removed on every way out, a signal that ends the process included.
class IndexLock {
public:
  explicit IndexLock(std::string path) : m_path(std::move(path)) {
    int fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    m_held = fd >= 0;
    if (fd >= 0) {
      ::close(fd);
      m_watch.emplace(m_path);
    }
  }
  ~IndexLock() {
    m_watch.reset(); // first: once unlinked, the name may be another process's lock
    if (m_held)
      ::unlink(m_path.c_str());
  }
  IndexLock(const IndexLock&) = delete;
  IndexLock& operator=(const IndexLock&) = delete;
  bool held() const { return m_held; }

private:
  std::string m_path;
  bool m_held = false;
  std::optional<RemoveOnSignal> m_watch;
};

// The zlib level git would store loose objects at (core.looseCompression, else
// core.compression, else 1), when core.fileMode, core.ignoreCase and core.autocrlf are at
// Linux's defaults and object ids are SHA-1: prestaging assumes the files' modes count,
// names are case-sensitive, and bytes without attributes are stored as they are. nullopt
// otherwise.
std::optional<int> loose_compression(Runner& runner, const GitRepo& repo) {
  auto settings = run_git(runner, repo.work_tree(),
                          {"config", "--get-regexp",
                           "^(core\\.(filemode|ignorecase|autocrlf|compression|loosecompression)|"
                           "extensions\\.objectformat)$"});
  if (!settings) // exit 1: none is set
    return 1;
  std::optional<int> compression, loose;
  std::istringstream lines(settings->out);
  for (std::string line; std::getline(lines, line);) {
    std::size_t space = line.find(' ');
    std::string name = line.substr(0, space);
    // "[core] filemode" with no value means true.
    std::string value =
        space == std::string::npos ? "true" : ascii_lowercase(line.substr(space + 1));
    bool yes = value == "true" || value == "yes" || value == "on" || value == "1";
    bool no = value == "false" || value == "no" || value == "off" || value == "0";
    if ((name == "core.filemode" && !yes) || (name == "core.ignorecase" && !no) ||
        (name == "core.autocrlf" && !no) || (name == "extensions.objectformat" && value != "sha1"))
      return std::nullopt;
    if (name == "core.compression" || name == "core.loosecompression") {
      int number = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (error != std::errc() || end != value.data() + value.size() || number < -1 || number > 9)
        return std::nullopt; // git refuses it too
      (name == "core.compression" ? compression : loose) = number;
    }
  }
  return loose ? *loose : compression ? *compression : 1;
}

// Where git keeps this repository's packs (objects/ may be shared with other worktrees).
std::optional<std::string> pack_directory(Runner& runner, const GitRepo& repo) {
  auto path = run_git(runner, repo.work_tree(), {"rev-parse", "--git-path", "objects/pack"});
  if (!path || path->out.size() < 2 || path->out.back() != '\n')
    return std::nullopt;
  std::string dir = path->out.substr(0, path->out.size() - 1);
  return dir[0] == '/' ? dir : repo.work_tree() + "/" + dir;
}

// Whether every .gitattributes in the index is in the work tree too. `git add` reads one
// that is only in the index; `git hash-object` does not, and would store the bytes its
// attributes (twin-crypt among them) were to change.
bool attributes_in_work_tree(Runner& runner, const GitRepo& repo) {
  auto listed =
      run_git(runner, repo.work_tree(), {"ls-files", "-z", "--", ":(glob)**/.gitattributes"});
  if (!listed)
    return false;
  for (std::size_t start = 0; start < listed->out.size();) {
    std::size_t end = listed->out.find('\0', start);
    if (end == std::string::npos)
      end = listed->out.size();
    struct stat st {};
    std::string path = repo.work_tree() + "/" + listed->out.substr(start, end - start);
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      return false;
    start = end + 1;
  }
  return true;
}

// git_command with the twin-crypt filter on the command line, as every git command that
// stores content gets it (commit_paths).
Command storing_git_command(const GitRepo& repo, const std::vector<std::string>& args) {
  std::vector<std::string> full = crypt_filter_overrides();
  full.insert(full.end(), args.begin(), args.end());
  return git_command(repo.work_tree(), std::move(full));
}

// Whether a file is hashed and packed here rather than by git.
bool hashed_here(const Candidate& file) {
  return file.stored_as_is && file.before.st_size <= k_max_in_memory;
}

// Reads what `git check-attr -a -z` printed for the files `fed`: "path\0attribute\0value\0"
// for every attribute that is set, unset or has a value, files in the order given; a file
// with none is not named. A file is stored as it is when no content attribute is named
// for it, whatever its value. Output that does not follow the order marks none.
void take_attributes(std::string_view out, const std::vector<std::size_t>& fed,
                     std::vector<Candidate>& files) {
  std::vector<bool> as_is(fed.size(), true);
  std::size_t k = 0; // the file the output is at
  for (std::size_t start = 0; start < out.size();) {
    std::size_t a = out.find('\0', start);
    std::size_t b = a == std::string::npos ? a : out.find('\0', a + 1);
    std::size_t c = b == std::string::npos ? b : out.find('\0', b + 1);
    if (c == std::string::npos)
      return;
    std::string_view path = out.substr(start, a - start);
    while (k < fed.size() && files[fed[k]].path != path)
      ++k;
    if (k == fed.size())
      return;
    if (is_content_attribute(out.substr(a + 1, b - a - 1)))
      as_is[k] = false;
    start = c + 1;
  }
  for (std::size_t i = 0; i < fed.size(); ++i)
    files[fed[i]].stored_as_is = as_is[i];
}

// Paths split into lists of at most `max_bytes` of arguments each, and into a multiple of
// `lists` of them, so that that many processes at a time get about equal shares.
std::vector<std::vector<std::size_t>> split_paths(const std::vector<Candidate>& files,
                                                  const std::vector<std::size_t>& which,
                                                  unsigned lists) {
  constexpr std::size_t max_bytes = 256 * 1024; // far below ARG_MAX (2 MiB here)
  std::size_t bytes = 0;
  for (std::size_t i : which)
    bytes += files[i].path.size() + 1;
  std::size_t count = std::max<std::size_t>(1, (bytes + max_bytes - 1) / max_bytes);
  count = (count + lists - 1) / lists * lists;
  std::vector<std::vector<std::size_t>> out(
      std::min(count, std::max<std::size_t>(1, which.size())));
  for (std::size_t k = 0; k < which.size(); ++k)
    out[k * out.size() / which.size()].push_back(which[k]);
  return out;
}

// The ids hash-object printed, one line per file in argument order; a process that stopped
// early (a file it could not read) printed the ids of the files before it.
void take_ids(const std::string& out, const std::vector<std::size_t>& fed,
              std::vector<Candidate>& files) {
  std::size_t line = 0;
  for (std::size_t start = 0; start < out.size() && line < fed.size(); ++line) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos)
      break;
    git_oid id;
    if (end - start != GIT_OID_HEXSZ ||
        git_oid_fromstrn(&id, out.data() + start, GIT_OID_HEXSZ) < 0)
      break;
    files[fed[line]].id = id;
    start = end + 1;
  }
}

// Runs `git <args> -- <paths>` over `which` of the files, with as many processes at a
// time as the runner runs, each with about an equal share; `fed` gets the files of each.
// Paths go as arguments, not on stdin: two children started together can inherit each
// other's pipes (Boost.Process 1.74 does not make them close-on-exec), and two that wait
// for the end of their input would wait for each other.
std::vector<Result<Completed>> run_over(Runner& runner, const GitRepo& repo,
                                        const std::vector<std::string>& args,
                                        const std::vector<Candidate>& files,
                                        const std::vector<std::size_t>& which,
                                        std::vector<std::vector<std::size_t>>& fed) {
  std::vector<Command> commands;
  for (auto& list : split_paths(files, which, io_threads())) {
    std::vector<std::string> full = args;
    full.push_back("--");
    for (std::size_t i : list)
      full.push_back(files[i].path);
    commands.push_back(storing_git_command(repo, full));
    fed.push_back(std::move(list));
  }
  return runner.run_all(commands);
}

// Asks git which files it stores as they are (no content attribute).
void check_attributes(Runner& runner, const GitRepo& repo, std::vector<Candidate>& files) {
  std::vector<std::size_t> all(files.size());
  for (std::size_t i = 0; i < files.size(); ++i)
    all[i] = i;
  std::vector<std::vector<std::size_t>> fed;
  auto results = run_over(runner, repo, {"check-attr", "-a", "-z"}, files, all, fed);
  for (std::size_t k = 0; k < results.size(); ++k)
    if (results[k] && results[k]->ok()) // a complete answer: a file it does not name has none
      take_attributes(results[k]->out, fed[k], files);
}

// Files git stores through a filter or conversion (twin-crypt's secrets, mostly) and large
// ones are hashed by `git hash-object -w` itself: a few hundred at most on a first snapshot.
void hash_with_git(Runner& runner, const GitRepo& repo, std::vector<Candidate>& files) {
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!hashed_here(files[i]))
      which.push_back(i);
  if (which.empty())
    return;
  std::vector<std::vector<std::size_t>> fed;
  auto results = run_over(runner, repo, {"hash-object", "-w"}, files, which, fed);
  for (std::size_t k = 0; k < results.size(); ++k)
    if (results[k])
      take_ids(results[k]->out, fed[k], files);
}

// The bytes of the file lstat'ed as `before`, read only when the descriptor opened is that
// same file: a path swapped for a symlink or another file since is not read (its bytes
// would be in the pack before the stat check after hashing left it out).
std::optional<std::string> read_same_file(const std::string& path, const struct stat& before) {
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_ino != before.st_ino || st.st_dev != before.st_dev)
    return std::nullopt;
  std::string bytes;
  if (read_all(fd.get(), static_cast<std::uint64_t>(before.st_size), bytes) != 0 ||
      bytes.size() != static_cast<std::size_t>(before.st_size))
    return std::nullopt;
  return bytes;
}

// Files git stores as they are go into one new pack (core/blob_pack.hpp), read and
// compressed on all cores. The ids are git's: SHA-1 of the same bytes git would hash.
// False when the pack could not be written: then no file has an id.
bool hash_into_pack(const std::string& pack_dir, int level, const GitRepo& repo,
                    std::vector<Candidate>& files) {
  auto pack = BlobPack::start(pack_dir, level);
  if (!pack)
    return false;
  auto stored = parallel_for_each(files.size(), [&](std::size_t i) -> Status {
    Candidate& file = files[i];
    if (!hashed_here(file))
      return {};
    auto bytes = read_same_file(repo.work_tree() + "/" + file.path, file.before);
    if (!bytes)
      return {}; // gone or changed since: left to git add
    file.id = TWIN_TRY((*pack)->add(*bytes));
    return {};
  });
  if (stored && (*pack)->finish())
    return true;
  for (auto& file : files)
    if (hashed_here(file))
      file.id.reset();
  return false;
}

git_index_entry entry_for(const Candidate& file) {
  git_index_entry e{};
  e.ctime.seconds = static_cast<int32_t>(file.before.st_ctim.tv_sec);
  e.ctime.nanoseconds = static_cast<uint32_t>(file.before.st_ctim.tv_nsec);
  e.mtime.seconds = static_cast<int32_t>(file.before.st_mtim.tv_sec);
  e.mtime.nanoseconds = static_cast<uint32_t>(file.before.st_mtim.tv_nsec);
  e.dev = static_cast<uint32_t>(file.before.st_dev);
  e.ino = static_cast<uint32_t>(file.before.st_ino);
  e.mode = (file.before.st_mode & S_IXUSR) ? 0100755 : 0100644; // as git records a file
  e.uid = file.before.st_uid;
  e.gid = file.before.st_gid;
  e.file_size = static_cast<uint32_t>(file.before.st_size);
  e.id = *file.id;
  e.path = file.path.c_str();
  return e;
}

// Whether `path` would be a file where the index has a directory, or below a file.
bool collides(const std::map<std::string, git_index_entry>& entries, const std::string& path) {
  auto below = entries.lower_bound(path + '/');
  if (below != entries.end() && below->first.rfind(path + '/', 0) == 0)
    return true;
  for (std::size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1))
    if (entries.count(path.substr(0, slash)))
      return true;
  return false;
}

// Writes the index with `files` staged: the current entries, ours replacing any of the same
// path, in git's order, written as a new file that then replaces the index under its lock.
// Returns the paths it staged.
std::vector<std::string> write_index(const GitRepo& repo, const std::vector<Candidate>& files) {
  std::string index_path = repo.git_dir() + "/index";
  IndexLock lock(index_path + ".lock");
  if (!lock.held())
    return {}; // another git command is staging: leave it all to git add
  ::mkdir((repo.git_dir() + "/twin").c_str(), 0700); // git-twin's own; there already in a twin
  std::string scratch = repo.git_dir() + "/twin/prestage-index";
  // Leftovers of a run that was killed: libgit2's lock would refuse every later write.
  ::unlink((scratch + ".lock").c_str());
  ::unlink(scratch.c_str());
  struct ScratchGuard {
    std::string path;
    ~ScratchGuard() { ::unlink(path.c_str()); }
  } scratch_guard{scratch};

  // Only a missing index is an empty one: one that cannot be read must not be replaced by
  // our entries alone, which would stage the removal of everything else.
  struct stat index_stat {};
  bool has_index = ::lstat(index_path.c_str(), &index_stat) == 0;
  if (!has_index && errno != ENOENT)
    return {};
  // A second name for the index: libgit2 reads it there and writes its result as a new file
  // of that name (lock file, rename), which leaves the index itself alone until renamed.
  if (has_index && ::link(index_path.c_str(), scratch.c_str()) != 0)
    return {};

  git_index* opened = nullptr;
  // A standalone index (no repository): libgit2 then neither looks at the work tree nor
  // smudges racy entries itself; that is done below. One that cannot be read fails here.
  int error = git_index_open(&opened, scratch.c_str());
  std::unique_ptr<git_index, void (*)(git_index*)> index(opened, git_index_free);
  if (error < 0 || git_index_has_conflicts(index.get()) ||
      git_index_reuc_entrycount(index.get()) > 0)
    return {};

  std::map<std::string, git_index_entry> entries; // path -> entry; paths point into the map
  for (std::size_t i = 0; i < git_index_entrycount(index.get()); ++i) {
    const git_index_entry* e = git_index_get_byindex(index.get(), i);
    auto [it, inserted] = entries.emplace(e->path, *e);
    it->second.path = it->first.c_str();
    // git re-reads a file whose entry is not older than the index it is in (racy git);
    // the index written here is newer, so such an entry gets git's own smudge: a size of 0,
    // which no stat matches.
    if (has_index && it->second.mtime.seconds >= index_stat.st_mtim.tv_sec &&
        (it->second.mode & 0170000) != 0160000)
      it->second.file_size = 0;
  }
  std::vector<std::string> staged;
  for (const auto& file : files) {
    // A file where the index has a directory, or below one of its files: git add sorts
    // that out (it removes the old entries), and libgit2 would drop one side silently.
    if (!file.id || collides(entries, file.path))
      continue;
    auto [it, inserted] = entries.insert_or_assign(file.path, entry_for(file));
    it->second.path = it->first.c_str();
    staged.push_back(file.path);
  }
  if (staged.empty() || git_index_clear(index.get()) < 0)
    return {};
  // In path order each entry goes at the end: adding them in any other order moves the
  // entries after it every time.
  for (const auto& [path, entry] : entries)
    if (git_index_add(index.get(), &entry) < 0)
      return {};
  if (git_index_write(index.get()) < 0 || ::rename(scratch.c_str(), index_path.c_str()) != 0)
    return {};
  return staged;
}

} // namespace

std::vector<std::string> prestage_files(Runner& runner, const GitRepo& repo,
                                        const std::vector<std::string>& files) {
  if (files.size() < k_min_files || io_threads() < 2)
    return {};
  std::vector<Candidate> candidates(files.size());
  for (std::size_t i = 0; i < files.size(); ++i)
    candidates[i].path = files[i];
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.path < b.path; });
  candidates.erase(
      std::unique(candidates.begin(), candidates.end(),
                  [](const Candidate& a, const Candidate& b) { return a.path == b.path; }),
      candidates.end());
  // Whatever is not a regular file now is left to git add.
  (void)parallel_for_each(candidates.size(), [&](std::size_t i) -> Status {
    Candidate& c = candidates[i];
    if (::lstat((repo.work_tree() + "/" + c.path).c_str(), &c.before) != 0)
      c.before.st_mode = 0;
    return {};
  });
  std::erase_if(candidates, [](const Candidate& c) { return !S_ISREG(c.before.st_mode); });
  if (candidates.size() < k_min_files)
    return {};
  auto level = loose_compression(runner, repo);
  auto pack_dir = pack_directory(runner, repo);
  if (!level || !pack_dir || !attributes_in_work_tree(runner, repo))
    return {};
  git_libgit2_init(); // reference-counted: a second call is harmless
  check_attributes(runner, repo, candidates);
  hash_with_git(runner, repo, candidates);
  if (!hash_into_pack(*pack_dir, *level, repo, candidates))
    return {};
  // Stat data is what it was before hashing, as git add records it; a file changed since
  // is left to git add.
  (void)parallel_for_each(candidates.size(), [&](std::size_t i) -> Status {
    Candidate& c = candidates[i];
    struct stat after {};
    if (c.id && (::lstat((repo.work_tree() + "/" + c.path).c_str(), &after) != 0 ||
                 !same_stat(c.before, after)))
      c.id.reset();
    return {};
  });
  return write_index(repo, candidates);
}

} // namespace twin
