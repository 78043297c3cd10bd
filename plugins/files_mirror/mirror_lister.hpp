// SPDX-License-Identifier: MIT
// Lists live/filesystem in a second thread while the collector walks the machine.
//
// Why: a snapshot compares every path on the machine with its copy in live/filesystem, so
// it lists and lstat's two trees of the same size. Those are system calls on independent
// trees; on two cores, listing the mirror beside the walk takes it off the critical path.
//
// The lister goes depth first in name order, the order the collector asks in, so the
// collector rarely waits. It publishes a listing (empty when a directory cannot be opened)
// for each root asked for and for every directory found in a listing it published; the
// collector asks only for those, so `take` never waits for a listing that cannot come.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/system_root.hpp"

namespace twin::files {

class MirrorLister {
public:
  /// Starts listing `<tree>/<root>` below `mirror_root` for each logical root.
  MirrorLister(const SystemRoot& mirror_root, std::string tree, std::vector<std::string> roots);
  ~MirrorLister(); // waits for the thread
  MirrorLister(const MirrorLister&) = delete;
  MirrorLister& operator=(const MirrorLister&) = delete;

  /// The entries of the mirror directory of `logical` (sorted by name), or nullopt when it is
  /// not a directory there. Waits until the lister has been there.
  std::optional<std::vector<Dir::Entry>> take(const std::string& logical);

private:
  void run();
  void list(const Dir& dir, const std::string& logical);
  void publish(const std::string& logical, std::optional<std::vector<Dir::Entry>> entries);

  const SystemRoot& m_mirror_root;
  std::string m_tree;
  std::vector<std::string> m_roots;
  std::mutex m_mutex;
  std::condition_variable m_published;
  std::unordered_map<std::string, std::optional<std::vector<Dir::Entry>>> m_listings;
  std::thread m_thread; // last: starts after everything it uses exists
};

} // namespace twin::files
