#!/usr/bin/env bash
# snapshot_bench.sh — time `git twin` snapshots against plain git on one generated tree.
#
# Not run by ctest (tests/CMakeLists.txt only picks up tests/unit and tests/e2e/t[0-9]*.sh).
#
# Usage (as root, so gen_tree.py can set owners):
#   tests/bench/snapshot_bench.sh [--n N] [--out FILE] [--keep] [--workdir DIR]
#                                 [--bin DIR] [--gen PATH] [--rounds K]
#
#   --n N        files in the generated tree (default 20000)
#   --out FILE   results table (default /tmp/git-twin-bench.txt); hyperfine's JSON for
#                (d) goes to FILE.hook.hyperfine.json, the full
#                log to FILE.log
#   --keep       keep the work directory (trees, twins, reference repo) afterwards
#   --workdir D  parent of the work directory (default $TMPDIR or /tmp; same filesystem
#                as the trees you care about)
#   --bin DIR    directory holding the git-twin binary (default <repo>/build/git-twin)
#   --gen PATH   gen_tree.py (default /work/shared/bench/gen_tree.py)
#   --rounds K   rounds of (a) and mutate rounds of (c) (default 3)
#
# What one run measures, all on the same tree made by
# `gen_tree.py create --n N --seed 1` (files under ROOT/etc and ROOT/home), with a copy
# REF (`cp -a`) for the plain-git reference:
#
#  (a) first snapshot of all N files.  `git twin init` has no option for the mirrored
#      roots, so the twin is created with `git twin init TWIN --root EMPTY` (an empty
#      root), then config.yaml gets `root: ROOT` and `filesystem_roots: [/etc, /home]`,
#      is committed, and the first real `git twin snapshot` is timed, on a fresh twin in
#      each of K rounds; a failed one is reported as an anomaly.
#      Reference: `git init -q && git add -A && git commit -qm x` in REF, once per round
#      before the twin's (the previous REF/.git is renamed aside, never deleted mid-run).
#      Every timed command of (a) starts after `sync`; medians of the K rounds.
#      For information: plain `git twin init PLAIN --root ROOT` (default config, /etc only)
#      and how many `type: file` entries its live/files.yaml covers.
#  (b) `git twin snapshot` with nothing changed vs `git status --porcelain` in REF, warm,
#      30 interleaved rounds after 3 warm-up rounds (date-based timing, medians).
#      Checks that the no-change snapshot made no commit, and counts the processes it
#      spawns (strace -f -e trace=execve) when strace is installed.
#  (c) snapshot after `gen_tree.py mutate --seed 1` (10 changed, 5 added, 5 removed) vs
#      `git add -A && git commit -qm x` in REF after the same mutate round on REF (the
#      round counter lives in ROOT.mutate-round / REF.mutate-round, so both trees get the
#      same changes).  K rounds, interleaved; each measured snapshot must commit.
#      (c) runs with no plan/latest.yaml in the twin (nothing has run `git twin plan` yet).
#  (d) hook cost: `git twin plan` and `git twin status` on the same twin with nothing
#      changed (after (c), whose last snapshot left the twin in sync) vs
#      `git status --porcelain` in REF, hyperfine --warmup 1 --runs 5.  Both must report
#      nothing pending (--exit-code rc 0) and must leave HEAD and the work tree alone.
#      The post-checkout/merge/rewrite hooks re-plan the same way (refresh_plan).
#  (e) one more mutate round, now with the plan/latest.yaml that (d) left: the snapshot's
#      commit moves HEAD past the plan, so `git twin snapshot` makes the plan again
#      (reconcile_plan).  k=1, against the same reference as (c).
#
# Automatic gc is off in the bench's git configuration (gc.auto 0, maintenance.auto false):
# a first capture leaves ~20k loose objects, and the `git gc --auto` that the next commit
# detaches would repack in the background during the following measurements.  Nor is gc
# run by hand: its prune deletes those ~20k loose files, which slows every file creation
# after it (the ext4 trap below).  So (b) to (e) run on unpacked repositories, both sides.
#
# One-shot operations are timed with date +%s%N around the command (subshell included).
# Goals printed with the table: no-change ratio <= 2.0 vs `git status --porcelain`,
# first-snapshot ratio <= 1.5 vs `git add -A && git commit`.
#
# The root filesystem here is ext4 without a journal: right after deleting a large tree,
# creating files is 10-30x slower for minutes.  So nothing is deleted until the very end
# (old trees and .git dirs are renamed aside), and every ratio compares against a
# reference measured in the same run.  On 2 cores the run takes a few minutes, most of
# it in (a).

set -u -o pipefail

N=20000
OUT=/tmp/git-twin-bench.txt
KEEP=0
ROUNDS=3
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
BIN_DIR=$REPO_DIR/build/git-twin
GEN=/work/shared/bench/gen_tree.py
PARENT=${TMPDIR:-/tmp}
SEED=1

usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case $1 in
    --n) N=$2; shift 2 ;;
    --n=*) N=${1#*=}; shift ;;
    --out) OUT=$2; shift 2 ;;
    --out=*) OUT=${1#*=}; shift ;;
    --keep) KEEP=1; shift ;;
    --workdir) PARENT=$2; shift 2 ;;
    --bin) BIN_DIR=$2; shift 2 ;;
    --gen) GEN=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 >&2 ;;
  esac
done

die() { echo "error: $*" >&2; exit 1; }
[ -x "$BIN_DIR/git-twin" ] || die "no git-twin binary in $BIN_DIR (cmake --build build --target git-twin)"
[ -f "$GEN" ] || die "no gen_tree.py at $GEN"
command -v python3 >/dev/null || die "python3 is required"
[ "$(id -u)" = 0 ] || echo "warning: not root; gen_tree.py skips the ownership part" >&2

export LC_ALL=C TZ=UTC

WORK=$(mktemp -d "$PARENT/git-twin-bench.XXXXXX") || die "cannot create a work directory"
cleanup() {
  if [ "$KEEP" = 1 ]; then
    echo "kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# A private copy of the binary: a rebuild by someone else mid-run must not change it.
mkdir -p "$WORK/bin" && cp "$BIN_DIR/git-twin" "$WORK/bin/git-twin" || die "cannot copy git-twin"
BIN_STAMP="$(stat -c '%y' "$BIN_DIR/git-twin" | cut -d. -f1), $(sha256sum "$WORK/bin/git-twin" | cut -c1-12)"
# The source the binary most likely came from: HEAD when it was copied, and whether product
# files had uncommitted edits then (tests/ excluded); the repo may move on during the run.
REPO_HEAD=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
REPO_DIRTY=$(git -C "$REPO_DIR" status --porcelain --untracked-files=no -- . ':!tests' 2>/dev/null | wc -l)
export PATH="$WORK/bin:$PATH"
ROOT=$WORK/root          # the system root the twins observe (ROOT/etc, ROOT/home)
REF=$WORK/ref            # cp -a of ROOT, a plain git repository for the reference
EMPTY=$WORK/empty-root   # root for `git twin init` before the config names ROOT
TRASH=$WORK/trash        # things renamed aside, deleted at the end
LOG=$OUT.log
mkdir -p "$EMPTY" "$TRASH" "$(dirname "$OUT")"
: >"$LOG"

# Isolated git configuration with an identity, shared by git-twin and the reference.
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=$WORK/gitconfig
git config --global user.name "git-twin bench"
git config --global user.email "bench@example.invalid"
git config --global init.defaultBranch main
# No automatic `git gc --auto`: after a 20k-object first capture it detaches a repack that
# burns ~20 s of CPU in the background and skews whatever is measured next (it did: the
# reference rounds of (a) and the no-change runs of (b)).
git config --global gc.auto 0
git config --global maintenance.auto false

ANOMALIES=()
anomaly() { ANOMALIES+=("$*"); echo "ANOMALY: $*" | tee -a "$LOG" >&2; }
say() { echo "== $*" | tee -a "$LOG" >&2; }

# timed CMD...: runs CMD (stdout/stderr appended to the log), sets MS and RC.
timed() {
  local t0 t1
  echo "\$ $*" >>"$LOG"
  t0=$(date +%s%N)
  "$@" >>"$LOG" 2>&1
  RC=$?
  t1=$(date +%s%N)
  MS=$(( (t1 - t0) / 1000000 ))
  echo "-> rc=$RC ${MS} ms" >>"$LOG"
}

median() { # numbers as arguments
  [ $# -gt 0 ] || { echo NA; return; }
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {
    if (NR == 0) { print "NA"; exit }
    if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.2f", a / b }'; }
fmt_ms() { awk -v x="$1" 'BEGIN { if (x == "NA") print "NA"; else if (x >= 1000) printf "%.2f s", x / 1000; else printf "%.1f ms", x }'; }
verdict() { # ratio goal
  awk -v r="$1" -v g="$2" 'BEGIN { if (r == "NA") print "n/a"; else if (r <= g) print "MET"; else print "MISSED" }'
}
head_of() { git -C "$1" rev-parse -q --verify HEAD 2>/dev/null || echo none; }
count_commits() { git -C "$1" rev-list --count HEAD 2>/dev/null || echo 0; }
files_covered() { grep -c '^ *type: file$' "$1/live/files.yaml" 2>/dev/null || echo 0; }

# A twin made on an empty root whose config then names ROOT and [/etc, /home].
make_twin() { # DIR
  local dir=$1
  git twin init "$dir" --root "$EMPTY" >>"$LOG" 2>&1 || return 1
  # the default config lists exactly one filesystem root, "  - /etc"
  sed -i -e "s|^root: .*|root: $ROOT|" -e 's|^  - /etc$|  - /etc\n  - /home|' "$dir/config.yaml"
  grep -A2 '^filesystem_roots:' "$dir/config.yaml" | grep -q '^  - /home$' || return 1
  grep -q "^root: $ROOT\$" "$dir/config.yaml" || return 1
  git -C "$dir" commit -qam "bench: root $ROOT, filesystem_roots [/etc, /home]" >>"$LOG" 2>&1
}

# `git twin` runs the first git-twin in git's exec-path, then in PATH: an installed copy in
# the exec-path would be measured instead of ours.
if [ -e "$(git --exec-path)/git-twin" ]; then
  die "$(git --exec-path)/git-twin exists: 'git twin' would run it instead of $WORK/bin/git-twin"
fi

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# A nearly full filesystem makes ext4 slow to allocate, and the twin, which writes three
# times the reference's files, pays more for it (here, at 95% full, its first snapshots took
# 7.1-9.3 s; at 67-69%, 5.8-7.8 s); a page cache filled with old trees adds reclaim to both.
DISK_USE=$(df --output=pcent "$WORK" | tail -n 1 | tr -dc 0-9)
[ "${DISK_USE:-0}" -ge 90 ] && anomaly "the work directory's filesystem is ${DISK_USE}% full: ext4 allocates slowly, (a) is skewed"
say "git-twin bench: n=$N seed=$SEED rounds=$ROUNDS work=$WORK binary=$(command -v git-twin) ($BIN_STAMP)"
say "$(git --version); $(nproc) cpus; kernel $(uname -r)"

# --- the tree --------------------------------------------------------------------------
say "generating $N files into $ROOT"
timed python3 "$GEN" create --n "$N" --seed "$SEED" --out "$ROOT"
[ "$RC" = 0 ] || die "gen_tree.py create failed (see $LOG)"
GEN_MS=$MS
python3 "$GEN" stats --dir "$ROOT" | tee -a "$LOG" >&2
timed cp -a "$ROOT" "$REF"
[ "$RC" = 0 ] || die "cp -a failed"
sync

# --- (a) first capture: reference and git-twin, interleaved ----------------------------
# K rounds of (reference capture, first snapshot of a fresh twin). Each timed command starts
# after `sync`: a capture writes ~100-300 MB, and the next command would otherwise pay for
# its writeback (this machine's timings of either side varied 2x without it).
say "(a) first capture: git init && git add -A && git commit vs a fresh twin's first 'git twin snapshot' over [/etc, /home], $ROUNDS interleaved rounds"
REF_A=() TWIN_A=()
FIRST_HOW="git twin snapshot" FIRST_RC=0
for i in $(seq 1 "$ROUNDS"); do
  [ -d "$REF/.git" ] && mv "$REF/.git" "$TRASH/ref-git.$i"
  sync
  timed bash -c 'cd "$1" && git init -q && git add -A && git commit -qm x' _ "$REF"
  [ "$RC" = 0 ] || anomaly "reference first capture failed (rc=$RC)"
  REF_A+=("$MS")
  TWIN=$WORK/twin.$i
  make_twin "$TWIN" || die "could not create the twin in $TWIN (see $LOG)"
  before=$(head_of "$TWIN")
  sync
  timed bash -c 'cd "$1" && git twin snapshot' _ "$TWIN"
  after=$(head_of "$TWIN")
  if [ "$RC" != 0 ] || [ "$before" = "$after" ]; then
    err=$(tail -n 40 "$LOG" | grep -i -m1 'error' || true)
    anomaly "first 'git twin snapshot' (n=$N, round $i) failed: rc=$RC after ${MS} ms, HEAD ${before:0:12} -> ${after:0:12}: ${err:-no message}"
    FIRST_RC=$RC FIRST_HOW="git twin snapshot (a round failed)"
    TWIN_A+=(NA)
  else
    TWIN_A+=("$MS")
  fi
done
REF_FILES=$(git -C "$REF" ls-files | wc -l)
REF_A_MED=$(median "${REF_A[@]}")
FIRST_MS=NA
ok_runs=()
for ms in "${TWIN_A[@]}"; do [ "$ms" = NA ] || ok_runs+=("$ms"); done
[ ${#ok_runs[@]} -gt 0 ] && FIRST_MS=$(median "${ok_runs[@]}")
say "reference first capture: ${REF_A[*]} ms (median $REF_A_MED), $REF_FILES paths in the index"
TWIN_FILES=$(files_covered "$TWIN")
[ -n "$(git -C "$TWIN" status --porcelain)" ] && anomaly "twin work tree not clean after the first snapshot"
say "first snapshot ($FIRST_HOW): ${TWIN_A[*]} ms (median $FIRST_MS), live/files.yaml covers $TWIN_FILES files"
[ "$TWIN_FILES" = "$N" ] || anomaly "first snapshot covers $TWIN_FILES of $N files"

# --- (a) for information: plain init, default config (/etc only) ----------------------
say "(a, info) git twin init --root ROOT with the default config (/etc only)"
timed git twin init "$WORK/plain" --root "$ROOT"
INIT_MS=$MS
[ "$RC" = 0 ] || { anomaly "plain 'git twin init' failed (rc=$RC)"; INIT_MS=NA; }
INIT_FILES=$(files_covered "$WORK/plain")
say "plain init: ${INIT_MS} ms, covers $INIT_FILES files"

# --- (b) nothing changed ---------------------------------------------------------------
say "(b) no-change snapshot vs git status --porcelain"
heads_before=$(head_of "$TWIN") commits_before=$(count_commits "$TWIN")
# Interleaved rounds, one of each per round: this machine's speed drifts by half within a
# minute, and two back-to-back series would measure the drift.
a=() b=()
for i in 1 2 3; do git -C "$TWIN" twin snapshot >/dev/null 2>&1; git -C "$REF" status --porcelain >/dev/null; done
for i in $(seq 1 30); do
  timed git -C "$TWIN" twin snapshot; a+=("$MS")
  timed git -C "$REF" status --porcelain; b+=("$MS")
done
NC_TWIN=$(median "${a[@]}") NC_REF=$(median "${b[@]}")
NC_TOOL="interleaved, warmup 3, runs 30"
say "(b) twin runs (ms): ${a[*]}"
say "(b) reference runs (ms): ${b[*]}"
[ "$(head_of "$TWIN")" = "$heads_before" ] && [ "$(count_commits "$TWIN")" = "$commits_before" ] ||
  anomaly "a no-change snapshot committed (HEAD ${heads_before:0:12} -> $(head_of "$TWIN" | cut -c1-12))"
[ -n "$(git -C "$REF" status --porcelain)" ] && anomaly "reference repo is not clean in (b)"

EXECVE="n/a (no strace)"
if command -v strace >/dev/null; then
  (cd "$TWIN" && strace -f -e trace=execve -o "$WORK/execve.trace" git twin snapshot) >>"$LOG" 2>&1
  # one line per execve attempt; PATH lookups that fail (ENOENT) are attempts too
  ok=$(grep -c 'execve(.*= 0$' "$WORK/execve.trace" || true)
  all=$(grep -c 'execve(' "$WORK/execve.trace" || true)
  progs=$(grep 'execve(.*= 0$' "$WORK/execve.trace" | sed -E 's/.*execve\("([^"]*)", \[([^]]*)\].*/\2/' |
          cut -d, -f1-2 | tr -d '"' | sort | uniq -c | sed 's/^ */  /')
  EXECVE="$ok successful execve ($all attempts incl. PATH lookups)"
  say "no-change snapshot under strace: $EXECVE"
  printf '%s\n' "$progs" | tee -a "$LOG" >&2
  # the two expected ones: git (for "git twin") and the git-twin binary it runs
  own=$(grep 'execve(.*= 0$' "$WORK/execve.trace" | grep -c '\["git", "twin"\|/git-twin", \[' || true)
  EXECVE_CHILDREN="$((ok - own)) (beyond git -> git-twin itself)"
fi

# --- (c) after mutate ------------------------------------------------------------------
say "(c) snapshot after mutate (10 changed, 5 added, 5 removed), $ROUNDS rounds"
C_TWIN=() C_REF=() C_PATHS=()
for i in $(seq 1 "$ROUNDS"); do
  python3 "$GEN" mutate --dir "$ROOT" --seed "$SEED" -v >>"$LOG" 2>&1 || anomaly "mutate ROOT failed"
  python3 "$GEN" mutate --dir "$REF" --seed "$SEED" -v >>"$LOG" 2>&1 || anomaly "mutate REF failed"
  before=$(head_of "$TWIN")
  timed bash -c 'cd "$1" && git twin snapshot' _ "$TWIN"
  after=$(head_of "$TWIN") t_ms=NA paths=NA r_ms=NA
  if [ "$RC" != 0 ] || [ "$before" = "$after" ]; then
    anomaly "round $i: snapshot after mutate did not commit (rc=$RC)"
  else
    t_ms=$MS paths=$(git -C "$TWIN" diff --name-only "$before" "$after" -- filesystem | wc -l)
    C_TWIN+=("$t_ms") C_PATHS+=("$paths")
  fi
  before=$(head_of "$REF")
  timed bash -c 'cd "$1" && git add -A && git commit -qm x' _ "$REF"
  after=$(head_of "$REF")
  if [ "$RC" != 0 ] || [ "$before" = "$after" ]; then
    anomaly "round $i: reference add+commit after mutate did not commit (rc=$RC)"
  else
    r_ms=$MS ref_paths=$(git -C "$REF" diff --name-only "$before" "$after" | wc -l)
    C_REF+=("$r_ms")
    [ "$paths" = NA ] || [ "$paths" = "$ref_paths" ] ||
      anomaly "round $i: twin committed $paths desired paths, reference $ref_paths"
  fi
  say "round $i: twin $t_ms ms (desired paths in commit: $paths), reference $r_ms ms"
done
[ -n "$(git -C "$TWIN" status --porcelain)" ] && anomaly "twin work tree not clean after (c)"
C_TWIN_MED=$(median "${C_TWIN[@]}")
C_REF_MED=$(median "${C_REF[@]}")

# --- (d) hook cost: plan and status with nothing changed --------------------------------
# The post-checkout/merge/rewrite hooks re-plan (refresh_plan) like `git twin plan`, so its
# no-change cost on the same twin matters next to `git status --porcelain`.  Measured after
# (c): the last snapshot committed and moved the sync base, so the twin is in sync and both
# must report nothing pending (--exit-code rc 0).  REF is clean too (its add+commit
# followed the same mutate).
say "(d) git twin plan / git twin status with nothing changed vs git status --porcelain"
heads_before=$(head_of "$TWIN")
PLAN_OK=1
for sub in plan status; do
  timed bash -c 'cd "$1" && git twin "$2" --exit-code' _ "$TWIN" "$sub"
  [ "$RC" = 0 ] || { anomaly "'git twin $sub --exit-code' on the synced twin: rc=$RC (expected 0)"; PLAN_OK=0; }
done
[ -n "$(git -C "$TWIN" status --porcelain)" ] && anomaly "twin work tree not clean after 'git twin plan'"
JSON_D=$OUT.hook.hyperfine.json
if command -v hyperfine >/dev/null; then
  (cd "$TWIN" && hyperfine -N --style basic --warmup 1 --runs 5 --export-json "$JSON_D" \
     -n "git twin plan (no change)" "git twin plan" \
     -n "git twin status (no change)" "git twin status" \
     -n "git status --porcelain" "git -C $REF status --porcelain") 2>&1 | tee -a "$LOG" >&2
  read -r PLAN_MS STATUS_MS D_REF < <(python3 - "$JSON_D" <<'EOF2'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(" ".join("%.1f" % (x["median"] * 1000) for x in r))
EOF2
  ) || { anomaly "hyperfine for (d) failed"; PLAN_MS=NA STATUS_MS=NA D_REF=NA; }
  D_TOOL="hyperfine --warmup 1 --runs 5"
else
  a=() b=() c=()
  (cd "$TWIN" && git twin plan && git twin status) >/dev/null 2>&1
  for i in $(seq 1 5); do
    timed bash -c 'cd "$1" && git twin plan' _ "$TWIN"; a+=("$MS")
    timed bash -c 'cd "$1" && git twin status' _ "$TWIN"; b+=("$MS")
    timed git -C "$REF" status --porcelain; c+=("$MS")
  done
  PLAN_MS=$(median "${a[@]}") STATUS_MS=$(median "${b[@]}") D_REF=$(median "${c[@]}")
  D_TOOL="date loop, warmup 1, runs 5"
fi
[ "$(head_of "$TWIN")" = "$heads_before" ] || anomaly "'git twin plan'/'status' moved HEAD"

# --- (e) snapshot after mutate with a saved plan ----------------------------------------
# (d) left plan/latest.yaml; a snapshot that commits moves HEAD past the plan's
# desired_commit, and `git twin snapshot` then makes the plan again (reconcile_plan).  One
# more mutate round measures that, against the same reference as (c).
say "(e) snapshot after mutate with plan/latest.yaml present (re-plans after committing)"
E_TWIN=NA E_REF=NA E_REPLANNED=no
if [ -f "$TWIN/plan/latest.yaml" ]; then
  python3 "$GEN" mutate --dir "$ROOT" --seed "$SEED" -v >>"$LOG" 2>&1 || anomaly "mutate ROOT failed"
  python3 "$GEN" mutate --dir "$REF" --seed "$SEED" -v >>"$LOG" 2>&1 || anomaly "mutate REF failed"
  before=$(head_of "$TWIN")
  log_lines=$(wc -l <"$LOG")
  timed bash -c 'cd "$1" && git twin snapshot' _ "$TWIN"
  if [ "$RC" != 0 ] || [ "$before" = "$(head_of "$TWIN")" ]; then
    anomaly "(e) snapshot after mutate did not commit (rc=$RC)"
  else
    E_TWIN=$MS
  fi
  tail -n +"$((log_lines + 1))" "$LOG" | grep -q 'plan/latest.yaml was made for an earlier HEAD' && E_REPLANNED=yes
  before=$(head_of "$REF")
  timed bash -c 'cd "$1" && git add -A && git commit -qm x' _ "$REF"
  [ "$RC" = 0 ] && [ "$before" != "$(head_of "$REF")" ] && E_REF=$MS ||
    anomaly "(e) reference add+commit did not commit (rc=$RC)"
  say "(e) twin $E_TWIN ms (re-planned: $E_REPLANNED), reference $E_REF ms"
else
  anomaly "(e) skipped: no plan/latest.yaml after (d)"
fi

# --- report ----------------------------------------------------------------------------
R_FIRST=$(ratio "$FIRST_MS" "$REF_A_MED")
R_NC=$(ratio "$NC_TWIN" "$NC_REF")
R_C=$(ratio "$C_TWIN_MED" "$C_REF_MED")
R_PLAN=$(ratio "$PLAN_MS" "$D_REF")
R_E=$(ratio "$E_TWIN" "$E_REF")
R_STATUS=$(ratio "$STATUS_MS" "$D_REF")
ELAPSED=$(( $(date +%s) - START ))
{
  echo "git-twin snapshot benchmark — $(date -u '+%Y-%m-%d %H:%M:%SZ'), $(hostname), $(nproc) cpus"
  echo "tree: gen_tree.py create --n $N --seed $SEED ($REF_FILES paths in the reference index; generated in $(fmt_ms "$GEN_MS"))"
  echo "binary: copy of $BIN_DIR/git-twin (built $BIN_STAMP; repo HEAD at the copy $REPO_HEAD$([ "$REPO_DIRTY" = 0 ] || echo ", $REPO_DIRTY product files with uncommitted edits"))"
  echo "load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews single runs); filesystem ${DISK_USE}% full at the start"
  echo
  printf '%-44s %14s %14s %8s  %s\n' "operation" "git-twin med" "reference med" "ratio" "reference"
  printf '%-44s %14s %14s %8s  %s\n' "(a) first snapshot, $TWIN_FILES files" "$(fmt_ms "$FIRST_MS")" \
    "$(fmt_ms "$REF_A_MED")" "$R_FIRST" "git init && git add -A && git commit (k=$ROUNDS, interleaved)"
  printf '%-44s %14s %14s %8s  %s\n' "(b) snapshot, nothing changed" "$(fmt_ms "$NC_TWIN")" \
    "$(fmt_ms "$NC_REF")" "$R_NC" "git status --porcelain ($NC_TOOL)"
  printf '%-44s %14s %14s %8s  %s\n' "(c) snapshot after mutate 10/5/5" "$(fmt_ms "$C_TWIN_MED")" \
    "$(fmt_ms "$C_REF_MED")" "$R_C" "git add -A && git commit (k=$ROUNDS)"
  printf '%-44s %14s %14s %8s  %s\n' "(d) git twin plan, nothing changed" "$(fmt_ms "$PLAN_MS")" \
    "$(fmt_ms "$D_REF")" "$R_PLAN" "git status --porcelain ($D_TOOL)"
  printf '%-44s %14s %14s %8s  %s\n' "(d) git twin status, nothing changed" "$(fmt_ms "$STATUS_MS")" \
    "$(fmt_ms "$D_REF")" "$R_STATUS" "git status --porcelain ($D_TOOL)"
  printf '%-44s %14s %14s %8s  %s\n' "(e) snapshot after mutate, saved plan" "$(fmt_ms "$E_TWIN")" \
    "$(fmt_ms "$E_REF")" "$R_E" "git add -A && git commit (k=1; twin re-planned: $E_REPLANNED)"
  printf '%-44s %14s %14s %8s  %s\n' "(info) git twin init, /etc only, $INIT_FILES files" \
    "$(fmt_ms "$INIT_MS")" "-" "-" "default config"
  echo
  echo "goals:"
  echo "  no-change snapshot <= 2.0 x git status --porcelain : ratio $R_NC -> $(verdict "$R_NC" 2.0)"
  echo "  first snapshot     <= 1.5 x git add -A && commit   : ratio $R_FIRST -> $(verdict "$R_FIRST" 1.5)"
  echo
  echo "details:"
  echo "  (a) first snapshot measured as: $FIRST_HOW"
  echo "  (a) twin runs (ms): ${TWIN_A[*]}"
  echo "  (a) reference runs (ms): ${REF_A[*]}"
  echo "  (c) twin runs (ms): ${C_TWIN[*]:-none}; desired paths per commit: ${C_PATHS[*]:-none}"
  echo "  (c) reference runs (ms): ${C_REF[*]:-none}"
  echo "  (b) processes spawned by a no-change snapshot: $EXECVE; git children: ${EXECVE_CHILDREN:-n/a}"
  echo "  (d) plan/status --exit-code on the synced twin reported nothing pending: $([ "$PLAN_OK" = 1 ] && echo yes || echo NO)"
  echo "  hyperfine JSON: $JSON_D; log: $LOG; wall time of this run: ${ELAPSED} s"
  if [ ${#ANOMALIES[@]} -gt 0 ]; then
    echo
    echo "anomalies:"
    printf '  - %s\n' "${ANOMALIES[@]}"
  fi
} | tee "$OUT"
