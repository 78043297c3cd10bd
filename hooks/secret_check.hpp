// SPDX-License-Identifier: MIT
// pre-commit's guard against plaintext secrets (DESIGN.md section 7): what is staged must
// be ciphertext wherever a secret rule says so (core/secret_paths.hpp), whatever
// .gitattributes or the repository's config did to the filter; and no staged file may hold
// a GitHub token or a private key block in plaintext (core/secret_scan.hpp).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/plugin.hpp"
#include "core/runner.hpp"

namespace twin::hooks {

/// Problems with the staged additions and changes, worded for the user (path, line, what
/// to do), never quoting the secret itself. `listed` are the files the staged
/// .gitattributes lists as secret one by one.
Result<std::vector<std::string>> staged_secret_problems(Runner& runner,
                                                        const std::string& work_tree,
                                                        const Config& config,
                                                        std::span<const Plugin* const> plugins);

} // namespace twin::hooks
