// SPDX-License-Identifier: MIT
// The plan memo: what the last full plan was made from, kept beside plan/latest.yaml
// (<git-dir>/twin/plan-memo/), so that a hook can plan again after a checkout, merge or pull
// by looking only at what that git operation changed.
//
// A full plan reads and parses every state/ document, the sync base and a fresh observation
// of the machine: most of a second for 20,000 files, on every checkout. When a checkout
// changed only files under filesystem/, the new plan differs from the saved one only for the
// resources whose twin_path changed, and the memo holds exactly what planning those needs:
// their desired, live and base items, and the digest of every twin_path consulted.
//
// Two files: `body` (large, written by each full plan) and `head` (small, rewritten by each
// incremental plan: the plan it belongs to and the digests that changed since the body).
// A token in both ties them together. Anything missing or inconsistent means "no memo", and
// the caller plans in full.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/system_root.hpp"

namespace twin {

/// How a file in the work tree looked when it was read (absent: present == false).
struct FileStamp {
  bool present = false;
  std::uint64_t inode = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};
FileStamp stamp_of(const std::optional<FileStat>& st);

/// One desired resource with content in the twin, with what its plugin was planned from.
/// The items are JSON; live and base are "null" when the resource was not there, and base is
/// "=" when it is the same as live.
struct MemoItem {
  std::string plugin;
  std::string list; // the top-level list of the documents that holds it ("files")
  std::string twin_path;
  std::string digest; // of the twin_path's content when planned ("" missing, "-" not consulted)
  std::string desired, live, base;
};

struct PlanMemoHead {
  std::string token;           // ties head and body
  std::uint64_t body_size = 0; // a body cut short, even at a line's end, does not belong
  std::string body_key; // what the body was made from (see make_plan): equal keys, equal bodies
  std::string plan_sha; // sha256 of the plan/latest.yaml text this memo belongs to
  std::string base;     // refs/twin/base when planned ("" when there was none)
  std::map<std::string, FileStamp> stamps;            // config.yaml and state/*.yaml as read
  std::map<std::string, std::string> state_sha;       // state/*.yaml -> sha256 of the text
  std::map<std::string, bool> plugin_has_base;        // per plugin with state
  std::string consulted_xor;                          // see ConsultedSet
  std::map<std::string, std::string> digests_changed; // twin_path -> sha since the body
};

/// Writes both files (a full plan); `items` in any order.
Status write_plan_memo(const std::string& git_dir, PlanMemoHead head, std::vector<MemoItem> items);
/// Rewrites the head only (an incremental plan, or a full plan whose body would be the same).
Status write_plan_memo_head(const std::string& git_dir, const PlanMemoHead& head);

/// Makes the memo unusable (its head goes), so that hooks plan in full.
void drop_plan_memo(const std::string& git_dir);

/// Reads the head; nullopt when there is no usable memo.
std::optional<PlanMemoHead> read_plan_memo_head(const std::string& git_dir);

/// The body, mapped read-only: a hook looks up a few twin_paths by binary search and never
/// reads the rest.
class PlanMemoBody {
public:
  /// nullopt when there is no body or it does not belong to `head`.
  static std::optional<PlanMemoBody> open(const std::string& git_dir, const PlanMemoHead& head);
  PlanMemoBody(PlanMemoBody&& other) noexcept;
  PlanMemoBody(const PlanMemoBody&) = delete;
  PlanMemoBody& operator=(const PlanMemoBody&) = delete;
  ~PlanMemoBody();

  /// The items whose twin_path is `twin_path`.
  std::vector<MemoItem> items_for(std::string_view twin_path) const;

private:
  PlanMemoBody(const char* data, std::size_t size) : m_data(data), m_size(size) {}
  const char* m_data;
  std::size_t m_size;
};

/// The consulted twin_paths and their digests, as a set that one change updates cheaply:
/// the XOR of the sha256 of every (twin_path, digest) pair. A plan's desired_digest only
/// tells whether desired state changed since a plan was made (it guards against nothing
/// adversarial), which this keeps while an incremental plan need not read every pair.
class ConsultedSet {
public:
  ConsultedSet() = default;
  explicit ConsultedSet(std::string_view hex); // as hex() wrote it; empty when malformed
  void toggle(std::string_view twin_path, std::string_view digest);
  std::string hex() const;

private:
  unsigned char m_bytes[32] = {};
};

/// The plan's desired_digest: the state documents' digests and the consulted set.
std::string desired_digest(const std::map<std::string, std::string>& state_sha,
                           const ConsultedSet& consulted);

} // namespace twin
