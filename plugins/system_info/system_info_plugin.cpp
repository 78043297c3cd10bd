// SPDX-License-Identifier: MIT
#include "plugins/system_info/system_info_plugin.hpp"

#include <sys/utsname.h>

#include "core/hostname.hpp"
#include "plugins/plugin_schema.hpp"
#include "plugins/system_info/os_release.hpp"

namespace twin::system_info {

const Value& SystemInfo::live_schema() const {
  return *plugins::plugin_schema("system_info").find("live");
}

Result<LiveObservation> SystemInfo::collect(PluginContext& ctx, std::vector<std::string>&) const {
  const SystemRoot& root = ctx.root;
  Value doc;
  auto hostname = root.read_file("/etc/hostname");
  doc["hostname"] = hostname ? parse_hostname(*hostname) : std::string();

  auto release = root.read_file("/etc/os-release");
  if (!release)
    release = root.read_file("/usr/lib/os-release");
  Value& os = doc["os"] = Value::map();
  if (release) {
    auto fields = parse_os_release(*release);
    for (auto [key, field] : {std::pair{"ID", "id"},
                              {"NAME", "name"},
                              {"PRETTY_NAME", "pretty_name"},
                              {"VERSION_ID", "version_id"},
                              {"VERSION_CODENAME", "version_codename"}})
      if (auto it = fields.find(key); it != fields.end())
        os[field] = it->second;
  } else {
    ctx.notes.warn("no /etc/os-release or /usr/lib/os-release below the root");
  }

  if (auto shell = root.read_file("/bin/sh"))
    if (auto arch = elf_architecture(std::string_view(*shell).substr(0, 64)))
      doc["architecture"] = *arch;

  if (auto modules = root.open_dir("/lib/modules")) {
    if (auto entries = modules->entries()) {
      Value& kernels = doc["installed_kernels"] = Value::list();
      for (const auto& e : *entries)
        if (e.stat.type == FileType::directory)
          kernels.push_back(e.name);
    }
  }

  if (root.is_host()) {
    utsname u{};
    if (uname(&u) == 0) {
      doc["kernel"]["release"] = std::string(u.release);
      doc["kernel"]["version"] = std::string(u.version);
      if (!doc.find("architecture"))
        doc["architecture"] = std::string(u.machine);
    }
  }
  return LiveObservation::of(std::move(doc));
}

} // namespace twin::system_info
