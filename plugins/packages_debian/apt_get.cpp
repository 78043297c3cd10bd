// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/apt_get.hpp"

namespace twin::packages {

std::vector<std::string> apt_get_argv(AptOp op, const std::string& root,
                                      const std::vector<std::string>& targets,
                                      bool allow_downgrades) {
  std::vector<std::string> argv{"apt-get", "-y", "-q"};
  if (op == AptOp::simulate_install || op == AptOp::simulate_remove)
    argv.push_back("-s");
  // Whatever apt.conf says: remove only what is named (no purge, no autoremove).
  argv.insert(argv.end(),
              {"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
               "-o", "APT::Get::Purge=false", "-o", "APT::Get::AutomaticRemove=false"});
  if (root != "/")
    argv.insert(argv.end(), {"-o", "RootDir=" + root, "-o", "Dpkg::Options::=--root=" + root});
  if (op == AptOp::install || op == AptOp::simulate_install) {
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

namespace {

// Calls `each` with every line of `text`, without the line end.
template <class F> void for_each_line(std::string_view text, F each) {
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    each(line);
  }
}

// The word after `prefix` up to the next space, or up to `until`.
std::string_view word_after(std::string_view line, std::string_view prefix, char until = ' ') {
  line.remove_prefix(prefix.size());
  return line.substr(0, line.find(until));
}

} // namespace

SimulatedRun parse_simulation(std::string_view output) {
  SimulatedRun run;
  for_each_line(output, [&](std::string_view line) {
    if (line.substr(0, 5) == "Inst ")
      run.installs.emplace_back(word_after(line, "Inst "));
    else if (line.substr(0, 5) == "Remv " || line.substr(0, 5) == "Purg ")
      run.removals.emplace_back(word_after(line, "Remv "));
    else if (line.substr(0, 16) == "Note, selecting ")
      run.substitutions.emplace_back(line);
  });
  return run;
}

std::vector<std::string> unknown_packages(std::string_view err) {
  std::vector<std::string> out;
  for_each_line(err, [&](std::string_view line) {
    constexpr std::string_view locate = "E: Unable to locate package ";
    constexpr std::string_view package = "E: Package '";
    if (line.substr(0, locate.size()) == locate)
      out.emplace_back(word_after(line, locate));
    else if (line.substr(0, 11) == "E: Version " && line.find("' for '") != std::string_view::npos)
      out.emplace_back(word_after(line.substr(line.find("' for '")), "' for '", '\''));
    else if (line.substr(0, package.size()) == package)
      out.emplace_back(word_after(line, package, '\''));
  });
  return out;
}

bool same_package(std::string_view reported, std::string_view named) {
  if (reported == named)
    return true;
  auto base = [](std::string_view n) { return n.substr(0, n.find(':')); };
  bool reported_arch = reported.find(':') != std::string_view::npos;
  bool named_arch = named.find(':') != std::string_view::npos;
  // apt leaves the native architecture out: "x" may be "x:amd64", and the other way.
  return reported_arch != named_arch && base(reported) == base(named);
}

std::string apt_error_line(std::string_view err) {
  std::string_view last, last_error;
  for_each_line(err, [&](std::string_view line) {
    if (line.empty())
      return;
    last = line;
    if (line.substr(0, 3) == "E: ")
      last_error = line;
  });
  return std::string(last_error.empty() ? last : last_error);
}

} // namespace twin::packages
