// SPDX-License-Identifier: MIT
// How the twin-yaml merge driver (filters/yaml_merge.hpp) recognises one resource in a
// state document: the list that holds the resources and the fields that name one of them.
//
// Identity is what stays the same when a resource is edited: a package's name, a file's
// path, a cron job's user and command. Two sides that edit the same identity edit the same
// resource (merged field by field); different identities never conflict.
#pragma once

#include <string>
#include <vector>

namespace twin {

struct MergeKey {
  std::string list;                // top-level key of the list: "packages"
  std::vector<std::string> fields; // identity fields of an item: {"name"}, {"user", "command"}
};

} // namespace twin
