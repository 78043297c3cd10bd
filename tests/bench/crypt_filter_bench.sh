#!/usr/bin/env bash
# crypt_filter_bench.sh — what the twin-crypt process filter adds to `git add`.
#
# Not run by ctest.  Usage: tests/bench/crypt_filter_bench.sh [--n N] [--runs K]
#
# N small files (100 B - 2 KB of config-like text) under secret/, all marked
# filter=twin-crypt. Each run creates two fresh repositories holding the same files, one
# with `filter.twin-crypt.process = git twin filter-process` (required, with a key) and one
# without any filter, and times `git add -A` in both, alternating which goes first. Prints
# the medians and their ratio.
set -euo pipefail
n=2000
runs=7
while [ $# -gt 0 ]; do
  case $1 in
    --n) n=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--n N] [--runs K]" >&2; exit 129 ;;
  esac
done
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${TWIN_BIN_DIR:-$here/build/git-twin}
work=$(mktemp -d "${TMPDIR:-/tmp}/git-twin-cryptbench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export PATH=$bin:$PATH GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$work/gitconfig
git config --file "$work/gitconfig" user.name bench
git config --file "$work/gitconfig" user.email bench@localhost
command -v git-twin >/dev/null || { echo "no git-twin in $bin (build first)" >&2; exit 1; }

# The files, once: deterministic text, 100 B - 2 KB each, 50 per directory.
python3 - "$work/files" "$n" <<'PY'
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
for i in range(n):
    d = os.path.join(out, "secret", f"d{i // 50:03d}")
    os.makedirs(d, exist_ok=True)
    size = rng.randint(100, 2048)
    lines, total = [], 0
    while total < size:
        line = f"key_{rng.randint(0, 999)} = {rng.getrandbits(64):016x}\n"
        lines.append(line)
        total += len(line)
    with open(os.path.join(d, f"f{i:05d}.conf"), "w") as f:
        f.write("".join(lines))
PY

# fresh_repo DIR FILTER(yes|no): a new repository holding the files, nothing staged.
fresh_repo() {
  rm -rf "$1"
  cp -r "$work/files" "$1"
  git init -q "$1"
  if [ "$2" = yes ]; then
    git -C "$1" config filter.twin-crypt.process "git twin filter-process"
    git -C "$1" config filter.twin-crypt.required true
    mkdir -p "$1/.git/twin"
    (umask 077 && printf 'git-twin-key 1 %s\n' \
      "$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$1/.git/twin/crypt.key")
    echo 'secret/** filter=twin-crypt' >"$1/.gitattributes"
  else
    echo 'secret/** -filter' >"$1/.gitattributes"
  fi
  sync
}

add_ms() { # $1: repository
  local s e
  s=$(date +%s%N); git -C "$1" add -A; e=$(date +%s%N)
  echo $(((e - s) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$work/with"; : >"$work/without"
for i in $(seq "$runs"); do
  fresh_repo "$work/a" yes
  fresh_repo "$work/b" no
  if [ $((i % 2)) = 1 ]; then
    add_ms "$work/a" >>"$work/with"; add_ms "$work/b" >>"$work/without"
  else
    add_ms "$work/b" >>"$work/without"; add_ms "$work/a" >>"$work/with"
  fi
done
# Sanity: the filtered repository stored ciphertext.
blob=$(git -C "$work/a" ls-files -s | awk '$4 ~ /^secret\// {print $2; exit}')
git -C "$work/a" cat-file blob "$blob" | head -c 10 | grep -aq TWINCRYPT ||
  { echo "error: the filtered add did not encrypt" >&2; exit 1; }

with=$(median <"$work/with")
without=$(median <"$work/without")
echo "files: $n, runs: $runs"
echo "git add -A, twin-crypt process filter: median ${with} ms  (all: $(tr '\n' ' ' <"$work/with"))"
echo "git add -A, no filter:                 median ${without} ms  (all: $(tr '\n' ' ' <"$work/without"))"
awk -v a="$with" -v b="$without" 'BEGIN {printf "ratio: %.2fx, added: %d ms (%.1f us per file)\n", a / b, a - b, (a - b) * 1000 / '"$n"'}'
