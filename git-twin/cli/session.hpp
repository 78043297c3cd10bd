// SPDX-License-Identifier: MIT
// Opening a twin for a command: find the repository from the current directory, load and
// check config.yaml, and pick the system root.
#pragma once

#include <optional>
#include <string>

#include "cli/args.hpp"
#include "core/config.hpp"
#include "core/git_repo.hpp"
#include "core/system_root.hpp"
#include "core/work_tree.hpp"

namespace twin::cli {

struct Session {
  GitRepo repo;
  WorkTree tree;
  Config config;
  SystemRoot root;
};

/// The system root directory: --root, else GIT_TWIN_ROOT, else config.yaml's `root`.
std::string choose_root(const Args& args, const Config& config);

/// Reads and checks config.yaml in `tree`; every problem is listed in the error.
Result<Config> load_config(const WorkTree& tree);

/// Discovers the twin containing the current directory and opens everything.
Result<Session> open_session(const Args& args);

} // namespace twin::cli
