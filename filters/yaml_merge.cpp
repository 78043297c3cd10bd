// SPDX-License-Identifier: MIT
#include "filters/yaml_merge.hpp"

#include <algorithm>
#include <iterator>
#include <list>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/yaml_emitter.hpp"

namespace twin::filters {
namespace {

// A side's version of something: nullptr when that side does not have it.
using Side = const Value*;

bool same(Side a, Side b) {
  return a == b || (a && b && *a == *b);
}

// The outcome of merging one value: nullopt `value` means absent (removed).
struct Merged {
  std::optional<Value> value;
  bool conflict = false;
};

std::optional<Value> copy(Side v) {
  return v ? std::optional<Value>(*v) : std::nullopt;
}

// Three-way merge of one value; maps are merged key by key, anything else whole.
Merged merge_value(Side base, Side ours, Side theirs) {
  if (same(ours, base))
    return {copy(theirs)};
  if (same(theirs, base) || same(ours, theirs))
    return {copy(ours)};
  if (!ours || !theirs || !ours->is_map() || !theirs->is_map() || (base && !base->is_map()))
    return {std::nullopt, true};
  Value out = Value::map();
  auto field = [](Side map, const std::string& key) { return map ? map->find(key) : nullptr; };
  std::vector<std::string> names;
  for (Side side : {base, ours, theirs})
    if (side)
      for (const auto& [key, value] : side->as_map())
        names.push_back(key);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto& key : names) {
    Merged m = merge_value(field(base, key), field(ours, key), field(theirs, key));
    if (m.conflict)
      return {std::nullopt, true};
    if (m.value)
      out[key] = std::move(*m.value);
  }
  return {std::move(out)};
}

// Conflicts are first emitted as placeholder scalars, then each placeholder line is replaced
// by its block. The control character makes the emitter quote the token, so no plain
// scalar a person wrote can look like one.
std::string placeholder(size_t index) {
  return fmt::format("\x01twin-merge-conflict-{}", index);
}

struct ConflictBlock {
  std::string token_text; // the placeholder as the emitter writes it (quoted)
  Value ours;             // the document fragment of each side: a one-item list, or a
  Value theirs;           // one-key map; null when that side has nothing
};

// The items of a resource list by identity, in order.
struct Indexed {
  std::vector<std::string> order; // identities (joined by '\0') in list order
  std::map<std::string, const Value*, std::less<>> items;
};

Result<Indexed> index_list(Side list, const MergeKey& key, std::string_view side) {
  Indexed out;
  if (!list || list->is_null())
    return out;
  if (!list->is_list())
    return fail("{}: '{}' is not a list", side, key.list);
  for (const Value& item : list->as_list()) {
    if (!item.is_map())
      return fail("{}: an item of '{}' is not a map", side, key.list);
    std::string id;
    for (size_t i = 0; i < key.fields.size(); ++i) {
      const Value* field = item.find(key.fields[i]);
      if (field && !field->is_string())
        return fail("{}: '{}' of an item of '{}' is not a string", side, key.fields[i], key.list);
      if (i)
        id += '\0';
      id += field ? field->as_string() : std::string();
    }
    if (!out.items.emplace(id, &item).second)
      return fail("{}: two items of '{}' are the same resource", side, key.list);
    out.order.push_back(std::move(id));
  }
  return out;
}

std::string describe(const MergeKey& key, const std::string& id) {
  std::string shown = id;
  std::replace(shown.begin(), shown.end(), '\0', ' ');
  while (!shown.empty() && shown.back() == ' ')
    shown.pop_back(); // `{user: bob, ensure: absent}` has no command
  return fmt::format("{}: {}", key.list, shown);
}

class Merger {
public:
  explicit Merger(std::span<const MergeKey> keys) : m_keys(keys) {}

  Result<YamlMerge> run(const Value& base, const Value& ours, const Value& theirs) {
    const Value empty = Value::map();
    Side sides[3] = {&base, &ours, &theirs};
    static constexpr std::string_view names[] = {"base", "ours", "theirs"};
    for (int i = 0; i < 3; ++i) {
      if (sides[i]->is_null())
        sides[i] = &empty;
      if (!sides[i]->is_map())
        return fail("{}: the document is not a map", names[i]);
    }
    std::vector<std::string> top;
    for (Side side : sides)
      for (const auto& [key, value] : side->as_map())
        top.push_back(key);
    std::sort(top.begin(), top.end());
    top.erase(std::unique(top.begin(), top.end()), top.end());

    Value out = Value::map();
    for (const auto& name : top) {
      Side b = sides[0]->find(name), o = sides[1]->find(name), t = sides[2]->find(name);
      if (const MergeKey* key = key_of(name)) {
        auto list = TWIN_TRY(merge_list(*key, b, o, t));
        if (list)
          out[name] = std::move(*list);
        continue;
      }
      Merged m = merge_value(b, o, t);
      if (m.conflict)
        out[name] = conflict(name, map_of(name, o), map_of(name, t));
      else if (m.value)
        out[name] = std::move(*m.value);
    }
    return render(std::move(out));
  }

private:
  const MergeKey* key_of(std::string_view list) const {
    for (const MergeKey& k : m_keys)
      if (k.list == list)
        return &k;
    return nullptr;
  }

  static Value map_of(const std::string& name, Side v) {
    if (!v)
      return Value();
    Value m = Value::map();
    m[name] = *v;
    return m;
  }

  // Records a conflict and returns the placeholder that stands for it.
  Value conflict(std::string what, Value ours, Value theirs) {
    std::string token = placeholder(m_blocks.size());
    m_blocks.push_back({emit_yaml(Value(token)), std::move(ours), std::move(theirs)});
    m_conflicts.push_back(std::move(what));
    return Value(token);
  }

  // The merged list, or nullopt when the key is absent from the result. A key is present
  // when the side that changed its presence says so (ours when neither did), and always
  // when the merged list has items.
  Result<std::optional<Value>> merge_list(const MergeKey& key, Side b, Side o, Side t) {
    Indexed base = TWIN_TRY(index_list(b, key, "base"));
    Indexed ours = TWIN_TRY(index_list(o, key, "ours"));
    Indexed theirs = TWIN_TRY(index_list(t, key, "theirs"));

    // Ours' order, with the identities only theirs has put after the nearest item before
    // them in theirs that is placed; failing that, before the nearest one after them; last
    // when theirs has no other placed item (both sides appended to an empty list).
    // A linked list with an index: a large fragment (files.yaml) takes many insertions.
    std::list<std::string> order(ours.order.begin(), ours.order.end());
    std::map<std::string_view, std::list<std::string>::iterator, std::less<>> where;
    for (auto it = order.begin(); it != order.end(); ++it)
      where.emplace(*it, it);
    auto placed = [&](size_t k) {
      auto w = where.find(theirs.order[k]);
      return w == where.end() ? order.end() : w->second;
    };
    // Items ours inserted at the same place come first, as in git's conflict blocks.
    auto ours_new = [&](const std::string& id) {
      return !base.items.count(id) && !theirs.items.count(id);
    };
    for (size_t i = 0; i < theirs.order.size(); ++i) {
      if (ours.items.count(theirs.order[i]))
        continue;
      auto at = order.end();
      bool found = false;
      for (size_t k = i; !found && k-- > 0;)
        if (auto it = placed(k); it != order.end())
          at = std::next(it), found = true;
      while (found && at != order.end() && ours_new(*at))
        ++at;
      for (size_t k = i + 1; !found && k < theirs.order.size(); ++k)
        if (auto it = placed(k); it != order.end())
          at = it, found = true;
      auto inserted = order.insert(at, theirs.order[i]);
      where.emplace(*inserted, inserted);
    }

    auto find = [](const Indexed& side, const std::string& id) -> Side {
      auto it = side.items.find(id);
      return it == side.items.end() ? nullptr : it->second;
    };
    Value list = Value::list();
    for (const std::string& id : order) {
      Side bi = find(base, id), oi = find(ours, id), ti = find(theirs, id);
      Merged m = merge_value(bi, oi, ti);
      auto one = [](Side item) { return item ? Value(Value::List{*item}) : Value(); };
      if (m.conflict)
        list.push_back(conflict(describe(key, id), one(oi), one(ti)));
      else if (m.value)
        list.push_back(std::move(*m.value));
    }
    bool present = !list.as_list().empty();
    bool in_base = b, in_ours = o, in_theirs = t;
    present = present || (in_ours == in_base ? in_theirs : in_ours);
    if (!present)
      return std::optional<Value>();
    return std::optional<Value>(std::move(list));
  }

  // The side's fragment in the indentation of the placeholder's line; for a list item the
  // dash stands where the placeholder's dash stood.
  static std::string indented(const Value& fragment, size_t indent) {
    if (fragment.is_null())
      return {};
    std::string text = emit_yaml(fragment), out;
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      out.append(indent, ' ');
      out.append(text, start, end - start + 1);
      start = end + 1;
    }
    return out;
  }

  YamlMerge render(Value document) {
    YamlMerge result;
    result.text = emit_yaml(document);
    result.conflicts = std::move(m_conflicts);
    if (m_blocks.empty()) {
      result.merged = std::move(document);
      return result;
    }
    for (const ConflictBlock& block : m_blocks) {
      // The placeholder is alone on its line: "<indent>- <token>" or "<key>: <token>".
      std::string token = block.token_text.substr(0, block.token_text.size() - 1);
      size_t at = result.text.find(token);
      size_t line_start = result.text.rfind('\n', at);
      line_start = line_start == std::string::npos ? 0 : line_start + 1;
      size_t line_end = result.text.find('\n', at) + 1;
      size_t indent = 0;
      while (result.text[line_start + indent] == ' ')
        ++indent;
      std::string replacement = "<<<<<<< ours\n" + indented(block.ours, indent) + "=======\n" +
                                indented(block.theirs, indent) + ">>>>>>> theirs\n";
      result.text.replace(line_start, line_end - line_start, replacement);
    }
    return result;
  }

  std::span<const MergeKey> m_keys;
  std::vector<ConflictBlock> m_blocks;
  std::vector<std::string> m_conflicts;
};

} // namespace

Result<YamlMerge> merge_yaml(const Value& base, const Value& ours, const Value& theirs,
                             std::span<const MergeKey> keys) {
  return Merger(keys).run(base, ours, theirs);
}

} // namespace twin::filters
