// SPDX-License-Identifier: MIT
#include "plugins/registry.hpp"

#include <algorithm>

#include "core/embedded.hpp"
#include "plugins/cron_user/cron_plugin.hpp"
#include "plugins/files_mirror/files_plugin.hpp"
#include "plugins/logs_files/files_plugin.hpp"
#include "plugins/logs_systemd_journal/journal_plugin.hpp"
#include "plugins/packages_debian/packages_plugin.hpp"
#include "plugins/plugin_schema.hpp"
#include "plugins/services_systemd/services_plugin.hpp"
#include "plugins/system_info/system_info_plugin.hpp"

namespace twin::plugins {

std::span<const Plugin* const> all() {
  // Function-local statics in apply order: observed-only plugins first, then packages,
  // files, services, cron (packages bring units and files; services start on their files).
  static const system_info::SystemInfo system_info;
  static const packages::DebianPackages debian_packages;
  static const files::FilesMirror files_mirror;
  static const services::SystemdServices systemd_services;
  static const cron::CronUser cron_user;
  static const Plugin* const list[] = {&system_info, &debian_packages, &files_mirror,
                                       &systemd_services, &cron_user};
  return list;
}

std::span<const LogPlugin* const> log_plugins() {
  static const logs::SystemdJournal systemd_journal;
  static const logs::LogFiles log_files;
  static const LogPlugin* const list[] = {&systemd_journal, &log_files};
  return list;
}

const Plugin* find(std::string_view name) {
  for (const Plugin* p : all())
    if (p->name() == name)
      return p;
  return nullptr;
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const Plugin* p : all())
    out.emplace_back(p->name());
  for (const LogPlugin* p : log_plugins())
    out.emplace_back(p->name());
  return out;
}

std::vector<const Plugin*> enabled(const Config& config) {
  std::vector<const Plugin*> out;
  for (const Plugin* p : all())
    if (std::find(config.enabled_plugins.begin(), config.enabled_plugins.end(), p->name()) !=
        config.enabled_plugins.end())
      out.push_back(p);
  return out;
}

std::vector<const LogPlugin*> enabled_log_plugins(const Config& config) {
  std::vector<const LogPlugin*> out;
  for (const LogPlugin* p : log_plugins())
    if (std::find(config.enabled_plugins.begin(), config.enabled_plugins.end(), p->name()) !=
        config.enabled_plugins.end())
      out.push_back(p);
  return out;
}

PluginFiles files_of(std::string_view plugin_name) {
  std::string dir = plugin_dir(plugin_name);
  return PluginFiles{find_embedded(embedded_plugin_files(), dir + "/plugin.yaml"),
                     find_embedded(embedded_plugin_files(), dir + "/schema.yaml")};
}

} // namespace twin::plugins
