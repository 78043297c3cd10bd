// SPDX-License-Identifier: MIT
#include "core/config.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/embedded.hpp"
#include "core/secret_paths.hpp"
#include "core/system_root.hpp"
#include "core/yaml_reader.hpp"

namespace twin {
namespace {

bool get_bool(const Value& doc, std::string_view section, std::string_view key, bool fallback) {
  const Value* s = doc.find(section);
  const Value* v = s ? s->find(key) : nullptr;
  return v && v->is_bool() ? v->as_bool() : fallback;
}

std::vector<std::string> get_strings(const Value* list) {
  std::vector<std::string> out;
  if (list && list->is_list())
    for (const Value& v : list->as_list())
      if (v.is_string())
        out.push_back(v.as_string());
  return out;
}

Value string_list(const std::vector<std::string>& items) {
  Value list = Value::list();
  for (const auto& s : items)
    list.push_back(s);
  return list;
}

} // namespace

Value default_config_document(const std::vector<std::string>& enabled_plugins) {
  Value doc;
  doc["root"] = "/";
  doc["filesystem_roots"] = string_list({"/etc"});
  // Secrets are mirrored too, encrypted (core/secret_paths.hpp); `secrets` adds patterns.
  doc["exclude"] = string_list({"/etc/*.dpkg-old", "/etc/*.dpkg-dist", "/etc/*.dpkg-new",
                                "/etc/ld.so.cache", "*.twinbak-*"});
  doc["secrets"] = Value::list();
  doc["plugins"]["enable"] = string_list(enabled_plugins);
  doc["snapshot"]["auto_commit"] = true;
  doc["snapshot"]["max_file_size_mb"] = 1;
  doc["apply"]["require_confirmation"] = true;
  doc["apply"]["backup_replaced_files"] = true;
  doc["sync"]["adopt_local_changes"] = true;
  doc["hooks"]["pre_commit_snapshot"] = false;
  return doc;
}

Config config_from_document(const Value& doc) {
  Config c;
  c.root = doc.get_string("root", "/");
  if (const Value* roots = doc.find("filesystem_roots"))
    c.filesystem_roots = get_strings(roots);
  c.exclude = get_strings(doc.find("exclude"));
  c.secrets = get_strings(doc.find("secrets"));
  if (const Value* plugins = doc.find("plugins"))
    c.enabled_plugins = get_strings(plugins->find("enable"));
  c.auto_commit = get_bool(doc, "snapshot", "auto_commit", true);
  if (const Value* s = doc.find("snapshot"))
    if (const Value* m = s->find("max_file_size_mb"))
      c.max_file_size_mb = m->is_int()    ? static_cast<double>(m->as_int())
                           : m->is_real() ? m->as_real()
                                          : c.max_file_size_mb;
  c.require_confirmation = get_bool(doc, "apply", "require_confirmation", true);
  c.backup_replaced_files = get_bool(doc, "apply", "backup_replaced_files", true);
  c.adopt_local_changes = get_bool(doc, "sync", "adopt_local_changes", true);
  c.pre_commit_snapshot = get_bool(doc, "hooks", "pre_commit_snapshot", false);
  return c;
}

const Value& config_schema() {
  return embedded_schema("config.schema.json");
}

std::vector<SchemaProblem> check_config(const Value& doc,
                                        const std::vector<std::string>& known_plugins) {
  auto validated = validate_against(config_schema(), doc);
  if (!validated)
    return {SchemaProblem{"", {}, validated.error().message}};
  std::vector<SchemaProblem> problems = std::move(*validated);
  if (!problems.empty())
    return problems;

  auto check_path = [&](const Value& node, std::string pointer) {
    if (auto ok = check_logical_path(node.as_string()); !ok)
      problems.push_back({std::move(pointer), node.mark, ok.error().message});
  };
  if (const Value* root = doc.find("root"))
    check_path(*root, "/root");
  if (const Value* roots = doc.find("filesystem_roots")) {
    for (size_t i = 0; i < roots->as_list().size(); ++i) {
      const Value& r = roots->as_list()[i];
      check_path(r, fmt::format("/filesystem_roots/{}", i));
      if (r.as_string() == "/")
        problems.push_back({fmt::format("/filesystem_roots/{}", i), r.mark,
                            "'/' cannot be mirrored whole (it holds /proc and /sys); list the "
                            "trees to mirror"});
    }
  }
  if (const Value* secrets = doc.find("secrets"))
    for (size_t i = 0; i < secrets->as_list().size(); ++i) {
      const Value& pattern = secrets->as_list()[i];
      if (std::string why; !check_secret_pattern(pattern.as_string(), why))
        problems.push_back({fmt::format("/secrets/{}", i), pattern.mark, why});
    }
  if (const Value* plugins = doc.find("plugins"))
    if (const Value* enable = plugins->find("enable"))
      for (size_t i = 0; i < enable->as_list().size(); ++i) {
        const Value& name = enable->as_list()[i];
        if (std::find(known_plugins.begin(), known_plugins.end(), name.as_string()) ==
            known_plugins.end())
          problems.push_back({fmt::format("/plugins/enable/{}", i), name.mark,
                              fmt::format("unknown plugin '{}'", name.as_string())});
      }
  return problems;
}

} // namespace twin
