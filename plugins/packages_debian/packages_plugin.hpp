// SPDX-License-Identifier: MIT
// packages.debian: the Debian packages of the root (live/packages.yaml), read from dpkg's
// status database and apt's automatic marks below the root (dpkg_status.hpp). One item per
// package dpkg knows beyond not-installed: name, architecture, version, status (dpkg's
// third Status word), manual (false when apt installed it as a dependency) and hold.
// A package installed for several architectures (multiarch) is named "name:arch" in each
// of its items, so that every item has its own identity.
//
// Observed only for now: desired packages (state/packages.yaml), planning and apply through
// apt-get come next (issue "System plugins").
#pragma once

#include "core/plugin.hpp"

namespace twin::packages {

class DebianPackages final : public Plugin {
public:
  std::string_view name() const override { return "packages.debian"; }
  std::string_view fragment() const override { return "packages"; }
  std::string_view summary() const override {
    return "Debian packages from dpkg's database (observed only)";
  }
  const Value& live_schema() const override;
  Result<LiveObservation> collect(PluginContext& ctx,
                                  std::vector<std::string>& written) const override;
};

} // namespace twin::packages
