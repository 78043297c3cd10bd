// SPDX-License-Identifier: MIT
// Collectors beside the tools they replace, on this machine, in one run:
//   packages.debian's collect (reads and parses /var/lib/dpkg/status and apt's
//   extended_states; "with_document" also builds and emits live/packages.yaml, which an
//   unchanged database skips) against `dpkg-query -W` (what a snapshot would otherwise
//   spawn). Goal (issue "System plugins"): at least 10x faster.
// Usage: build/tests/collectors_bench [--root DIR] [Google Benchmark flags]; the ratio is
// dpkg_query's time over packages_collect's. Not a test: ctest does not run it.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "core/plugin.hpp"
#include "plugins/packages_debian/packages_plugin.hpp"

namespace {

std::string g_root = "/";

// `emit`: also build and emit live/packages.yaml (what a snapshot pays when the database
// changed); without it, what an unchanged snapshot pays (the fingerprint matches).
void packages_collect(benchmark::State& state, bool emit) {
  auto root = twin::SystemRoot::open(g_root);
  auto scratch = std::filesystem::temp_directory_path() / "twin-collectors-bench";
  std::filesystem::create_directories(scratch);
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
    std::vector<std::string> written;
    auto observed = twin::packages::DebianPackages().collect(ctx, written);
    if (!observed) {
      state.SkipWithError(observed.error().message.c_str());
      return;
    }
    packages = observed->resources();
    if (emit)
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

BENCHMARK_CAPTURE(packages_collect, unchanged, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(packages_collect, with_document, true)->Unit(benchmark::kMillisecond);
BENCHMARK(dpkg_query)->Unit(benchmark::kMillisecond);

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
