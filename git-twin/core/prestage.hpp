// SPDX-License-Identifier: MIT
// Staging thousands of new files without git hashing each of them twice.
//
// A first snapshot stages every file of the machine twice (its copy in live/filesystem and
// in filesystem/), and `git add` hashes and compresses them one by one on one core: that was
// most of its time. prestage_files does what `git add` would do for files this run wrote,
// split over several `git hash-object -w` processes at once (git computes every object id,
// with the twin-crypt filter and any other attribute applied). A copy in filesystem/ takes
// the id of its partner in live/filesystem when git would compute the same one: `git
// check-attr` shows no content attribute on it, and its bytes have the partner's id. Then
// it writes their index entries (the id and the stat data, as git records them) in one
// pass. The `git add` that follows finds those entries up to date and only stats the files;
// the files it staged need no `git update-index`.
//
// Only an accelerator: whatever it cannot do safely it leaves to git add. A file whose stat
// changed while it was hashed is left out (it is taken before hashing, as git add does); an
// index that holds conflicts, an index lock held by someone else, core.fileMode or
// core.ignoreCase set away from Linux's defaults, or any failure: nothing is staged.
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
