// SPDX-License-Identifier: MIT
// git twin merge-driver %O %A %B %P: plumbing, the merge driver git runs for
// merge=twin-yaml and merge=twin-crypt paths (filters/merge_driver.hpp does the work).
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/git_repo.hpp"
#include "core/runner.hpp"
#include "filters/merge_driver.hpp"
#include "plugins/registry.hpp"

namespace twin::cli {
namespace {

std::vector<MergeKey> merge_keys_for(std::string_view path) {
  for (const Plugin* p : plugins::all())
    if (p->has_state() && path == fmt::format("state/{}.yaml", p->fragment()))
      return p->merge_keys();
  return {};
}

// git runs drivers in the work tree's top directory, with GIT_DIR set when the user set it.
Result<std::string> git_dir() {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    return fail("cannot determine the current directory");
  if (const char* env = std::getenv("GIT_DIR"); env && *env)
    return env[0] == '/' ? std::string(env) : std::string(cwd) + "/" + env;
  GitRepo repo = TWIN_TRY(GitRepo::discover(cwd));
  return repo.git_dir();
}

} // namespace

Result<int> cmd_merge_driver(std::span<const std::string> argv) {
  if (argv.size() != 4)
    return usage_error("usage: git twin merge-driver <base> <ours> <theirs> <path>");
  filters::MergeDriverArgs args{argv[0], argv[1], argv[2], argv[3]};
  auto load = [&]() -> Result<std::optional<SecretKey>> { return load_key(TWIN_TRY(git_dir())); };
  return filters::run_merge_driver(args, merge_keys_for, load, process_runner());
}

} // namespace twin::cli
