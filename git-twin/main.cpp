// SPDX-License-Identifier: MIT
// git-twin: `git twin <command>`. Everything lives in the libraries; see cli/commands.cpp.
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  return twin::cli::run(argc, argv);
}
