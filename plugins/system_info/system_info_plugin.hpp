// SPDX-License-Identifier: MIT
// system.info: what machine this is, read below the root (live/system.yaml).
// hostname from /etc/hostname, OS from /etc/os-release (or /usr/lib/os-release),
// architecture from the ELF header of /bin/sh, installed kernels from /lib/modules; the
// running kernel only when the root is the host (a mounted image runs no kernel).
#pragma once

#include "core/plugin.hpp"

namespace twin::system_info {

class SystemInfo final : public Plugin {
public:
  std::string_view name() const override { return "system.info"; }
  std::string_view fragment() const override { return "system"; }
  std::string_view summary() const override {
    return "hostname, kernel, OS release and architecture";
  }
  const Value& live_schema() const override;
  Result<LiveObservation> collect(PluginContext& ctx,
                                  std::vector<std::string>& written) const override;
};

} // namespace twin::system_info
