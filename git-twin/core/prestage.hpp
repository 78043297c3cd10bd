// SPDX-License-Identifier: MIT
// Staging thousands of new files without git hashing them one by one.
//
// A first snapshot stages every file of the machine twice (its copy in live/filesystem and
// in filesystem/), and `git add` hashes, compresses and writes them as loose objects one by
// one on one core: that was most of its time. prestage_files does what `git add` would do
// for files this run wrote. `git check-attr` tells which files git stores as they are (no
// filter, text, eol, ident or encoding attribute); those are hashed on all cores here and
// written into one pack (core/blob_pack.hpp), the same bytes stored once. The rest
// (twin-crypt's secrets) are hashed by `git hash-object -w`, filters applied by git. Then
// it writes their index entries (the id and the stat data, as git records them) in one
// pass. The `git add` that follows finds those entries up to date and only stats the files;
// the files it staged need no `git update-index`.
//
// Only an accelerator: whatever it cannot do safely it leaves to git add. A file whose stat
// changed while it was hashed is left out (it is taken before hashing, as git add does); an
// index that holds conflicts, an index lock held by someone else, core.fileMode,
// core.ignoreCase or core.autocrlf set away from Linux's defaults, SHA-256 object ids, a
// .gitattributes only in the index, or any failure: nothing is staged.
#pragma once

#include <string>
#include <vector>

#include "core/git_repo.hpp"
#include "core/runner.hpp"

namespace twin {

/// Stages `files` (work-tree paths) as described above; returns the paths it staged, in
/// path order. With fewer than 1,000 files, or one core, it does nothing: git add is then as
/// fast.
std::vector<std::string> prestage_files(Runner& runner, const GitRepo& repo,
                                        const std::vector<std::string>& files);

} // namespace twin
