// SPDX-License-Identifier: MIT
// Files removed when a signal (Ctrl-C, kill, a closed terminal) ends the process.
//
// Why: git's lock files must not outlive the process that took them. An index.lock left by
// a git-twin stopped with Ctrl-C makes every later git command refuse to run ("Unable to
// create '.git/index.lock': File exists") until someone removes it by hand. git removes its
// own lock files from its signal handlers (tempfile.c); this is the same for ours.
//
// Up to 16 files at a time. The handler only unlinks (async-signal-safe), then lets the
// signal end the process as it would have. Signals the process ignores (nohup) stay
// ignored.
#pragma once

#include <string>

namespace twin {

class RemoveOnSignal {
public:
  /// From now until destroyed, `path` is removed if a signal ends the process. Register a
  /// lock file only once it was created by us (O_EXCL), never someone else's.
  explicit RemoveOnSignal(std::string path);
  /// Stops watching (does not remove the file: that is the owner's business, after this).
  ~RemoveOnSignal();
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;

private:
  std::string m_path;
  int m_slot = -1; // -1: all slots taken, not watched
};

} // namespace twin
