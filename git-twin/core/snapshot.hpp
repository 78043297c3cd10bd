// SPDX-License-Identifier: MIT
// The snapshot engine: observe every enabled plugin into live/, adopt one-sided local
// drift into state/ (DESIGN.md section 2), commit, and move the sync base.
//
// Work is skipped where it can be proven unneeded, because a snapshot runs at every commit:
// a live document that hashes to the base's blob has no drift, so state/ is not even
// parsed; a run that changed nothing and matches HEAD starts no git process.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/git_repo.hpp"
#include "core/log_capture.hpp"
#include "core/plugin.hpp"
#include "core/runner.hpp"
#include "core/system_root.hpp"
#include "core/work_tree.hpp"

namespace twin {

struct SnapshotOptions {
  bool commit = true;  // commit live/ and adopted state (config snapshot.auto_commit)
  bool seed = false;   // init: state/ starts as a copy of live/ instead of adopting drift
  std::string message; // commit message; empty: a generated one
  std::vector<std::string> extra_paths; // committed too (apply: history, logs, desired)
  // Log plugins to capture with (core/log_capture.hpp): snapshot, init and apply's
  // re-snapshot capture logs; adopt, restore and the hooks do not.
  std::vector<const LogPlugin*> log_plugins;
};

struct PluginSnapshot {
  std::string plugin;
  std::size_t resources = 0;
  bool live_changed = false;      // live/<fragment>.yaml differs from the base
  bool has_state = false;         // the plugin has desired state (drift can be adopted)
  std::size_t copies_written = 0; // artifacts under live/ the plugin rewrote (file copies)
  AdoptSummary adopt;
  std::vector<std::string> warnings;
  std::optional<std::string> error; // the plugin failed; others went on
};

struct SnapshotReport {
  std::vector<PluginSnapshot> plugins;
  std::optional<LogsReport> logs;    // when log plugins ran
  std::optional<std::string> commit; // the new commit, when one was made
  std::string base_kept; // why the sync base stayed put (open conflicts, drift not adopted)
  bool failed() const;
  bool has_conflicts() const;
};

struct TwinEnv {
  GitRepo& repo;
  WorkTree& tree;
  const SystemRoot& root;
  const Config& config;
  Runner& runner;
};

Result<SnapshotReport> take_snapshot(TwinEnv& env, std::span<const Plugin* const> plugins,
                                     const SnapshotOptions& options);

/// `git twin adopt`: observes `plugin` (writing live/), copies the observed state of the
/// selected resources into state/ and filesystem/, and returns what it adopted with the
/// repository paths it wrote (state/<fragment>.yaml first).
Result<AdoptSummary> adopt_resources(TwinEnv& env, const Plugin& plugin,
                                     const std::vector<std::string>& selectors);

/// Parses and checks a state document of `plugin`: unresolved merge conflict markers, then
/// schema, then semantics. Problems are formatted "<file>:<line>:<col>: <pointer>: <message>".
/// With `git_dir`, a text that passed the schema before is not validated again
/// (<git-dir>/twin/schema-valid remembers digests of schema and text): JSON Schema
/// validation of a 20,000-entry files.yaml costs hundreds of milliseconds, on every plan and
/// every hook.
std::vector<std::string> check_state_document(const Plugin& plugin, std::string_view file,
                                              std::string_view text, const Config& config,
                                              const WorkTree& tree, Value* parsed = nullptr,
                                              const std::string& git_dir = {});

} // namespace twin
