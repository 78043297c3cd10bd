// SPDX-License-Identifier: MIT
// The structural 3-way merge of a state document (DESIGN.md section 5, merge=twin-yaml).
//
// The resource lists named by the plugin's merge keys (core/merge_key.hpp) are merged by
// identity, not by line: a package added on GitHub and another added on the machine are
// two resources, both kept, wherever their lines fell. Per resource:
//   - changed on one side only (edited, added, removed): that side's version;
//   - changed on both sides to the same thing (added identically, removed on both): once;
//   - changed on both sides differently: merged field by field (maps recursively), taking
//     each field from the side that changed it; a field changed differently on the two
//     sides, or a resource removed on one side and changed on the other, is a conflict of
//     that resource (added on both sides with different fields merges like an edit of an
//     empty resource).
// Order: ours' order; an item only theirs has goes after the nearest item before it in
// theirs that is already placed (and after what ours inserted right there), else before
// the nearest one after it, else last. Other top-level keys merge like fields.
//
// A conflict is written into the text the way git writes one, so a person resolves it in
// the same way: delete one side and the three marker lines. Each side is that one resource
// in the list's indentation (an empty side for a removed one):
//
//   packages:
//     - name: htop
//   <<<<<<< ours
//     - name: nginx
//       ensure: present
//   =======
//     - name: nginx
//       ensure: absent
//   >>>>>>> theirs
//
// A conflicting top-level key shows as "key: value" on each side. Markers stand at the
// start of the line, where git writes its own (and where core/conflict_markers.hpp finds
// them); the text is not YAML until they are gone.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/merge_key.hpp"
#include "core/value.hpp"

namespace twin::filters {

struct YamlMerge {
  std::string text;                   // emit_yaml of the result, with conflict blocks if any
  std::optional<Value> merged;        // the result when there is no conflict
  std::vector<std::string> conflicts; // what conflicts: "packages: nginx", "cron: root /bin/x"
  bool clean() const { return conflicts.empty(); }
};

/// Merges three versions of a state document (null stands for an empty one). Fails, and
/// the caller merges the text instead, when the documents do not have the shape the keys
/// describe: a document that is not a map, a resource list that is not a list of maps, an
/// identity field that is not a string, or two items of one side with the same identity.
Result<YamlMerge> merge_yaml(const Value& base, const Value& ours, const Value& theirs,
                             std::span<const MergeKey> keys);

} // namespace twin::filters
