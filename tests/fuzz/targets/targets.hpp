// SPDX-License-Identifier: MIT
// The fuzz targets: one function per parser that reads input a stranger may write (a pull
// request, another machine's files, git's pipe). Each takes arbitrary bytes, must never
// crash, and checks what must hold for every input with FUZZ_CHECK (a failed check aborts,
// which libFuzzer reports as a crash and keeps the input).
//
// They are plain functions so that two drivers can call them: libfuzzer_entry.cpp (clang,
// -DTWIN_FUZZ=ON) and the replay unit test (tests/unit/test_fuzz_replay.cpp), which feeds
// every seed and every kept crash input in the normal build.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition)                                                                      \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition);      \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)

namespace twin_fuzz {

void yaml_reader(std::string_view input);  // core/yaml_reader
void schema(std::string_view input);       // state document checks (core/schema, plugins)
void dpkg_status(std::string_view input);  // plugins/packages_debian/dpkg_status
void crontab(std::string_view input);      // plugins/cron_user/crontab
void pkt_line(std::string_view input);     // filters/pkt_line, filters/filter_process
void merge_driver(std::string_view input); // filters/merge_driver, yaml_merge

} // namespace twin_fuzz
