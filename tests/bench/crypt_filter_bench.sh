#!/usr/bin/env bash
# crypt_filter_bench.sh — what the twin-crypt process filter adds to `git add`.
#
# Not run by ctest.  Usage: tests/bench/crypt_filter_bench.sh [--n N] [--runs K]
#
# N small files (100 B - 2 KB of config-like text) under secret/, all marked
# filter=twin-crypt. Each run creates two fresh repositories holding the same files, one
# with `filter.twin-crypt.process = git twin filter-process` (required, with a key) and one
# without any filter, and times `git add -A` in both, alternating which goes first. Then it
# removes the index and times `git add -A` again: the objects exist, so that add hashes and
# filters but writes nothing, which isolates the filter's cost from writing 2,000 loose
# objects (ciphertext does not compress, so the filtered add also writes more bytes).
# Prints the medians and their ratios.
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

: >"$work/with"; : >"$work/without"; : >"$work/with.again"; : >"$work/without.again"
for i in $(seq "$runs"); do
  fresh_repo "$work/a" yes
  fresh_repo "$work/b" no
  if [ $((i % 2)) = 1 ]; then order="a b"; else order="b a"; fi
  for pass in "" .again; do
    for r in $order; do
      [ -z "$pass" ] || rm "$work/$r/.git/index"
      if [ "$r" = a ]; then add_ms "$work/a" >>"$work/with$pass"
      else add_ms "$work/b" >>"$work/without$pass"; fi
    done
  done
done
# Sanity: the filtered repository stored ciphertext.
# (No pipe that stops reading early: with pipefail, the writer's SIGPIPE would end the script.)
blob=$(git -C "$work/a" ls-files -s | awk '$4 ~ /^secret\// && !seen {print $2; seen = 1}')
git -C "$work/a" cat-file blob "$blob" >"$work/blob"
[ "$(head -c 10 "$work/blob" | tail -c 9)" = TWINCRYPT ] ||
  { echo "error: the filtered add did not encrypt" >&2; exit 1; }

report() { # $1: label, $2: suffix of the result files
  local with without
  with=$(median <"$work/with$2")
  without=$(median <"$work/without$2")
  echo "$1"
  echo "  twin-crypt process filter: median ${with} ms  (all: $(tr '\n' ' ' <"$work/with$2"))"
  echo "  no filter:                 median ${without} ms  (all: $(tr '\n' ' ' <"$work/without$2"))"
  awk -v a="$with" -v b="$without" -v n="$n" 'BEGIN {
    printf "  ratio: %.2fx, added: %d ms (%.0f us per file)\n", a / b, a - b, (a - b) * 1000 / n }'
}
echo "files: $n, runs: $runs"
report "git add -A in a fresh repository (hash, filter, write loose objects):" ""
report "git add -A again after removing the index (hash and filter only):" .again
