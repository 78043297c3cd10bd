// SPDX-License-Identifier: MIT
#include "plugins/cron_user/collector.hpp"

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "core/yaml_emitter.hpp"
#include "plugins/cron_user/schedule.hpp"

namespace twin::cron {

Result<CollectedCrontabs> collect_crontabs(const SystemRoot& root, Notes& notes) {
  // Bump the version when the parser or live_document makes something else of the same
  // files.
  std::string digest_input =
      fmt::format("cron.user live/cron.yaml 1 emitter {}\n", k_emitter_format);
  CollectedCrontabs out;
  if (!root.exists(k_spool_dir)) {
    out.fingerprint = sha256_hex(digest_input);
    return out;
  }
  auto dir = root.open_dir(k_spool_dir);
  if (!dir)
    return fail("cannot read {}: {}\nhint: crontabs are readable by root only; run as root or "
                "disable cron.user in config.yaml",
                k_spool_dir, dir.error().message);
  auto entries = dir->entries();
  if (!entries)
    return fail("cannot list {}: {}", k_spool_dir, entries.error().message);
  for (const Dir::Entry& entry : *entries) {
    const std::string& name = entry.name;
    std::string logical = join_logical(k_spool_dir, name);
    if (name.starts_with("tmp.") || name.find(".twinbak-") != std::string::npos)
      continue;
    if (entry.stat.type != FileType::file) {
      notes.warn(fmt::format("{} is a {}, not a crontab; left out", logical,
                             file_type_name(entry.stat.type)));
      continue;
    }
    if (auto p = user_name_problem(name); !p.empty()) {
      notes.warn(fmt::format("{} is not named like a user ({}); left out", logical, p));
      continue;
    }
    auto text = dir->read_file(name);
    if (!text)
      return fail("cannot read {}: {}", logical, text.error().message);
    digest_input += name;
    digest_input += '\0';
    digest_input += *text;
    digest_input += '\0';
    std::vector<std::string> problems;
    Crontab crontab = parse_crontab(*text, &problems);
    for (const auto& p : problems)
      notes.warn(fmt::format("{}: {}", logical, p));
    if (!crontab.entries.empty())
      out.crontabs.emplace(name, std::move(crontab));
  }
  out.fingerprint = sha256_hex(digest_input);
  return out;
}

} // namespace twin::cron
