// SPDX-License-Identifier: MIT
// git twin doctor (also: check-deps): what would keep git-twin from working here.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "core/git_repo.hpp"
#include "core/git_settings.hpp"
#include "core/output.hpp"
#include "core/secret_cipher.hpp"
#include "hooks/shims.hpp"

namespace twin::cli {
namespace {

bool on_path(const std::string& tool) {
  Command probe;
  probe.argv = {"sh", "-c", "command -v \"$1\"", "sh", tool};
  auto found = process_runner().run(probe);
  return found && found->ok();
}

} // namespace

Result<int> cmd_doctor(std::span<const std::string> argv) {
  static const OptionSpec specs[] = {{"fix", 0, false}};
  Args args = TWIN_TRY(parse_args("doctor", argv, specs));
  if (!args.positional.empty())
    return usage_error("'git twin doctor' takes no arguments");
  int problems = 0;
  auto problem = [&](const std::string& text) {
    print_warning(text);
    ++problems;
  };

  if (!on_path("git-twin"))
    problem("git-twin is not on PATH: 'git twin' and the hooks cannot find it");
  for (const char* tool : {"git", "man"})
    if (!on_path(tool))
      problem(fmt::format("'{}' is not installed", tool));

  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return fail("cannot determine the current directory");
  auto repo = GitRepo::discover(cwd);
  struct stat st {};
  if (repo && ::stat((repo->work_tree() + "/config.yaml").c_str(), &st) != 0)
    repo = fail("no config.yaml"); // a git repository, but not a twin
  if (!repo) {
    fmt::print("not inside a twin: checked the tools only\n");
  } else {
    auto hooks_path =
        run_git(process_runner(), repo->work_tree(), {"config", "--get", "core.hooksPath"});
    if (hooks_path && !hooks_path->out.empty())
      problem(fmt::format("core.hooksPath is set ({}): git runs no hook from $GIT_DIR/hooks, so "
                          "git-twin's hooks never fire\nhint: unset it, or call 'git twin hook "
                          "<name>' from the hooks there",
                          hooks_path->out.substr(0, hooks_path->out.find('\n'))));
    if (args.flag("fix"))
      for (const auto& line : TWIN_TRY(hooks::install_shims(repo->git_dir() + "/hooks")))
        fmt::print("hooks: {}\n", line);
    if (args.flag("fix"))
      TWIN_CHECK(configure_git(process_runner(), repo->work_tree()));
    for (const auto& missing : TWIN_TRY(missing_git_settings(process_runner(), repo->work_tree())))
      problem(fmt::format(
          "git setting {} is missing or outdated: without it secrets are not encrypted by "
          "plain git, and state does not merge by resource\nhint: 'git twin "
          "doctor --fix' sets it",
          missing));
    auto key = load_key(repo->git_dir());
    if (!key)
      problem(key.error().message);
    else if (!*key)
      problem("this twin has no key: its encrypted files stay locked\nhint: 'git twin key import "
              "FILE' with the key exported on the twin's machine");
    else
      fmt::print("key: {} (id {})\n", key_file(repo->git_dir()), (*key)->id());
    for (std::string_view name : hooks::hook_names()) {
      std::ifstream in(fmt::format("{}/hooks/{}", repo->git_dir(), name));
      std::stringstream text;
      text << in.rdbuf();
      if (!in || !hooks::is_shim(text.str()))
        problem(fmt::format("the {} hook is not installed\nhint: 'git twin doctor --fix' "
                            "installs it (a hook already there is chained, not replaced)",
                            name));
    }
  }
  if (problems) {
    fmt::print("{} problem{} found\n", problems, problems == 1 ? "" : "s");
    return 1;
  }
  fmt::print("git-twin can work here: tools on PATH, hooks, filters and key in place\n");
  return 0;
}

} // namespace twin::cli
