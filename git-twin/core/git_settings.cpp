// SPDX-License-Identifier: MIT
#include "core/git_settings.hpp"

#include <map>
#include <sstream>

#include <fmt/format.h>

#include "core/git_repo.hpp"

namespace twin {

const std::vector<std::pair<std::string, std::string>>& git_settings() {
  static const std::vector<std::pair<std::string, std::string>> settings = {
      {"filter.twin-crypt.process", "git twin filter-process"},
      {"filter.twin-crypt.required", "true"},
      {"diff.twin-crypt.textconv", "git twin textconv"},
      {"merge.twin-yaml.name", "git-twin: merge state documents resource by resource"},
      {"merge.twin-yaml.driver", "git twin merge-driver %O %A %B %P"},
      {"merge.twin-crypt.name", "git-twin: merge encrypted files after decrypting them"},
      {"merge.twin-crypt.driver", "git twin merge-driver --secret %O %A %B %P"},
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
