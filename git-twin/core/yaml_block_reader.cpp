// SPDX-License-Identifier: MIT
#include "core/yaml_block_reader.hpp"

#include <cstdint>
#include <vector>

#include "core/yaml_scalar.hpp"

namespace twin {
namespace {

struct Bail {}; // outside the subset: the full reader takes over

struct Line {
  std::string_view content; // after the indentation, never empty, never a comment
  int number;               // 1-based
  int indent;               // column of `content`, 0-based
};

bool is_dash(std::string_view content) {
  return content == "-" || (content.size() >= 2 && content[0] == '-' && content[1] == ' ');
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A double-quoted scalar starting at s[0] == '"', closed on the same line. Returns the
// text and sets `length` to the number of bytes consumed, quotes included.
std::string read_quoted(std::string_view s, std::size_t& length) {
  std::string out;
  std::size_t i = 1;
  for (;;) {
    if (i >= s.size())
      throw Bail{}; // continues on the next line
    char c = s[i];
    if (c == '"')
      break;
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= s.size())
      throw Bail{};
    char e = s[i + 1];
    i += 2;
    switch (e) {
    case '\\':
      out += '\\';
      break;
    case '"':
      out += '"';
      break;
    case '/':
      out += '/';
      break;
    case 'n':
      out += '\n';
      break;
    case 't':
      out += '\t';
      break;
    case 'r':
      out += '\r';
      break;
    case '0':
      out += '\0';
      break;
    case 'a':
      out += '\a';
      break;
    case 'b':
      out += '\b';
      break;
    case 'e':
      out += '\x1b';
      break;
    case 'f':
      out += '\f';
      break;
    case 'v':
      out += '\v';
      break;
    case 'u':
    case 'U': {
      std::size_t digits = e == 'u' ? 4 : 8;
      if (i + digits > s.size())
        throw Bail{};
      std::uint32_t cp = 0;
      for (std::size_t k = 0; k < digits; ++k) {
        char h = s[i + k];
        int v = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        if (v < 0)
          throw Bail{};
        cp = cp * 16 + static_cast<std::uint32_t>(v);
      }
      if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        throw Bail{};
      append_utf8(out, cp);
      i += digits;
      break;
    }
    default:
      throw Bail{}; // \x, \N, line folding...: leave them to the full reader
    }
  }
  length = i + 1;
  return out;
}

// Only spaces, or spaces and a comment, may follow a scalar on its line.
void expect_line_end(std::string_view rest) {
  std::size_t i = 0;
  while (i < rest.size() && rest[i] == ' ')
    ++i;
  if (i < rest.size() && !(rest[i] == '#' && i > 0))
    throw Bail{};
}

bool starts_plain(std::string_view s) {
  if (s.empty())
    return false;
  switch (s[0]) {
  case '-':
  case '?':
  case ':':
    return s.size() > 1 && s[1] != ' '; // "-x" is plain, "- x" is not
  case ',':
  case '[':
  case ']':
  case '{':
  case '}':
  case '#':
  case '&':
  case '*':
  case '!':
  case '|':
  case '>':
  case '\'':
  case '"':
  case '%':
  case '@':
  case '`':
    return false;
  default:
    return true;
  }
}

class Reader {
public:
  explicit Reader(std::vector<Line> lines) : m_lines(std::move(lines)) {}

  Value document() {
    if (m_lines.empty()) {
      Value empty = Value::map();
      empty.mark = Mark{1, 1};
      return empty;
    }
    Value root = block(m_lines[0].indent);
    if (m_pos != m_lines.size())
      throw Bail{};
    return root;
  }

private:
  Value block(int indent) {
    const Line& line = m_lines[m_pos];
    if (line.indent != indent)
      throw Bail{};
    return is_dash(line.content) ? sequence(indent) : map(indent);
  }

  // Counts open lists and maps: yaml-cpp gives up on deep nesting (about 500 levels), and
  // the fast path must not accept what it refuses.
  struct Depth {
    int& depth;
    explicit Depth(int& d) : depth(d) {
      if (++depth > 400)
        throw Bail{};
    }
    ~Depth() { --depth; }
  };

  Value sequence(int indent) {
    Depth depth(m_depth);
    Value list = Value::list();
    list.mark = Mark{m_lines[m_pos].number, indent + 1};
    while (m_pos < m_lines.size() && m_lines[m_pos].indent == indent &&
           is_dash(m_lines[m_pos].content)) {
      Line& line = m_lines[m_pos];
      if (line.content == "-")
        throw Bail{}; // an item on the following lines: not what our emitter writes
      std::size_t skip = 2;
      while (skip < line.content.size() && line.content[skip] == ' ')
        ++skip;
      // The item's content becomes a line of its own, indented where it starts.
      line.content.remove_prefix(skip);
      line.indent += static_cast<int>(skip);
      if (line.content.empty() || is_dash(line.content))
        throw Bail{};
      if (key_end(line.content) != std::string_view::npos) {
        list.push_back(map(line.indent));
      } else {
        list.push_back(scalar(line.content, line.number, line.indent + 1));
        ++m_pos;
      }
      if (m_pos < m_lines.size() && m_lines[m_pos].indent > indent)
        throw Bail{};
    }
    return list;
  }

  // Where the ':' ending a key is, or npos when `content` is not "key: ..." / "key:".
  static std::size_t key_end(std::string_view content) {
    if (content.empty())
      return std::string_view::npos;
    if (content[0] == '"') {
      std::size_t length = 0;
      read_quoted(content, length);
      if (length < content.size() && content[length] == ':' &&
          (length + 1 == content.size() || content[length + 1] == ' '))
        return length;
      return std::string_view::npos;
    }
    if (!starts_plain(content))
      return std::string_view::npos;
    std::size_t colon = content.find(": ");
    if (colon == std::string_view::npos && content.back() == ':')
      colon = content.size() - 1;
    return colon;
  }

  Value map(int indent) {
    Depth depth(m_depth);
    Value node = Value::map();
    node.mark = Mark{m_lines[m_pos].number, indent + 1};
    while (m_pos < m_lines.size() && m_lines[m_pos].indent == indent &&
           !is_dash(m_lines[m_pos].content)) {
      const Line line = m_lines[m_pos];
      std::size_t colon = key_end(line.content);
      if (colon == std::string_view::npos)
        throw Bail{};
      std::string key;
      if (line.content[0] == '"') {
        std::size_t length = 0;
        key = read_quoted(line.content, length);
      } else {
        std::string_view plain = line.content.substr(0, colon);
        while (!plain.empty() && plain.back() == ' ')
          plain.remove_suffix(1);
        // Keys that are null, refused or out of range: the full reader's business.
        ResolvedScalar r = resolve_plain_scalar(plain, false);
        if (plain.find(" #") != std::string_view::npos || !r.refusal.empty() || r.value.is_null())
          throw Bail{};
        key = std::string(plain);
      }
      if (colon >= 1000)
        throw Bail{}; // yaml-cpp refuses implicit keys over 1024 characters
      if (node.find(key))
        throw Bail{}; // duplicate: the full reader names both lines
      Mark key_mark{line.number, line.indent + 1};
      std::string_view rest = line.content.substr(colon + 1);
      std::size_t lead = 0;
      while (lead < rest.size() && rest[lead] == ' ')
        ++lead;
      rest.remove_prefix(lead);
      Value value;
      if (rest.empty() || rest[0] == '#') {
        if (!rest.empty() && lead == 0)
          throw Bail{};
        ++m_pos;
        if (m_pos < m_lines.size() && m_lines[m_pos].indent > indent)
          value = block(m_lines[m_pos].indent);
        else if (m_pos < m_lines.size() && m_lines[m_pos].indent == indent &&
                 is_dash(m_lines[m_pos].content))
          value = sequence(indent); // a list may sit at its key's indentation
        else
          value.mark = key_mark; // empty value: null, pointed at by its key
      } else {
        int column = line.indent + static_cast<int>(colon + 1 + lead) + 1;
        value = scalar(rest, line.number, column);
        ++m_pos;
      }
      node.as_map().emplace(std::move(key), std::move(value));
      if (m_pos < m_lines.size() && m_lines[m_pos].indent > indent)
        throw Bail{};
    }
    return node;
  }

  // A scalar, "[]" or "{}" filling the rest of a line.
  static Value scalar(std::string_view text, int line, int column) {
    if (text.empty())
      throw Bail{};
    Value v;
    if (text.substr(0, 2) == "[]" || text.substr(0, 2) == "{}") {
      v = text[0] == '[' ? Value::list() : Value::map();
      expect_line_end(text.substr(2));
    } else if (text[0] == '"') {
      std::size_t length = 0;
      v = Value(read_quoted(text, length));
      expect_line_end(text.substr(length));
    } else {
      if (!starts_plain(text))
        throw Bail{};
      std::size_t comment = text.find(" #");
      std::string_view plain = text.substr(0, comment);
      while (!plain.empty() && plain.back() == ' ')
        plain.remove_suffix(1);
      if (plain.find(": ") != std::string_view::npos || plain.back() == ':')
        throw Bail{};
      ResolvedScalar r = resolve_plain_scalar(plain, false);
      if (!r.refusal.empty())
        throw Bail{};
      v = std::move(r.value);
    }
    v.mark = Mark{line, column};
    return v;
  }

  std::vector<Line> m_lines;
  std::size_t m_pos = 0;
  int m_depth = 0;
};

// Splits into significant lines; anything the subset does not cover bails here already:
// tabs, CR, control characters, a byte order mark, directives and document markers.
std::vector<Line> split_lines(std::string_view text) {
  // Byte order marks (UTF-8, and UTF-16, which yaml-cpp decodes) are the full reader's.
  if (text.substr(0, 3) == "\xEF\xBB\xBF" || text.substr(0, 2) == "\xFF\xFE" ||
      text.substr(0, 2) == "\xFE\xFF")
    throw Bail{};
  std::vector<Line> lines;
  int number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view raw = text.substr(start, end - start);
    ++number;
    start = end + 1;
    for (char c : raw)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        throw Bail{};
    std::size_t indent = 0;
    while (indent < raw.size() && raw[indent] == ' ')
      ++indent;
    std::string_view content = raw.substr(indent);
    if (content.empty() || content[0] == '#')
      continue;
    if (indent == 0 &&
        (content.substr(0, 3) == "---" || content.substr(0, 3) == "..." || content[0] == '%'))
      throw Bail{};
    lines.push_back(Line{content, number, static_cast<int>(indent)});
  }
  return lines;
}

} // namespace

std::optional<Value> parse_block_yaml(std::string_view text) {
  try {
    return Reader(split_lines(text)).document();
  } catch (const Bail&) {
    return std::nullopt;
  }
}

} // namespace twin
