// SPDX-License-Identifier: MIT
#include "filters/filter_process.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "core/secret_cipher.hpp"

namespace twin::filters {
namespace {

// The value of "key=value" in `lines`, or nullopt.
std::optional<std::string_view> value_of(const std::vector<std::string>& lines,
                                         std::string_view key) {
  for (std::string_view line : lines)
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == '=')
      return line.substr(key.size() + 1);
  return std::nullopt;
}

bool has_line(const std::vector<std::string>& lines, std::string_view wanted) {
  return std::find(lines.begin(), lines.end(), wanted) != lines.end();
}

Status handshake(PacketReader& reader, PacketWriter& writer) {
  auto welcome = TWIN_TRY(reader.read_list());
  if (!welcome)
    return fail("protocol error: the input ended before the handshake");
  if (welcome->empty() || welcome->front() != "git-filter-client")
    return fail("protocol error: expected 'git-filter-client' to start the handshake");
  if (!has_line(*welcome, "version=2"))
    return fail("protocol error: git does not offer version 2 of the filter protocol");
  TWIN_CHECK(writer.write_line("git-filter-server"));
  TWIN_CHECK(writer.write_line("version=2"));
  TWIN_CHECK(writer.write_flush());
  TWIN_CHECK(writer.send());

  auto offered = TWIN_TRY(reader.read_list());
  if (!offered)
    return fail("protocol error: the input ended before the capabilities");
  for (std::string_view capability : {"capability=clean", "capability=smudge"})
    if (has_line(*offered, capability))
      TWIN_CHECK(writer.write_line(capability));
  TWIN_CHECK(writer.write_flush());
  return writer.send();
}

} // namespace

FilterDriver crypt_driver(const SecretKey* key) {
  return FilterDriver{
      "twin-crypt",
      [key](std::string_view path, std::string_view content) {
        return clean_secret(key, path, content);
      },
      [key](std::string_view path, std::string_view content) {
        return smudge_secret(key, path, content);
      },
  };
}

Status serve_filter_process(ByteSource& input, ByteSink& output, ByteSink& diagnostics,
                            const FilterDriver& driver) {
  PacketReader reader(input);
  PacketWriter writer(output);
  TWIN_CHECK(handshake(reader, writer));
  for (;;) {
    auto request = TWIN_TRY(reader.read_list());
    if (!request)
      return {}; // git closed the pipe: done
    auto command = value_of(*request, "command");
    if (!command)
      return fail("protocol error: a request without 'command='");
    std::string path(value_of(*request, "pathname").value_or(""));
    // Read the content first, whatever happens to it: git waits until it is taken, and
    // the next request starts after it. Every request of the two commands offered
    // carries content, so an unknown command's is read the same way.
    std::string content = TWIN_TRY(reader.read_content());

    const FilterFn* fn = *command == "clean"    ? &driver.clean
                         : *command == "smudge" ? &driver.smudge
                                                : nullptr;
    Result<std::string> result = fail("unknown command '{}'", *command);
    if (fn && path.empty())
      result = fail("{} request without 'pathname='", *command);
    else if (fn)
      result = (*fn)(path, content);

    if (!result) {
      TWIN_CHECK(diagnostics.write(fmt::format("error: {}: {}: {}\n", driver.name,
                                               path.empty() ? "(no path)" : path,
                                               result.error().message)));
      TWIN_CHECK(writer.write_line("status=error"));
      TWIN_CHECK(writer.write_flush());
      TWIN_CHECK(writer.send());
      continue;
    }
    TWIN_CHECK(writer.write_line("status=success"));
    TWIN_CHECK(writer.write_flush());
    TWIN_CHECK(writer.write_content(*result));
    TWIN_CHECK(writer.write_flush());
    TWIN_CHECK(writer.write_flush()); // the empty trailing list: the status stays success
    TWIN_CHECK(writer.send());
  }
}

} // namespace twin::filters
