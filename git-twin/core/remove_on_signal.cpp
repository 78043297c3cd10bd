// SPDX-License-Identifier: MIT
#include "core/remove_on_signal.hpp"

#include <atomic>
#include <csignal>
#include <mutex>

#include <unistd.h>

namespace twin {
namespace {

constexpr int k_slots = 16;
std::atomic<const char*> g_paths[k_slots];
constexpr int k_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void remove_and_reraise(int signal) {
  for (auto& slot : g_paths)
    if (const char* path = slot.load())
      ::unlink(path);
  std::signal(signal, SIG_DFL);
  ::raise(signal);
}

void install_handlers() {
  for (int signal : k_signals) {
    struct sigaction old {};
    if (::sigaction(signal, nullptr, &old) != 0 || old.sa_handler == SIG_IGN)
      continue; // ignored on purpose (nohup): stays so
    struct sigaction handler {};
    handler.sa_handler = remove_and_reraise;
    sigemptyset(&handler.sa_mask);
    ::sigaction(signal, &handler, nullptr);
  }
}

} // namespace

RemoveOnSignal::RemoveOnSignal(std::string path) : m_path(std::move(path)) {
  static std::once_flag installed;
  std::call_once(installed, install_handlers);
  for (int i = 0; i < k_slots; ++i) {
    const char* expected = nullptr;
    if (g_paths[i].compare_exchange_strong(expected, m_path.c_str())) {
      m_slot = i;
      break;
    }
  }
}

RemoveOnSignal::~RemoveOnSignal() {
  if (m_slot >= 0)
    g_paths[m_slot].store(nullptr);
}

} // namespace twin
