// SPDX-License-Identifier: MIT
#include "plugins/packages_debian/packages_plugin.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/source_memo.hpp"
#include "core/yaml_emitter.hpp"
#include "plugins/packages_debian/apt_apply.hpp"
#include "plugins/packages_debian/debian_names.hpp"
#include "plugins/packages_debian/dpkg_status.hpp"
#include "plugins/packages_debian/package_sync.hpp"
#include "plugins/plugin_schema.hpp"

namespace twin::packages {

const Value& DebianPackages::live_schema() const {
  return *plugins::plugin_schema("packages_debian").find("live");
}

const Value* DebianPackages::state_schema() const {
  return plugins::plugin_schema("packages_debian").find("state");
}

namespace {

struct Observed {
  std::vector<DpkgPackage> packages; // unique names, sorted; not-installed ones left out
  std::set<std::pair<std::string, std::string>> automatic;
};

// apt marks an Architecture: all package under the native architecture.
bool automatic(const Observed& observed, const DpkgPackage& p) {
  if (p.architecture != "all")
    return observed.automatic.count({p.name, p.architecture}) > 0;
  auto it = observed.automatic.lower_bound({p.name, ""});
  return it != observed.automatic.end() && it->first == p.name;
}

Value packages_document(const Observed& observed) {
  Value document;
  Value& list = document["packages"] = Value::list();
  for (const auto& p : observed.packages) {
    Value item;
    item["name"] = binary_package_name(p);
    item["architecture"] = p.architecture;
    item["version"] = p.version;
    item["status"] = p.status;
    item["manual"] = !automatic(observed, p);
    item["hold"] = p.want == "hold";
    list.push_back(std::move(item));
  }
  return document;
}

// A database that is not there means a root without dpkg; one that is there but cannot be
// read must not look like "every package removed".
Result<std::string> read_database(const PluginContext& ctx, const char* logical) {
  auto text = ctx.root.read_file(logical);
  if (text)
    return std::move(*text);
  if (!ctx.root.exists(logical))
    return std::string();
  return fail("cannot read {}: {}", logical, text.error().message);
}

constexpr const char* k_status_file = "/var/lib/dpkg/status";
constexpr const char* k_marks_file = "/var/lib/apt/extended_states";

// The two files' stats, for the source memo (core/source_memo.hpp).
Result<std::vector<SourceFile>> database_stamps(const PluginContext& ctx) {
  std::vector<SourceFile> files;
  for (const char* path : {k_status_file, k_marks_file}) {
    SourceFile f{path, std::nullopt};
    if (auto st = ctx.root.lstat(path))
      f.stat = *st;
    else if (ctx.root.exists(path))
      return fail("cannot read {}: {}", path, st.error().message);
    files.push_back(std::move(f));
  }
  return files;
}

std::shared_ptr<Observed> observe(std::string_view status_text, std::string_view marks_text,
                                  std::vector<std::string>& problems) {
  auto observed = std::make_shared<Observed>();
  observed->packages = parse_dpkg_status(status_text, &problems);
  observed->automatic = parse_auto_installed(marks_text);
  std::erase_if(observed->packages,
                [](const DpkgPackage& p) { return p.status == "not-installed"; });
  std::stable_sort(observed->packages.begin(), observed->packages.end(),
                   [](const DpkgPackage& a, const DpkgPackage& b) {
                     return binary_package_name(a) < binary_package_name(b);
                   });
  // dpkg never writes one package twice; a damaged database might.
  auto duplicate = std::unique(observed->packages.begin(), observed->packages.end(),
                               [](const DpkgPackage& a, const DpkgPackage& b) {
                                 return binary_package_name(a) == binary_package_name(b);
                               });
  for (auto it = duplicate; it != observed->packages.end(); ++it)
    problems.push_back(
        fmt::format("'{}' is listed more than once; the first is kept", binary_package_name(*it)));
  observed->packages.erase(duplicate, observed->packages.end());
  return observed;
}

} // namespace

Result<LiveObservation> DebianPackages::collect(PluginContext& ctx,
                                                std::vector<std::string>&) const {
  // An unchanged database (same stats as when its fingerprint was computed) is neither
  // hashed nor parsed: the document is built from the text only if someone asks for it.
  // Bump the version when packages_document changes what it makes of the same files.
  std::string version = fmt::format("packages.debian 2 emitter {}", k_emitter_format);
  std::vector<SourceFile> stamps = TWIN_TRY(database_stamps(ctx));
  std::string memo_path = ctx.git_dir + "/twin/packages.memo";
  auto status_text = std::make_shared<std::string>(TWIN_TRY(read_database(ctx, k_status_file)));
  auto marks_text = std::make_shared<std::string>(TWIN_TRY(read_database(ctx, k_marks_file)));
  // dpkg may have renamed a new database into place while we read: then what was read
  // matches neither stat, and the memo is neither trusted nor written.
  bool steady = stamps == TWIN_TRY(database_stamps(ctx));
  if (auto known = steady ? recall_source_memo(memo_path, version, stamps) : std::nullopt)
    return LiveObservation::lazy(
        std::move(known->fingerprint), known->resources, [status_text, marks_text] {
          std::vector<std::string> ignored;
          return packages_document(*observe(*status_text, *marks_text, ignored));
        });

  std::vector<std::string> problems;
  auto observed = observe(*status_text, *marks_text, problems);
  for (const auto& p : problems)
    ctx.notes.warn(std::string(k_status_file) + ": " + p);

  // The document is a function of the two files: their digest is its fingerprint, so an
  // unchanged database is not turned into YAML again.
  std::string fingerprint =
      sha256_hex({version, "\n", *status_text, std::string_view("\0", 1), *marks_text});
  // A database with problems is parsed every time, so its warnings are given every time.
  if (problems.empty() && steady)
    keep_source_memo(memo_path, version, stamps, {fingerprint, observed->packages.size()});
  return LiveObservation::lazy(std::move(fingerprint), observed->packages.size(),
                               [observed] { return packages_document(*observed); });
}

namespace {

Value& packages_list(Value& document) {
  Value& list = document["packages"];
  if (!list.is_list())
    list = Value::list();
  return list;
}

Value new_item(const std::string& name) {
  Value item;
  item["name"] = name;
  item["ensure"] = "present";
  return item;
}

// The desired item after adopting what the machine has: present or gone (nullopt), a pin
// following the observed version. Keys the owner left out stay out.
std::optional<Value> adopted_item(Value item, const ObservedPackage* now) {
  if (!now || now->status == "config-files")
    return std::nullopt;
  if (item.find("ensure"))
    item["ensure"] = "present";
  if (item.find("version"))
    item["version"] = now->version;
  return item;
}

void sort_by_name(Value::List& items) {
  std::stable_sort(items.begin(), items.end(), [](const Value& a, const Value& b) {
    return a.get_string("name") < b.get_string("name");
  });
}

} // namespace

Result<Value> DebianPackages::seed_state(PluginContext&, const Value& live,
                                         std::vector<std::string>&) const {
  Value document;
  Value& list = packages_list(document);
  for (const ObservedPackage& p : TWIN_TRY(observed_packages(live)))
    if (p.manual && p.status != "config-files")
      list.push_back(new_item(p.name));
  return document;
}

Result<AdoptSummary> DebianPackages::adopt(PluginContext&, const Value& live_doc,
                                           const Value* base_doc, Value& desired_doc) const {
  std::vector<ObservedPackage> live = TWIN_TRY(observed_packages(live_doc));
  std::optional<std::vector<ObservedPackage>> base;
  if (base_doc)
    base = TWIN_TRY(observed_packages(*base_doc));
  std::vector<DesiredPackage> desired = TWIN_TRY(desired_packages(desired_doc));

  AdoptSummary summary;
  Value::List& items = packages_list(desired_doc).as_list();
  std::set<std::size_t> dropped;
  for (const PackageDecision& d :
       decide_packages(desired, live, base ? &*base : nullptr, Prefer::none)) {
    using Kind = PackageDecision::Kind;
    switch (d.kind) {
    case Kind::adopt:
      items[d.desired_index] = *adopted_item(items[d.desired_index], find_package(live, d.name));
      summary.adopted.push_back(d.name);
      break;
    case Kind::drop:
      dropped.insert(d.desired_index);
      summary.adopted.push_back(d.name);
      break;
    case Kind::add:
      items.push_back(new_item(d.name));
      summary.adopted.push_back(d.name);
      break;
    case Kind::conflict:
      summary.conflicts.push_back(d.name);
      break;
    case Kind::install:
    case Kind::remove:
      break;
    }
  }
  if (!summary.adopted.empty()) {
    Value::List kept;
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!dropped.count(i))
        kept.push_back(std::move(items[i]));
    sort_by_name(kept);
    items = std::move(kept);
  }
  return summary;
}

Result<PluginPlan> DebianPackages::plan(const PlanInput& input) const {
  std::vector<DesiredPackage> desired = TWIN_TRY(desired_packages(input.desired));
  std::vector<ObservedPackage> live = TWIN_TRY(observed_packages(input.live));
  std::optional<std::vector<ObservedPackage>> base;
  if (input.base)
    base = TWIN_TRY(observed_packages(*input.base));
  return plan_packages(desired, live, base ? &*base : nullptr, input.prefer);
}

Result<AdoptSummary> DebianPackages::adopt_named(PluginContext&, const Value& live_doc,
                                                 const std::vector<std::string>& selectors,
                                                 Value& desired_doc) const {
  std::vector<ObservedPackage> live = TWIN_TRY(observed_packages(live_doc));
  Value::List& items = packages_list(desired_doc).as_list();
  std::vector<DesiredPackage> desired = TWIN_TRY(desired_packages(desired_doc));
  std::set<std::string, std::less<>> wanted(selectors.begin(), selectors.end());
  for (const auto& s : selectors) {
    TWIN_CHECK(check_package_name(s));
    bool named = std::any_of(desired.begin(), desired.end(),
                             [&](const DesiredPackage& d) { return d.name == s; });
    if (!named && !find_package(live, s))
      return fail("package '{}' is neither installed nor named in state/packages.yaml", s);
  }
  auto selected = [&](const std::string& name) { return wanted.empty() || wanted.count(name); };

  AdoptSummary summary;
  Value::List kept;
  std::set<const ObservedPackage*> named;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const ObservedPackage* now = find_package(live, desired[i].name);
    named.insert(now);
    if (!selected(desired[i].name)) {
      kept.push_back(std::move(items[i]));
      continue;
    }
    std::optional<Value> item = adopted_item(items[i], now);
    if (!item || !(*item == items[i]))
      summary.adopted.push_back(desired[i].name);
    if (item)
      kept.push_back(std::move(*item));
  }
  for (const ObservedPackage& p : live) {
    bool joins = wanted.empty() ? p.manual : wanted.count(p.name) > 0;
    if (joins && p.status != "config-files" && !named.count(&p)) {
      kept.push_back(new_item(p.name));
      summary.adopted.push_back(p.name);
    }
  }
  sort_by_name(kept);
  items = std::move(kept);
  return summary;
}

std::vector<SchemaProblem> DebianPackages::check_state(const Value& desired, const Config&,
                                                       const WorkTree&) const {
  std::vector<SchemaProblem> problems;
  const Value* list = desired.find("packages");
  if (!list || !list->is_list())
    return problems;
  std::map<std::string, int, std::less<>> seen;
  for (std::size_t i = 0; i < list->as_list().size(); ++i) {
    const Value& item = list->as_list()[i];
    auto problem = [&](std::string_view field, std::string message) {
      const Value* node = item.find(field);
      problems.push_back(SchemaProblem{fmt::format("/packages/{}/{}", i, field),
                                       node ? node->mark : item.mark, std::move(message)});
    };
    std::string name = item.get_string("name");
    if (auto ok = check_package_name(name); !ok)
      problem("name", ok.error().message);
    else if (auto [it, fresh] = seen.emplace(name, item.mark.line); !fresh)
      problem("name", fmt::format("'{}' is listed twice (first at line {})", name, it->second));
    if (const Value* version = item.find("version"); version && version->is_string()) {
      if (auto ok = check_version(version->as_string()); !ok)
        problem("version", ok.error().message);
      else if (item.get_string("ensure", "present") == "absent")
        problem("version", "a version applies only to a package that is present");
    }
  }
  return problems;
}

ActionOutcome DebianPackages::apply(const Action& action, ApplyContext& ctx) const {
  return apply_batch(std::span<const Action>(&action, 1), ctx).front();
}

std::vector<ActionOutcome> DebianPackages::apply_batch(std::span<const Action> actions,
                                                       ApplyContext& ctx) const {
  return apply_with_apt(actions, ctx);
}

} // namespace twin::packages
