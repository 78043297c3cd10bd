// SPDX-License-Identifier: MIT
// The repository settings that connect .gitattributes to git-twin: the twin-crypt filter
// (required, so a missing filter fails instead of committing plaintext), its textconv for
// diffs, and the twin-yaml and twin-crypt merge drivers. Settings are not versioned, so
// init, `key import` and doctor each deal with them.
//
// diff.twin-crypt.cachetextconv stays unset on purpose: git would cache the decrypted text
// in a notes ref, which a push could publish.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/runner.hpp"

namespace twin {

/// name -> value, in the order they are written. Commands name this binary by its absolute
/// path.
const std::vector<std::pair<std::string, std::string>>& git_settings();

/// `-c name=value` arguments that make one git command clean through twin-crypt whatever
/// the repository's config says: git-twin's own commits never depend on the config being
/// in place.
std::vector<std::string> crypt_filter_overrides();

/// Writes git_settings() into the repository's own config (.git/config).
Status configure_git(Runner& runner, const std::string& work_tree);

/// The settings that are missing or differ, as "name (expected 'value')".
Result<std::vector<std::string>> missing_git_settings(Runner& runner, const std::string& work_tree);

} // namespace twin
