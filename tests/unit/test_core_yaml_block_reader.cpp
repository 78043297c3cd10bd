// SPDX-License-Identifier: MIT
// The fast block-style reader (yaml_block_reader) held to its promise: for any text it returns
// exactly the Value and the Marks parse_yaml_full returns, or nullopt. Corpora: the golden
// files, emitter output of random Values, hand-written documents, mutations of emitter output
// and a few documents at yaml-cpp's limits; plus where the fast path is expected to be taken.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/value.hpp"
#include "core/yaml_block_reader.hpp"
#include "core/yaml_emitter.hpp"
#include "core/yaml_reader.hpp"

using twin::Value;

using twin_test::read_file;

namespace {

// ---------------------------------------------------------------------------------------------
// Messages

/// `s` with escapes for everything but printable ASCII, cut after `limit` bytes.
std::string printable(std::string_view s, size_t limit = 400) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == limit) {
      out += "...(" + std::to_string(s.size()) + " bytes in all)";
      break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c < 0x20 || c >= 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02X", c);
      out += buffer;
    } else
      out += static_cast<char>(c);
  }
  return out;
}

std::string describe(const Value& v) {
  std::string out(Value::type_name(v.type()));
  switch (v.type()) {
  case Value::Type::null:
    break;
  case Value::Type::boolean:
    out += v.as_bool() ? " true" : " false";
    break;
  case Value::Type::integer:
    out += " " + std::to_string(v.as_int());
    break;
  case Value::Type::real: {
    std::ostringstream s;
    s << std::setprecision(17) << v.as_real();
    out += " " + s.str();
    break;
  }
  case Value::Type::string:
    out += " \"" + printable(v.as_string(), 60) + "\"";
    break;
  case Value::Type::list:
    out += " of " + std::to_string(v.as_list().size());
    break;
  case Value::Type::map:
    out += " of " + std::to_string(v.as_map().size());
    break;
  }
  return out + " at " + std::to_string(v.mark.line) + ":" + std::to_string(v.mark.column);
}

// ---------------------------------------------------------------------------------------------
// Deep comparison, marks included (Value::operator== ignores marks and says NaN != NaN)

bool same_real(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

bool same_scalar(const Value& a, const Value& b) {
  switch (a.type()) {
  case Value::Type::boolean:
    return a.as_bool() == b.as_bool();
  case Value::Type::integer:
    return a.as_int() == b.as_int();
  case Value::Type::real:
    return same_real(a.as_real(), b.as_real());
  case Value::Type::string:
    return a.as_string() == b.as_string();
  default:
    return true; // null, and lists and maps (their contents are compared by the caller)
  }
}

/// Empty when `a` and `b` are the same tree; otherwise the JSON pointer of the first node
/// that differs, what differs, and both nodes ("left" is `a`).
std::string tree_difference(const Value& a, const Value& b, bool with_marks,
                            const std::string& pointer = {}) {
  auto differ = [&](const std::string& what) {
    return (pointer.empty() ? std::string("(root)") : printable(pointer, 200)) + ": " + what +
           "\n  left:  " + describe(a) + "\n  right: " + describe(b);
  };
  if (a.type() != b.type())
    return differ("types differ");
  if (!same_scalar(a, b))
    return differ("values differ");
  if (with_marks && (a.mark.line != b.mark.line || a.mark.column != b.mark.column))
    return differ("marks differ");
  if (a.is_list()) {
    const Value::List& la = a.as_list();
    const Value::List& lb = b.as_list();
    for (size_t i = 0; i < la.size() && i < lb.size(); ++i) {
      std::string d = tree_difference(la[i], lb[i], with_marks, pointer + "/" + std::to_string(i));
      if (!d.empty())
        return d;
    }
    if (la.size() != lb.size())
      return differ("list sizes differ");
  } else if (a.is_map()) {
    const Value::Map& ma = a.as_map();
    const Value::Map& mb = b.as_map();
    auto ia = ma.begin();
    auto ib = mb.begin();
    for (; ia != ma.end() && ib != mb.end(); ++ia, ++ib) {
      if (ia->first != ib->first)
        return differ("keys differ: left has \"" + printable(ia->first, 60) +
                      "\" where right has \"" + printable(ib->first, 60) + "\"");
      std::string d = tree_difference(ia->second, ib->second, with_marks,
                                      pointer + "/" + twin::pointer_token(ia->first));
      if (!d.empty())
        return d;
    }
    if (ma.size() != mb.size())
      return differ("map sizes differ");
  }
  return {};
}

/// Deep equality including every node's mark; `difference` gets the first difference.
bool same_tree(const Value& a, const Value& b, std::string* difference = nullptr) {
  std::string d = tree_difference(a, b, true);
  if (difference)
    *difference = d;
  return d.empty();
}

// ---------------------------------------------------------------------------------------------
// The differential property

struct Outcome {
  bool fast = false;    // parse_block_yaml returned a value (parse_yaml takes the fast path)
  bool full_ok = false; // parse_yaml_full accepted the text
  std::string problem;  // empty when the property holds
};

/// Runs both readers. The property: a value from the block reader implies the full reader
/// accepts the text and returns the same tree with the same marks (so a text the full reader
/// refuses must give nullopt).
Outcome differential(std::string_view text) {
  Outcome o;
  std::optional<Value> block = twin::parse_block_yaml(text);
  twin::Result<Value> full = twin::parse_yaml_full(text, "t.yaml");
  o.fast = block.has_value();
  o.full_ok = full.has_value();
  if (!block)
    return o;
  if (!full) {
    o.problem = "parse_block_yaml returned a value but parse_yaml_full refused the text: " +
                full.error().message +
                "\n  block reader's value: " + printable(twin::emit_yaml(*block), 150);
    return o;
  }
  std::string d;
  if (!same_tree(*block, *full, &d))
    o.problem = "parse_block_yaml (left) and parse_yaml_full (right) differ at " + d;
  return o;
}

/// Checks the property for one text; returns whether the fast path was taken.
bool check_differential(std::string_view text) {
  Outcome o = differential(text);
  INFO("text: \"" << printable(text, 300) << "\"");
  INFO(o.problem);
  CHECK(o.problem.empty());
  return o.fast;
}

/// Many documents: one assertion at the end, naming the shortest failing texts.
struct Tally {
  int documents = 0;
  int fast = 0;
  int full_ok = 0;
  std::vector<std::pair<std::string, std::string>> failures; // text, problem

  Outcome add(const std::string& text) {
    Outcome o = differential(text);
    ++documents;
    fast += o.fast;
    full_ok += o.full_ok;
    if (!o.problem.empty())
      failures.emplace_back(text, o.problem);
    return o;
  }

  std::string report(size_t examples = 5) const {
    std::vector<std::pair<std::string, std::string>> sorted = failures;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& x, const auto& y) { return x.first.size() < y.first.size(); });
    std::string out = std::to_string(failures.size()) + " of " + std::to_string(documents) +
                      " documents break the property; the shortest:";
    for (size_t i = 0; i < sorted.size() && i < examples; ++i)
      out += "\n- text: \"" + printable(sorted[i].first, 300) + "\"\n  " + sorted[i].second;
    return out;
  }
};

// ---------------------------------------------------------------------------------------------
// Random Values

const std::vector<std::string>& string_pool() {
  static const std::vector<std::string> pool = [] {
    std::vector<std::string> p = {
        // YAML 1.1 / 1.2 ambiguities, indicators, whitespace, escapes
        "yes", "No", "ON", "y", "off", "True", "FALSE", "0755", "007", "0x1F", "0o17", "0b101",
        "1e3", "1.5", ".5", ".inf", "-.INF", ".NaN", "12:30", "1:20:30", "1_000", "42", "-1", "+1",
        "1.2.3", "2024-01-01", "", " lead", "trail ", "a: b", "a #b", "-x", "- x", "#x", "@x",
        "null", "Null", "~", "café", "a\nb", "a\nb\n", "\n", "tab\there", "cr\r\n", "quote\"s",
        "back\\slash", "colon:", "key:", "?q", "?x", ":x", ": c", "-", "?", ":", "[x]", "{y}", "[a",
        "{a", ",a", "%p", "&a", "*b", "!t", "|l", ">f", "'s'", "`b", "\"q\"", "<<", "=", "...",
        "--- x", "a:b", "a#b", "a[0]", "x{y}", "a,b", "a, b", "a - b", "it's", "x\"y\\z", "a ? b",
        std::string("nul\0byte", 8), "\x01\x1f\x7f",
        "line\xE2\x80\xA8"
        "sep",
        "\xC2\x85nel", "bad\xff",
        "\xEF\xBB\xBF"
        "bom",
        // ordinary state-file text
        "root", "file", "directory", "symlink", "plain text", "/etc/hosts", "/etc/fstab",
        "/usr/share/zoneinfo/Etc/UTC", "filesystem/etc/hostname", "x86_64-linux-gnu",
        "2.36-9+deb12u4", "46e413837b23e0462ad0b2d15d0e1943c805b17dbcfc7629ea4a04b739842947",
        "Debian GNU/Linux 12 (bookworm)", "日本語", "emoji \xF0\x9F\x98\x80"};
    // Very long strings: plain, quoted for a ": ", and multi-line.
    p.push_back(std::string(2000, 'x'));
    p.push_back("/" + std::string(1999, 'p'));
    std::string mixed;
    while (mixed.size() < 2000)
      mixed += "word café: #x ";
    p.push_back(mixed.substr(0, 2000));
    std::string lines;
    while (lines.size() < 2000)
      lines += "line\n";
    p.push_back(lines.substr(0, 2000));
    return p;
  }();
  return pool;
}

class Generator {
public:
  /// `small`: no long strings and fewer entries (a base for the mutation corpus).
  Generator(std::uint32_t seed, bool small) : m_rng(seed), m_small(small) {}

  /// A non-empty map or list; containers nest up to depth 4.
  Value document() { return pick(4) == 0 ? list(1) : map(1); }

private:
  static constexpr int max_depth = 4;

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(m_rng); }

  std::string string() {
    const auto& pool = string_pool();
    for (;;) {
      const std::string& s = pool[pick(pool.size())];
      if (!m_small || s.size() < 100)
        return s;
    }
  }

  std::string key() {
    static const char* const identity[] = {"name", "path", "user", "id"};
    switch (pick(6)) {
    case 0:
      return identity[pick(4)];
    case 1:
      return "k" + std::to_string(pick(10));
    default:
      return string();
    }
  }

  std::int64_t integer() {
    static const std::int64_t fixed[] = {0,
                                         1,
                                         -1,
                                         42,
                                         -7,
                                         644,
                                         1000000,
                                         4294967296,
                                         -4294967297,
                                         std::numeric_limits<std::int64_t>::max(),
                                         std::numeric_limits<std::int64_t>::min()};
    if (pick(3) == 0)
      return static_cast<std::int64_t>((std::uint64_t{m_rng()} << 32) | m_rng());
    return fixed[pick(std::size(fixed))];
  }

  double real() {
    static const double fixed[] = {0.5,
                                   -0.0,
                                   0.0,
                                   1.0,
                                   -2.5,
                                   100.0,
                                   0.1,
                                   1e20,
                                   1.5e-7,
                                   3.141592653589793,
                                   1e300,
                                   5e-324,
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(),
                                   std::numeric_limits<double>::quiet_NaN()};
    switch (pick(3)) {
    case 0:
      return std::uniform_real_distribution<double>(-1e6, 1e6)(m_rng);
    case 1:
      return std::bit_cast<double>((std::uint64_t{m_rng()} << 32) | m_rng());
    default:
      return fixed[pick(std::size(fixed))];
    }
  }

  Value scalar() {
    switch (pick(10)) {
    case 4:
      return Value(integer());
    case 5:
      return Value(real());
    case 6:
      return Value(pick(2) == 0);
    case 7:
      return Value();
    case 8:
      return Value::map();
    case 9:
      return Value::list();
    default:
      return Value(string());
    }
  }

  Value node(int depth) {
    if (depth < max_depth) {
      size_t roll = pick(100);
      if (roll < 25)
        return map(depth + 1);
      if (roll < 40)
        return list(depth + 1);
    }
    return scalar();
  }

  Value map(int depth) {
    Value m = Value::map();
    size_t n = 1 + pick(m_small ? 3 : 5);
    for (size_t i = 0; i < n; ++i)
      m[key()] = node(depth);
    return m;
  }

  Value list(int depth) {
    Value l = Value::list();
    size_t n = 1 + pick(m_small ? 3 : 4);
    for (size_t i = 0; i < n; ++i)
      l.push_back(node(depth));
    return l;
  }

  std::mt19937 m_rng;
  bool m_small;
};

constexpr int random_documents = 1000;

/// Random Values and their emitter output (deterministic).
const std::vector<std::pair<Value, std::string>>& emitted_corpus() {
  static const std::vector<std::pair<Value, std::string>> corpus = [] {
    std::vector<std::pair<Value, std::string>> c;
    Generator generator(20240611, false);
    for (int i = 0; i < random_documents; ++i) {
      Value v = generator.document();
      std::string text = twin::emit_yaml(v);
      c.emplace_back(std::move(v), std::move(text));
    }
    return c;
  }();
  return corpus;
}

/// Why the fast path may have refused emitter output, for the failure message: the shapes
/// of emitter output the block reader leaves to yaml-cpp.
std::string bail_shape(const std::string& text) {
  bool explicit_key = false;
  bool nested_list = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    int dashes = 0;
    for (;;) {
      while (!line.empty() && line.front() == ' ')
        line.remove_prefix(1);
      if (line.substr(0, 2) != "- ")
        break;
      ++dashes;
      line.remove_prefix(2);
    }
    nested_list = nested_list || dashes >= 2;
    explicit_key = explicit_key || line.substr(0, 2) == "? ";
  }
  if (explicit_key && nested_list)
    return "both an explicit key and a list inside a list";
  if (explicit_key)
    return "an explicit \"? key\" (a key over 1000 bytes)";
  if (nested_list)
    return "a list directly inside a list (\"- - x\")";
  return "other";
}

// ---------------------------------------------------------------------------------------------
// Mutations: what a person (or a bad merge) does to a file

std::vector<std::string> split_lines(const std::string& text, bool& final_newline) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  final_newline = !text.empty() && text.back() == '\n';
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines, bool final_newline) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size() || final_newline)
      out += '\n';
  }
  return out;
}

size_t indent_of(const std::string& line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ')
    ++n;
  return n;
}

std::string mutate(std::string text, std::mt19937& rng) {
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  static const std::string specials = ":- #\"'[]{}\n?&*!|>\t\\x0,%@`~";
  size_t operations = 1 + pick(3);
  for (size_t op = 0; op < operations; ++op) {
    bool final_newline = true;
    std::vector<std::string> lines = split_lines(text, final_newline);
    if (lines.empty())
      lines.push_back("");
    size_t i = pick(lines.size());
    switch (pick(20)) {
    case 0: { // a comment after the content
      static const char* const comments[] = {" # note", "   # a: b", " #", "#glued", "  # - x"};
      lines[i] += comments[pick(std::size(comments))];
      break;
    }
    case 1: // a comment on its own line
      lines.insert(lines.begin() + i, std::string(pick(7), ' ') + "# comment: x");
      break;
    case 2: // a blank line, or one of spaces only
      lines.insert(lines.begin() + i, std::string(pick(4), ' '));
      break;
    case 3: // trailing spaces
      lines[i] += std::string(1 + pick(3), ' ');
      break;
    case 4: // no final newline
      final_newline = false;
      break;
    case 5: // twice the indentation
      for (std::string& line : lines)
        line.insert(0, indent_of(line), ' ');
      break;
    case 6: { // extra spaces after a dash
      size_t at = indent_of(lines[i]);
      if (lines[i].compare(at, 2, "- ") == 0)
        lines[i].insert(at + 1, std::string(1 + pick(3), ' '));
      break;
    }
    case 7: // Windows line endings
      for (std::string& line : lines)
        line += '\r';
      break;
    case 8: // cut anywhere
      text = text.substr(0, pick(text.size() + 1));
      continue;
    case 9: // one byte replaced
      if (!text.empty())
        text[pick(text.size())] = specials[pick(specials.size())];
      continue;
    case 10: // one byte inserted
      text.insert(text.begin() + pick(text.size() + 1), specials[pick(specials.size())]);
      continue;
    case 11: // one byte deleted
      if (!text.empty())
        text.erase(pick(text.size()), 1);
      continue;
    case 12: // a tab in the indentation
      lines[i].insert(pick(indent_of(lines[i]) + 1), "\t");
      break;
    case 13: { // document markers
      static const char* const prefixes[] = {"---\n", "--- # doc\n", "%YAML 1.2\n---\n", ""};
      static const char* const suffixes[] = {"", "...\n", "---\n"};
      text = prefixes[pick(std::size(prefixes))] + join_lines(lines, final_newline) +
             suffixes[pick(std::size(suffixes))];
      continue;
    }
    case 14: { // one line shifted left or right
      size_t at = indent_of(lines[i]);
      if (pick(2) == 0 && at > 0)
        lines[i].erase(0, 1 + pick(std::min<size_t>(at, 2)));
      else
        lines[i].insert(0, 1 + pick(2), ' ');
      break;
    }
    case 15: { // a list moved to its key's indentation ("files:\n- path: /a")
      for (size_t k = 1; k < lines.size(); ++k) {
        size_t at = indent_of(lines[k]);
        size_t key_at = indent_of(lines[k - 1]);
        if (at < 2 || lines[k].compare(at, 2, "- ") != 0 || key_at + 2 != at ||
            lines[k - 1].empty() || lines[k - 1].back() != ':')
          continue;
        for (size_t j = k; j < lines.size() && indent_of(lines[j]) >= at; ++j)
          lines[j].erase(0, 2);
        break;
      }
      break;
    }
    case 16: // two lines swapped
      if (i + 1 < lines.size())
        std::swap(lines[i], lines[i + 1]);
      break;
    case 17: // a line duplicated
      lines.insert(lines.begin() + i, lines[i]);
      break;
    case 18: { // a value continued on the next line
      size_t space = lines[i].rfind(' ');
      if (space != std::string::npos && space > indent_of(lines[i]))
        lines[i].replace(space, 1, "\n" + std::string(indent_of(lines[i]) + 2, ' '));
      break;
    }
    default: { // a quoted value in single quotes
      size_t quote = lines[i].find(": \"");
      if (quote != std::string::npos && lines[i].back() == '"' &&
          lines[i].find('\\') == std::string::npos && lines[i].find('\'') == std::string::npos) {
        lines[i][quote + 2] = '\'';
        lines[i].back() = '\'';
      }
      break;
    }
    }
    text = join_lines(lines, final_newline);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// A state/files.yaml-like document

Value files_document(int entries) {
  Value doc = Value::map();
  Value& files = doc["files"];
  files = Value::list();
  for (int i = 0; i < entries; ++i) {
    Value entry = Value::map();
    std::string path = "/etc/app" + std::to_string(i / 10) + "/file-" + std::to_string(i) + ".conf";
    entry["path"] = path;
    entry["owner"] = i % 7 == 0 ? "www-data" : "root";
    entry["group"] = "root";
    switch (i % 5) {
    case 0:
      entry["type"] = "directory";
      entry["mode"] = "0755";
      break;
    case 1:
      entry["type"] = "symlink";
      entry["mode"] = "0777";
      entry["target"] = "/usr/share/zoneinfo/Etc/UTC";
      break;
    default:
      entry["type"] = "file";
      entry["mode"] = i % 2 ? "0644" : "0600";
      entry["sha256"] = std::string(64, "0123456789abcdef"[i % 16]);
      entry["size"] = std::int64_t{i} * 1031;
      entry["twin_path"] = "filesystem" + path;
      break;
    }
    if (i % 11 == 0)
      entry["skipped"] = true;
    files.push_back(std::move(entry));
  }
  doc["format_version"] = 1;
  return doc;
}

} // namespace

// =============================================================================================

TEST_CASE("same_tree compares values and marks and names the first difference", "[yaml_block]") {
  Value a = Value::map();
  a["files"].push_back(Value::map());
  a["files"].as_list()[0]["mode"] = "0644";
  Value b = a;
  std::string why;
  CHECK(same_tree(a, b, &why));
  CHECK(why.empty());

  b["files"].as_list()[0]["mode"].mark = twin::Mark{3, 11};
  CHECK_FALSE(same_tree(a, b, &why));
  CHECK(why.rfind("/files/0/mode: marks differ", 0) == 0);
  CHECK(a == b); // operator== ignores marks

  b = a;
  b["files"].as_list()[0]["mode"] = "0600";
  CHECK_FALSE(same_tree(a, b, &why));
  CHECK(why.rfind("/files/0/mode: values differ", 0) == 0);

  b = a;
  b["a/b~c"] = 1;
  CHECK_FALSE(same_tree(a, b, &why));
  CHECK(why.rfind("(root): keys differ", 0) == 0);

  Value x = std::numeric_limits<double>::quiet_NaN();
  CHECK(same_tree(x, x));
  CHECK_FALSE(same_tree(Value(0.0), Value(-0.0)));
  CHECK_FALSE(same_tree(Value(1), Value(1.0)));
}

TEST_CASE("golden files: the fast path is taken and matches the full reader", "[yaml_block]") {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(TWIN_GOLDEN_DIR)) {
    if (!entry.is_regular_file())
      continue;
    const std::filesystem::path& path = entry.path();
    CAPTURE(path.string());
    bool fast = check_differential(read_file(path));
    // Every golden YAML file is emitter output (plus the plan's header comment).
    if (path.extension() == ".yaml" || path.extension() == ".yml")
      CHECK(fast);
    ++files;
  }
  CHECK(files >= 4);
}

TEST_CASE("emitter output of random values: both readers agree", "[yaml_block]") {
  Tally tally;
  int round_trip_failures = 0;
  std::string first_round_trip_failure;
  for (const auto& [value, text] : emitted_corpus()) {
    tally.add(text);
    // The emitter's promise, which the differential rests on: the text reads back as the value.
    auto full = twin::parse_yaml_full(text, "t.yaml");
    std::string d = full ? tree_difference(value, *full, false)
                         : "parse_yaml_full refused: " + full.error().message;
    if (!d.empty() && round_trip_failures++ == 0)
      first_round_trip_failure = "text: \"" + printable(text, 600) + "\"\n" + d;
  }
  CHECK(tally.documents == random_documents);
  INFO(tally.report());
  CHECK(tally.failures.empty());
  INFO(first_round_trip_failure);
  CHECK(round_trip_failures == 0);
}

TEST_CASE("emitter output of random values: the fast path is taken for every shape it covers",
          "[yaml_block]") {
  // The performance promise: parse_yaml reads what git-twin wrote without yaml-cpp.
  // nullopt here is a slowdown, not a wrong result.
  std::map<std::string, std::pair<int, std::string>> bails; // shape -> count, shortest text
  int documents = 0;
  for (const auto& [value, text] : emitted_corpus()) {
    // Two shapes stay with yaml-cpp by design: lists directly inside lists ("- - x") and
    // explicit keys ("? key", over 1000 bytes). No document git-twin writes has them.
    if (text.find("- - ") != std::string::npos || text.find("? ") != std::string::npos)
      continue;
    ++documents;
    if (twin::parse_block_yaml(text))
      continue;
    auto& [count, shortest] = bails[bail_shape(text)];
    if (count++ == 0 || text.size() < shortest.size())
      shortest = text;
  }
  std::string report;
  int slow = 0;
  for (const auto& [shape, bail] : bails) {
    slow += bail.first;
    report += "\n- " + shape + ": " + std::to_string(bail.first) + " documents; the shortest: \"" +
              printable(bail.second, 200) + "\"";
  }
  INFO(slow << " of " << documents << " emitter outputs fall back to yaml-cpp:" << report);
  CHECK(slow == 0);
}

TEST_CASE("hand-written documents: the fast path bails or matches", "[yaml_block]") {
  const std::string long_value(3000, 'v');
  // clang-format off
  const std::vector<std::string> documents = {
      // comments
      "# git-twin state\n# by hand\nname: host\n\n# files\nfiles:\n  - path: /etc/x # note\n    mode: \"0644\"  # comment\n",
      "mode: \"0644\"  # comment\n",
      "path: /etc/x # note\n",
      "a: 1 #c\n#c2\nb: 2 #c3",
      "a: x # c\n  # indented comment\nb: 2\n",
      "a: x\n# c\n  y\n",
      "key: value with spaces   # and: a comment\n",
      "- x # c\n- \"y\" # c\n- [] # c\n- {} # c\n",
      "a:#c\n", "a: x#c\n", "a: \"x\"#c\n", "a: []#c\n", "a: # c\n  b: 1\n", "a: #c\nb: 1\n",
      // lists at their key's indentation, extra spaces after the dash
      "files:\n- path: /a\n  type: file\n- path: /b\n  type: directory\nnext: 1\n",
      "files:\n  -   path: /x\n      type: file\n",
      "-   path: /x\n    mode: \"0600\"\n",
      "a:\n  - b\n  -  c\n  -   \"d\"\n",
      "- a:\n  - x\n  b: 1\n",
      "a:\n- b:\n  - c\n  d: 2\n",
      "- a: 1\n  b:\n  - x\n  c: 2\n",
      "a:\n- x\n- y\n b: 1\n",
      "a:\n- x\n  y\n",
      "- a:\n- b\n",
      // quoted keys
      "\"quoted key\": 1\n\"a: b\": 2\n\"\": 3\n",
      "- \"a\": 1\n  b: 2\n",
      "\"a\" : 1\n", "\"a\":1\n", "\"a\":\n", "'single': 1\n", "\"esc\\u00e9\": 1\n",
      // blank lines, trailing spaces, final newline
      "a: 1\n\n\nb: 2\n\n",
      "a: 1\n   \nb: 2\n",
      "a: 1   \nb: x  \nc:   \nd: \"q\"   \n",
      "a: 1\nb: 2",
      "a:\n  b: x",
      // empty and comment-only
      "", "\n\n", "   \n", "# only\n# comments\n", "# no newline",
      // Windows line endings, tabs
      "a: 1\r\nb: 2\r\n", "a: 1\r\n", "a:\n\tb: 1\n", "a:\n  b: 1\n  \tc: 2\n", "a:\t1\n",
      "- \tx\n", "a: \"x\ty\"\n",
      // document markers and directives
      "---\na: 1\n", "--- \na: 1\n...\n", "--- # c\na: 1\n", "a: 1\n...\n", "%YAML 1.2\n---\na: 1\n",
      "a: 1\n---\nb: 2\n", "a: ---\n", "- ...\n",
      // flow collections
      "a: {b: 1}\n", "{a: 1}\n", "a: [1, 2]\n", "[1, 2]\n", "- [a, b]\n", "a: [ ]\n", "a: [\n]\n",
      "a: []\n", "a: {}\n", "a: []x\n", "a: [] ]\n", "[]\n", "{}\n",
      // single-quoted strings
      "a: 'single'\n", "a: 'it''s'\n", "a: ''\n", "- 'x'\n",
      // block scalars
      "a: |\n  line1\n  line2\n", "a: >\n  folded\n  text\n", "a: |-\n  x\n", "a: |\n  x\nb: 1\n",
      // multi-line plain scalars
      "a: plain\n  continued\n", "- a\n  b\n", "a:\n  multi\n  line\n", "a: x\n  b: 1\n",
      // multi-line double-quoted strings
      "a: \"multi\n  line\"\n", "a: \"x\\\n  y\"\n", "a: \"unclosed\n",
      // anchors, aliases, tags
      "a: &x 1\nb: *x\n", "a: &x\n  b: 1\n", "a: *x\n", "a: !t x\n", "a: !!str 1\n", "a: ! x\n",
      "a: !!int 3\n",
      // duplicate keys
      "a: 1\na: 2\n", "x:\n  k: 1\n  k: 2\n", "a: 1\n\"a\": 2\n", "- k: 1\n- k: 2\n",
      // YAML 1.1 ambiguities
      "enabled: yes\n", "mode: 0644\n", "on: 1\n", "a: No\n", "- n\n", "a: \"yes\"\nb: \"0644\"\n",
      "a: -0644\n",
      // values on the next line
      "a:\n  b\n", "a:\n  - x\n", "a:\n    b: 1\n", "a:\nb: 1\n", "a:", "a:   ", "a: # c", "- a:",
      "a: 1\nb:", "x:\n  a:", "- x\n- a: 1\n  b:", "x:\n  a:  # c", "a:\n", "- \n", "-\n  a: 1\n",
      "a:\n  - \n", "- - a\n  - b\n- c\n", "- \n  - x\n",
      // nulls, booleans, numbers
      "a: ~\nb: null\nc: Null\nd: NULL\n", "~: 1\n", "null: 1\n", "\"null\": 1\n", ": 1\n",
      "a: 0x1F\nb: 1e3\nc: .inf\nd: 12:30\ne: -.5\nf: +4\ng: 0o17\nh: 0b101\n",
      "a: True\nb: FALSE\nc: tRue\n", "a: .nan\nb: -.inf\nc: .5\nd: 2.\n", "a: 1_000\n",
      "a: -0\nb: +0x1F\nc: -1\n", "a: 99999999999999999999\n", "a: 1e999\n",
      "99999999999999999999: 1\n", "1e999: 1\n", "1: one\n2.5: x\ntrue: t\n",
      // indicators and odd keys
      "a: -x\nb: ?x\nc: :x\n", "-x: 1\n", "?x: 1\n", ":x: 1\n", "-: 1\n", "?: 1\n", "? a\n: 1\n",
      "a: -\n", "a: - x\n", "a: ?\n", "a: :\n", "a: `x`\n", "a: @x\n", "a: %x\n", "a: |x\n",
      "a: b: c\n", "a: x:\n", "a: x:y\n", "a:b: 1\n", "a b: 1\n", "a   : 1\n", "a#b: 1\n",
      "#a: 1\n", "a #b: 1\n", "<<: 1\n", "a[0]: 1\nx{y}: 2\na,b: 3\n", "a\"b: c\"\n",
      "--: 1\n", "-- x\n",
      // indentation
      "  a: 1\n  b: 2\n", "  a: 1\nb: 2\n", "a: 1\n b: 2\n", "a:\n  b: 1\n c: 2\n",
      "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n", "- a\n - b\n",
      // double-quoted escapes
      "a: \"\\x41\"\n", "a: \"\\u00e9\"\n", "a: \"\\ud800\"\n", "a: \"\\U0001F600\"\n",
      "a: \"\\/\"\n", "a: \"\\0\"\n", "a: \"\\q\"\n", "a: \"\\ \"\n", "a: \"\\N\"\n",
      "a: \"\\t\\n\\r\\\\\\\"\"\n", "a: \"\\u2028\"\n", "a: \"\\uFEFF\"\n", "a: \"x\" \"y\"\n",
      "a: \"\"\nb: ''\n", "a: \" lead\"\nb: \"trail \"\n",
      // non-ASCII
      "café: crème\nb: \"日本\"\n", "a: x\xE2\x80\xA8y\n", "a: x\xC2\x85y\n", "a: bad\xff\n",
      "\xEF\xBB\xBF" "a: 1\n", "k\xC3\xA9y: v\xC3\xA9\n",
      // long lines
      "a: " + long_value + "\n", "- \"" + long_value + "\"\n",
      // a realistic state file, hand-edited
      "# files tracked on this host\n"
      "files:\n"
      "- path: /etc/hosts\n"
      "  type: file\n"
      "  mode: \"0644\"   # rw-r--r--\n"
      "  owner: root\n"
      "\n"
      "-   path: /etc/ssh/sshd_config\n"
      "    type: file\n"
      "    mode: \"0600\"\n"
      "    owner: root # not sshd\n"
      "- path: /etc/localtime\n"
      "  type: symlink\n"
      "  target: /usr/share/zoneinfo/Europe/Berlin\n"
      "format_version: 1",
  };
  // clang-format on
  int fast = 0;
  for (const std::string& text : documents)
    fast += check_differential(text);
  // Most of the ordinary documents above stay within the subset.
  CHECK(fast > 50);
}

TEST_CASE("mutated emitter output: the fast path bails or matches", "[yaml_block]") {
  Generator generator(77, true);
  std::mt19937 rng(4242);
  Tally tally;
  for (int base = 0; base < 600; ++base) {
    std::string text = twin::emit_yaml(generator.document());
    for (int k = 0; k < 8; ++k)
      tally.add(mutate(text, rng));
  }
  INFO(tally.report());
  CHECK(tally.failures.empty());
  // Both outcomes occur, or the corpus tests little.
  CHECK(tally.fast > tally.documents / 10);
  CHECK(tally.fast < tally.documents);
  CHECK(tally.full_ok < tally.documents);
}

TEST_CASE("documents at yaml-cpp's limits: the fast path bails or matches", "[yaml_block]") {
  SECTION("implicit keys over 1024 characters, which yaml-cpp refuses") {
    for (size_t n : {1000, 1022, 1023, 1024, 1025, 1500}) {
      CAPTURE(n);
      std::string key(n, 'k');
      check_differential(key + ": 1\n");
      check_differential("\"" + key + "\": 1\n");
      check_differential("- " + key + ": 1\n");
    }
  }
  SECTION("nesting deeper than yaml-cpp allows") {
    for (int depth : {100, 600}) {
      CAPTURE(depth);
      std::string text;
      for (int i = 0; i < depth; ++i)
        text += std::string(static_cast<size_t>(i), ' ') + "a:\n";
      check_differential(text);
    }
  }
  SECTION("UTF-16 byte order marks") {
    check_differential("\xFF\xFE: 1\n");
    check_differential("\xFE\xFF: 1\n");
    check_differential("\xFF\xFEkey: 1\n");
  }
}

TEST_CASE("the fast path is taken for ordinary state documents", "[yaml_block]") {
  SECTION("canonical files.yaml with 100 entries") {
    std::string text = twin::emit_yaml(files_document(100));
    std::optional<Value> block = twin::parse_block_yaml(text);
    CHECK(block);
    check_differential(text);
  }
  SECTION("a document with comments, blank lines and a list at its key's indentation") {
    const std::string text = "# git-twin state: files\n"
                             "# edited by hand\n"
                             "\n"
                             "files:\n"
                             "  # the hosts file\n"
                             "  - path: /etc/hosts   # main\n"
                             "    mode: \"0644\"  # rw-r--r--\n"
                             "    owner: root\n"
                             "    type: file\n"
                             "\n"
                             "  - path: /etc/motd\n"
                             "    mode: \"0600\"\n"
                             "    type: file\n"
                             "links:\n"
                             "- path: /etc/localtime\n"
                             "  target: /usr/share/zoneinfo/Etc/UTC # UTC\n"
                             "format_version: 1 # do not edit\n"
                             "# trailing comment\n";
    std::optional<Value> block = twin::parse_block_yaml(text);
    CHECK(block);
    check_differential(text);
    auto full = twin::parse_yaml_full(text, "t.yaml");
    REQUIRE(full);
    const Value* mode = full->at_pointer("/files/0/mode");
    REQUIRE(mode);
    CHECK(mode->as_string() == "0644");
    CHECK(mode->mark.line == 7);
    CHECK(mode->mark.column == 11);
  }
}
