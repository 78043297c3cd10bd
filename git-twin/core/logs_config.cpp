// SPDX-License-Identifier: MIT
#include "core/logs_config.hpp"

#include <set>

#include "core/conflict_markers.hpp"
#include "core/embedded.hpp"
#include "core/schema.hpp"
#include "core/system_root.hpp"
#include "core/yaml_reader.hpp"

namespace twin {
namespace {

std::size_t size_at(const Value& doc, std::string_view pointer, std::size_t fallback,
                    std::size_t scale = 1) {
  const Value* v = doc.at_pointer(pointer);
  return v && v->is_int() ? static_cast<std::size_t>(v->as_int()) * scale : fallback;
}

bool bool_at(const Value& doc, std::string_view pointer, bool fallback) {
  const Value* v = doc.at_pointer(pointer);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

} // namespace

Value default_logs_config_document() {
  LogsConfig d;
  Value doc;
  doc["keep"] = static_cast<std::int64_t>(d.keep);
  doc["max_capture_kb"] = static_cast<std::int64_t>(d.max_capture_bytes / 1024);
  Value& journal = doc["journal"];
  journal["enabled"] = d.journal.enabled;
  journal["tail_lines"] = static_cast<std::int64_t>(d.journal.tail_lines);
  journal["error_lines"] = static_cast<std::int64_t>(d.journal.error_lines);
  journal["scan_entries"] = static_cast<std::int64_t>(d.journal.scan_entries);
  journal["timeout_seconds"] = static_cast<std::int64_t>(d.journal.timeout.count());
  Value& files = doc["files"];
  files["enabled"] = d.files.enabled;
  files["tail_lines"] = static_cast<std::int64_t>(d.files.tail_lines);
  files["scan_kb"] = static_cast<std::int64_t>(d.files.scan_bytes / 1024);
  Value& sources = files["sources"] = Value::list();
  for (const auto& s : d.files.sources) {
    Value item;
    item["name"] = s.name;
    item["path"] = s.path;
    sources.push_back(std::move(item));
  }
  return doc;
}

std::vector<std::string> check_logs_config_document(std::string_view file, std::string_view text) {
  if (auto conflict = conflict_marker_error(file, text))
    return {std::move(*conflict)};
  auto doc = parse_yaml(text, file);
  if (!doc)
    return {doc.error().message};
  auto problems = validate_against(embedded_schema("logs_config.schema.json"), *doc);
  if (!problems)
    return {problems.error().message};
  if (problems->empty()) {
    std::set<std::string> names;
    const Value* sources = doc->at_pointer("/files/sources");
    for (std::size_t i = 0; sources && i < sources->as_list().size(); ++i) {
      const Value& source = sources->as_list()[i];
      const Value& name = *source.find("name");
      const Value& path = *source.find("path");
      if (!names.insert(name.as_string()).second)
        problems->push_back({fmt::format("/files/sources/{}/name", i), name.mark,
                             fmt::format("'{}' is named twice", name.as_string())});
      if (auto ok = check_logical_path(path.as_string()); !ok)
        problems->push_back(
            {fmt::format("/files/sources/{}/path", i), path.mark, ok.error().message});
    }
  }
  std::vector<std::string> errors;
  for (const auto& p : *problems)
    errors.push_back(format_problem(file, p));
  return errors;
}

LogsConfig logs_config_from_document(const Value& doc) {
  LogsConfig c;
  c.keep = size_at(doc, "/keep", c.keep);
  c.max_capture_bytes = size_at(doc, "/max_capture_kb", c.max_capture_bytes, 1024);
  c.journal.enabled = bool_at(doc, "/journal/enabled", c.journal.enabled);
  c.journal.tail_lines = size_at(doc, "/journal/tail_lines", c.journal.tail_lines);
  c.journal.error_lines = size_at(doc, "/journal/error_lines", c.journal.error_lines);
  c.journal.scan_entries = size_at(doc, "/journal/scan_entries", c.journal.scan_entries);
  c.journal.timeout = std::chrono::seconds(size_at(
      doc, "/journal/timeout_seconds", static_cast<std::size_t>(c.journal.timeout.count())));
  c.files.enabled = bool_at(doc, "/files/enabled", c.files.enabled);
  c.files.tail_lines = size_at(doc, "/files/tail_lines", c.files.tail_lines);
  c.files.scan_bytes = size_at(doc, "/files/scan_kb", c.files.scan_bytes, 1024);
  if (const Value* sources = doc.at_pointer("/files/sources")) {
    c.files.sources.clear();
    for (const Value& s : sources->as_list())
      c.files.sources.push_back({s.get_string("name"), s.get_string("path")});
  }
  return c;
}

} // namespace twin
