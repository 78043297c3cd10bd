// SPDX-License-Identifier: MIT
// git twin merge-driver %O %A %B %P: plumbing, the merge driver git runs for
// merge=twin-yaml and merge=twin-crypt paths (filters/merge_driver.hpp does the work).
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/crypt_repo.hpp"
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

} // namespace

Result<int> cmd_merge_driver(std::span<const std::string> argv) {
  // --secret: merge.twin-crypt.driver says the path is secret, so the result is encrypted
  // even when all three versions were stored in plaintext (from before encryption).
  bool secret = !argv.empty() && argv[0] == "--secret";
  if (secret)
    argv = argv.subspan(1);
  if (argv.size() != 4)
    return usage_error("usage: git twin merge-driver [--secret] <base> <ours> <theirs> <path>");
  std::string git_dir = TWIN_TRY(filter_git_dir());
  // Decrypted versions go to a private directory under the git dir, never into the work
  // tree, where a crash would leave them for the next 'git add -A'.
  std::string scratch = common_git_dir(git_dir) + "/twin";
  if (::mkdir(scratch.c_str(), 0700) != 0 && errno != EEXIST)
    return fail("cannot create '{}': {}", scratch, std::strerror(errno));
  filters::MergeDriverArgs args{argv[0], argv[1], argv[2], argv[3], secret, scratch};
  auto load = [&]() { return load_key(git_dir); };
  return filters::run_merge_driver(args, merge_keys_for, load, process_runner());
}

} // namespace twin::cli
