// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/adoption.hpp"

#include <map>
#include <set>

#include "core/sync.hpp"

namespace twin::files {
namespace {

bool adoptable(const FileEntry& e) {
  return !e.skipped() && e.content != Content::unreadable;
}

} // namespace

std::vector<AdoptDecision> decide_adoption(const std::vector<FileEntry>& live_list,
                                           const std::vector<FileEntry>& base_list,
                                           const std::vector<DesiredFile>& desired,
                                           const ContentDigest& desired_content) {
  std::map<std::string, const FileEntry*, std::less<>> live, base;
  for (const auto& e : live_list)
    live.emplace(e.path, &e);
  for (const auto& e : base_list)
    base.emplace(e.path, &e);
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < desired.size(); ++i)
    index.emplace(desired[i].path, i);

  std::set<std::string> moved;
  for (const auto& [path, e] : live) {
    auto b = base.find(path);
    if (b == base.end() || facts_of(*b->second) != facts_of(*e))
      moved.insert(path);
  }
  for (const auto& [path, e] : base)
    if (!live.count(path))
      moved.insert(path);

  std::vector<AdoptDecision> decisions;
  for (const std::string& path : moved) {
    auto l = live.find(path);
    auto b = base.find(path);
    const FileEntry* L = l == live.end() ? nullptr : l->second;
    const FileEntry* B = b == base.end() ? nullptr : b->second;
    if (L && !adoptable(*L))
      continue;
    auto d = index.find(path);
    if (d == index.end()) {
      if (L && !B)
        decisions.push_back({AdoptDecision::Kind::add, path, 0, *L});
      continue;
    }
    const DesiredFile& want = desired[d->second];
    std::optional<FileFacts> was, now;
    if (B)
      was = project(facts_of(*B), want);
    if (L)
      now = project(facts_of(*L), want);
    switch (classify(desired_facts(want, desired_content), was, now)) {
    case SyncCase::live_changed:
      if (L)
        decisions.push_back({AdoptDecision::Kind::replace, path, d->second, *L});
      else
        decisions.push_back({AdoptDecision::Kind::remove, path, d->second, std::nullopt});
      break;
    case SyncCase::conflict:
      decisions.push_back({AdoptDecision::Kind::conflict, path, d->second, std::nullopt});
      break;
    default:
      break;
    }
  }
  return decisions;
}

} // namespace twin::files
