// SPDX-License-Identifier: MIT
// The repository that git runs a filter or textconv for. git starts them in the top of the
// work tree, and exports GIT_DIR when the user gave one (`git --git-dir=... add`), so
// GIT_DIR wins over searching upwards from the current directory.
#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/secret_cipher.hpp"

namespace twin::cli {

/// The git dir: $GIT_DIR (made absolute) or the one found from the current directory.
Result<std::string> filter_git_dir();

/// That repository's twin-crypt key; nullopt when it has none (a locked clone).
Result<std::optional<SecretKey>> filter_key();

} // namespace twin::cli
