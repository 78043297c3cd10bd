#!/usr/bin/env bash
# checkout_hook_bench.sh — what git-twin's hooks add to `git checkout` (issue: git workflow).
#
# Not run by ctest.  Usage (as root): tests/bench/checkout_hook_bench.sh [--n N] [--runs K]
#
# One run, one tree: gen_tree.py makes N files under ROOT/etc and ROOT/home; a twin mirrors
# both; two branches differ in one desired file (so the post-checkout hook has a real plan
# to make). It times K rounds of checkouts back and forth, each round once with the hooks and
# once with hooks disabled (`git -c core.hooksPath=/dev/null`), and prints medians, the ratio
# and the time added.
# Goal (issue text): under 1.3x and under 150 ms added.
set -euo pipefail
n=20000
runs=7
while [ $# -gt 0 ]; do
  case $1 in
    --n) n=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--n N] [--runs K]" >&2; exit 129 ;;
  esac
done
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=$here/build/git-twin
gen=${GEN_TREE:-/work/shared/bench/gen_tree.py}
work=$(mktemp -d "${TMPDIR:-/tmp}/git-twin-hookbench.XXXXXX")
trap 'mv "$work" "$work.old" && rm -rf "$work.old" &' EXIT # delete aside (ext4 note in bench/README)
export PATH=$bin:$PATH GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$work/gitconfig
git config --file "$work/gitconfig" user.name bench
git config --file "$work/gitconfig" user.email bench@localhost

python3 "$gen" create --n "$n" --seed 1 --out "$work/root" >/dev/null
mkdir "$work/empty"
git twin init "$work/twin" --root "$work/empty" >/dev/null 2>&1
cd "$work/twin"
sed -i "s|^root: .*|root: $work/root|; s|^  - /etc$|  - /etc\n  - /home|" config.yaml
git commit -qam "mirror the generated tree"
git twin snapshot >/dev/null 2>&1
git branch -q before
file=$(git ls-files filesystem | sed -n 1p)
echo "desired edit" >>"$file"
git commit -qam "one desired edit"
git branch -q after

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
checkout_ms() { # $1: branch, then git options
  local b=$1 s e
  shift
  s=$(date +%s%N); git "$@" checkout -q "$b" 2>/dev/null; e=$(date +%s%N)
  echo $(((e - s) / 1000000))
}
# Interleaved, so that whatever else the machine does falls on both sides alike.
git checkout -q after 2>/dev/null
: >"$work/with" && : >"$work/without"
for i in $(seq "$runs"); do
  for b in before after; do
    checkout_ms "$b" >>"$work/with"
  done
  for b in before after; do
    checkout_ms "$b" -c core.hooksPath=/dev/null >>"$work/without"
  done
done
with=$(median <"$work/with")
without=$(median <"$work/without")
echo "git checkout between two commits, $(git ls-files | wc -l) tracked files, $runs x 2 runs"
echo "  with hooks:    ${with} ms (median)"
echo "  without hooks: ${without} ms (median)"
awk -v a="$with" -v b="$without" 'BEGIN {printf "  ratio %.2f, added %d ms (goal: < 1.30 and < 150 ms)\n", a / b, a - b}'
