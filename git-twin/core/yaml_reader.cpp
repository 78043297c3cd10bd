// SPDX-License-Identifier: MIT
// Strict YAML reader over yaml-cpp's event parser (see yaml_reader.hpp for the rules).
//
// The handler builds the Value tree directly from the events: a stack of the open lists and
// maps, each node placed where it belongs as it arrives. Refusals are thrown as `Refusal`
// from inside the handler, which stops yaml-cpp at the first problem (yaml-cpp reports its own
// errors by throwing through the same frames, so this is safe), and parse_yaml turns them
// into an Error. Marks: yaml-cpp's are 0-based and count bytes; ours are 1-based, also bytes.
#include "core/yaml_reader.hpp"

#include "core/yaml_block_reader.hpp"
#include "core/yaml_scalar.hpp"

#include <charconv>
#include <istream>
#include <limits>
#include <streambuf>
#include <utility>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace twin {
namespace {

struct Refusal {
  YAML::Mark mark; // 0-based, as yaml-cpp gives it
  std::string message;
};

/// An istream source over the caller's buffer, so multi-MB documents are not copied.
class ViewBuf : public std::streambuf {
public:
  explicit ViewBuf(std::string_view text) {
    // streambuf wants char*; the get area is only ever read.
    char* p = const_cast<char*>(text.data());
    setg(p, p, p + text.size());
  }
};

std::string pretty_tag(const std::string& tag) {
  constexpr std::string_view core = "tag:yaml.org,2002:";
  if (tag.compare(0, core.size(), core) == 0)
    return "!!" + tag.substr(core.size());
  return tag;
}

class Handler : public YAML::EventHandler {
public:
  explicit Handler(std::string_view text) : m_text(text) {
    // yaml-cpp positions start after a UTF-8 byte order mark.
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
      m_pos_offset = 3;
  }

  Value take_root() {
    if (m_root.is_null()) { // no document, or an empty one
      Value empty = Value::map();
      empty.mark = Mark{1, 1};
      return empty;
    }
    return std::move(m_root);
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (m_documents++ > 0)
      throw Refusal{mark, "a second document is not allowed: one document per file"};
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    if (at_key())
      throw Refusal{mark, "a map key is null or empty; quote it if it is meant as text"};
    YAML::Mark where = mark;
    // An empty map value ("a:" then a newline) gets the mark of whatever token follows, often
    // the next key on a later line; the key's own position is the better place to point at.
    // At the end of the text yaml-cpp gives the key's line with column 0.
    if (!m_stack.empty() && m_stack.back().node->is_map() &&
        (m_stack.back().key_mark.line != mark.line ||
         m_stack.back().key_mark.column >= mark.column))
      where = m_stack.back().key_mark;
    Value& node = place();
    node.mark = to_mark(where);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    // Unreachable in practice: the anchor an alias refers to is refused first.
    throw Refusal{mark, "aliases are not allowed: write the value out"};
  }

  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    throw Refusal{mark, fmt::format("anchor '&{}' is not allowed: write the value out", name)};
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                const std::string& value) override {
    check_indentation(mark);
    bool plain = tag == "?";
    if (!plain && tag != "!" && tag != "tag:yaml.org,2002:str")
      throw Refusal{mark, fmt::format("tag '{}' is not supported", pretty_tag(tag))};
    if (at_key()) {
      if (plain)
        resolve_plain(mark, value, true);
      add_key(mark, value);
      return;
    }
    Value& node = place();
    node = plain ? resolve_plain(mark, value) : Value(value);
    node.mark = to_mark(mark);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, "tag:yaml.org,2002:seq", Value::list());
  }
  void OnSequenceEnd() override { m_stack.pop_back(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, "tag:yaml.org,2002:map", Value::map());
  }
  void OnMapEnd() override {
    m_key_lines.resize(m_stack.back().first_key_line);
    m_stack.pop_back();
  }

private:
  struct Frame {
    Value* node;               // the open list or map
    Value* slot = nullptr;     // map: the entry whose value comes next; null while at a key
    YAML::Mark key_mark;       // map: where the key of `slot` is
    size_t first_key_line = 0; // map: where its keys start in m_key_lines
  };

  static Mark to_mark(const YAML::Mark& m) { return Mark{m.line + 1, m.column + 1}; }

  /// True when the next node is a map key.
  bool at_key() const {
    return !m_stack.empty() && m_stack.back().node->is_map() && !m_stack.back().slot;
  }

  /// Where the next node goes: the root, a new list item or the pending map entry.
  Value& place() {
    if (m_stack.empty())
      return m_root;
    Frame& top = m_stack.back();
    if (top.node->is_list())
      return top.node->as_list().emplace_back();
    return *std::exchange(top.slot, nullptr);
  }

  void open(const YAML::Mark& mark, const std::string& tag, std::string_view own_tag, Value empty) {
    check_indentation(mark);
    if (tag != "?" && tag != "!" && tag != own_tag)
      throw Refusal{mark, fmt::format("tag '{}' is not supported", pretty_tag(tag))};
    if (at_key())
      throw Refusal{mark, "a map key must be a scalar, not a list or map"};
    Value& node = place();
    node = std::move(empty);
    node.mark = to_mark(mark);
    m_stack.push_back(Frame{&node, nullptr, {}, m_key_lines.size()});
  }

  void add_key(const YAML::Mark& mark, const std::string& key) {
    Frame& top = m_stack.back();
    auto [it, inserted] = top.node->as_map().try_emplace(key);
    if (!inserted) {
      int first_line = 0;
      for (size_t i = top.first_key_line; i < m_key_lines.size(); ++i)
        if (m_key_lines[i].first == &it->second)
          first_line = m_key_lines[i].second;
      throw Refusal{mark, fmt::format("duplicate key '{}' (first on line {})", key, first_line)};
    }
    m_key_lines.emplace_back(&it->second, mark.line + 1);
    top.slot = &it->second;
    top.key_mark = mark;
  }

  static Value resolve_plain(const YAML::Mark& mark, const std::string& s, bool is_key = false) {
    ResolvedScalar r = resolve_plain_scalar(s, is_key);
    if (!r.refusal.empty())
      throw Refusal{mark, std::move(r.refusal)};
    return std::move(r.value);
  }

  /// yaml-cpp refuses most tab indentation itself, but lets some through (inside flow
  /// collections, or after "- \t"). A node that starts its line after a tab is refused here.
  void check_indentation(const YAML::Mark& mark) const {
    size_t pos = static_cast<size_t>(mark.pos) + m_pos_offset;
    if (mark.pos < 0 || pos > m_text.size())
      return;
    size_t tab = std::string_view::npos;
    while (pos > 0) {
      char c = m_text[pos - 1];
      if (c == '\n')
        break;
      if (c != ' ' && c != '\t')
        return; // something else precedes the node on its line: not indentation
      if (c == '\t')
        tab = pos - 1;
      --pos;
    }
    if (tab != std::string_view::npos) {
      YAML::Mark at = mark;
      at.column = static_cast<int>(tab - pos);
      throw Refusal{at, "tab used for indentation; indent with spaces"};
    }
  }

  std::string_view m_text;
  size_t m_pos_offset = 0;
  int m_documents = 0;
  Value m_root;
  std::vector<Frame> m_stack;
  // (entry, line of its key) for the keys of every open map, so a duplicate key can name the
  // line of the first one. One vector for all maps, truncated as they close: no allocation
  // per map.
  std::vector<std::pair<const Value*, int>> m_key_lines;
};

/// yaml-cpp's own error messages are terse; say plainly what the usual causes are.
std::string explain(const YAML::Exception& e, std::string_view text, YAML::Mark& mark) {
  // Tabs in the indentation of the failing line give errors like "illegal map value".
  size_t line_start = 0;
  for (int line = 0; line < mark.line && line_start != std::string_view::npos; ++line) {
    line_start = text.find('\n', line_start);
    if (line_start != std::string_view::npos)
      ++line_start;
  }
  if (line_start != std::string_view::npos) {
    size_t indent_end = text.find_first_not_of(" \t", line_start);
    std::string_view indent =
        text.substr(line_start, indent_end == std::string_view::npos ? std::string_view::npos
                                                                     : indent_end - line_start);
    size_t tab = indent.find('\t');
    if (tab != std::string_view::npos && indent_end != std::string_view::npos &&
        text[indent_end] != '\n') {
      mark.column = static_cast<int>(tab);
      return "tab used for indentation; indent with spaces";
    }
  }
  if (e.msg.compare(0, std::char_traits<char>::length(YAML::ErrorMsg::UNKNOWN_ANCHOR),
                    YAML::ErrorMsg::UNKNOWN_ANCHOR) == 0)
    return "aliases are not allowed: write the value out";
  return e.msg;
}

} // namespace

Result<Value> parse_yaml(std::string_view text, std::string_view source_name) {
  // Most documents are in the block style our emitter writes; a reader for exactly that
  // subset is many times faster than yaml-cpp's scanner. Anything else, and every refusal
  // (so its message and position stay yaml-cpp's), takes the full path below.
  if (auto fast = parse_block_yaml(text))
    return std::move(*fast);
  return parse_yaml_full(text, source_name);
}

Result<Value> parse_yaml_full(std::string_view text, std::string_view source_name) {
  ViewBuf buffer(text);
  std::istream stream(&buffer);
  Handler handler(text);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(handler)) {
    }
  } catch (const Refusal& refusal) {
    return fail("{}:{}:{}: {}", source_name, refusal.mark.line + 1, refusal.mark.column + 1,
                refusal.message);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null())
      return fail("{}: {}", source_name, e.msg);
    YAML::Mark mark = e.mark;
    std::string message = explain(e, text, mark);
    return fail("{}:{}:{}: {}", source_name, mark.line + 1, mark.column + 1, message);
  }
  return handler.take_root();
}

} // namespace twin
