// SPDX-License-Identifier: MIT
// Collectors beside the tools they replace, on this machine, in one run:
//   packages.debian's collect against `dpkg-query -W` (what a snapshot would otherwise
//   spawn). Goal (issue "System plugins"): at least 10x faster. Three cases:
//     unchanged      the database has the stats its memo recorded: read, not hashed or
//                    parsed (every snapshot of a machine where apt did not run);
//     changed        no memo: read, hash and parse (the first snapshot after apt ran);
//     with_document  changed, and live/packages.yaml built and emitted too.
//   services.systemd's collect (reads the unit directories below the root) against
//   `systemctl --root=<root> list-unit-files` (goal: at least 20x faster).
// Usage: build/tests/collectors_bench [--root DIR] [Google Benchmark flags]; the ratio is
// dpkg_query's time over packages_collect's. Not a test: ctest does not run it.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "core/plugin.hpp"
#include "plugins/packages_debian/packages_plugin.hpp"
#include "plugins/services_systemd/services_plugin.hpp"

namespace {

std::string g_root = "/";

enum class Case { unchanged, changed, with_document };

void packages_collect(benchmark::State& state, Case which) {
  auto root = twin::SystemRoot::open(g_root);
  auto scratch = std::filesystem::temp_directory_path() / "twin-collectors-bench";
  std::filesystem::create_directories(scratch / "twin");
  auto memo = scratch / "twin/packages.memo";
  auto tree = twin::WorkTree::open(scratch);
  if (!root || !tree) {
    state.SkipWithError("cannot open the root or a scratch directory");
    return;
  }
  twin::Config config;
  twin::Notes notes;
  twin::PluginContext ctx{*root, twin::process_runner(), config, *tree, scratch.string(), notes};
  std::size_t packages = 0;
  for (auto _ : state) {
    if (which != Case::unchanged)
      std::filesystem::remove(memo);
    std::vector<std::string> written;
    auto observed = twin::packages::DebianPackages().collect(ctx, written);
    if (!observed) {
      state.SkipWithError(observed.error().message.c_str());
      return;
    }
    packages = observed->resources();
    if (which == Case::with_document)
      benchmark::DoNotOptimize(observed->text());
    else
      benchmark::DoNotOptimize(observed->fingerprint());
  }
  state.counters["packages"] = static_cast<double>(packages);
  std::filesystem::remove_all(scratch);
}

// What a snapshot would spawn without its own parser: dpkg-query -W, output discarded.
void dpkg_query(benchmark::State& state) {
  std::string admindir = (std::filesystem::path(g_root) / "var/lib/dpkg").string();
  for (auto _ : state) {
    pid_t pid = fork();
    if (pid < 0) {
      state.SkipWithError("fork failed");
      return;
    }
    if (pid == 0) {
      int null = ::open("/dev/null", O_WRONLY);
      dup2(null, 1);
      execlp("dpkg-query", "dpkg-query", "--admindir", admindir.c_str(), "-W",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("dpkg-query failed (not a Debian root?)");
      return;
    }
  }
}

void services_collect(benchmark::State& state) {
  auto root = twin::SystemRoot::open(g_root);
  auto scratch = std::filesystem::temp_directory_path() / "twin-collectors-bench-services";
  std::filesystem::create_directories(scratch / "twin");
  auto tree = twin::WorkTree::open(scratch);
  if (!root || !tree) {
    state.SkipWithError("cannot open the root or a scratch directory");
    return;
  }
  twin::Config config;
  twin::Notes notes;
  twin::PluginContext ctx{*root, twin::process_runner(), config, *tree, scratch.string(), notes};
  std::size_t units = 0;
  for (auto _ : state) {
    std::vector<std::string> written;
    auto observed = twin::services::SystemdServices().collect(ctx, written);
    if (!observed) {
      state.SkipWithError(observed.error().message.c_str());
      return;
    }
    units = observed->resources();
    benchmark::DoNotOptimize(observed->fingerprint());
  }
  state.counters["units"] = static_cast<double>(units);
  std::filesystem::remove_all(scratch);
}

// Runs argv with stdout to /dev/null; false when it fails.
bool run_quietly(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid < 0)
    return false;
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// What a snapshot would spawn without its own reader.
void systemctl_list_unit_files(benchmark::State& state) {
  for (auto _ : state)
    if (!run_quietly({"systemctl", "--root=" + g_root, "list-unit-files", "--no-pager"})) {
      state.SkipWithError("systemctl --root list-unit-files failed");
      return;
    }
}

BENCHMARK_CAPTURE(packages_collect, unchanged, Case::unchanged)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(packages_collect, changed, Case::changed)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(packages_collect, with_document, Case::with_document)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(dpkg_query)->Unit(benchmark::kMillisecond);
BENCHMARK(services_collect)->Unit(benchmark::kMillisecond);
BENCHMARK(systemctl_list_unit_files)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--root") == 0) {
      g_root = argv[i + 1];
      for (int j = i; j + 2 < argc + 1; ++j)
        argv[j] = argv[j + 2];
      argc -= 2;
      break;
    }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
