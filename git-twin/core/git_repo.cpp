// SPDX-License-Identifier: MIT
#include "core/git_repo.hpp"
#include "core/git_settings.hpp"
#include "core/prestage.hpp"

#include "core/fs_util.hpp"
#include "core/secret_cipher.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>

#include <git2.h>
#include <openssl/evp.h>
#include <unistd.h>

namespace twin {
namespace {

Error libgit2_error(std::string_view what) {
  const git_error* e = git_error_last();
  return Error{fmt::format("{}: {}", what, e && e->message ? e->message : "unknown libgit2 error")};
}

std::string trim_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

template <class T, void (*Free)(T*)> struct Owned {
  T* ptr = nullptr;
  ~Owned() {
    if (ptr)
      Free(ptr);
  }
};

std::string oid_hex(const git_oid* oid) {
  char buffer[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buffer, sizeof buffer, oid);
  return buffer;
}

// libgit2 is initialized on first use, once, and left to the process's end: its
// initialization reads the whole CA bundle (mbedTLS), which `git twin --version` and a hook
// that has nothing to do should not pay for. The library setup (filter registration) runs
// right after it, before anything is read.
GitRepo::LibrarySetup g_library_setup = nullptr;
bool g_libgit2_ready = false;
Status g_setup_status;

Status use_libgit2() {
  if (!g_libgit2_ready) {
    git_libgit2_init();
    g_libgit2_ready = true;
    if (g_library_setup)
      g_setup_status = g_library_setup();
  }
  return g_setup_status;
}

} // namespace

void GitRepo::set_library_setup(LibrarySetup setup) {
  g_library_setup = setup;
  if (g_libgit2_ready && setup)
    g_setup_status = setup();
}

void GitRepo::Deleter::operator()(git_repository* repo) const {
  git_repository_free(repo);
}

GitRepo::GitRepo(std::unique_ptr<git_repository, Deleter> repo, std::string work_tree,
                 std::string git_dir, bool plain)
    : m_repo(std::move(repo)), m_plain(plain), m_work_tree(std::move(work_tree)),
      m_git_dir(std::move(git_dir)) {}

namespace {

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// `<dir>/.git` when it is a plain repository's own directory that we may open: a directory
// with HEAD and objects/, not a linked worktree's (commondir), owned by us as libgit2's
// ownership check wants. Anything else is left to libgit2.
std::optional<std::string> plain_git_dir(const std::string& dir) {
  std::string git_dir = (dir == "/" ? "" : dir) + "/.git";
  struct stat st, head;
  if (::stat(git_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())
    return std::nullopt;
  if (::stat((git_dir + "/HEAD").c_str(), &head) != 0 || !S_ISREG(head.st_mode) ||
      !is_dir(git_dir + "/objects") || ::access((git_dir + "/commondir").c_str(), F_OK) == 0 ||
      ::access((git_dir + "/reftable").c_str(), F_OK) == 0)
    return std::nullopt;
  return git_dir;
}

std::string parent_dir(const std::string& dir) {
  auto slash = dir.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool is_object_id(std::string_view text) {
  return text.size() == GIT_OID_HEXSZ &&
         text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

Result<git_repository*> GitRepo::handle() const {
  if (!m_repo) {
    TWIN_CHECK(use_libgit2());
    git_repository* raw = nullptr;
    if (git_repository_open_ext(&raw, m_work_tree.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) <
        0)
      return tl::unexpected(
          libgit2_error(fmt::format("cannot open git repository '{}'", m_work_tree)));
    m_repo.reset(raw);
  }
  return m_repo.get();
}

Result<GitRepo> GitRepo::discover(const std::string& start_dir) {
  if (!start_dir.empty() && start_dir.front() == '/')
    for (std::string dir = trim_slash(start_dir);; dir = parent_dir(dir)) {
      if (auto git_dir = plain_git_dir(dir))
        return GitRepo(nullptr, dir, *git_dir, true);
      if (::access(((dir == "/" ? "" : dir) + "/.git").c_str(), F_OK) == 0 || dir == "/")
        break; // a .git file, or nothing found: libgit2 decides
    }
  TWIN_CHECK(use_libgit2());
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, start_dir.c_str(), 0, nullptr) < 0)
    return fail("not a git-twin repository (or any parent up to /): '{}'", start_dir);
  std::unique_ptr<git_repository, Deleter> repo(raw);
  const char* workdir = git_repository_workdir(raw);
  if (!workdir)
    return fail("'{}' is a bare repository; a twin needs a work tree", start_dir);
  return GitRepo(std::move(repo), trim_slash(workdir), trim_slash(git_repository_path(raw)));
}

Result<GitRepo> GitRepo::open(const std::string& work_tree) {
  if (!work_tree.empty() && work_tree.front() == '/')
    if (auto git_dir = plain_git_dir(trim_slash(work_tree)))
      return GitRepo(nullptr, trim_slash(work_tree), *git_dir, true);
  TWIN_CHECK(use_libgit2());
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, work_tree.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) < 0)
    return tl::unexpected(libgit2_error(fmt::format("cannot open git repository '{}'", work_tree)));
  std::unique_ptr<git_repository, Deleter> repo(raw);
  const char* workdir = git_repository_workdir(raw);
  if (!workdir)
    return fail("'{}' is a bare repository; a twin needs a work tree", work_tree);
  return GitRepo(std::move(repo), trim_slash(workdir), trim_slash(git_repository_path(raw)));
}

std::optional<std::optional<std::string>> GitRepo::resolve_from_files(std::string_view ref) const {
  if (!m_plain)
    return std::nullopt; // a linked worktree's refs live partly in the common directory
  std::string name(ref);
  for (int depth = 0; depth < 2; ++depth) { // HEAD -> refs/heads/<branch> -> id
    // Plain ref names only: "HEAD~1", "main^" or "refs/heads/main@{1}" are libgit2's.
    bool ours =
        name == "HEAD" || name.rfind("refs/heads/", 0) == 0 || name.rfind("refs/twin/", 0) == 0;
    bool plain_name = !name.empty() &&
                      name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789/._-") == std::string::npos &&
                      name.find("..") == std::string::npos &&
                      name.find("//") == std::string::npos && name.back() != '/' &&
                      name.back() != '.';
    if (!ours || !plain_name)
      return std::nullopt;
    std::string path = m_git_dir + "/" + name;
    if (::access(path.c_str(), F_OK) == 0) {
      std::string line = first_line(path);
      if (is_object_id(line))
        return std::optional<std::string>(line);
      if (line.rfind("ref: ", 0) != 0)
        return std::nullopt;
      name = line.substr(5);
      continue;
    }
    if (name == "HEAD")
      return std::nullopt;
    // Not loose: packed-refs ("<id> <ref>" lines), or nowhere (an unborn branch).
    std::ifstream packed(m_git_dir + "/packed-refs");
    std::string line;
    while (std::getline(packed, line))
      if (line.size() > GIT_OID_HEXSZ + 1 && line[GIT_OID_HEXSZ] == ' ' &&
          line.compare(GIT_OID_HEXSZ + 1, std::string::npos, name) == 0)
        return is_object_id(std::string_view(line).substr(0, GIT_OID_HEXSZ))
                   ? std::optional<std::optional<std::string>>(line.substr(0, GIT_OID_HEXSZ))
                   : std::nullopt;
    return std::optional<std::string>();
  }
  return std::nullopt;
}

Result<std::optional<std::string>> GitRepo::resolve(std::string_view revision) const {
  if (auto known = resolve_from_files(revision))
    return *known;
  git_repository* repo = TWIN_TRY(handle());
  Owned<git_object, git_object_free> object;
  int rc = git_revparse_single(&object.ptr, repo, std::string(revision).c_str());
  if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH)
    return std::optional<std::string>();
  if (rc < 0)
    return tl::unexpected(libgit2_error(fmt::format("cannot resolve '{}'", revision)));
  Owned<git_object, git_object_free> commit;
  if (git_object_peel(&commit.ptr, object.ptr, GIT_OBJECT_COMMIT) < 0)
    return tl::unexpected(libgit2_error(fmt::format("'{}' is not a commit", revision)));
  return std::optional<std::string>(oid_hex(git_object_id(commit.ptr)));
}

namespace {

constexpr std::size_t k_blob_ids_kept = 256;

std::string blob_key(std::string_view commit, std::string_view path) {
  return fmt::format("{} {}", commit, path);
}

} // namespace

std::optional<std::optional<std::string>> GitRepo::remembered_blob_id(std::string_view commit,
                                                                      std::string_view path) const {
  if (!m_blob_ids) {
    m_blob_ids.emplace();
    std::istringstream in(read_state_file(m_git_dir + "/twin/blob-ids"));
    std::string line;
    while (std::getline(in, line)) { // "<commit> <path>\t<id or ->"
      auto tab = line.rfind('\t');
      if (tab == std::string::npos)
        continue;
      std::string id = line.substr(tab + 1);
      if (id == "-" || is_object_id(id)) // anything else is damage: ask libgit2 again
        (*m_blob_ids)[line.substr(0, tab)] = id == "-" ? "" : id;
    }
  }
  auto it = m_blob_ids->find(blob_key(commit, path));
  if (it == m_blob_ids->end())
    return std::nullopt;
  return it->second.empty() ? std::optional<std::string>() : std::optional<std::string>(it->second);
}

void GitRepo::remember_blob_id(std::string_view commit, std::string_view path,
                               const std::optional<std::string>& id) const {
  // The tree of a commit never changes, so an entry never goes stale; the file keeps the
  // most recent ones (a snapshot asks about a handful of paths at HEAD and the base).
  std::string file = m_git_dir + "/twin/blob-ids";
  std::vector<std::string> lines;
  std::istringstream in(read_state_file(file));
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  lines.push_back(fmt::format("{}\t{}", blob_key(commit, path), id.value_or("-")));
  if (lines.size() > k_blob_ids_kept)
    lines.erase(lines.begin(), lines.end() - k_blob_ids_kept);
  std::string text;
  for (const auto& l : lines)
    text += l + '\n';
  (void)replace_state_file(file, text);
  (*m_blob_ids)[blob_key(commit, path)] = id.value_or("");
}

Result<std::optional<std::string>> GitRepo::blob_id(std::string_view commit,
                                                    std::string_view path) const {
  if (is_object_id(commit) && path.find('\n') == std::string_view::npos)
    if (auto known = remembered_blob_id(commit, path))
      return *known;
  std::optional<std::string> id;
  int type = TWIN_TRY(lookup_entry(commit, path, id));
  if (type != GIT_OBJECT_BLOB)
    id.reset();
  if (is_object_id(commit) && path.find('\n') == std::string_view::npos)
    remember_blob_id(commit, path, id);
  return id;
}

Result<std::optional<std::string>> GitRepo::entry_id(std::string_view commit,
                                                     std::string_view path) const {
  std::optional<std::string> id;
  TWIN_TRY(lookup_entry(commit, path, id));
  return id;
}

Result<int> GitRepo::lookup_entry(std::string_view commit, std::string_view path,
                                  std::optional<std::string>& id) const {
  Owned<git_tree, git_tree_free> tree;
  TWIN_CHECK(commit_tree(commit, &tree.ptr));
  Owned<git_tree_entry, git_tree_entry_free> entry;
  int rc = git_tree_entry_bypath(&entry.ptr, tree.ptr, std::string(path).c_str());
  if (rc == GIT_ENOTFOUND)
    return static_cast<int>(GIT_OBJECT_INVALID);
  if (rc < 0)
    return tl::unexpected(libgit2_error(fmt::format("cannot look up '{}' in {}", path, commit)));
  id = oid_hex(git_tree_entry_id(entry.ptr));
  return static_cast<int>(git_tree_entry_type(entry.ptr));
}

Status GitRepo::commit_tree(std::string_view commit, git_tree** tree) const {
  git_oid oid;
  if (commit.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&oid, commit.data(), commit.size()) < 0)
    return fail("'{}' is not a commit id", commit);
  git_repository* repo = TWIN_TRY(handle());
  Owned<git_commit, git_commit_free> c;
  if (git_commit_lookup(&c.ptr, repo, &oid) < 0)
    return tl::unexpected(libgit2_error(fmt::format("cannot read commit {}", commit)));
  if (git_commit_tree(tree, c.ptr) < 0)
    return tl::unexpected(libgit2_error(fmt::format("cannot read the tree of {}", commit)));
  return {};
}

Result<std::vector<std::string>> GitRepo::changed_files(std::string_view old_commit,
                                                        std::string_view new_commit,
                                                        std::string_view prefix) const {
  // Compared by hand, entry by entry: equal subtree ids are skipped without being read.
  // (git_diff_tree_to_tree reads every subtree of both sides: 50 ms for 20,000 files.)
  git_repository* repo = TWIN_TRY(handle());
  auto tree_at = [&](std::string_view commit, git_tree** out) -> Status {
    std::optional<std::string> id;
    int type = TWIN_TRY(lookup_entry(commit, prefix, id));
    if (type != GIT_OBJECT_TREE)
      return {}; // no such directory: as if empty
    git_oid oid;
    git_oid_fromstr(&oid, id->c_str());
    if (git_tree_lookup(out, repo, &oid) < 0)
      return tl::unexpected(libgit2_error(fmt::format("cannot read '{}' at {}", prefix, commit)));
    return {};
  };
  Owned<git_tree, git_tree_free> old_tree, new_tree;
  TWIN_CHECK(tree_at(old_commit, &old_tree.ptr));
  TWIN_CHECK(tree_at(new_commit, &new_tree.ptr));
  std::vector<std::string> paths;
  TWIN_CHECK(compare_trees(old_tree.ptr, new_tree.ptr, std::string(prefix), paths));
  return paths;
}

Status GitRepo::compare_trees(git_tree* old_tree, git_tree* new_tree, const std::string& dir,
                              std::vector<std::string>& paths) const {
  std::map<std::string_view, const git_tree_entry*> before;
  std::size_t old_count = old_tree ? git_tree_entrycount(old_tree) : 0;
  for (std::size_t i = 0; i < old_count; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(old_tree, i);
    before.emplace(git_tree_entry_name(e), e);
  }
  auto subtree = [&](const git_tree_entry* e, git_tree** out) -> Status {
    if (e && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
        git_tree_lookup(out, m_repo.get(), git_tree_entry_id(e)) < 0) // open: changed_files
      return tl::unexpected(libgit2_error(fmt::format("cannot read '{}'", dir)));
    return {};
  };
  // One side's entry (the other's is null or differs): its files, or itself.
  auto differ = [&](const git_tree_entry* a, const git_tree_entry* b) -> Status {
    std::string path = dir + "/" + git_tree_entry_name(a ? a : b);
    bool a_tree = a && git_tree_entry_type(a) == GIT_OBJECT_TREE;
    bool b_tree = b && git_tree_entry_type(b) == GIT_OBJECT_TREE;
    if ((a && !a_tree) || (b && !b_tree))
      paths.push_back(path);
    if (a_tree || b_tree) {
      Owned<git_tree, git_tree_free> ta, tb;
      TWIN_CHECK(subtree(a_tree ? a : nullptr, &ta.ptr));
      TWIN_CHECK(subtree(b_tree ? b : nullptr, &tb.ptr));
      TWIN_CHECK(compare_trees(ta.ptr, tb.ptr, path, paths));
    }
    return {};
  };
  std::size_t new_count = new_tree ? git_tree_entrycount(new_tree) : 0;
  for (std::size_t i = 0; i < new_count; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(new_tree, i);
    auto it = before.find(git_tree_entry_name(e));
    const git_tree_entry* old = it == before.end() ? nullptr : it->second;
    if (old)
      before.erase(it);
    if (!old || git_oid_cmp(git_tree_entry_id(old), git_tree_entry_id(e)) != 0 ||
        git_tree_entry_filemode(old) != git_tree_entry_filemode(e)) {
      if (old && (git_tree_entry_type(old) == GIT_OBJECT_TREE) !=
                     (git_tree_entry_type(e) == GIT_OBJECT_TREE)) {
        TWIN_CHECK(differ(old, nullptr)); // a file became a directory, or the other way
        TWIN_CHECK(differ(nullptr, e));
      } else {
        TWIN_CHECK(differ(old, e));
      }
    }
  }
  for (const auto& [name, e] : before)
    TWIN_CHECK(differ(e, nullptr));
  return {};
}

Result<std::optional<std::string>> GitRepo::read_blob(std::string_view commit,
                                                      std::string_view path) const {
  auto id = TWIN_TRY(blob_id(commit, path));
  if (!id)
    return std::optional<std::string>();
  git_oid oid;
  git_oid_fromstr(&oid, id->c_str());
  git_repository* repo = TWIN_TRY(handle());
  Owned<git_blob, git_blob_free> blob;
  if (git_blob_lookup(&blob.ptr, repo, &oid) < 0)
    return tl::unexpected(libgit2_error(fmt::format("cannot read '{}' at {}", path, commit)));
  // Only twin-crypt ciphertext goes through the filters: finding the attributes loads the
  // whole index (30 ms for 30,000 files), and no other filter changes what git-twin reads.
  std::string_view raw(static_cast<const char*>(git_blob_rawcontent(blob.ptr)),
                       static_cast<size_t>(git_blob_rawsize(blob.ptr)));
  if (!is_encrypted(raw))
    return std::optional<std::string>(std::string(raw));
  // Attributes come from the work tree, the index and the commit read, so a path marked in
  // any of them is filtered. The default flag that skips "binary" blobs is dropped: a
  // twin-crypt blob starts with a NUL byte and would never be decrypted.
  git_blob_filter_options options;
  git_blob_filter_options_init(&options, GIT_BLOB_FILTER_OPTIONS_VERSION);
  options.flags = GIT_BLOB_FILTER_ATTRIBUTES_FROM_COMMIT;
  if (git_oid_fromstrn(&options.attr_commit_id, commit.data(), commit.size()) < 0)
    return fail("'{}' is not a commit id", commit);
  git_buf out = GIT_BUF_INIT;
  std::string path_text(path);
  int error = git_blob_filter(&out, blob.ptr, path_text.c_str(), &options);
  if (error < 0) {
    git_buf_dispose(&out);
    return tl::unexpected(libgit2_error(fmt::format("cannot read '{}' at {}", path, commit)));
  }
  std::string content(out.ptr ? out.ptr : "", out.size);
  git_buf_dispose(&out);
  return std::optional<std::string>(std::move(content));
}

Status GitRepo::set_ref(std::string_view ref, std::string_view commit, std::string_view message) {
  git_oid oid;
  if (git_oid_fromstrn(&oid, commit.data(), commit.size()) < 0)
    return fail("'{}' is not a commit id", commit);
  git_repository* repo = TWIN_TRY(handle());
  Owned<git_reference, git_reference_free> out;
  if (git_reference_create(&out.ptr, repo, std::string(ref).c_str(), &oid, 1,
                           std::string(message).c_str()) < 0)
    return tl::unexpected(libgit2_error(fmt::format("cannot update {}", ref)));
  return {};
}

std::string GitRepo::hash_blob(std::string_view content) {
  // git's object id: SHA-1 of "blob <size>\0" and the content (no libgit2 needed).
  std::string header = fmt::format("blob {}", content.size());
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx.get(), header.c_str(), header.size() + 1); // with the terminating NUL
  EVP_DigestUpdate(ctx.get(), content.data(), content.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

Command git_command(const std::string& work_tree, std::vector<std::string> args,
                    std::string input) {
  Command command;
  command.argv = {"git"};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.cwd = work_tree;
  command.input = std::move(input);
  command.env["GIT_TWIN_INTERNAL"] = "1";
  command.env["LC_ALL"] = "C";
  return command;
}

Result<Completed> run_git(Runner& runner, const std::string& work_tree,
                          std::vector<std::string> args, std::string input) {
  Command command = git_command(work_tree, std::move(args), std::move(input));
  Completed done = TWIN_TRY(runner.run(command));
  if (!done.ok()) {
    std::string err = done.err.empty() ? done.out : done.err;
    while (!err.empty() && err.back() == '\n')
      err.pop_back();
    return fail("{} failed{}: {}", describe_argv(command.argv),
                done.timed_out ? " (timed out)" : "", err);
  }
  return done;
}

Result<std::optional<std::string>> commit_paths(Runner& runner, const GitRepo& repo,
                                                const std::vector<std::string>& paths,
                                                const std::string& message,
                                                const std::vector<std::string>& fresh) {
  // Directories are staged with `git add -A` (one pathspec each: cheap). Files are staged
  // by exact name through update-index: thousands of pathspecs would make `git add` match
  // every index entry against every pathspec. Both ignore .gitignore files mirrored from the
  // machine (etckeeper keeps one in /etc), which must not hide mirrored files.
  std::vector<std::string> dirs, file_list;
  std::set<std::string, std::less<>> file_set;
  for (const auto& p : paths) {
    struct stat st {};
    if (p == "." ||
        (::lstat((repo.work_tree() + "/" + p).c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
      dirs.push_back(p);
    else if (file_set.insert(p).second)
      file_list.push_back(p);
  }
  // Directories first: `git add` writes new objects much faster than update-index does
  // (measured: 20,000 new files, 2.8 s against 5.4 s); the files that follow, adopted into
  // filesystem/, mostly have the same content, already written.
  // Every git command that stores content gets the twin-crypt filter on its command line:
  // secrets are encrypted even where the repository's config lost the filter.
  const std::vector<std::string> filter = crypt_filter_overrides();
  // What prestage staged needs no update-index: its entries are the files as they were
  // after hashing, and a change since then is as late as one after update-index would be.
  const std::vector<std::string> prestaged = prestage_files(runner, repo, fresh);
  std::string files; // for update-index: what prestage did not stage already
  for (const auto& p : file_list) {
    if (std::binary_search(prestaged.begin(), prestaged.end(), p))
      continue;
    files += p;
    files += '\0';
  }
  if (!dirs.empty()) {
    std::vector<std::string> add = filter;
    add.insert(add.end(), {"add", "-A", "-f", "--"});
    add.insert(add.end(), dirs.begin(), dirs.end());
    TWIN_CHECK(run_git(runner, repo.work_tree(), add));
  }
  if (!files.empty()) {
    std::vector<std::string> update = filter;
    update.insert(update.end(), {"update-index", "--add", "--remove", "-z", "--stdin"});
    TWIN_CHECK(run_git(runner, repo.work_tree(), update, files));
  }

  // Is anything of ours staged, and is anything else (the user's own staging) staged too?
  auto staged =
      TWIN_TRY(run_git(runner, repo.work_tree(), {"diff", "--cached", "--name-only", "-z"}));
  bool ours_staged = false, others_staged = false;
  for (size_t start = 0; start < staged.out.size();) {
    size_t end = staged.out.find('\0', start);
    std::string_view name(staged.out.data() + start,
                          (end == std::string::npos ? staged.out.size() : end) - start);
    bool ours = file_set.count(name) > 0;
    for (const auto& d : dirs)
      ours = ours || d == "." || name == d ||
             (name.size() > d.size() && name.substr(0, d.size()) == d && name[d.size()] == '/');
    (ours ? ours_staged : others_staged) = true;
    start = end == std::string::npos ? staged.out.size() : end + 1;
  }
  if (!ours_staged)
    return std::optional<std::string>();

  // The message goes through a file: a list of adopted paths can exceed what one argument
  // may hold.
  std::string message_file = repo.git_dir() + "/twin/COMMIT_MSG";
  {
    std::ofstream out(message_file, std::ios::binary | std::ios::trunc);
    out << message;
    if (!out)
      return fail("cannot write '{}'", message_file);
  }
  // A commit needs an identity; a fresh machine often has none. Ours is used only then.
  Command ident;
  ident.argv = {"git", "var", "GIT_COMMITTER_IDENT"};
  ident.cwd = repo.work_tree();
  bool has_identity = TWIN_TRY(runner.run(ident)).ok();
  std::vector<std::string> args = filter;
  if (!has_identity) {
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    args.insert(args.end(),
                {"-c", "user.name=git-twin", "-c", fmt::format("user.email=git-twin@{}", host)});
  }
  for (const char* a : {"commit", "-q", "-F"})
    args.emplace_back(a);
  args.push_back(message_file);
  std::string pathspecs;
  if (others_staged) {
    // Leave the user's own staged changes out of our commit (slow with many paths; rare).
    args.emplace_back("--only");
    args.emplace_back("--pathspec-from-file=-");
    args.emplace_back("--pathspec-file-nul");
    for (const auto& d : dirs)
      pathspecs += d + '\0';
    for (const auto& f : file_list)
      pathspecs += f + '\0';
  }
  TWIN_CHECK(run_git(runner, repo.work_tree(), args, pathspecs));
  std::remove(message_file.c_str());
  return repo.resolve("HEAD");
}

} // namespace twin
