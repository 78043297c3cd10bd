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
  install,          // apt-get install -- name[=version]...
  remove,           // apt-get remove -- name...
  simulate_install, // apt-get -s install: prints what it would do ("Inst x (1.0 ...)")
  simulate_remove,  // apt-get -s remove: prints "Remv x [1.0]" (or "Purg x")
};

/// `root`: the root's physical path; "/" for the running system. Downgrades are allowed
/// only when asked for (an install with a version pin: the owner named that version).
std::vector<std::string> apt_get_argv(AptOp op, const std::string& root,
                                      const std::vector<std::string>& targets,
                                      bool allow_downgrades);

/// The environment apt-get runs with: no prompts, no pagers, no changelog mails.
std::map<std::string, std::optional<std::string>> apt_get_env();

/// What a simulated run says it would do.
struct SimulatedRun {
  std::vector<std::string> installs; // "Inst x (...)" -> "x" (upgrades and downgrades too)
  std::vector<std::string> removals; // "Remv x [1.0]", "Purg x [1.0]" -> "x"
  // "Note, selecting 'x' for regex 'a.+'" and the like: apt chose packages other than the
  // ones named (a regex, a glob, a virtual package).
  std::vector<std::string> substitutions;
};
SimulatedRun parse_simulation(std::string_view output);

/// The packages apt-get could not find, from its errors ("E: Unable to locate package x",
/// "E: Version '1.0' for 'x' was not found", "E: Package 'x' has no installation candidate").
std::vector<std::string> unknown_packages(std::string_view err);

/// True when `reported` (as apt prints it: "x", or "x:i386" for another architecture) is
/// the package `named` (as state/ names it: "x" or "x:arch").
bool same_package(std::string_view reported, std::string_view named);

/// The line of apt-get's error output that says what went wrong: the last "E: " line, else
/// the last non-empty one.
std::string apt_error_line(std::string_view err);

} // namespace twin::packages
