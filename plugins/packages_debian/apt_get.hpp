// SPDX-License-Identifier: MIT
// The apt-get command lines packages.debian runs, and what it reads back from apt-get's
// output. Pure code: the plugin runs them through the Runner.
//
// Every call is non-interactive (-y, DEBIAN_FRONTEND=noninteractive), keeps configuration
// files the owner changed (dpkg --force-confold: files.mirror owns them), and puts "--"
// before the package names. An install never removes a package (--no-remove). For a root
// other than "/", apt reads its lists and dpkg's database below the root (-o RootDir) and
// dpkg installs there (--root).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twin::packages {

enum class AptOp {
  install,         // apt-get install -- name[=version]...
  remove,          // apt-get remove -- name...
  simulate_remove, // apt-get -s remove -- name... (prints "Remv name [version]" lines)
};

/// `root`: the root's physical path; "/" for the running system. Downgrades are allowed
/// only when asked for (an install with a version pin: the owner named that version).
std::vector<std::string> apt_get_argv(AptOp op, const std::string& root,
                                      const std::vector<std::string>& targets,
                                      bool allow_downgrades);

/// The environment apt-get runs with: no prompts, no pagers, no changelog mails.
std::map<std::string, std::optional<std::string>> apt_get_env();

/// The packages a simulated run would remove ("Remv libfoo:amd64 [1.0-1]" -> "libfoo:amd64").
std::vector<std::string> simulated_removals(std::string_view output);

/// The line of apt-get's error output that says what went wrong: the last "E: " line, else
/// the last non-empty one.
std::string apt_error_line(std::string_view err);

} // namespace twin::packages
