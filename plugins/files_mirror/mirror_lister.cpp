// SPDX-License-Identifier: MIT
#include "plugins/files_mirror/mirror_lister.hpp"

#include "core/system_root.hpp"

namespace twin::files {

MirrorLister::MirrorLister(const SystemRoot& mirror_root, std::string tree,
                           std::vector<std::string> roots)
    : m_mirror_root(mirror_root), m_tree(std::move(tree)), m_roots(std::move(roots)),
      m_thread([this] { run(); }) {}

MirrorLister::~MirrorLister() {
  m_thread.join();
}

std::optional<std::vector<Dir::Entry>> MirrorLister::take(const std::string& logical) {
  std::unique_lock lock(m_mutex);
  m_published.wait(lock, [&] { return m_listings.count(logical) > 0; });
  auto it = m_listings.find(logical);
  auto entries = std::move(it->second);
  m_listings.erase(it);
  return entries;
}

void MirrorLister::run() {
  for (const auto& root : m_roots) {
    auto dir = m_mirror_root.open_dir("/" + m_tree + root);
    if (!dir)
      publish(root, std::nullopt);
    else
      list(*dir, root);
  }
}

void MirrorLister::list(const Dir& dir, const std::string& logical) {
  auto entries = dir.entries();
  if (!entries) {
    publish(logical, std::vector<Dir::Entry>{});
    return;
  }
  std::vector<std::string> subdirs;
  for (const auto& e : *entries)
    if (e.stat.type == FileType::directory)
      subdirs.push_back(e.name);
  publish(logical, std::move(*entries));
  for (const auto& name : subdirs) {
    std::string path = join_logical(logical, name);
    if (auto sub = dir.open_dir(name))
      list(*sub, path);
    else
      publish(path, std::vector<Dir::Entry>{});
  }
}

void MirrorLister::publish(const std::string& logical,
                           std::optional<std::vector<Dir::Entry>> entries) {
  {
    std::lock_guard lock(m_mutex);
    m_listings.emplace(logical, std::move(entries));
  }
  m_published.notify_one();
}

} // namespace twin::files
