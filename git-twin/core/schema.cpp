// SPDX-License-Identifier: MIT
#include "core/schema.hpp"

// Without this, valijson reports a schema it cannot compile (bad keyword value, remote $ref)
// by printing to stderr and calling abort(). We want a Result instead. Only this file
// includes valijson, so the define cannot make two translation units disagree.
#define VALIJSON_USE_EXCEPTIONS 1

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <regex>
#include <span>
#include <tuple>
#include <unordered_map>

// With exceptions on, this header defines RAPIDJSON_ASSERT to throw, so it must come before
// any rapidjson header (it warns otherwise). Another file including rapidjson would get the
// default assert: keep rapidjson use in this file (to_json is the public way to it).
#include <valijson/adapters/rapidjson_adapter.hpp>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
// valijson 1.0 uses std::regex (ECMAScript) for `pattern`: \d, \w and \s work and no
// regex-engine define is needed (unlike rapidjson's own schema.h, tech-notes section 5).
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/fs_util.hpp"
#include "core/sha256.hpp"
#include "core/utf8.hpp"

namespace twin {
namespace {

// ---- Value <-> JSON ------------------------------------------------------------------------

void to_rapidjson(const Value& v, rapidjson::Value& out,
                  rapidjson::Document::AllocatorType& alloc) {
  switch (v.type()) {
  case Value::Type::null:
    out.SetNull();
    break;
  case Value::Type::boolean:
    out.SetBool(v.as_bool());
    break;
  case Value::Type::integer:
    out.SetInt64(v.as_int());
    break;
  case Value::Type::real:
    out.SetDouble(v.as_real());
    break;
  case Value::Type::string: {
    // valijson's length checks read out of bounds on invalid UTF-8 (found by fuzzing); a
    // replacement character fails the same patterns the bytes would.
    std::string s = with_valid_utf8(v.as_string());
    out.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
    break;
  }
  case Value::Type::list:
    out.SetArray();
    out.Reserve(static_cast<rapidjson::SizeType>(v.as_list().size()), alloc);
    for (const Value& item : v.as_list()) {
      rapidjson::Value element;
      to_rapidjson(item, element, alloc);
      out.PushBack(element, alloc);
    }
    break;
  case Value::Type::map:
    out.SetObject();
    for (const auto& [key, item] : v.as_map()) {
      rapidjson::Value name(key.data(), static_cast<rapidjson::SizeType>(key.size()), alloc);
      rapidjson::Value element;
      to_rapidjson(item, element, alloc);
      out.AddMember(name, element, alloc);
    }
    break;
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      static const char* const short_escapes[] = {"\\b", "\\t", "\\n", nullptr, "\\f", "\\r"};
      const char* e = u >= 8 && u <= 13 ? short_escapes[u - 8] : nullptr;
      out += e ? std::string(e) : fmt::format("\\u{:04X}", u);
    } else {
      out += c; // UTF-8 passes through, as rapidjson's writer leaves it
    }
  }
  out += '"';
}

// The compact form written straight into one string: the plan memo writes tens of
// thousands of items, and a rapidjson writer per item cost a quarter of a second.
void append_compact_json(std::string& out, const Value& v) {
  switch (v.type()) {
  case Value::Type::null:
    out += "null";
    break;
  case Value::Type::boolean:
    out += v.as_bool() ? "true" : "false";
    break;
  case Value::Type::integer:
    out += std::to_string(v.as_int());
    break;
  case Value::Type::real: {
    if (!std::isfinite(v.as_real())) { // JSON has no NaN or infinity
      out += "null";
      break;
    }
    std::string number = fmt::format("{}", v.as_real());
    if (number.find_first_of(".eE") == std::string::npos)
      number += ".0"; // still a real when read back
    out += number;
    break;
  }
  case Value::Type::string:
    append_json_string(out, v.as_string());
    break;
  case Value::Type::list: {
    out += '[';
    bool first = true;
    for (const Value& item : v.as_list()) {
      if (!first)
        out += ',';
      first = false;
      append_compact_json(out, item);
    }
    out += ']';
    break;
  }
  case Value::Type::map: {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : v.as_map()) {
      if (!first)
        out += ',';
      first = false;
      append_json_string(out, key);
      out += ':';
      append_compact_json(out, item);
    }
    out += '}';
    break;
  }
  }
}

template <class Writer> void write_json(Writer& w, const Value& v) {
  switch (v.type()) {
  case Value::Type::null:
    w.Null();
    break;
  case Value::Type::boolean:
    w.Bool(v.as_bool());
    break;
  case Value::Type::integer:
    w.Int64(v.as_int());
    break;
  case Value::Type::real:
    // JSON has no NaN or infinity (YAML .nan/.inf); rapidjson would leave the writer in a
    // broken state on them, so they become null.
    if (std::isfinite(v.as_real()))
      w.Double(v.as_real());
    else
      w.Null();
    break;
  case Value::Type::string:
    w.String(v.as_string().data(), static_cast<rapidjson::SizeType>(v.as_string().size()));
    break;
  case Value::Type::list:
    w.StartArray();
    for (const Value& item : v.as_list())
      write_json(w, item);
    w.EndArray();
    break;
  case Value::Type::map:
    w.StartObject();
    for (const auto& [key, item] : v.as_map()) {
      w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
      write_json(w, item);
    }
    w.EndObject();
    break;
  }
}

// ---- What the schema says about one document node ------------------------------------------

// Every subschema that applies to the node at `path`, found by following the path through
// properties, patternProperties, additionalProperties, items, allOf/anyOf/oneOf, then/else
// and local $ref. valijson does not tell which subschema failed, so this is how messages get
// the enum values, the pattern or the full list of unknown fields. `complete` turns false
// when a branch cannot be followed; callers then keep valijson's generic text.
struct Applicable {
  std::vector<const Value*> schemas;
  bool complete = true;
};

void collect(const Value& root, const Value& schema, const Value* node,
             std::span<const std::string> path, Applicable& out, int depth) {
  if (depth > 64) { // a $ref cycle
    out.complete = false;
    return;
  }
  if (!schema.is_map()) // boolean schemas carry nothing to word a message with
    return;
  if (const Value* ref = schema.find("$ref")) {
    const Value* target = nullptr;
    if (ref->is_string() && ref->as_string().starts_with('#'))
      target = root.at_pointer(std::string_view(ref->as_string()).substr(1));
    if (target)
      collect(root, *target, node, path, out, depth + 1);
    else
      out.complete = false;
    return; // draft 7 ignores the siblings of $ref
  }
  for (const char* key : {"allOf", "anyOf", "oneOf"}) {
    const Value* subs = schema.find(key);
    if (subs && subs->is_list())
      for (const Value& sub : subs->as_list())
        collect(root, sub, node, path, out, depth + 1);
  }
  for (const char* key : {"then", "else"})
    if (const Value* sub = schema.find(key))
      collect(root, *sub, node, path, out, depth + 1);

  if (path.empty()) {
    out.schemas.push_back(&schema);
    return;
  }
  if (!node)
    return;
  const std::string& token = path.front();
  const Value* child = node->at_pointer("/" + pointer_token(token));
  auto rest = path.subspan(1);
  if (node->is_map()) {
    bool matched = false;
    const Value* properties = schema.find("properties");
    if (const Value* sub = properties ? properties->find(token) : nullptr) {
      matched = true;
      collect(root, *sub, child, rest, out, depth + 1);
    }
    const Value* patterns = schema.find("patternProperties");
    if (patterns && patterns->is_map()) {
      for (const auto& [pattern, sub] : patterns->as_map()) {
        try {
          if (std::regex_search(token, std::regex(pattern))) {
            matched = true;
            collect(root, sub, child, rest, out, depth + 1);
          }
        } catch (const std::regex_error&) {
          out.complete = false;
        }
      }
    }
    const Value* additional = schema.find("additionalProperties");
    if (!matched && additional && additional->is_map())
      collect(root, *additional, child, rest, out, depth + 1);
  } else if (node->is_list()) {
    size_t index = 0;
    std::from_chars(token.data(), token.data() + token.size(), index);
    const Value* items = schema.find("items");
    if (items && items->is_map()) {
      collect(root, *items, child, rest, out, depth + 1);
    } else if (items && items->is_list()) {
      const Value* additional = schema.find("additionalItems");
      if (index < items->as_list().size())
        collect(root, items->as_list()[index], child, rest, out, depth + 1);
      else if (additional)
        collect(root, *additional, child, rest, out, depth + 1);
    }
  }
}

Applicable applicable(const Value& schema, const Value& document,
                      const std::vector<std::string>& path) {
  Applicable out;
  collect(schema, schema, &document, path, out, 0);
  return out;
}

/// The one value of `key` among the applicable subschemas, or nullptr when there is none,
/// more than one, or the lookup was incomplete (then it cannot be the one that failed).
const Value* only_value(const Applicable& a, std::string_view key) {
  const Value* found = nullptr;
  for (const Value* s : a.schemas) {
    const Value* v = s->find(key);
    if (!v)
      continue;
    if (found && !(*found == *v))
      return nullptr;
    found = v;
  }
  return a.complete ? found : nullptr;
}

/// Keys of `node` that the object schema `s` does not allow.
std::vector<std::string> unknown_keys(const Value& s, const Value& node) {
  std::vector<std::string> out;
  const Value* properties = s.find("properties");
  const Value* patterns = s.find("patternProperties");
  for (const auto& [key, item] : node.as_map()) {
    bool known = properties && properties->find(key);
    if (!known && patterns && patterns->is_map()) {
      for (const auto& [pattern, sub] : patterns->as_map()) {
        try {
          known = known || std::regex_search(key, std::regex(pattern));
        } catch (const std::regex_error&) {
          known = true; // cannot tell: do not accuse the key
        }
      }
    }
    if (!known)
      out.push_back(key);
  }
  return out;
}

// ---- Turning valijson errors into problems -------------------------------------------------

struct RawError {
  std::vector<std::string> path; // unescaped tokens, without "<root>"
  std::string pointer;
  std::string text; // valijson's description
};

// Errors valijson adds above the real one ("property 'files' failed" because "item #3
// failed" because "mode does not match"). They say nothing new when a real error exists at
// or below their node. anyOf/oneOf summaries are not among them: they tell that only one
// branch had to match, which the branch errors alone would hide.
bool is_summary(std::string_view text) {
  static constexpr std::string_view prefixes[] = {
      "Failed to validate against schema associated with property name",
      "Failed to validate against schema associated with pattern",
      "Failed to validate item #",
      "Failed to validate against additional properties schema",
      "Failed to validate against child schema #",
      "Failed to validate against a conditional schema",
      "Failed to validate against dependent schema",
  };
  return std::any_of(std::begin(prefixes), std::end(prefixes),
                     [&](std::string_view p) { return text.starts_with(p); });
}

bool at_or_below(std::string_view pointer, std::string_view parent) {
  return pointer.starts_with(parent) &&
         (pointer.size() == parent.size() || pointer[parent.size()] == '/');
}

/// The quoted name in "... '<name>'." (the last quote pair, so names may contain quotes).
std::string quoted_name(std::string_view text, std::string_view opening) {
  size_t begin = text.find(opening);
  size_t end = text.rfind('\'');
  if (begin == std::string_view::npos || end == std::string_view::npos)
    return {};
  begin += opening.size();
  return end > begin ? std::string(text.substr(begin, end - begin)) : std::string();
}

/// valijson's own sentence, as a short lowercase phrase without the final period.
std::string plain(std::string text) {
  static const std::pair<std::string_view, std::string_view> shorter[] = {
      {"Failed to validate against any schemas allowed by anyOf constraint.",
       "matches none of the allowed alternatives (anyOf)"},
      {"Failed to validate against any child schemas allowed by oneOf constraint.",
       "matches none of the allowed alternatives (oneOf)"},
      {"Failed to validate against exactly one child schema.",
       "matches more than one alternative (oneOf)"},
  };
  for (const auto& [from, to] : shorter)
    if (text == from)
      return std::string(to);
  if (!text.empty() && text.back() == '.')
    text.pop_back();
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

std::string scalar_text(const Value& v) {
  return v.is_string() ? v.as_string() : to_json(v);
}

std::string schema_type_name(const Value& t) {
  if (!t.is_string())
    return to_json(t);
  // The documents are YAML: speak of maps and lists, as Value::type_name does.
  if (t.as_string() == "object")
    return "map";
  if (t.as_string() == "array")
    return "list";
  return t.as_string();
}

class ProblemBuilder {
public:
  ProblemBuilder(const Value& schema, const Value& document)
      : m_schema(schema), m_document(document) {}

  void add(const RawError& e) {
    const std::string& text = e.text;
    if (text.starts_with("Missing required property '")) {
      // valijson reports it at the object that lacks the field; so do we.
      add(e.pointer, "missing required field '" + quoted_name(text, "property '") + "'");
    } else if (text.starts_with("Object contains a property that could not be validated")) {
      add_unknown_fields(e);
    } else if (text.starts_with("Failed to match against any enum values")) {
      const Value* values = only_value(applicable(m_schema, m_document, e.path), "enum");
      if (values && values->is_list()) {
        std::string list;
        for (const Value& v : values->as_list())
          list += (list.empty() ? "" : ", ") + scalar_text(v);
        add(e.pointer, "must be one of: " + list);
      } else {
        add(e.pointer, plain(text));
      }
    } else if (text.starts_with("Value type not permitted by 'type' constraint")) {
      const Value* type = only_value(applicable(m_schema, m_document, e.path), "type");
      const Value* node = m_document.at_pointer(e.pointer);
      if (type && node) {
        std::string expected;
        if (type->is_list()) {
          for (const Value& t : type->as_list())
            expected += (expected.empty() ? "" : " or ") + schema_type_name(t);
        } else {
          expected = schema_type_name(*type);
        }
        add(e.pointer,
            "expected " + expected + ", got " + std::string(Value::type_name(node->type())));
      } else {
        add(e.pointer, plain(text));
      }
    } else if (text.starts_with("Failed to match regex specified by 'pattern'")) {
      const Value* pattern = only_value(applicable(m_schema, m_document, e.path), "pattern");
      if (pattern && pattern->is_string())
        add(e.pointer, "does not match pattern " + pattern->as_string());
      else
        add(e.pointer, plain(text));
    } else {
      add(e.pointer, plain(text));
    }
  }

  std::vector<SchemaProblem> take() {
    auto key = [](const SchemaProblem& p) {
      return std::tie(p.mark.line, p.mark.column, p.pointer, p.message);
    };
    std::sort(m_problems.begin(), m_problems.end(),
              [&](const SchemaProblem& a, const SchemaProblem& b) { return key(a) < key(b); });
    // Same pointer means same mark, so identical problems are now neighbours.
    m_problems.erase(std::unique(m_problems.begin(), m_problems.end(),
                                 [&](const SchemaProblem& a, const SchemaProblem& b) {
                                   return key(a) == key(b);
                                 }),
                     m_problems.end());
    return std::move(m_problems);
  }

private:
  void add(const std::string& pointer, std::string message) {
    m_problems.push_back({pointer, mark_of(pointer), std::move(message)});
  }

  /// The mark of the node at `pointer`, or of its nearest existing parent.
  Mark mark_of(std::string_view pointer) const {
    while (true) {
      if (const Value* node = m_document.at_pointer(pointer))
        return node->mark;
      size_t slash = pointer.rfind('/');
      if (slash == std::string_view::npos)
        return m_document.mark;
      pointer = pointer.substr(0, slash);
    }
  }

  // valijson names only the first unknown key of an object. When we can find the schema
  // that rejected it, report every key it rejects, so one run shows all the typos.
  void add_unknown_fields(const RawError& e) {
    std::string first = quoted_name(e.text, "constraints: '");
    std::vector<std::string> keys{first};
    const Value* node = m_document.at_pointer(e.pointer);
    if (node && node->is_map()) {
      for (const Value* s : applicable(m_schema, m_document, e.path).schemas) {
        const Value* additional = s->find("additionalProperties");
        if (!additional || !(*additional == Value(false)))
          continue;
        std::vector<std::string> rejected = unknown_keys(*s, *node);
        if (std::find(rejected.begin(), rejected.end(), first) != rejected.end())
          keys.insert(keys.end(), rejected.begin(), rejected.end());
      }
    }
    for (const std::string& key : keys)
      add(e.pointer + "/" + pointer_token(key), "unknown field '" + key + "'");
  }

  const Value& m_schema;
  const Value& m_document;
  std::vector<SchemaProblem> m_problems;
};

// ---- Compiled schema cache -----------------------------------------------------------------

struct CompiledSchema {
  valijson::Schema schema;
  // Kept with the schema: the validator caches the std::regex of every `pattern`.
  valijson::Validator validator{valijson::Validator::kStrongTypes};
};

std::mutex g_cache_mutex;
// Keyed by the schema's JSON text, not its address: a schema Value built on the stack can
// be freed and another one allocated at the same address.
std::unordered_map<std::string, std::unique_ptr<CompiledSchema>> g_cache;

Result<CompiledSchema*> compiled(const Value& schema) {
  std::string key = to_json(schema);
  auto it = g_cache.find(key);
  if (it != g_cache.end())
    return it->second.get();
  rapidjson::Document json;
  to_rapidjson(schema, json, json.GetAllocator());
  auto entry = std::make_unique<CompiledSchema>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::RapidJsonAdapter adapter(json);
    parser.populateSchema(adapter, entry->schema);
  } catch (const std::exception& e) {
    return fail("invalid schema: {}", e.what());
  }
  return g_cache.emplace(std::move(key), std::move(entry)).first->second.get();
}

} // namespace

std::string format_problem(std::string_view source_name, const SchemaProblem& problem) {
  std::string out(source_name);
  if (problem.mark.line > 0)
    out += fmt::format(":{}:{}", problem.mark.line, problem.mark.column);
  return out + ": " + (problem.pointer.empty() ? "/" : problem.pointer) + ": " + problem.message;
}

namespace {

// Every error valijson finds in `document`, its path prefixed with `prefix` (the tokens of
// the node `document` is, in the whole document).
Result<std::vector<RawError>> raw_errors(const Value& schema, const Value& document,
                                         const std::vector<std::string>& prefix = {}) {
  rapidjson::Document json;
  to_rapidjson(document, json, json.GetAllocator());

  valijson::ValidationResults results;
  {
    // The cache and each validator's regex cache are shared state.
    std::lock_guard lock(g_cache_mutex);
    CompiledSchema* compiled_schema = TWIN_TRY(compiled(schema));
    try {
      valijson::adapters::RapidJsonAdapter adapter(json);
      compiled_schema->validator.validate(compiled_schema->schema, adapter, &results);
    } catch (const std::exception& e) {
      // std::regex_error: a `pattern` is compiled on first use, not by the parser.
      return fail("invalid schema: {}", e.what());
    }
  }

  std::vector<RawError> errors;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    RawError raw;
    for (const std::string& token : prefix) {
      raw.path.push_back(token);
      raw.pointer += "/" + pointer_token(token);
    }
    // context is {"<root>", "[files]", "[3]", ...}: valijson brackets every key and index.
    for (size_t i = 1; i < error.context.size(); ++i) {
      std::string_view token = error.context[i];
      if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
        token = token.substr(1, token.size() - 2);
      raw.path.emplace_back(token);
      raw.pointer += "/" + pointer_token(token);
    }
    raw.text = error.description;
    errors.push_back(std::move(raw));
  }
  return errors;
}

// The `items` schema of `schema`'s property `key` when that property is a plain list of
// items checked one by one: {type: array, items: {...}} and nothing that looks at the list
// as a whole (uniqueItems, minItems, contains) or outside the item ($ref).
const Value* items_checked_alone(const Value& schema, const std::string& key) {
  const Value* properties = schema.find("properties");
  const Value* property = properties && properties->is_map() ? properties->find(key) : nullptr;
  if (!property || !property->is_map())
    return nullptr;
  for (const auto& [name, value] : property->as_map())
    if (name != "type" && name != "items" && name != "title" && name != "description")
      return nullptr;
  const Value* type = property->find("type");
  const Value* items = property->find("items");
  if (!type || !(*type == Value("array")) || !items || !items->is_map() ||
      to_json(*items).find("\"$ref\"") != std::string::npos)
    return nullptr;
  return items;
}

constexpr std::size_t k_min_items_to_split = 64; // fewer: one validation is as quick

std::string raw_digest(const std::string& hex) {
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(hex_digit_value(hex[2 * i]) << 4 | hex_digit_value(hex[2 * i + 1]));
  return out;
}

} // namespace

ValidItems ValidItems::load(const std::string& path) {
  ValidItems memo;
  memo.m_loaded = read_state_file(path);
  bool sorted = memo.m_loaded.size() % 32 == 0;
  for (std::size_t at = 32; sorted && at < memo.m_loaded.size(); at += 32)
    sorted = memo.m_loaded.compare(at - 32, 32, memo.m_loaded, at, 32) < 0;
  if (!sorted)
    memo.m_loaded.clear(); // damaged: trust nothing
  memo.m_kept.assign(memo.m_loaded.size() / 32, 0);
  return memo;
}

bool ValidItems::remembered(std::string_view digest) {
  std::size_t low = 0, high = m_kept.size();
  while (low < high) {
    std::size_t mid = low + (high - low) / 2;
    if (std::string_view(m_loaded).substr(mid * 32, 32) < digest)
      low = mid + 1;
    else
      high = mid;
  }
  if (low == m_kept.size() || std::string_view(m_loaded).substr(low * 32, 32) != digest)
    return false;
  m_kept[low] = 1;
  return true;
}

void ValidItems::remember(std::string_view digest) {
  m_new.emplace_back(digest);
}

void ValidItems::save(const std::string& path) const {
  std::vector<std::string_view> all;
  for (std::size_t i = 0; i < m_kept.size(); ++i)
    if (m_kept[i])
      all.push_back(std::string_view(m_loaded).substr(i * 32, 32));
  if (m_new.empty() && all.size() == m_kept.size())
    return; // the same as loaded
  all.insert(all.end(), m_new.begin(), m_new.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::string text;
  text.reserve(all.size() * 32);
  for (std::string_view d : all)
    text += d;
  (void)replace_state_file(path, text);
}

Result<std::vector<SchemaProblem>> validate_against(const Value& schema, const Value& document,
                                                    ValidItems* memo) {
  std::vector<RawError> errors;
  // The long lists validated item by item, the rest of the document as a whole with them
  // left empty: the same errors as one validation gives, the summaries above an item's
  // error aside (they are dropped below anyway).
  std::vector<std::pair<std::string, const Value*>> split; // key, its items schema
  if (memo && document.is_map())
    for (const auto& [key, value] : document.as_map())
      if (value.is_list() && value.as_list().size() >= k_min_items_to_split)
        if (const Value* items = items_checked_alone(schema, key))
          split.emplace_back(key, items);
  if (split.empty()) {
    errors = TWIN_TRY(raw_errors(schema, document));
  } else {
    Value rest = Value::map();
    for (const auto& [key, value] : document.as_map()) {
      bool is_split = std::any_of(split.begin(), split.end(),
                                  [&, &k = key](const auto& s) { return s.first == k; });
      rest[key] = is_split ? Value::list() : value;
    }
    errors = TWIN_TRY(raw_errors(schema, rest));
    for (const auto& [key, items] : split) {
      std::string items_json = to_json(*items);
      const auto& list = document.as_map().find(key)->second.as_list();
      for (std::size_t i = 0; i < list.size(); ++i) {
        std::string digest =
            raw_digest(sha256_hex({items_json, std::string_view("\0", 1), to_json(list[i])}));
        if (memo->remembered(digest))
          continue;
        auto found = TWIN_TRY(raw_errors(*items, list[i], {key, std::to_string(i)}));
        if (found.empty())
          memo->remember(digest);
        std::move(found.begin(), found.end(), std::back_inserter(errors));
      }
    }
  }

  ProblemBuilder builder(schema, document);
  for (const RawError& e : errors) {
    bool superseded =
        is_summary(e.text) && std::any_of(errors.begin(), errors.end(), [&](const RawError& o) {
          return !is_summary(o.text) && at_or_below(o.pointer, e.pointer);
        });
    if (!superseded)
      builder.add(e);
  }
  return builder.take();
}

std::string to_json(const Value& value, bool pretty) {
  if (!pretty) {
    std::string out;
    append_compact_json(out, value);
    return out;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  write_json(writer, value);
  return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace twin
