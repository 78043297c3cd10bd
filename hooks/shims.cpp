// SPDX-License-Identifier: MIT
#include "hooks/shims.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace twin::hooks {
namespace {

constexpr std::string_view k_marker = "# git-twin hook shim";

bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

} // namespace

std::span<const std::string_view> hook_names() {
  static const std::string_view names[] = {"post-checkout", "post-merge", "post-rewrite",
                                           "pre-commit"};
  return names;
}

std::string shim_text(std::string_view name) {
  // pre-commit: a failing chained hook refuses the commit at once. The post-* hooks: git
  // uses post-checkout's status as checkout's, so the chained hook's status is kept and
  // ours (always 0) never changes it.
  bool gate = name == "pre-commit";
  return fmt::format(
      "#!/bin/sh\n"
      "{marker} ({name}): runs the hook that was here before, then git-twin's handler,\n"
      "# which never changes the machine. Installed by 'git twin init'.\n"
      "status=0\n"
      "if [ -x \"$0.before-twin\" ]; then\n"
      "  \"$0.before-twin\" \"$@\" || status=$?\n"
      "{gate}"
      "fi\n"
      "if command -v git-twin >/dev/null 2>&1; then\n"
      "  git twin hook {name} \"$@\" || {ours}\n"
      "else\n"
      "  echo \"git-twin: not on PATH; its {name} hook was skipped\" >&2\n"
      "fi\n"
      "exit $status\n",
      fmt::arg("marker", k_marker), fmt::arg("name", name),
      fmt::arg("gate", gate ? "  [ $status -eq 0 ] || exit $status\n" : ""),
      fmt::arg("ours", gate ? "status=$?" : "true"));
}

bool is_shim(std::string_view text) {
  return text.find(k_marker) != std::string_view::npos;
}

Result<std::vector<std::string>> install_shims(const std::string& hooks_dir) {
  if (mkdir(hooks_dir.c_str(), 0755) < 0 && errno != EEXIST)
    return fail("cannot create '{}': {}", hooks_dir, std::strerror(errno));
  std::vector<std::string> report;
  for (std::string_view name : hook_names()) {
    std::string path = fmt::format("{}/{}", hooks_dir, name);
    std::string chained = path + ".before-twin";
    std::string existing;
    bool chain = read_text(path, existing) && !is_shim(existing);
    if (chain) {
      struct stat st {};
      if (stat(chained.c_str(), &st) == 0)
        return fail("cannot install the {} hook: both '{}' and '{}' exist; merge them by hand",
                    name, path, chained);
      if (rename(path.c_str(), chained.c_str()) < 0)
        return fail("cannot move '{}' aside: {}", path, std::strerror(errno));
      report.push_back(
          fmt::format("{}: chained the existing hook (now {}.before-twin)", name, name));
    } else {
      report.push_back(fmt::format("{}: installed", name));
    }
    std::string temp = path + ".twin-tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out << shim_text(name);
      if (!out)
        return fail("cannot write '{}'", temp);
    }
    if (chmod(temp.c_str(), 0755) < 0 || rename(temp.c_str(), path.c_str()) < 0)
      return fail("cannot install '{}': {}", path, std::strerror(errno));
  }
  return report;
}

} // namespace twin::hooks
