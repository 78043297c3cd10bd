// SPDX-License-Identifier: MIT
#include "hooks/secret_check.hpp"

#include <fmt/format.h>

#include "core/git_repo.hpp"
#include "core/secret_cipher.hpp"
#include "core/secret_paths.hpp"
#include "core/secret_scan.hpp"
#include "core/snapshot_secrets.hpp"

namespace twin::hooks {
namespace {

struct StagedBlob {
  std::string path;
  std::string id;
};

// Additions and changes in the index against HEAD (or against nothing before the first
// commit): `git diff --cached --raw -z` gives each new blob id with its path.
Result<std::vector<StagedBlob>> staged_blobs(Runner& runner, const std::string& work_tree) {
  bool has_head = run_git(runner, work_tree, {"rev-parse", "-q", "--verify", "HEAD"}).has_value();
  std::vector<std::string> args = {"diff-index",   "--cached",           "--raw",        "-z",
                                   "--no-renames", "--diff-filter=ACMT", "--no-ext-diff"};
  args.push_back(has_head ? "HEAD" : "4b825dc642cb6eb9a060e54bf8d69288fbee4904"); // empty tree
  auto listed = TWIN_TRY(run_git(runner, work_tree, args));
  std::vector<StagedBlob> out;
  const std::string& text = listed.out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t meta_end = text.find('\0', at);
    std::size_t path_end = meta_end == std::string::npos ? meta_end : text.find('\0', meta_end + 1);
    if (path_end == std::string::npos)
      break;
    // ":100644 100644 <old> <new> M"
    std::string_view meta(text.data() + at, meta_end - at);
    std::string path = text.substr(meta_end + 1, path_end - meta_end - 1);
    std::size_t new_id = meta.find(' ', meta.find(' ', meta.find(' ') + 1) + 1);
    std::string mode(meta.substr(8, 6));
    if (new_id != std::string_view::npos && mode != "160000" && mode != "120000")
      out.push_back({std::move(path), std::string(meta.substr(new_id + 1, 40))});
    at = path_end + 1;
  }
  return out;
}

// The contents of blobs, in one `git cat-file --batch`.
Result<std::vector<std::string>> blob_contents(Runner& runner, const std::string& work_tree,
                                               const std::vector<StagedBlob>& blobs) {
  std::string ids;
  for (const auto& b : blobs)
    ids += b.id + "\n";
  auto batch = TWIN_TRY(run_git(runner, work_tree, {"cat-file", "--batch"}, ids));
  std::vector<std::string> out;
  const std::string& text = batch.out;
  std::size_t at = 0;
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    std::size_t eol = text.find('\n', at);
    if (eol == std::string::npos)
      return fail("git cat-file --batch ended early");
    std::string header = text.substr(at, eol - at); // "<id> blob <size>"
    std::size_t space = header.rfind(' ');
    if (space == std::string::npos || header.find(" blob ") == std::string::npos)
      return fail("git cat-file --batch: unexpected '{}'", header);
    std::size_t size = std::stoull(header.substr(space + 1));
    out.push_back(text.substr(eol + 1, size));
    at = eol + 1 + size + 1;
  }
  return out;
}

} // namespace

Result<std::vector<std::string>> staged_secret_problems(Runner& runner,
                                                        const std::string& work_tree,
                                                        const Config& config,
                                                        std::span<const Plugin* const> plugins) {
  std::vector<StagedBlob> blobs = TWIN_TRY(staged_blobs(runner, work_tree));
  if (blobs.empty())
    return std::vector<std::string>{};
  std::vector<std::string> contents = TWIN_TRY(blob_contents(runner, work_tree, blobs));

  // The rules as they will be committed: the staged .gitattributes' list, the patterns of
  // the config in use, the secret documents of every plugin.
  std::string attributes;
  if (auto staged = run_git(runner, work_tree, {"cat-file", "blob", ":.gitattributes"}))
    attributes = staged->out;
  std::set<std::string> listed = listed_secret_files(attributes);
  SecretPatterns patterns(config.secrets);
  std::vector<std::string> documents = secret_documents(plugins);

  std::vector<std::string> problems;
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    const std::string& path = blobs[i].path;
    const std::string& content = contents[i];
    if (is_encrypted(content)) {
      if (auto owner = encrypted_for(content); owner && *owner != path)
        problems.push_back(fmt::format(
            "{}: is encrypted for '{}' and would not decrypt here; run 'git add --renormalize "
            "-- {}'",
            path, *owner, path));
      continue;
    }
    if (must_be_encrypted(path, patterns, listed, documents)) {
      problems.push_back(fmt::format(
          "{}: must be stored encrypted, but the staged content is plaintext (the twin-crypt "
          "filter did not run: check 'git twin doctor', then 'git add --renormalize -- {}')",
          path, path));
      continue;
    }
    for (const auto& found : find_plaintext_secrets(content))
      problems.push_back(
          fmt::format("{}:{}: a {} in plaintext; store the file encrypted (add it to `secrets` in "
                      "config.yaml) or remove the secret",
                      path, found.line, found.kind));
  }
  return problems;
}

} // namespace twin::hooks
