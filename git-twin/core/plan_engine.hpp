// SPDX-License-Identifier: MIT
// Planning: a fresh observation of the machine, the desired state of the work tree and the
// sync base in; a Plan and per-plugin status out. Used by plan, status and apply.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/plan.hpp"
#include "core/plan_memo.hpp"
#include "core/plugin.hpp"
#include "core/snapshot.hpp"

namespace twin {

/// What every enabled plugin observes right now, without writing anything.
struct Observation {
  struct Document {
    const Plugin* plugin;
    LiveObservation live;
  };
  std::vector<Document> documents;
  std::string digest;                // the plan's live_digest
  std::vector<std::string> warnings; // "<plugin>: <text>"
};

Result<Observation> observe(TwinEnv& env, std::span<const Plugin* const> plugins);

struct PluginStatus {
  std::string plugin;
  std::string fragment;
  bool has_state = false;
  std::size_t actions = 0;
  std::vector<std::string> local_drift; // changed on the machine only: snapshot adopts
  std::size_t unmanaged = 0;            // observed but not named in state/
  // Encrypted, and this clone has no key: files whose desired content is ciphertext, or
  // the state document itself (then nothing of the plugin was planned).
  std::vector<std::string> locked;
  std::vector<Conflict> conflicts;
};

struct PlanResult {
  Plan plan;
  std::vector<PluginStatus> status; // one per plugin, in apply order
  bool pending() const;             // anything to apply, adopt or resolve
};

/// What a full plan was made from, for the plan memo (core/plan_memo.hpp).
struct PlanRecord {
  PlanMemoHead head;
  std::map<std::string, std::string> consulted; // twin_path -> digest ("" missing)
  // The documents each plugin was planned from, kept for the memo's body.
  struct Planned {
    std::string plugin;
    Value desired;
    const Value* live;
    std::optional<Value> base;
  };
  std::vector<Planned> planned;
  bool reactive = false; // a plugin reacted to others (Plugin::reacts): no memo is kept
};

/// Plans every observed plugin against its desired state. Invalid state/ fails with every problem
/// listed ("state/files.yaml:3:9: /files/0/mode: ..."). With `record`, also notes what the
/// plan was made from.
Result<PlanResult> make_plan(TwinEnv& env, const Observation& observation,
                             Prefer prefer = Prefer::none, PlanRecord* record = nullptr);

/// Observes, plans and writes plan/latest.yaml (checked against the plan schema first).
/// What plan, status, the hooks and pull share.
Result<PlanResult> refresh_plan(TwinEnv& env, std::span<const Plugin* const> plugins,
                                Observation* observation = nullptr);

/// Checks `plan` against the plan schema and writes it to plan/latest.yaml; returns the text.
Result<std::string> save_plan(TwinEnv& env, const Plan& plan);

/// Checks plan/latest.yaml's text against the plan schema and reads it.
Result<Plan> parse_saved_plan(std::string_view text);

/// Reads and checks plan/latest.yaml; nullopt when there is none.
Result<std::optional<Plan>> load_saved_plan(const WorkTree& tree);

/// The embedded plan schema.
const Value& plan_schema();

inline constexpr std::string_view k_plan_path = "plan/latest.yaml";

} // namespace twin
