// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/apt_get.hpp"

namespace twin::packages {

std::vector<std::string> apt_get_argv(AptOp op, const std::string& root,
                                      const std::vector<std::string>& targets,
                                      bool allow_downgrades) {
  std::vector<std::string> argv{"apt-get", "-y", "-q"};
  if (op == AptOp::simulate_remove)
    argv.push_back("-s");
  argv.insert(argv.end(),
              {"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"});
  if (root != "/")
    argv.insert(argv.end(), {"-o", "RootDir=" + root, "-o", "Dpkg::Options::=--root=" + root});
  if (op == AptOp::install) {
    argv.push_back("--no-remove");
    if (allow_downgrades)
      argv.push_back("--allow-downgrades");
    argv.push_back("install");
  } else {
    argv.push_back("remove");
  }
  argv.push_back("--");
  argv.insert(argv.end(), targets.begin(), targets.end());
  return argv;
}

std::map<std::string, std::optional<std::string>> apt_get_env() {
  return {{"DEBIAN_FRONTEND", "noninteractive"},
          {"APT_LISTCHANGES_FRONTEND", "none"},
          {"APT_LISTBUGS_FRONTEND", "none"},
          {"LC_ALL", "C"}};
}

std::vector<std::string> simulated_removals(std::string_view output) {
  std::vector<std::string> out;
  while (!output.empty()) {
    std::size_t end = output.find('\n');
    std::string_view line = output.substr(0, end);
    output = end == std::string_view::npos ? std::string_view() : output.substr(end + 1);
    if (line.substr(0, 5) != "Remv ")
      continue;
    line.remove_prefix(5);
    out.emplace_back(line.substr(0, line.find(' ')));
  }
  return out;
}

std::string apt_error_line(std::string_view err) {
  std::string_view last, last_error;
  while (!err.empty()) {
    std::size_t end = err.find('\n');
    std::string_view line = err.substr(0, end);
    err = end == std::string_view::npos ? std::string_view() : err.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    if (line.empty())
      continue;
    last = line;
    if (line.substr(0, 3) == "E: ")
      last_error = line;
  }
  return std::string(last_error.empty() ? last : last_error);
}

} // namespace twin::packages
