// SPDX-License-Identifier: MIT
// A user's crontab, read from the machine's spool (any user may write their own).
// Checks, as crontab.hpp promises: render(parse(x)) parses to the same model without
// problems, and rendering that again gives the same text; every job line parse_crontab
// kept is also a job by parse_job.
#include "targets/targets.hpp"

#include "plugins/cron_user/crontab.hpp"

namespace twin_fuzz {

void crontab(std::string_view input) {
  std::vector<std::string> problems;
  twin::cron::Crontab parsed = twin::cron::parse_crontab(input, &problems);
  for (const auto& problem : problems)
    FUZZ_CHECK(problem.starts_with("line "));

  std::string rendered = twin::cron::render_crontab(parsed);
  std::vector<std::string> reread_problems;
  twin::cron::Crontab reread = twin::cron::parse_crontab(rendered, &reread_problems);
  FUZZ_CHECK(reread_problems.empty());
  FUZZ_CHECK(reread == parsed);
  FUZZ_CHECK(twin::cron::render_crontab(reread) == rendered);

  for (const auto& entry : parsed.entries) {
    std::string problem;
    auto job = twin::cron::parse_job(entry.schedule + " " + entry.command, &problem);
    FUZZ_CHECK(job);
    FUZZ_CHECK(job->schedule == entry.schedule && job->command == entry.command);
  }
}

} // namespace twin_fuzz
