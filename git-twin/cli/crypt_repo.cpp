// SPDX-License-Identifier: MIT
#include "cli/crypt_repo.hpp"

#include <cstdlib>
#include <unistd.h>

#include "core/git_repo.hpp"

namespace twin::cli {

Result<std::string> filter_git_dir() {
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd))
    return fail("cannot determine the current directory");
  if (const char* env = std::getenv("GIT_DIR"); env && *env) {
    std::string dir = env;
    if (dir.front() != '/')
      dir = std::string(cwd) + "/" + dir;
    while (dir.size() > 1 && dir.back() == '/')
      dir.pop_back();
    return dir;
  }
  auto repo = TWIN_TRY(GitRepo::discover(cwd));
  return repo.git_dir();
}

Result<std::optional<SecretKey>> filter_key() {
  return load_key(TWIN_TRY(filter_git_dir()));
}

} // namespace twin::cli
