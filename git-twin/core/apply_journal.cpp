// SPDX-License-Identifier: MIT
#include "core/apply_journal.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs_util.hpp"
#include "core/schema.hpp"
#include "core/yaml_reader.hpp"

namespace twin {
namespace {

// The crash test (tests/e2e/t0036-apply-crash.sh) kills an apply as a power loss would: right
// after the Nth record of GIT_TWIN_TEST_KILL_AFTER_RECORDS is safely on disk.
void test_crash_point() {
  static int records = 0;
  static const char* kill_after = std::getenv("GIT_TWIN_TEST_KILL_AFTER_RECORDS");
  if (kill_after && ++records == std::atoi(kill_after))
    ::raise(SIGKILL);
}

Status write_fully(int fd, std::string_view text, const std::string& path) {
  if (int error = write_all(fd, text))
    return fail("cannot write the apply journal '{}': {}", path, std::strerror(error));
  if (::fdatasync(fd) != 0)
    return fail("cannot write the apply journal '{}': {}", path, std::strerror(errno));
  return {};
}

Status sync_parent(const std::string& path) {
  std::string dir = path.substr(0, path.rfind('/'));
  FdGuard fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0)
    return fail("cannot sync '{}': {}", dir, std::strerror(errno));
  return {};
}

} // namespace

std::string ApplyJournal::path(const std::string& git_dir) {
  return git_dir + "/twin/apply-journal";
}

Result<ApplyJournal> ApplyJournal::begin(const std::string& git_dir, const Plan& plan,
                                         const std::string& stamp, const std::string& what) {
  std::string file = path(git_dir);
  if (::access(file.c_str(), F_OK) == 0)
    return fail("an earlier apply was interrupted ({}); run 'git twin apply --resume' first", file);
  ::mkdir((git_dir + "/twin").c_str(), 0700);
  Value record;
  record["event"] = "begin";
  record["stamp"] = stamp;
  record["what"] = what;
  record["plan"] = plan_to_value(plan);
  // Made complete under a temporary name, then renamed: the journal never exists half-made.
  std::string temp = file + ".new";
  FdGuard fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    return fail("cannot create the apply journal '{}': {}", temp, std::strerror(errno));
  if (auto ok = write_fully(fd.get(), to_json(record) + "\n", temp); !ok) {
    ::unlink(temp.c_str());
    return tl::unexpected(ok.error());
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return fail("cannot create the apply journal '{}': {}", file, std::strerror(error));
  }
  TWIN_CHECK(sync_parent(file));
  test_crash_point();
  return reopen(git_dir);
}

Result<ApplyJournal> ApplyJournal::reopen(const std::string& git_dir) {
  std::string file = path(git_dir);
  // A record cut by the crash is dropped first: appending after it would glue the next
  // record onto it, and the journal would no longer read.
  std::string text = TWIN_TRY(read_whole_file(file));
  std::size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0)
    return fail("cannot open the apply journal '{}': {}", file, std::strerror(errno));
  if (keep < text.size() &&
      (::ftruncate(fd, static_cast<off_t>(keep)) != 0 || ::fdatasync(fd) != 0)) {
    int error = errno;
    ::close(fd);
    return fail("cannot repair the apply journal '{}': {}", file, std::strerror(error));
  }
  return ApplyJournal(file, fd);
}

ApplyJournal::ApplyJournal(ApplyJournal&& other) noexcept
    : m_path(std::move(other.m_path)), m_fd(other.m_fd) {
  other.m_fd = -1;
}

ApplyJournal::~ApplyJournal() {
  if (m_fd >= 0)
    ::close(m_fd);
}

Status ApplyJournal::append(const Value& record) {
  TWIN_CHECK(write_fully(m_fd, to_json(record) + "\n", m_path));
  test_crash_point();
  return {};
}

Status ApplyJournal::started(std::span<const Action> batch) {
  Value record;
  record["event"] = "start";
  Value& ids = record["ids"] = Value::list();
  for (const auto& a : batch)
    ids.push_back(a.id);
  return append(record);
}

Status ApplyJournal::finished(const ActionResult& result) {
  Value record;
  record["event"] = "outcome";
  record["id"] = result.action.id;
  record["status"] = std::string(status_name(result.outcome.status));
  record["message"] = result.outcome.message;
  Value& backups = record["backups"] = Value::list();
  for (const auto& b : result.outcome.backups)
    backups.push_back(b);
  return append(record);
}

Status ApplyJournal::recorded(const std::string& history) {
  Value record;
  record["event"] = "recorded";
  record["history"] = history;
  return append(record);
}

Status ApplyJournal::close() {
  test_crash_point(); // committed, journal not yet gone
  if (m_fd >= 0)
    ::close(m_fd);
  m_fd = -1;
  if (::unlink(m_path.c_str()) != 0 && errno != ENOENT)
    return fail("cannot remove the apply journal '{}': {}", m_path, std::strerror(errno));
  return sync_parent(m_path);
}

Result<std::optional<JournalState>> ApplyJournal::load(const std::string& git_dir) {
  std::string file = path(git_dir);
  auto text = read_whole_file(file);
  if (!text) {
    if (::access(file.c_str(), F_OK) != 0)
      return std::optional<JournalState>();
    return tl::unexpected(text.error());
  }
  JournalState state;
  std::size_t start = 0;
  bool begun = false;
  while (start < text->size()) {
    std::size_t eol = text->find('\n', start);
    if (eol == std::string::npos)
      break; // a line cut by the crash: never acted upon
    std::string line = text->substr(start, eol - start);
    start = eol + 1;
    auto record = parse_yaml(line, file);
    if (!record || !record->is_map())
      return fail("the apply journal '{}' is damaged: {}", file,
                  record ? "a record is not a map" : record.error().message);
    std::string event = record->get_string("event");
    if (event == "begin") {
      const Value* plan = record->find("plan");
      if (!plan)
        return fail("the apply journal '{}' is damaged: no plan", file);
      state.plan = TWIN_TRY(plan_from_value(*plan));
      state.stamp = record->get_string("stamp");
      state.what = record->get_string("what", "apply");
      begun = true;
    } else if (event == "start") {
      if (const Value* ids = record->find("ids"); ids && ids->is_list())
        for (const auto& id : ids->as_list())
          if (id.is_string())
            state.started.insert(id.as_string());
    } else if (event == "outcome") {
      std::string id = record->get_string("id");
      auto it = std::find_if(state.plan.actions.begin(), state.plan.actions.end(),
                             [&](const Action& a) { return a.id == id; });
      if (it == state.plan.actions.end())
        return fail("the apply journal '{}' is damaged: outcome of an unknown action '{}'", file,
                    id);
      ActionResult r{
          *it, {status_from_name(record->get_string("status")), record->get_string("message"), {}}};
      if (const Value* backups = record->find("backups"); backups && backups->is_list())
        for (const auto& b : backups->as_list())
          if (b.is_string())
            r.outcome.backups.push_back(b.as_string());
      state.started.erase(id);
      state.outcomes.push_back(std::move(r));
    } else if (event == "recorded") {
      state.history = record->get_string("history");
    }
  }
  if (!begun)
    return fail("the apply journal '{}' is damaged: it does not start with the plan", file);
  return std::optional<JournalState>(std::move(state));
}

std::optional<std::string> first_backup_of(const SystemRoot& root, const std::string& path,
                                           const std::string& stamp) {
  std::string first = path + ".twinbak-" + stamp;
  if (root.exists(first))
    return first;
  for (int n = 1; n < 100; ++n)
    if (std::string next = fmt::format("{}-{}", first, n); root.exists(next))
      return next;
  return std::nullopt;
}

SettledActions settle_started(const JournalState& state, const SystemRoot& root) {
  SettledActions settled;
  for (const auto& action : state.plan.actions) {
    if (!state.started.count(action.id) || action.plugin != "files.mirror")
      continue;
    std::string path = action.fields.get_string("path");
    if (!check_logical_path(path))
      continue;
    auto backup = first_backup_of(root, path, state.stamp);
    auto now = root.lstat(path);
    if (action.op == "remove" && backup && !now) {
      settled.done.push_back({action, {ActionOutcome::Status::done, "", {*backup}}});
    } else if (action.op == "create_directory" && now && now->type == FileType::directory) {
      settled.done.push_back({action, {ActionOutcome::Status::done, "", {}}});
    } else if (backup) {
      settled.original_backups[action.id] = *backup;
    }
  }
  return settled;
}

std::string interrupted_apply_notice(const std::string& git_dir) {
  if (::access(ApplyJournal::path(git_dir).c_str(), F_OK) != 0)
    return {};
  return "an apply was interrupted before it finished; 'git twin apply --resume' finishes it, "
         "'git twin undo' rolls it back";
}

Status refuse_while_interrupted(const std::string& git_dir) {
  if (::access(ApplyJournal::path(git_dir).c_str(), F_OK) != 0)
    return {};
  return fail("an apply was interrupted before it finished (its journal is {}): finish it with "
              "'git twin apply --resume' or roll it back with 'git twin undo' first",
              ApplyJournal::path(git_dir));
}

} // namespace twin
