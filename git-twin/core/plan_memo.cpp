// SPDX-License-Identifier: MIT
#include "core/plan_memo.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/fs_util.hpp"
#include "core/sha256.hpp"

namespace twin {
namespace {

constexpr std::string_view k_head_magic = "git-twin plan memo head 2";
constexpr std::string_view k_body_magic = "git-twin plan memo body 2";

std::string memo_dir(const std::string& git_dir) {
  return git_dir + "/twin/plan-memo";
}

// Fields are separated by tabs and records by newlines: a value holding either cannot be
// written (the memo is then not written at all, and hooks plan in full).
bool plain(std::string_view field) {
  return field.find_first_of("\t\n") == std::string_view::npos;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos)
      return out;
    start = tab + 1;
  }
}

std::string new_token() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

std::string head_text(const PlanMemoHead& head) {
  std::string text =
      fmt::format("{}\ntoken {}\nsize {}\nkey {}\nplan {}\nbase {}\nconsulted {}\n", k_head_magic,
                  head.token, head.body_size, head.body_key, head.plan_sha,
                  head.base.empty() ? "-" : head.base, head.consulted_xor);
  for (const auto& [path, s] : head.stamps)
    text += fmt::format("stamp {}\t{} {} {} {} {}\n", path, s.present ? 1 : 0, s.inode, s.size,
                        s.mtime_ns, s.ctime_ns);
  for (const auto& [path, sha] : head.state_sha)
    text += fmt::format("state {}\t{}\n", path, sha);
  for (const auto& [plugin, has] : head.plugin_has_base)
    text += fmt::format("hasbase {}\t{}\n", plugin, has ? 1 : 0);
  for (const auto& [path, sha] : head.digests_changed)
    text += fmt::format("digest {}\t{}\n", path, sha);
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

} // namespace

FileStamp stamp_of(const std::optional<FileStat>& st) {
  if (!st)
    return {};
  return FileStamp{true, st->inode, st->size, st->mtime_ns, st->ctime_ns};
}

void drop_plan_memo(const std::string& git_dir) {
  std::remove((memo_dir(git_dir) + "/head").c_str());
}

Status write_plan_memo(const std::string& git_dir, PlanMemoHead head, std::vector<MemoItem> items) {
  std::string dir = memo_dir(git_dir);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail("cannot create {}: {}", dir, std::strerror(errno));
  // The head goes last: until it names the new token, no reader takes the new body.
  drop_plan_memo(git_dir);
  head.token = new_token();
  head.digests_changed.clear();
  std::sort(items.begin(), items.end(),
            [](const MemoItem& a, const MemoItem& b) { return a.twin_path < b.twin_path; });
  std::string text = fmt::format("{} {}\n", k_body_magic, head.token);
  for (const auto& item : items) {
    std::string_view fields[] = {item.twin_path, item.digest, item.plugin, item.list,
                                 item.desired,   item.live,   item.base};
    for (std::size_t i = 0; i < std::size(fields); ++i) {
      if (!plain(fields[i]))
        return {}; // no memo: hooks plan in full
      text += fields[i];
      text += i + 1 < std::size(fields) ? '\t' : '\n';
    }
  }
  head.body_size = text.size();
  if (!replace_state_file(dir + "/body", text) ||
      !replace_state_file(dir + "/head", head_text(head)))
    return fail("cannot write the plan memo in {}", dir);
  return {};
}

Status write_plan_memo_head(const std::string& git_dir, const PlanMemoHead& head) {
  std::string path = memo_dir(git_dir) + "/head";
  bool ok = true;
  for (const auto& [twin_path, sha] : head.digests_changed)
    ok = ok && plain(twin_path);
  if (!ok) {
    drop_plan_memo(git_dir);
    return {};
  }
  if (!replace_state_file(path, head_text(head)))
    return fail("cannot write {}", path);
  return {};
}

std::optional<PlanMemoHead> read_plan_memo_head(const std::string& git_dir) {
  std::string text = read_state_file(memo_dir(git_dir) + "/head");
  std::string_view rest = text;
  auto next_line = [&rest]() -> std::optional<std::string_view> {
    std::size_t eol = rest.find('\n');
    if (eol == std::string_view::npos)
      return std::nullopt; // a head always ends with a newline
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 1);
    return line;
  };
  auto first = next_line();
  if (!first || *first != k_head_magic)
    return std::nullopt;
  PlanMemoHead head;
  while (auto line = next_line()) {
    std::size_t space = line->find(' ');
    if (space == std::string_view::npos)
      return std::nullopt;
    std::string_view key = line->substr(0, space);
    std::string_view value = line->substr(space + 1);
    auto f = fields_of(value);
    if (key == "token")
      head.token = value;
    else if (key == "size") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), head.body_size);
      if (ec != std::errc() || end != value.data() + value.size())
        return std::nullopt;
    } else if (key == "key")
      head.body_key = value;
    else if (key == "plan")
      head.plan_sha = value;
    else if (key == "base")
      head.base = value == "-" ? "" : std::string(value);
    else if (key == "consulted")
      head.consulted_xor = value;
    else if (key == "stamp" && f.size() == 2) {
      FileStamp s;
      int present = 0;
      if (std::sscanf(std::string(f[1]).c_str(), "%d %lu %lu %ld %ld", &present, &s.inode, &s.size,
                      &s.mtime_ns, &s.ctime_ns) != 5)
        return std::nullopt;
      s.present = present != 0;
      head.stamps[std::string(f[0])] = s;
    } else if (key == "state" && f.size() == 2)
      head.state_sha[std::string(f[0])] = f[1];
    else if (key == "hasbase" && f.size() == 2)
      head.plugin_has_base[std::string(f[0])] = f[1] == "1";
    else if (key == "digest" && f.size() == 2)
      head.digests_changed[std::string(f[0])] = f[1];
    else
      return std::nullopt;
  }
  if (!rest.empty() || head.token.empty() || head.plan_sha.size() != 64 ||
      ConsultedSet(head.consulted_xor).hex() != head.consulted_xor)
    return std::nullopt;
  return head;
}

std::optional<PlanMemoBody> PlanMemoBody::open(const std::string& git_dir,
                                               const PlanMemoHead& head) {
  FdGuard fd(::open((memo_dir(git_dir) + "/body").c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || st.st_size == 0 ||
      static_cast<std::uint64_t>(st.st_size) != head.body_size)
    return std::nullopt;
  auto size = static_cast<std::size_t>(st.st_size);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (data == MAP_FAILED)
    return std::nullopt;
  PlanMemoBody body(static_cast<const char*>(data), size);
  std::string first = fmt::format("{} {}\n", k_body_magic, head.token);
  if (size < first.size() || std::string_view(body.m_data, first.size()) != first ||
      body.m_data[size - 1] != '\n')
    return std::nullopt;
  return body;
}

PlanMemoBody::PlanMemoBody(PlanMemoBody&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}

PlanMemoBody::~PlanMemoBody() {
  if (m_data)
    ::munmap(const_cast<char*>(m_data), m_size);
}

std::vector<MemoItem> PlanMemoBody::items_for(std::string_view twin_path) const {
  std::string_view text(m_data, m_size);
  std::size_t rows = text.find('\n') + 1; // after the first line
  auto line_at = [&](std::size_t start) {
    return text.substr(start, text.find('\n', start) - start);
  };
  auto key_of = [](std::string_view line) { return line.substr(0, line.find('\t')); };
  // Binary search over byte offsets for the first row whose key is not below twin_path:
  // each probe moves to the start of the next row.
  std::size_t low = rows, high = text.size();
  while (low < high) {
    std::size_t mid = low + (high - low) / 2;
    std::size_t start = mid == rows ? rows : text.find('\n', mid - 1) + 1;
    if (start >= high) {
      high = mid;
      continue;
    }
    if (key_of(line_at(start)) < twin_path)
      low = text.find('\n', start) + 1;
    else
      high = mid;
  }
  std::vector<MemoItem> items;
  for (std::size_t start = low; start < text.size();) {
    std::string_view line = line_at(start);
    auto f = fields_of(line);
    if (f.size() != 7 || f[0] != twin_path)
      break;
    items.push_back(MemoItem{std::string(f[2]), std::string(f[3]), std::string(f[0]),
                             std::string(f[1]), std::string(f[4]), std::string(f[5]),
                             std::string(f[6])});
    start += line.size() + 1;
  }
  return items;
}

ConsultedSet::ConsultedSet(std::string_view hex) {
  if (hex.size() != 64)
    return;
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      std::memset(m_bytes, 0, sizeof m_bytes);
      return;
    }
    m_bytes[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
}

void ConsultedSet::toggle(std::string_view twin_path, std::string_view digest) {
  std::string record(twin_path);
  record += '\0';
  record += digest;
  ConsultedSet one(sha256_hex(record));
  for (std::size_t i = 0; i < 32; ++i)
    m_bytes[i] ^= one.m_bytes[i];
}

std::string ConsultedSet::hex() const {
  static const char digits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < 32; ++i) {
    out[2 * i] = digits[m_bytes[i] >> 4];
    out[2 * i + 1] = digits[m_bytes[i] & 15];
  }
  return out;
}

std::string desired_digest(const std::map<std::string, std::string>& state_sha,
                           const ConsultedSet& consulted) {
  std::string all;
  for (const auto& [path, sha] : state_sha) {
    all += path;
    all += '\0';
    all += sha;
    all += '\0';
  }
  all += '\n';
  all += consulted.hex();
  return sha256_hex(all);
}

} // namespace twin
