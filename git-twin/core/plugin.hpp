// SPDX-License-Identifier: MIT
// The plugin interface. Built-in plugins are C++ classes listed in one explicit, ordered
// registry (plugins/registry.cpp); that order is the apply order.
//
// A plugin reaches the machine only through the context's SystemRoot and Runner, and the
// twin repository only through the context's WorkTree.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/live_observation.hpp"
#include "core/merge_key.hpp"
#include "core/plan.hpp"
#include "core/runner.hpp"
#include "core/schema.hpp"
#include "core/secret_paths.hpp"
#include "core/system_root.hpp"
#include "core/value.hpp"
#include "core/work_tree.hpp"

namespace twin {

/// Non-fatal findings of a plugin run (an unreadable file, a conflict); printed as
/// "warning: <plugin>: <text>" and counted in the summary.
struct Notes {
  std::vector<std::string> warnings;
  void warn(std::string text) { warnings.push_back(std::move(text)); }
};

struct PluginContext {
  const SystemRoot& root;
  Runner& runner;
  const Config& config;
  WorkTree& tree;      // the twin repository's work tree
  std::string git_dir; // absolute; plugins keep caches below <git_dir>/twin/
  Notes& notes;
  bool record = true; // false: observe only (plan, status), write nothing under live/
  // Snapshot: files.mirror reports every regular file here, which decides the files that
  // are stored encrypted (core/secret_paths.hpp). Null when nothing is recorded.
  SecretTracker* secrets = nullptr;
};

/// The sha256 of the content at a twin_path in the work tree; nullopt when it is missing.
using ContentDigest = std::function<std::optional<std::string>(const std::string& twin_path)>;

/// How apply resolves conflicts (DESIGN.md section 2): skip them, or let one side win.
enum class Prefer { none, desired, live };

/// Everything a pure planner may look at.
struct PlanInput {
  const Value& desired; // state/<fragment>.yaml, valid
  const Value& live;    // a fresh observation
  const Value* base;    // live/<fragment>.yaml at the last sync; null: assume live
  const ContentDigest& desired_content;
  Prefer prefer = Prefer::none;
};

struct PluginPlan {
  std::vector<Action> actions;          // in the order this plugin must apply them
  std::vector<Conflict> conflicts;      // skipped unless --prefer
  std::vector<std::string> local_drift; // resources changed on the machine only (to adopt)
  std::size_t unmanaged = 0;            // observed resources state/ does not name
  std::vector<std::string> locked;      // desired content encrypted, no key: left alone
};

/// What apply may touch. Backups are named with `backup_stamp` (empty: no backups).
struct ApplyContext {
  const SystemRoot& root;
  Runner& runner;
  const WorkTree& tree;
  std::string backup_stamp;
};

struct ActionOutcome {
  enum class Status { done, failed, skipped } status = Status::done;
  std::string message;              // why it failed or was skipped
  std::vector<std::string> backups; // logical paths of backups made
};

/// What a snapshot's drift adoption did for one plugin.
struct AdoptSummary {
  std::vector<std::string> adopted;   // resource ids brought into state/
  std::vector<std::string> conflicts; // resource ids changed on both sides, left alone
  std::vector<std::string> written;   // repo paths written or removed (to be committed)
};

class Plugin {
public:
  virtual ~Plugin() = default;

  virtual std::string_view name() const = 0;     // "files.mirror"
  virtual std::string_view fragment() const = 0; // "files": state/files.yaml, live/files.yaml
  virtual std::string_view summary() const = 0;  // one line for `git twin plugins`

  /// Observes the machine below ctx.root: the live document (live/<fragment>.yaml), which
  /// a plugin with a large document may build lazily. Must not change the machine. May
  /// write derived artifacts into the work tree under live/ (files.mirror writes
  /// live/filesystem/) and returns the repo paths it wrote or removed in `written`.
  virtual Result<LiveObservation> collect(PluginContext& ctx,
                                          std::vector<std::string>& written) const = 0;

  /// True when this plugin has desired state (state/<fragment>.yaml).
  virtual bool has_state() const { return false; }
  /// True when the plugin's documents may hold secrets as a whole (crontabs carry tokens
  /// and are mode 0600 on the machine): state/ and live/<fragment>.yaml are stored
  /// encrypted.
  virtual bool secret_documents() const { return false; }

  /// How the twin-yaml merge driver matches resources in state/<fragment>.yaml across the
  /// two sides of a merge (core/merge_key.hpp). Empty: no structural merge, the driver
  /// merges the fragment as text.
  virtual std::vector<MergeKey> merge_keys() const { return {}; }

  /// Initial desired state derived from a live document (used by init).
  virtual Result<Value> seed_state(PluginContext& ctx, const Value& live,
                                   std::vector<std::string>& written) const;

  /// Local drift adoption (DESIGN.md section 2): brings one-sided live changes since
  /// `base` (the live document at the last sync; null when there is none) into `desired`
  /// (state/<fragment>.yaml, modified in place), and reports conflicts.
  virtual Result<AdoptSummary> adopt(PluginContext& ctx, const Value& live, const Value* base,
                                     Value& desired) const;

  /// Pure: the actions that make the machine match desired state, per the sync model.
  /// The default has nothing to plan (live-only plugins).
  virtual Result<PluginPlan> plan(const PlanInput& input) const;

  /// True when desired state asks this plugin to react to other plugins' actions (a unit
  /// to restart when a file it reads is written). The hooks' incremental re-plan, which
  /// plans one plugin's resources alone, then plans in full.
  virtual bool reacts(const Value& desired) const;
  /// Pure: the actions this plugin adds because of `earlier`, the actions of the plugins
  /// before it in apply order (services.systemd restarts a unit after files.mirror wrote a
  /// file named in its restart_on). Each depends on the actions that caused it.
  virtual std::vector<Action> plan_reactions(const PlanInput& input,
                                             std::span<const Action> earlier) const;

  /// Carries out one action this plugin planned. Never throws; a failure is an outcome.
  virtual ActionOutcome apply(const Action& action, ApplyContext& ctx) const;

  /// Carries out a run of consecutive actions with the same op, none depending on another
  /// of the run, and returns one outcome per action, in order. The default applies them one
  /// by one; a plugin whose tool works best on many resources at once (apt-get installs
  /// all packages in one call) overrides it.
  virtual std::vector<ActionOutcome> apply_batch(std::span<const Action> actions,
                                                 ApplyContext& ctx) const;

  /// Pure: the actions that put back what `done` replaced (`git twin undo`), given the
  /// outcome it had (its backups). An action that cannot be undone adds the reason to
  /// `cannot`, starting with its id. The default undoes nothing.
  virtual std::vector<Action> undo(const Action& done, const ActionOutcome& outcome,
                                   std::vector<std::string>& cannot) const;

  /// Copies the observed state of the named resources (all when `selectors` is empty)
  /// into `desired`; a resource gone from the machine leaves desired too. Returns the
  /// resources adopted; unknown selectors are errors naming them.
  virtual Result<AdoptSummary> adopt_named(PluginContext& ctx, const Value& live,
                                           const std::vector<std::string>& selectors,
                                           Value& desired) const;

  /// Semantic checks of a state document that JSON Schema cannot express (paths inside
  /// the roots, twin_path inside filesystem/, duplicates). Marks point into the document.
  virtual std::vector<SchemaProblem> check_state(const Value& desired, const Config& config,
                                                 const WorkTree& tree) const;

  /// The plugin's JSON Schemas for its live/ and state/ documents (from its embedded
  /// schema.yaml); state_schema is null for live-only plugins.
  virtual const Value& live_schema() const = 0;
  virtual const Value* state_schema() const { return nullptr; }
};

} // namespace twin
