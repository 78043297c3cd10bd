// SPDX-License-Identifier: MIT
// The merge driver git runs for merge=twin-yaml and merge=twin-crypt paths
// (`git twin merge-driver %O %A %B %P`, tech-notes section 2.2): git gives it the base, ours
// and theirs versions as temporary files of blob content, and takes the result from %A;
// exit 0 means merged, non-zero means conflict (or failure).
//
// Content encrypted by twin-crypt is decrypted for the merge (a merge of ciphertext could
// only ever conflict, and would put ciphertext between the markers) and the result is
// encrypted again for %P before it is written, since git stores %A as the blob. Without the
// key nothing is written and the driver fails. No secret content is ever printed: messages
// about an encrypted file name only the path and counts.
//
// A state fragment with merge keys is merged by structure (yaml_merge.hpp). When git's line
// merge of the same texts is clean and means the same document, that text is kept instead:
// it keeps the comments and layout people wrote. Anything else (a file under filesystem/, a
// fragment that does not parse or does not have its shape) is merged line by line with
// `git merge-file --diff3`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/merge_key.hpp"
#include "core/runner.hpp"
#include "core/secret_cipher.hpp"

namespace twin::filters {

struct MergeOutcome {
  std::string text;
  bool conflict = false;
  std::vector<std::string> notes; // what the driver tells the user (stderr), without content
};

struct MergeInputs {
  std::string_view path; // %P, the repository path, for messages
  std::string_view base, ours, theirs;
  const std::vector<MergeKey>* keys = nullptr; // null or empty: merge the text
  bool secret = false;                         // notes must not quote content
  std::string scratch_dir;                     // for git merge-file's inputs (text_merge.hpp)
};

/// Merges three plaintext versions of one file.
Result<MergeOutcome> merge_contents(const MergeInputs& inputs, Runner& runner);

struct MergeDriverArgs {
  std::string base_file;   // %O
  std::string ours_file;   // %A, also where the result goes
  std::string theirs_file; // %B
  std::string path;        // %P
  bool secret = false;     // the path must be stored encrypted, whatever the inputs are
  std::string scratch_dir; // where git merge-file's inputs go: private, outside the work tree
};

/// The merge keys of the state fragment at a repository path; empty when it is none.
using MergeKeysFor = std::function<std::vector<MergeKey>(std::string_view path)>;
/// The twin's key, asked for only when some input is encrypted; nullopt when there is none.
using KeyLoader = std::function<Result<std::optional<SecretKey>>()>;

/// The whole driver: reads the three files, merges, writes %A atomically (keeping its mode),
/// prints the notes to stderr. Returns 0 when merged cleanly, 1 on a conflict.
Result<int> run_merge_driver(const MergeDriverArgs& args, const MergeKeysFor& keys_for,
                             const KeyLoader& load_key, Runner& runner);

} // namespace twin::filters
