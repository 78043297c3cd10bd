// SPDX-License-Identifier: MIT
// git twin filter-process: plumbing, the twin-crypt filter that git runs as
// `filter.twin-crypt.process` (filters/filter_process.hpp). stdout carries the protocol
// only; messages go to stderr and never hold content.
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/crypt_repo.hpp"
#include "filters/filter_process.hpp"

namespace twin::cli {

Result<int> cmd_filter_process(std::span<const std::string> args) {
  if (!args.empty())
    return usage_error("usage: git twin filter-process");
  // The key is read once: git starts one filter process per command.
  auto key = filter_key();
  if (!key)
    return tl::unexpected(with_context(key.error(), "twin-crypt"));
  filters::FdSource input(STDIN_FILENO);
  filters::FdSink output(STDOUT_FILENO);
  filters::FdSink diagnostics(STDERR_FILENO);
  auto driver = filters::crypt_driver(*key ? &**key : nullptr);
  if (auto served = filters::serve_filter_process(input, output, diagnostics, driver); !served)
    return tl::unexpected(with_context(served.error(), "twin-crypt"));
  return 0;
}

} // namespace twin::cli
