#!/usr/bin/env bash
# snapshot_profile.sh — where `git twin` spends its time: perf profiles of the operations
# that snapshot_bench.sh times, broken down by perf_breakdown.py.
#
# Not run by ctest.  Usage (as root):
#   tests/bench/snapshot_profile.sh [--work DIR | --n N] [--bin DIR] [--out DIR]
#                                   [--callgraph fp|dwarf] [--gen PATH]
#
#   --work DIR   a work directory kept by `snapshot_bench.sh --keep` (uses its root/, ref/,
#                empty-root/; mutates root/ and ref/ twice more for (c) and adds twins
#                prof-PID-1 and prof-PID-2); default: generate a fresh tree of N files in a
#                new work directory (kept: delete it yourself, see the ext4 note below)
#   --n N        files in a freshly generated tree (default 20000)
#   --bin DIR    directory holding the git-twin binary to profile (a private copy is used);
#                default <repo>/build/git-twin
#   --out DIR    reports and perf data (default /tmp/git-twin-profile)
#   --callgraph  dwarf (default: any build with debug info, the RelWithDebInfo default;
#                ~2 GB of perf data for one run) or fp: much smaller, but needs a build with
#                frame pointers, and glibc's malloc/free and the libraries (libgit2,
#                libcrypto, zlib) break the chains, so ~25% of samples lose their callers:
#                  cmake -S . -B /tmp/build-fp -DBUILD_TESTING=OFF \
#                        -DCMAKE_CXX_FLAGS='-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer'
#                  cmake --build /tmp/build-fp --target git-twin   # then --bin /tmp/build-fp/git-twin
#
# Profiles, each with `perf record -g` following every child process, and before each an
# unprofiled run of the same operation (X-time.*: process exit events only) for wall times:
#   a.*        first `git-twin snapshot` of a fresh twin over [/etc, /home] (as in the bench;
#              a-time on a second fresh twin)
#   b.*        `git-twin snapshot` with nothing changed (after two warm runs)
#   c.*        `git-twin snapshot` after `gen_tree.py mutate` (10 changed, 5 added, 5 removed),
#              with no plan/latest.yaml yet (with one, the snapshot re-plans: see d-plan);
#              c-time after one mutate round, c after the next
#   d-plan.*   `git-twin plan` with nothing changed (the twin in sync)
#   d-status.* `git-twin status` with nothing changed
# For each: OUT/X.data (perf), OUT/X.exec (pid -> argv of every git child), OUT/X.txt (the
# breakdown: process timeline with wall and CPU times, git-twin phases and cost categories,
# top functions, git children by library and syscall).  OUT/summary.txt has the timelines
# and the plain-git references measured alongside.
#
# git-twin is run directly (not as `git twin`): git puts its exec-path first in PATH, which
# would hide the exec shim that names each git child.  The shim (a `git` first in PATH)
# logs its pid and argv and execs the real git, so the pid in perf's data stays the same.
# Wall times under perf are higher than unprofiled ones (dwarf: ~10-30%): take wall times
# from the X-time runs, and the split of CPU time from the profiles.
#
# Deleting a work directory (hundreds of thousands of files) makes file creation on this
# ext4-without-journal root 10-30x slower for minutes (see snapshot_bench.sh): profiles of
# (a) taken then show most of their time in the kernel's recently_deleted().

set -u -o pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
WORK='' N=20000 OUT=/tmp/git-twin-profile CALLGRAPH=dwarf GEN=/work/shared/bench/gen_tree.py
BIN_DIR=$REPO_DIR/build/git-twin

usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --work) WORK=$2; shift 2 ;;
    --n) N=$2; shift 2 ;;
    --bin) BIN_DIR=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --callgraph) CALLGRAPH=$2; shift 2 ;;
    --gen) GEN=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 >&2 ;;
  esac
done

die() { echo "error: $*" >&2; exit 1; }
command -v perf >/dev/null || die "perf is required (apt-get install linux-perf)"
[ -x "$BIN_DIR/git-twin" ] || die "no git-twin binary in $BIN_DIR"
[ -f "$GEN" ] || die "no gen_tree.py at $GEN"
case $CALLGRAPH in
  fp) CG=(-g) ;;
  dwarf) CG=(--call-graph 'dwarf,65528') ;;
  *) die "--callgraph is fp or dwarf" ;;
esac
REAL_GIT=$(command -v git) || die "git is required"

export LC_ALL=C TZ=UTC
mkdir -p "$OUT" || die "cannot create $OUT"
SUMMARY=$OUT/summary.txt LOG=$OUT/log.txt
: >"$SUMMARY"; : >"$LOG"
say() { echo "== $*" | tee -a "$SUMMARY" >&2; }

if [ -z "$WORK" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/git-twin-profile.XXXXXX") || die "cannot create a work dir"
  say "generating $N files in $WORK/root"
  python3 "$GEN" create --n "$N" --seed 1 --out "$WORK/root" >>"$LOG" 2>&1 || die "gen_tree.py failed"
  cp -a "$WORK/root" "$WORK/ref" && mkdir -p "$WORK/empty-root" || die "cannot copy the tree"
  (cd "$WORK/ref" && git init -q && git add -A && git -c user.name=b -c user.email=b@x commit -qm x) ||
    die "reference repository failed"
fi
ROOT=$WORK/root REF=$WORK/ref EMPTY=$WORK/empty-root
[ -d "$ROOT/etc" ] && [ -d "$REF/.git" ] && [ -d "$EMPTY" ] || die "$WORK is not a bench work dir"

# Same isolated git configuration as the bench: identity, no auto gc.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$OUT/gitconfig
: >"$GIT_CONFIG_GLOBAL"
git config --global user.name "git-twin bench"
git config --global user.email "bench@example.invalid"
git config --global init.defaultBranch main
git config --global gc.auto 0
git config --global maintenance.auto false

# A private copy of the binary, and the exec shim.
mkdir -p "$OUT/bin" "$OUT/shim"
cp "$BIN_DIR/git-twin" "$OUT/bin/git-twin" || die "cannot copy git-twin"
cat >"$OUT/shim/git" <<EOF
#!/bin/sh
printf '%s\t%s\n' "\$\$" "git \$*" >>"\${TWIN_EXEC_LOG:-/dev/null}"
exec "$REAL_GIT" "\$@"
EOF
chmod +x "$OUT/shim/git"
export PATH="$OUT/shim:$OUT/bin:$PATH"

say "git-twin profile: binary $BIN_DIR/git-twin ($(sha256sum "$OUT/bin/git-twin" | cut -c1-12)), repo HEAD $(git -C "$REPO_DIR" rev-parse --short HEAD), call graph $CALLGRAPH, work $WORK"
say "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# profile NAME FREQ DIR CMD...: perf record of CMD run in DIR, then the breakdown.
profile() {
  local name=$1 freq=$2 dir=$3; shift 3
  export TWIN_EXEC_LOG=$OUT/$name.exec
  : >"$TWIN_EXEC_LOG"
  local t0; t0=$(date +%s%N)
  (cd "$dir" && perf record -q -F "$freq" "${CG[@]}" -o "$OUT/$name.data" -- "$@") >>"$LOG" 2>&1
  local rc=$? wall; wall=$(ms_since "$t0")
  unset TWIN_EXEC_LOG
  python3 "$SCRIPT_DIR/perf_breakdown.py" "$OUT/$name.data" --execve "$OUT/$name.exec" \
    >"$OUT/$name.txt" 2>>"$LOG"
  say "$name: '$*' rc=$rc, ${wall} ms under perf; breakdown in $OUT/$name.txt"
  sed -n '/^1\. processes/,/^$/p' "$OUT/$name.txt" | sed '$d' >>"$SUMMARY"
  sed -n '/^2\./,/cost categories/p' "$OUT/$name.txt" | sed '$d' | head -14 >>"$SUMMARY"
}

# timeline NAME DIR CMD...: an unprofiled run of CMD in DIR, recording only process exits
# (perf record -e sched:sched_process_exit): wall times of git-twin and each git child.
timeline() {
  local name=$1 dir=$2; shift 2
  export TWIN_EXEC_LOG=$OUT/$name.exec
  : >"$TWIN_EXEC_LOG"
  local t0; t0=$(date +%s%N)
  (cd "$dir" && perf record -q -e sched:sched_process_exit -o "$OUT/$name.data" -- "$@") >>"$LOG" 2>&1
  local rc=$? wall; wall=$(ms_since "$t0")
  unset TWIN_EXEC_LOG
  python3 "$SCRIPT_DIR/perf_breakdown.py" "$OUT/$name.data" --execve "$OUT/$name.exec" \
    --timeline-only >"$OUT/$name.txt" 2>>"$LOG"
  say "$name: '$*' rc=$rc, ${wall} ms unprofiled (process events only)"
  sed -n '/^1\. processes/,$p' "$OUT/$name.txt" | sed '1d' >>"$SUMMARY"
}

# time_ref LABEL CMD...: one plain run of a reference command, in ms, into the summary.
time_ref() {
  local label=$1; shift
  local t0; t0=$(date +%s%N)
  "$@" >>"$LOG" 2>&1
  say "reference $label: $(ms_since "$t0") ms"
}

make_twin() { # DIR, as snapshot_bench.sh makes it
  local dir=$1
  git-twin init "$dir" --root "$EMPTY" >>"$LOG" 2>&1 || return 1
  sed -i -e "s|^root: .*|root: $ROOT|" -e 's|^  - /etc$|  - /etc\n  - /home|' "$dir/config.yaml"
  grep -q '^  - /home$' "$dir/config.yaml" || return 1
  git -C "$dir" commit -qam "bench: root $ROOT" >>"$LOG" 2>&1
}

# (a) first snapshot: one unprofiled timeline on a fresh twin, one profile on another
make_twin "$WORK/prof-$$-1" || die "could not make a twin (see $LOG)"
make_twin "$WORK/prof-$$-2" || die "could not make a twin (see $LOG)"
sync
timeline a-time "$WORK/prof-$$-1" git-twin snapshot
TWIN=$WORK/prof-$$-2
profile a 1000 "$TWIN" git-twin snapshot

# (b) nothing changed
(cd "$TWIN" && git-twin snapshot && git-twin snapshot) >>"$LOG" 2>&1
timeline b-time "$TWIN" git-twin snapshot
profile b 4000 "$TWIN" git-twin snapshot
git -C "$REF" status --porcelain >/dev/null 2>&1
time_ref "git status --porcelain (warm)" git -C "$REF" status --porcelain

# (c) after a mutate round (on both trees, as the bench does): two rounds, the first timed,
# the second profiled
for round in time prof; do
  python3 "$GEN" mutate --dir "$ROOT" --seed 1 >>"$LOG" 2>&1 || die "mutate failed"
  python3 "$GEN" mutate --dir "$REF" --seed 1 >>"$LOG" 2>&1 || die "mutate failed"
  if [ $round = time ]; then
    timeline c-time "$TWIN" git-twin snapshot
  else
    profile c 2000 "$TWIN" git-twin snapshot
  fi
  time_ref "git add -A && git commit after the same mutate" \
    bash -c 'cd "$1" && git add -A && git commit -qm x' _ "$REF"
done

# (d) hook cost: plan and status with nothing changed (twin in sync after (c))
(cd "$TWIN" && git-twin plan) >>"$LOG" 2>&1
timeline d-plan-time "$TWIN" git-twin plan
profile d-plan 4000 "$TWIN" git-twin plan
timeline d-status-time "$TWIN" git-twin status
profile d-status 4000 "$TWIN" git-twin status

say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "summary: $SUMMARY" >&2
