// SPDX-License-Identifier: MIT
// Pushing the twin (push, snapshot --push).
#pragma once

#include <span>
#include <string>

#include "core/git_repo.hpp"

namespace twin::cli {

/// `git push [extra...]` in the twin, on the user's terminal (credential prompts, progress).
Status push_twin(const GitRepo& repo, std::span<const std::string> extra);

} // namespace twin::cli
