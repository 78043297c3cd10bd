// SPDX-License-Identifier: MIT
// The command table: every `git twin <command>`, in the order `git twin` lists them.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace twin::cli {

/// A command gets its arguments (after the command name) and returns its exit code.
using CommandFn = Result<int> (*)(std::span<const std::string> args);

struct CommandInfo {
  std::string_view name;
  std::string_view summary;
  CommandFn run;
};

std::span<const CommandInfo> commands();

// One function per command, each in its own cmd_<name>.cpp.
Result<int> cmd_init(std::span<const std::string> args);
Result<int> cmd_snapshot(std::span<const std::string> args);
Result<int> cmd_logs(std::span<const std::string> argv);
Result<int> cmd_undo(std::span<const std::string> argv);
Result<int> cmd_validate(std::span<const std::string> args);
Result<int> cmd_plan(std::span<const std::string> args);
Result<int> cmd_apply(std::span<const std::string> args);
Result<int> cmd_status(std::span<const std::string> args);
Result<int> cmd_adopt(std::span<const std::string> args);
Result<int> cmd_restore(std::span<const std::string> args);
Result<int> cmd_push(std::span<const std::string> args);
Result<int> cmd_pull(std::span<const std::string> args);
Result<int> cmd_doctor(std::span<const std::string> args);
Result<int> cmd_key(std::span<const std::string> args);
Result<int> cmd_hook(std::span<const std::string> args);
Result<int> cmd_filter_process(std::span<const std::string> args);
Result<int> cmd_textconv(std::span<const std::string> args);
Result<int> cmd_merge_driver(std::span<const std::string> args);

/// The program: parses argv, dispatches, and is the one place that turns an Error (or a
/// stray exception) into "error: ..." and an exit code.
int run(int argc, char** argv);

} // namespace twin::cli
