// SPDX-License-Identifier: MIT
#include "plugins/cron_user/installer.hpp"

#include "plugins/cron_user/collector.hpp"
#include "plugins/cron_user/schedule.hpp"
#include "plugins/files_mirror/account_names.hpp"

namespace twin::cron {
namespace {

constexpr std::uint32_t k_spool_mode = 01730;
constexpr std::uint32_t k_crontab_mode = 0600;

Status run_crontab(Runner& runner, std::vector<std::string> argv, std::string input) {
  Command command;
  command.argv = std::move(argv);
  command.input = std::move(input);
  command.timeout = std::chrono::minutes(1);
  Completed done = TWIN_TRY(runner.run(command));
  if (done.ok())
    return {};
  return fail("{} failed: {}", describe_argv(command.argv), failure_reason(done));
}

// /var/spool/cron/crontabs and the directories above it, as Debian's cron package makes them.
Status ensure_spool_dir(const SystemRoot& root, std::uint32_t crontab_gid) {
  for (std::string_view dir : {"/var", "/var/spool", "/var/spool/cron"})
    if (!root.exists(dir))
      TWIN_CHECK(root.make_directory(dir, 0755, 0, 0));
  if (!root.exists(k_spool_dir))
    TWIN_CHECK(root.make_directory(k_spool_dir, k_spool_mode, 0, crontab_gid));
  return {};
}

} // namespace

Status check_user_on_root(const SystemRoot& root, const std::string& user) {
  if (auto p = user_name_problem(user); !p.empty())
    return fail("{}", p);
  if (!files::AccountNames::of_root(root).uid(user))
    return fail("user '{}' does not exist on the machine (not in {})", user,
                root.physical_path("/etc/passwd"));
  return {};
}

Result<std::string> install_crontab(const SystemRoot& root, Runner& runner, const std::string& user,
                                    std::string_view content, std::string_view backup_stamp) {
  TWIN_CHECK(check_user_on_root(root, user));
  if (root.is_host()) {
    TWIN_CHECK(run_crontab(runner, {"crontab", "-u", user, "-"}, std::string(content)));
    return std::string();
  }
  auto names = files::AccountNames::of_root(root);
  std::uint32_t uid = *names.uid(user);
  auto gid = names.gid("crontab");
  if (!gid)
    return fail("group 'crontab' does not exist on the machine (not in {}); Debian's cron "
                "package creates it",
                root.physical_path("/etc/group"));
  TWIN_CHECK(ensure_spool_dir(root, *gid));
  return root.write_file(join_logical(k_spool_dir, user), content, k_crontab_mode, uid, *gid,
                         backup_stamp);
}

Result<std::string> remove_crontab(const SystemRoot& root, Runner& runner, const std::string& user,
                                   std::string_view backup_stamp) {
  TWIN_CHECK(check_user_on_root(root, user));
  if (root.is_host()) {
    TWIN_CHECK(run_crontab(runner, {"crontab", "-u", user, "-r"}, ""));
    return std::string();
  }
  return root.remove(join_logical(k_spool_dir, user), backup_stamp);
}

} // namespace twin::cron
