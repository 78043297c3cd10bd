// SPDX-License-Identifier: MIT
#include "core/git_settings.hpp"

#include <map>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "core/git_repo.hpp"

namespace twin {

namespace {

// This binary as git should run it: by its absolute path, quoted for the shell git runs
// these commands with. A required filter that cannot start fails every checkout that
// needs it, and git also runs from GUIs, cron and scripts whose PATH lacks /usr/local/bin.
std::string self_command() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string path(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  if (path.empty() || path.ends_with(" (deleted)")) // replaced while running
    return "git twin";
  std::string quoted = "'";
  for (char c : path) {
    if (c == '\'')
      quoted.append("'\\''");
    else
      quoted.push_back(c);
  }
  quoted.push_back('\'');
  return quoted;
}

} // namespace

const std::vector<std::pair<std::string, std::string>>& git_settings() {
  static const std::string self = self_command();
  static const std::vector<std::pair<std::string, std::string>> settings = {
      {"filter.twin-crypt.process", self + " filter-process"},
      {"filter.twin-crypt.required", "true"},
      {"diff.twin-crypt.textconv", self + " textconv"},
      {"merge.twin-yaml.name", "git-twin: merge state documents resource by resource"},
      {"merge.twin-yaml.driver", self + " merge-driver %O %A %B %P"},
      {"merge.twin-crypt.name", "git-twin: merge encrypted files after decrypting them"},
      {"merge.twin-crypt.driver", self + " merge-driver --secret %O %A %B %P"},
  };
  return settings;
}

std::vector<std::string> crypt_filter_overrides() {
  std::vector<std::string> args;
  for (const auto& [name, value] : git_settings())
    if (name.rfind("filter.", 0) == 0)
      args.insert(args.end(), {"-c", name + "=" + value});
  return args;
}

Status configure_git(Runner& runner, const std::string& work_tree) {
  for (const auto& [name, value] : git_settings())
    TWIN_CHECK(run_git(runner, work_tree, {"config", "--local", name, value}));
  return {};
}

Result<std::vector<std::string>> missing_git_settings(Runner& runner,
                                                      const std::string& work_tree) {
  // One git process for all of them; exit 1 just means none is set.
  std::map<std::string, std::string> found;
  if (auto listed = run_git(runner, work_tree,
                            {"config", "--null", "--get-regexp", "^(filter|diff|merge)\\.twin-"})) {
    std::istringstream in(listed->out);
    for (std::string record; std::getline(in, record, '\0');) {
      std::size_t nl = record.find('\n');
      if (nl != std::string::npos)
        found[record.substr(0, nl)] = record.substr(nl + 1);
    }
  }
  std::vector<std::string> missing;
  for (const auto& [name, value] : git_settings()) {
    auto it = found.find(name);
    if (it == found.end() || it->second != value)
      missing.push_back(fmt::format("{} (expected '{}')", name, value));
  }
  return missing;
}

} // namespace twin
