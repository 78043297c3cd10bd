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

// A collector's context on the root, with a scratch work tree and git dir (removed after).
class Scratch {
public:
  explicit Scratch(const std::string& name)
      : m_dir(prepared(std::filesystem::temp_directory_path() / name)),
        m_root(twin::SystemRoot::open(g_root)), m_tree(twin::WorkTree::open(m_dir)) {}
  ~Scratch() { std::filesystem::remove_all(m_dir); }
  bool ok() const { return m_root && m_tree; }
  twin::PluginContext context() {
    return twin::PluginContext{*m_root, twin::process_runner(), m_config,
                               *m_tree, m_dir.string(),         m_notes};
  }
  std::filesystem::path path(const std::string& name) const { return m_dir / name; }

private:
  // The directory with its twin/ subdirectory (where plugins keep their memos).
  static std::filesystem::path prepared(std::filesystem::path dir) {
    std::filesystem::create_directories(dir / "twin");
    return dir;
  }
  std::filesystem::path m_dir;
  twin::Result<twin::SystemRoot> m_root;
  twin::Result<twin::WorkTree> m_tree;
  twin::Config m_config;
  twin::Notes m_notes;
};

// Runs `plugin`'s collect in a loop; `before` runs ahead of each collect; with `emit`, the
// live document is built and emitted too.
template <class Before>
void collect_loop(benchmark::State& state, const twin::Plugin& plugin, Scratch& scratch,
                  Before before, bool emit, const char* counter) {
  if (!scratch.ok()) {
    state.SkipWithError("cannot open the root or a scratch directory");
    return;
  }
  twin::PluginContext ctx = scratch.context();
  std::size_t resources = 0;
  for (auto _ : state) {
    before();
    std::vector<std::string> written;
    auto observed = plugin.collect(ctx, written);
    if (!observed) {
      state.SkipWithError(observed.error().message.c_str());
      return;
    }
    resources = observed->resources();
    if (emit)
      benchmark::DoNotOptimize(observed->text());
    else
      benchmark::DoNotOptimize(observed->fingerprint());
  }
  state.counters[counter] = static_cast<double>(resources);
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

// Times a command a snapshot would otherwise spawn.
void tool(benchmark::State& state, const std::vector<std::string>& argv) {
  for (auto _ : state)
    if (!run_quietly(argv)) {
      state.SkipWithError((argv[0] + " failed (not a Debian root?)").c_str());
      return;
    }
}

enum class Case { unchanged, changed, with_document };

void packages_collect(benchmark::State& state, Case which) {
  Scratch scratch("twin-collectors-bench-packages");
  auto memo = scratch.path("twin/packages.memo");
  collect_loop(
      state, twin::packages::DebianPackages(), scratch,
      [&] {
        if (which != Case::unchanged)
          std::filesystem::remove(memo);
      },
      which == Case::with_document, "packages");
}

void dpkg_query(benchmark::State& state) {
  tool(state, {"dpkg-query", "--admindir",
               (std::filesystem::path(g_root) / "var/lib/dpkg").string(), "-W"});
}

void services_collect(benchmark::State& state) {
  Scratch scratch("twin-collectors-bench-services");
  collect_loop(
      state, twin::services::SystemdServices(), scratch, [] {}, false, "units");
}

void systemctl_list_unit_files(benchmark::State& state) {
  tool(state, {"systemctl", "--root=" + g_root, "list-unit-files", "--no-pager"});
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
