// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/apt_apply.hpp"

#include <algorithm>

#include <fmt/ranges.h>

#include "plugins/packages_debian/apt_get.hpp"
#include "plugins/packages_debian/debian_names.hpp"
#include "plugins/packages_debian/dpkg_status.hpp"
#include "plugins/packages_debian/package_sync.hpp"

namespace twin::packages {
namespace {

ActionOutcome failed(std::string message) {
  return {ActionOutcome::Status::failed, std::move(message), {}};
}

// What dpkg has below the root right now, in live/packages.yaml's terms.
Result<std::vector<ObservedPackage>> installed_now(const SystemRoot& root) {
  std::string text;
  if (auto read = root.read_file("/var/lib/dpkg/status"))
    text = std::move(*read);
  else if (root.exists("/var/lib/dpkg/status"))
    return fail("cannot read /var/lib/dpkg/status: {}", read.error().message);
  std::vector<ObservedPackage> out;
  for (const DpkgPackage& p : parse_dpkg_status(text))
    if (p.status != "not-installed")
      out.push_back({binary_package_name(p), p.architecture, p.version, p.status, true});
  std::sort(out.begin(), out.end(),
            [](const ObservedPackage& a, const ObservedPackage& b) { return a.name < b.name; });
  return out;
}

// One action as apt-get is asked for it.
struct Request {
  std::size_t index;   // into the batch
  std::string name;    // "htop"
  std::string version; // a pin, or ""
  std::string target() const { return version.empty() ? name : name + "=" + version; }
};

Result<Request> request_of(const Action& action, std::size_t index) {
  Request r{index, action.fields.get_string("package"), {}};
  TWIN_CHECK(check_package_name(r.name));
  if (const Value* version = action.fields.find("version")) {
    if (action.op != "install" || !version->is_string())
      return fail("a version belongs to an install, as a string");
    TWIN_CHECK(check_version(version->as_string()));
    r.version = version->as_string();
  }
  return r;
}

std::vector<std::string> targets(const std::vector<Request>& requests) {
  std::vector<std::string> out;
  for (const auto& r : requests)
    out.push_back(r.target());
  return out;
}

// After apt-get: did the package end up as asked?
ActionOutcome verify(const Action& action, const Request& request,
                     const std::vector<ObservedPackage>& now, const Completed& run) {
  const ObservedPackage* p = find_package(now, request.name);
  bool present = p && p->status != "config-files";
  std::string why =
      run.ok() ? std::string()
               : fmt::format(" (apt-get {}: {})",
                             run.timed_out ? "timed out" : fmt::format("exited {}", run.exit_code),
                             apt_error_line(run.err.empty() ? run.out : run.err));
  const std::string& name = request.name;
  if (action.op == "remove")
    return present ? failed(fmt::format("'{}' is still installed{}", name, why)) : ActionOutcome{};
  if (!present)
    return failed(fmt::format("'{}' is not installed{}", name, why));
  if (p->status != "installed")
    return failed(fmt::format("'{}' is {}, not installed{}", name, p->status, why));
  if (!request.version.empty() && p->version != request.version)
    return failed(fmt::format("'{}' is at {}, not {}{}", name, p->version, request.version, why));
  return {};
}

// The names in `reported` that are none of the requests.
std::vector<std::string> unnamed(const std::vector<std::string>& reported,
                                 const std::vector<Request>& requests) {
  std::vector<std::string> out;
  for (const auto& r : reported)
    if (std::none_of(requests.begin(), requests.end(),
                     [&](const Request& q) { return same_package(r, q.name); }))
      out.push_back(r);
  return out;
}

class AptRun {
public:
  AptRun(std::span<const Action> actions, ApplyContext& ctx)
      : m_actions(actions), m_ctx(ctx), m_outcomes(actions.size()) {}

  std::vector<ActionOutcome> run() {
    bool install = m_actions.front().op == "install";
    for (std::size_t i = 0; i < m_actions.size(); ++i) {
      auto request = request_of(m_actions[i], i);
      if (request)
        m_requests.push_back(std::move(*request));
      else
        m_outcomes[i] = failed("refused: " + request.error().message);
    }
    auto before = installed_now(m_ctx.root);
    if (!before)
      return fail_all(before.error().message);
    bool downgrade =
        install && std::any_of(m_requests.begin(), m_requests.end(), [&](const Request& r) {
          const ObservedPackage* p = find_package(*before, r.name);
          return p && !r.version.empty() && compare_versions(r.version, p->version) < 0;
        });
    if (!simulate(install, downgrade, *before) || m_requests.empty())
      return m_outcomes;
    auto done = apt_get(install ? AptOp::install : AptOp::remove, downgrade);
    if (!done)
      return fail_all(done.error().message);
    auto after = installed_now(m_ctx.root);
    if (!after)
      return fail_all(after.error().message);
    for (const auto& r : m_requests)
      m_outcomes[r.index] = verify(m_actions[r.index], r, *after, *done);
    return m_outcomes;
  }

private:
  Result<Completed> apt_get(AptOp op, bool downgrade) {
    Command command;
    command.argv = apt_get_argv(op, m_ctx.root.physical(), targets(m_requests), downgrade);
    command.env = apt_get_env();
    command.timeout = std::chrono::minutes(30);
    return m_ctx.runner.run(command);
  }

  std::vector<ActionOutcome> fail_all(const std::string& message) {
    for (const auto& r : m_requests)
      m_outcomes[r.index] = failed(message);
    m_requests.clear();
    return m_outcomes;
  }

  // Simulates until apt accepts every remaining request; false when the run is refused.
  bool simulate(bool install, bool downgrade, const std::vector<ObservedPackage>& before) {
    while (!m_requests.empty()) {
      auto simulated =
          apt_get(install ? AptOp::simulate_install : AptOp::simulate_remove, downgrade);
      if (!simulated) {
        fail_all(simulated.error().message);
        return false;
      }
      if (!simulated->ok()) {
        // Packages apt cannot find fail alone; anything else fails the run.
        std::vector<std::string> unknown = unknown_packages(simulated->err);
        std::string error =
            apt_error_line(simulated->err.empty() ? simulated->out : simulated->err);
        auto is_unknown = [&](const Request& r) {
          return std::any_of(unknown.begin(), unknown.end(),
                             [&](const std::string& u) { return same_package(u, r.name); });
        };
        if (std::none_of(m_requests.begin(), m_requests.end(), is_unknown)) {
          fail_all(fmt::format("apt-get -s {} failed: {}", install ? "install" : "remove", error));
          return false;
        }
        for (const auto& r : m_requests)
          if (is_unknown(r))
            m_outcomes[r.index] =
                failed(fmt::format("apt-get cannot install '{}': {}", r.target(), error));
        std::erase_if(m_requests, is_unknown);
        continue;
      }
      SimulatedRun plan = parse_simulation(simulated->out);
      std::string refusal;
      if (!plan.substitutions.empty())
        refusal = fmt::format("apt would choose packages that were not named: {}",
                              fmt::join(plan.substitutions, "; "));
      else if (install && !plan.removals.empty())
        refusal = fmt::format("installing would remove {}", fmt::join(plan.removals, ", "));
      else if (!install && !plan.installs.empty())
        refusal = fmt::format("removing would install {}", fmt::join(plan.installs, ", "));
      else if (auto extra = unnamed(plan.removals, m_requests); !install && !extra.empty())
        refusal = fmt::format("removing these would also remove {} (not named in "
                              "state/packages.yaml); name them as absent too, or remove "
                              "them by hand",
                              fmt::join(extra, ", "));
      else if (auto ignored = not_acted_on(plan, install, before); !ignored.empty())
        refusal = fmt::format("apt would not {} {} as named (it reads the name otherwise, "
                              "as with a trailing '+' or '-')",
                              install ? "install" : "remove", fmt::join(ignored, ", "));
      if (!refusal.empty()) {
        fail_all("refused: " + refusal);
        return false;
      }
      return true;
    }
    return false;
  }

  // Requests the simulation does not act on although it should: apt read the name as
  // something else ("curl+" is curl with an install modifier). An install already
  // satisfied, or a removal of what is not installed, needs no line.
  std::vector<std::string> not_acted_on(const SimulatedRun& plan, bool install,
                                        const std::vector<ObservedPackage>& before) const {
    std::vector<std::string> out;
    for (const Request& r : m_requests) {
      const std::vector<std::string>& lines = install ? plan.installs : plan.removals;
      bool acted = std::any_of(lines.begin(), lines.end(),
                               [&](const std::string& n) { return same_package(n, r.name); });
      const ObservedPackage* now = find_package(before, r.name);
      bool present = now && now->status == "installed";
      bool satisfied =
          install ? present && (r.version.empty() || now->version == r.version) : !present;
      if (!acted && !satisfied)
        out.push_back(r.target());
    }
    return out;
  }

  std::span<const Action> m_actions;
  ApplyContext& m_ctx;
  std::vector<ActionOutcome> m_outcomes;
  std::vector<Request> m_requests; // the actions still asked of apt-get
};

} // namespace

std::vector<ActionOutcome> apply_with_apt(std::span<const Action> actions, ApplyContext& ctx) {
  const std::string& op = actions.front().op;
  if (op != "install" && op != "remove")
    return std::vector<ActionOutcome>(
        actions.size(), failed(fmt::format("unknown packages.debian operation '{}'", op)));
  return AptRun(actions, ctx).run();
}

} // namespace twin::packages
