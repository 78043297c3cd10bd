// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include <cstdio>
#include <exception>
#include <string>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "core/git_repo.hpp"
#include "core/output.hpp"
#include "core/runner.hpp"
#include "filters/libgit2_filter.hpp"

namespace twin::cli {
namespace {

constexpr std::string_view k_version = "0.1.0";

void print_usage(std::FILE* out) {
  fmt::print(out, "usage: git twin <command> [<args>]\n\n"
                  "Keep this machine as a git repository: observed, desired, and the plan "
                  "between.\n\ncommands:\n");
  for (const auto& c : commands())
    fmt::print(out, "   {:<14} {}\n", c.name, c.summary);
  fmt::print(out, "\nSee 'git twin --help' (man git-twin) for the details.\n");
}

// git turns `git twin --help` into `man git-twin`; `git-twin --help` does the same here.
// A command without a page of its own opens the main page.
int open_manual(std::string page) {
  Command probe;
  probe.argv = {"man", "-w", page};
  auto found = process_runner().run(probe);
  if (page != "git-twin" && !(found && found->ok()))
    page = "git-twin";
  execlp("man", "man", page.c_str(), static_cast<char*>(nullptr));
  print_warning(fmt::format("cannot run 'man {}'; here is the summary", page));
  print_usage(stdout);
  return 0;
}

Result<int> dispatch(const std::vector<std::string>& args) {
  if (args.empty()) {
    print_usage(stderr);
    return static_cast<int>(ExitCode::usage);
  }
  const std::string& name = args[0];
  if (name == "--version" || name == "version") {
    fmt::print("git-twin version {}\n", k_version);
    return 0;
  }
  if (name == "--help" || name == "-h" || name == "help") {
    if (args.size() > 1)
      return open_manual("git-twin-" + args[1]);
    return open_manual("git-twin");
  }
  for (const auto& c : commands()) {
    if (c.name != name)
      continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    // "--help" anywhere before "--", "-h" alone: -h may be another command's option (push).
    for (const auto& a : rest) {
      if (a == "--")
        break;
      if (a == "--help" || (a == "-h" && rest.size() == 1))
        return open_manual(fmt::format("git-twin-{}", name));
    }
    return c.run(rest);
  }
  return usage_error("'{}' is not a git twin command. See 'git twin --help'", name);
}

} // namespace

std::span<const CommandInfo> commands() {
  static const CommandInfo table[] = {
      {"init", "create the twin of this machine and take its first snapshot", cmd_init},
      {"snapshot", "observe the machine into live/, adopt local changes, commit", cmd_snapshot},
      {"plan", "show what apply would change, and write plan/latest.yaml", cmd_plan},
      {"apply", "change the machine to match the twin (with backups)", cmd_apply},
      {"undo", "put back what a recorded apply changed (with confirmation)", cmd_undo},
      {"status", "one line per plugin: in sync, changes to apply or adopt, conflicts", cmd_status},
      {"adopt", "copy what is observed into desired state, and commit", cmd_adopt},
      {"restore", "bring an earlier commit's desired state onto the branch, then plan",
       cmd_restore},
      {"pull", "git pull --ff-only, then plan", cmd_pull},
      {"push", "git push the twin", cmd_push},
      {"logs", "show what the machine's logs said at the last snapshot; search earlier ones",
       cmd_logs},
      {"validate", "check config.yaml and state/ against their schemas and rules", cmd_validate},
      {"key", "export or import the key that encrypts the twin's secrets", cmd_key},
      {"doctor", "check that tools, hooks, filters and the key are in place (also: check-deps)",
       cmd_doctor},
      {"check-deps", "the same as doctor", cmd_doctor},
      {"hook", "plumbing: what the installed git hooks run", cmd_hook},
      {"filter-process", "plumbing: the twin-crypt filter git runs (filter.twin-crypt.process)",
       cmd_filter_process},
      {"textconv", "plumbing: print a twin-crypt file decrypted, for git diff", cmd_textconv},
      {"merge-driver", "plumbing: the merge driver git runs for state/ and secrets",
       cmd_merge_driver},
  };
  return table;
}

int run(int argc, char** argv) {
  prepare_process_signals();
  // Whatever reads or writes files with libgit2 goes through the twin-crypt filter, as git
  // does; registered when (and only if) libgit2 is first used.
  GitRepo::set_library_setup(&filters::register_libgit2_filters);
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto result = dispatch(args);
    if (result)
      return *result;
    print_error(result.error().message);
    return static_cast<int>(result.error().exit_code);
  } catch (const std::exception& e) {
    print_error(e.what());
    return 1;
  }
}

} // namespace twin::cli
