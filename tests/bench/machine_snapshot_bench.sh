#!/usr/bin/env bash
# machine_snapshot_bench.sh — the whole `git twin snapshot` of THIS machine (every plugin,
# /etc mirrored) beside the reference commands, in one run, interleaved.
#
# Not run by ctest. Usage (as root): tests/bench/machine_snapshot_bench.sh [--bin DIR]
#   [--rounds K] [--keep]
#   --bin DIR   directory holding git-twin (default <repo>/build/git-twin)
#   --rounds K  interleaved rounds after 3 warm-up rounds (default 20)
#   --keep      keep the twin afterwards
#
# Measured (medians, wall clock):
#   snapshot        `git twin snapshot` with nothing changed on the machine
#   git_status      `git status --porcelain` in the same twin (the reference)
#   dpkg_query      `dpkg-query -W` (what packages.debian replaces)
#   list_units      `systemctl --root=/ list-unit-files` (what services.systemd replaces)
# Ratios printed: snapshot / git_status, and (dpkg_query + list_units) / snapshot: what two
# of the collectors would cost if they ran their tools, against the whole snapshot.
# The collectors alone, beside their tools: build/tests/collectors_bench.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../../build/git-twin
rounds=20
keep=
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 129 ;;
  esac
done
export PATH=$(cd "$bin" && pwd):$PATH
export GIT_CONFIG_GLOBAL=$(mktemp)
git config --global user.name bench && git config --global user.email bench@example.invalid
git config --global gc.auto 0
work=$(mktemp -d /tmp/twin-machine-bench.XXXXXX)
twin=$work/twin
[ -n "$keep" ] || trap 'rm -rf "$work" "$GIT_CONFIG_GLOBAL"' EXIT

start=$(date +%s%N)
git twin init "$twin" >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
end=$(date +%s%N)
echo "init (first snapshot of this machine): $(( (end - start) / 1000000 )) ms"
grep -E "observed" "$work/init.log" | sed 's/^/  /'
cd "$twin"

ms() { # ms CMD...: wall time of one run in ms (3 decimals)
  local s e
  s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
  echo "scale=3; ($e - $s) / 1000000" | bc
}
have_systemctl=$(command -v systemctl || true)
declare -A samples
for ((r = -3; r < rounds; ++r)); do
  a=$(ms git twin snapshot)
  b=$(ms git status --porcelain)
  c=$(ms dpkg-query -W)
  d=$([ -n "$have_systemctl" ] && ms systemctl --root=/ list-unit-files --no-pager || echo 0)
  if [ "$r" -ge 0 ]; then
    samples[snapshot]+="$a "; samples[git_status]+="$b "
    samples[dpkg_query]+="$c "; samples[list_units]+="$d "
  fi
done
[ "$(git rev-list --count HEAD)" = 1 ] || echo "anomaly: a no-change snapshot committed"
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A m
for k in snapshot git_status dpkg_query list_units; do
  m[$k]=$(median "${samples[$k]}")
  printf '%-12s %9s ms\n' "$k" "${m[$k]}"
done
echo "snapshot / git_status:                  $(echo "scale=2; ${m[snapshot]} / ${m[git_status]}" | bc)x"
echo "(dpkg_query + list_units) / snapshot:   $(echo "scale=2; (${m[dpkg_query]} + ${m[list_units]}) / ${m[snapshot]}" | bc)x"
