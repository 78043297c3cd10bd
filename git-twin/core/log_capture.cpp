// SPDX-License-Identifier: MIT
#include "core/log_capture.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/log_redact.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"

namespace twin {
namespace {

constexpr std::string_view k_current = "logs/current";

// Redacts every string in a summary, in place; returns how many values were replaced.
std::size_t redact_strings(Value& v) {
  std::size_t count = 0;
  if (v.is_string()) {
    Redacted r = redact_log_text(v.as_string());
    if (r.count) {
      count += r.count;
      v = Value(std::move(r.text));
    }
  } else if (v.is_list()) {
    for (auto& item : v.as_list())
      count += redact_strings(item);
  } else if (v.is_map()) {
    for (auto& [key, item] : v.as_map())
      count += redact_strings(item);
  }
  return count;
}

// The settings; nullopt (with a warning) when state/logs_config.yaml is invalid.
Result<std::optional<LogsConfig>> load_settings(const WorkTree& tree, LogsReport& report) {
  auto text = TWIN_TRY(tree.read(k_logs_config_path));
  if (!text)
    return LogsConfig{};
  auto errors = check_logs_config_document(k_logs_config_path, *text);
  if (!errors.empty()) {
    report.warnings.push_back(fmt::format("logs were not captured: {}", errors.front()));
    return std::nullopt;
  }
  return logs_config_from_document(TWIN_TRY(parse_yaml(*text, k_logs_config_path)));
}

// True when logs/current holds exactly these captures and these summaries.
Result<bool> same_as_current(const WorkTree& tree, const std::vector<CaptureFile>& files,
                             const Value& index, const Value& old_index) {
  for (const auto& [key, value] : index.as_map()) {
    if (key == "captured_at" || key == "apply")
      continue;
    const Value* old = old_index.find(key);
    if (!old || !(*old == value))
      return false;
  }
  for (const auto& [key, value] : old_index.as_map())
    if (key != "captured_at" && key != "apply" && !index.find(key))
      return false;
  auto present = TWIN_TRY(files_below(tree, std::string(k_current)));
  std::erase(present, "index.yaml");
  if (present.size() != files.size())
    return false;
  for (const auto& f : files) {
    auto text = TWIN_TRY(tree.read(std::string(k_current) + "/" + f.path));
    if (!text || *text != f.text)
      return false;
  }
  return true;
}

// "2026-11-22T11:49:12Z" -> "20261122T114912Z"; "" when it is not such a time.
std::string stamp_of(const std::string& iso) {
  std::string stamp;
  for (char c : iso)
    if (c != '-' && c != ':')
      stamp += c;
  return is_rotated_capture_name(stamp) ? stamp : std::string();
}

// Moves the previous capture aside (or drops it when it holds no capture, only the apply
// part that is carried over anyway).
Result<std::string> rotate_current(WorkTree& tree, const Value& old_index) {
  if (TWIN_TRY(tree.list(std::string(k_current))).empty())
    return std::string();
  std::string stamp = stamp_of(old_index.get_string("captured_at"));
  if (stamp.empty()) {
    TWIN_CHECK(tree.remove_tree(k_current));
    return std::string();
  }
  std::string target = "logs/" + stamp;
  for (int n = 2; TWIN_TRY(tree.stat(target)); ++n)
    target = fmt::format("logs/{}-{}", stamp, n);
  TWIN_CHECK(tree.rename(k_current, target));
  return target;
}

Result<std::vector<std::string>> prune(WorkTree& tree, std::size_t keep) {
  std::vector<std::string> rotated;
  for (const auto& e : TWIN_TRY(tree.list("logs")))
    if (e.directory && is_rotated_capture_name(e.name))
      rotated.push_back("logs/" + e.name);
  std::vector<std::string> pruned;
  // Names sort in time order ("-2" after its first).
  while (rotated.size() > keep) {
    TWIN_CHECK(tree.remove_tree(rotated.front()));
    pruned.push_back(rotated.front());
    rotated.erase(rotated.begin());
  }
  return pruned;
}

} // namespace

Value name_counts(const std::vector<std::pair<std::string, std::size_t>>& counts) {
  Value list = Value::list();
  for (const auto& [name, n] : counts) {
    Value item;
    item["name"] = name;
    item["count"] = static_cast<std::int64_t>(n);
    list.push_back(std::move(item));
  }
  return list;
}

Result<std::vector<std::string>> files_below(const WorkTree& tree, const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : TWIN_TRY(tree.list(dir))) {
    if (!e.directory) {
      out.push_back(e.name);
      continue;
    }
    for (auto& f : TWIN_TRY(files_below(tree, dir + "/" + e.name)))
      out.push_back(e.name + "/" + f);
  }
  return out;
}

std::string iso_utc(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

bool is_rotated_capture_name(std::string_view name) {
  auto digits = [&](std::size_t from, std::size_t count) {
    return name.size() >= from + count &&
           std::all_of(name.begin() + static_cast<std::ptrdiff_t>(from),
                       name.begin() + static_cast<std::ptrdiff_t>(from + count),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  if (name.size() < 16 || !digits(0, 8) || name[8] != 'T' || !digits(9, 6) || name[15] != 'Z')
    return false;
  if (name.size() == 16)
    return true;
  return name[16] == '-' && name.size() > 17 && digits(17, name.size() - 17);
}

std::string cap_capture(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes)
    return text;
  std::size_t cut = text.size() - max_bytes;
  std::size_t eol = text.find('\n', cut == 0 ? 0 : cut - 1);
  return eol == std::string::npos ? std::string() : text.substr(eol + 1);
}

Result<LogsReport> capture_logs(WorkTree& tree, const SystemRoot& root, Runner& runner,
                                std::span<const LogPlugin* const> plugins,
                                std::chrono::system_clock::time_point now) {
  LogsReport report;
  if (plugins.empty())
    return report;
  auto loaded = TWIN_TRY(load_settings(tree, report));
  if (!loaded)
    return report;
  const LogsConfig& settings = *loaded;

  Value index;
  index["format_version"] = 1;
  index["captured_at"] = iso_utc(now);
  std::vector<CaptureFile> files;
  LogContext ctx{root, runner, settings, now};
  for (const LogPlugin* plugin : plugins) {
    Value summary;
    if (auto reason = plugin->detect(ctx)) {
      summary["available"] = false;
      summary["reason"] = *reason;
    } else if (auto capture = plugin->dump_logs(ctx); !capture) {
      report.warnings.push_back(fmt::format("{}: {}", plugin->name(), capture.error().message));
      summary["available"] = false;
      summary["reason"] = capture.error().message;
    } else {
      std::size_t redactions = 0;
      for (auto& f : capture->files) {
        Redacted r = redact_log_text(f.text);
        redactions += r.count;
        files.push_back({f.path, cap_capture(std::move(r.text), settings.max_capture_bytes)});
      }
      for (auto& w : capture->warnings)
        report.warnings.push_back(fmt::format("{}: {}", plugin->name(), w));
      summary = std::move(capture->summary);
      summary["redactions"] = static_cast<std::int64_t>(redactions); // in the files
    }
    // The summary repeats lines of the captures; a reason may quote a command line.
    redact_strings(summary);
    index[plugin->index_key()] = std::move(summary);
  }

  Value old_index = Value::map();
  if (auto text = TWIN_TRY(tree.read(k_logs_index_path)))
    if (auto parsed = parse_yaml(*text, k_logs_index_path); parsed && parsed->is_map())
      old_index = std::move(*parsed);
  if (const Value* apply = old_index.find("apply"))
    index["apply"] = *apply;
  if (TWIN_TRY(same_as_current(tree, files, index, old_index)))
    return report;

  report.rotated_to = TWIN_TRY(rotate_current(tree, old_index));
  for (const auto& f : files)
    TWIN_CHECK(tree.write(std::string(k_current) + "/" + f.path, f.text));
  TWIN_CHECK(tree.write(k_logs_index_path, emit_yaml(index)));
  report.captured = true;
  report.pruned = TWIN_TRY(prune(tree, settings.keep));
  return report;
}

} // namespace twin
