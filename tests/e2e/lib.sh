# Shared setup for the end-to-end scripts, in the style of git's t/test-lib.sh.
# Each tNNNN-*.sh does: source "$TWIN_TEST_LIB", then assertions, then `finish`.
#
# The script gets a trash directory ($TRASH, removed on success, kept on failure), an
# isolated git environment with an identity, and the installed git-twin first on PATH.
# Assertions print TAP-like lines ("ok 3 - ...", "not ok 4 - ...").
# Exit 125 (skip_all) tells ctest the script was skipped.

set -u

if [ -z "${TWIN_TEST_PREFIX:-}" ]; then
  echo "error: TWIN_TEST_PREFIX is not set; run the scripts through ctest" \
       "(ctest -R e2e) or set it to an install prefix (cmake --install build --prefix P)" >&2
  exit 1
fi
if [ ! -x "$TWIN_TEST_PREFIX/bin/git-twin" ]; then
  echo "error: no git-twin in $TWIN_TEST_PREFIX/bin; install it there first" >&2
  exit 1
fi

TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/twin-$TEST_NAME.XXXXXX") || exit 1
OUT=$TRASH/stdout    # stdout of the last `run`/`expect_exit`
ERR=$TRASH/stderr    # stderr of the last `run`/`expect_exit`

# --- isolated environment --------------------------------------------------------------
export HOME=$TRASH/home
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=$TRASH/gitconfig
export LC_ALL=C TZ=UTC
export PATH=$TWIN_TEST_PREFIX/bin:$PATH
unset GIT_TWIN_ROOT GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_CEILING_DIRECTORIES \
      GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL EMAIL \
      NO_COLOR MANPATH
mkdir -p "$HOME"
git config --global user.name "Twin Tester"
git config --global user.email "tester@example.invalid"
git config --global init.defaultBranch main

# --- results ---------------------------------------------------------------------------
PASSED=0
FAILED=0
COUNT=0
SECTION=""
FINISHED=""

# section NAME: a label put in front of the following assertions.
section() { SECTION=$1; echo "# $1"; }

ok() {
  COUNT=$((COUNT + 1)); PASSED=$((PASSED + 1))
  echo "ok $COUNT - ${SECTION:+$SECTION: }$1"
}

fail() {
  COUNT=$((COUNT + 1)); FAILED=$((FAILED + 1))
  echo "not ok $COUNT - ${SECTION:+$SECTION: }$1"
  shift
  for line in "$@"; do echo "#   $line"; done
}

# check DESC CMD...: passes when CMD exits 0.
check() {
  local desc=$1; shift
  if "$@" >"$TRASH/check.out" 2>&1; then ok "$desc"
  else fail "$desc" "command failed: $*" "$(head -c 2000 "$TRASH/check.out")"; fi
}

# check_not DESC CMD...: passes when CMD exits non-zero.
check_not() {
  local desc=$1; shift
  if "$@" >"$TRASH/check.out" 2>&1; then fail "$desc" "command succeeded: $*"
  else ok "$desc"; fi
}

# expect_eq EXPECTED ACTUAL [DESC]
expect_eq() {
  local desc=${3:-"'$2' = '$1'"}
  if [ "$1" = "$2" ]; then ok "$desc"
  else fail "$desc" "expected: '$1'" "actual:   '$2'"; fi
}

# expect_ne UNEXPECTED ACTUAL [DESC]
expect_ne() {
  local desc=${3:-"'$2' != '$1'"}
  if [ "$1" != "$2" ]; then ok "$desc"; else fail "$desc" "both are: '$1'"; fi
}

# expect_contains FILE TEXT: FILE has a line containing TEXT (fixed string).
expect_contains() {
  if [ -f "$1" ] && grep -qF -- "$2" "$1"; then ok "$(short "$1") contains '$2'"
  else fail "$(short "$1") contains '$2'" "$(show_file "$1")"; fi
}

# expect_not_contains FILE TEXT
expect_not_contains() {
  if [ -f "$1" ] && ! grep -qF -- "$2" "$1"; then ok "$(short "$1") lacks '$2'"
  else fail "$(short "$1") lacks '$2'" "$(show_file "$1")"; fi
}

# expect_file FILE / expect_no_file FILE: exists as a regular file / does not exist at all.
expect_file() {
  if [ -f "$1" ] && [ ! -L "$1" ]; then ok "$(short "$1") is a file"
  else fail "$(short "$1") is a file" "$(ls -ld "$1" 2>&1)"; fi
}
expect_no_file() {
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then ok "$(short "$1") does not exist"
  else fail "$(short "$1") does not exist" "$(ls -ld "$1" 2>&1)"; fi
}

# run CMD...: runs CMD with stdout in $OUT and stderr in $ERR; sets $RC.
run() {
  "$@" >"$OUT" 2>"$ERR"
  RC=$?
}

# expect_exit CODE CMD...: runs CMD like `run` and checks its exit status.
expect_exit() {
  local want=$1; shift
  run "$@"
  if [ "$RC" = "$want" ]; then ok "exit $want: $*"
  else fail "exit $want: $*" "actual exit: $RC" "stdout: $(head -c 1500 "$OUT")" \
            "stderr: $(head -c 1500 "$ERR")"; fi
}

short() { echo "${1#"$TRASH"/}"; }
show_file() {
  if [ -f "$1" ]; then echo "--- $(short "$1"):"; head -c 1000 "$1"; else echo "(no file $1)"; fi
}

# --- helpers ---------------------------------------------------------------------------

# sha FILE: the sha256 of a file.
sha() { sha256sum "$1" | cut -d' ' -f1; }

# yaml_entry FILE PATH: the block of a files.yaml entry whose `path:` is PATH (the line
# "- path: PATH" and the indented lines after it), for grepping one entry's fields.
yaml_entry() {
  awk -v p="$2" '
    /^ *- / { inside = 0 }
    /^ *- path: / {
      v = $0; sub(/^ *- path: /, "", v)
      if (v == p || v == "\"" p "\"") inside = 1
    }
    inside { print }
  ' "$1"
}

# expect_nowhere_in_repo REPO TEXT: TEXT is in no file of the work tree or .git, in no
# commit's patch, and in no object of the object database (even unreachable ones).
expect_nowhere_in_repo() {
  local where=""
  grep -rqaF -- "$2" "$1" && where="$where work-tree-or-.git"
  git -C "$1" log -p --all | grep -qaF -- "$2" && where="$where git-log-p"
  git -C "$1" cat-file --batch-all-objects --batch | grep -qaF -- "$2" && where="$where objects"
  if [ -z "$where" ]; then ok "'$2' is nowhere in $(short "$1")"
  else fail "'$2' is nowhere in $(short "$1")" "found in:$where"; fi
}

# expect_not_in_objects REPO TEXT: TEXT may be in the work tree (a decrypted secret), but
# is in no file under .git, no object (even unreachable ones, packed or loose), and no
# commit's patch as stored (textconv off).
expect_not_in_objects() {
  local where=""
  grep -rqaF -- "$2" "$1/.git" && where="$where .git"
  git -C "$1" log -p --all --no-textconv | grep -qaF -- "$2" && where="$where git-log-p"
  git -C "$1" cat-file --batch-all-objects --batch | grep -qaF -- "$2" && where="$where objects"
  if [ -z "$where" ]; then ok "'$2' is stored only encrypted in $(short "$1")"
  else fail "'$2' is stored only encrypted in $(short "$1")" "found in:$where"; fi
}

# expect_encrypted_blob REPO REV:PATH: the blob git stores there is twin-crypt ciphertext.
expect_encrypted_blob() {
  local magic
  magic=$(git -C "$1" cat-file blob "$2" | head -c 10 | tail -c 9)
  expect_eq "TWINCRYPT" "$magic" "$2 is stored encrypted"
}

# make_fake_root DIR: a small Debian-like root. Secrets carry markers so that a grep can
# prove they never reach the twin: SHADOW-SECRET-MARKER, SSH-PRIVATE-KEY-MARKER.
make_fake_root() {
  local r=$1
  mkdir -p "$r/etc/ssh" "$r/etc/app" "$r/etc/empty.d" "$r/bin"
  echo "fakehost" >"$r/etc/hostname"
  cat >"$r/etc/os-release" <<'EOF'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
EOF
  cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
alice:x:1000:1000:Alice,,,:/home/alice:/bin/sh
EOF
  cat >"$r/etc/group" <<'EOF'
root:x:0:
alice:x:1000:
EOF
  cat >"$r/etc/shadow" <<'EOF'
root:$6$SHADOW-SECRET-MARKER$xyz:19000:0:99999:7:::
alice:$6$SHADOW-SECRET-MARKER$abc:19000:0:99999:7:::
EOF
  chmod 640 "$r/etc/shadow"
  printf '%s\n' "-----BEGIN OPENSSH PRIVATE KEY-----" "SSH-PRIVATE-KEY-MARKER" \
    "-----END OPENSSH PRIVATE KEY-----" >"$r/etc/ssh/ssh_host_ed25519_key"
  chmod 600 "$r/etc/ssh/ssh_host_ed25519_key"
  echo "ssh-ed25519 AAAAC3NzaPUBLIC-KEY-MARKER root@fakehost" \
    >"$r/etc/ssh/ssh_host_ed25519_key.pub"
  echo "Welcome to fakehost" >"$r/etc/motd"
  printf 'listen = 8080\nworkers = 4\n' >"$r/etc/app/app.conf"
  ln -s /usr/share/zoneinfo/Etc/UTC "$r/etc/localtime"
  mkfifo "$r/etc/fifo"
  echo "owned by nobody we know" >"$r/etc/orphan.conf"
  chown 4242:4242 "$r/etc/orphan.conf" 2>/dev/null || true
  head -c 2097152 /dev/zero | tr '\0' 'B' >"$r/etc/big.bin"
  cp /bin/sh "$r/bin/sh"
}

# in_twin DIR CMD...: runs CMD inside DIR (a subshell, so the cwd does not leak).
in_twin() { (cd "$1" && shift && "$@"); }

# --- end -------------------------------------------------------------------------------

cleanup_trash() {
  chmod -R u+rwx "$TRASH" 2>/dev/null
  rm -rf "$TRASH"
}

# skip_all REASON: the whole script does not apply here.
skip_all() {
  echo "1..0 # SKIP $*"
  FINISHED=1
  cleanup_trash
  exit 125
}

finish() {
  FINISHED=1
  echo "1..$COUNT"
  echo "$PASSED passed, $FAILED failed"
  if [ "$FAILED" -gt 0 ]; then
    echo "# trash directory kept: $TRASH"
    exit 1
  fi
  cleanup_trash
  exit 0
}

on_exit() {
  if [ -z "$FINISHED" ]; then
    echo "error: $TEST_NAME ended before 'finish' ($PASSED passed, $FAILED failed)"
    echo "# trash directory kept: $TRASH"
    exit 1
  fi
}
trap on_exit EXIT

# root_content ROOT: what a user checks of a machine after apply, resume or undo: paths,
# modes, owners, types, link targets and file contents, without backups (their number
# differs when an action ran twice) and without times.
root_content() {
  (cd "$1" && find . -path ./etc/fifo -prune -o -printf '%p %m %u %g %y %l\n' | grep -v twinbak |
     LC_ALL=C sort
   find . -type f ! -name '*.twinbak-*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# --- helpers for plan/apply/status (t0010-t0012) ---------------------------------------

# expect_line FILE LINE: FILE has a line that is exactly LINE.
expect_line() {
  if [ -f "$1" ] && grep -qxF -- "$2" "$1"; then ok "$(short "$1") has line '$2'"
  else fail "$(short "$1") has line '$2'" "$(show_file "$1")"; fi
}

# root_fingerprint DIR: everything about a tree that apply could change (paths, modes,
# owners, sizes, mtimes, types, symlink targets, and the content of regular files), for
# comparing a root before and after something that must not touch it.
root_fingerprint() {
  find "$1" -printf '%p %m %u %g %s %T@ %y %l\n' | LC_ALL=C sort
  find "$1" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
}

# state_entry_set FILE PATH KEY VALUE: in a files.yaml-like document, sets KEY of the entry
# whose `path:` is PATH (the line "    KEY: ..." inside that entry must exist).
state_entry_set() {
  local tmp
  tmp=$(mktemp "$TRASH/state.XXXXXX") || return 1
  awk -v p="$2" -v k="$3" -v v="$4" '
    /^ *- / { inside = 0 }
    /^ *- path: / {
      x = $0; sub(/^ *- path: /, "", x)
      if (x == p || x == "\"" p "\"") inside = 1
    }
    inside && $0 ~ "^ +" k ":" { match($0, /^ +/); $0 = substr($0, 1, RLENGTH) k ": " v }
    { print }
  ' "$1" >"$tmp" && mv "$tmp" "$1"
}

# state_entry_replace FILE PATH: replaces the entry whose `path:` is PATH by the lines read
# from stdin (which may be empty, to delete the entry).
state_entry_replace() {
  local tmp new
  tmp=$(mktemp "$TRASH/state.XXXXXX") || return 1
  new=$(cat)
  TWIN_NEW_ENTRY=$new awk -v p="$2" '
    BEGIN { new = ENVIRON["TWIN_NEW_ENTRY"] }
    /^ *- / { inside = 0 }
    /^[^ -]/ { inside = 0 }
    /^ *- path: / {
      x = $0; sub(/^ *- path: /, "", x)
      if (x == p || x == "\"" p "\"") { inside = 1; if (new != "") print new; next }
    }
    !inside { print }
  ' "$1" >"$tmp" && mv "$tmp" "$1"
}

# twin_owner TWIN FIELD: the owner (FIELD=owner) or group (FIELD=group) that the twin at
# TWIN records for /etc/motd: "root" when the tests run as root, the test user otherwise,
# so that entries the tests add can be applied either way.
twin_owner() {
  yaml_entry "$1/state/files.yaml" /etc/motd | sed -n "s/^ *$2: *//p" | tr -d '"'
}

# desire_file TWIN PATH CONTENT [MODE]: makes the twin at TWIN want a regular file PATH
# with CONTENT, owned like /etc/motd: writes TWIN/filesystem/PATH and appends its entry to
# TWIN/state/files.yaml (the file's `files:` list must be the last thing in it).
desire_file() {
  mkdir -p "$1/filesystem$(dirname "$2")"
  printf '%s\n' "$3" >"$1/filesystem$2"
  printf '  - path: %s\n    type: file\n    mode: "%s"\n    owner: "%s"\n    group: "%s"\n    twin_path: filesystem%s\n' \
    "$2" "${4:-0644}" "$(twin_owner "$1" owner)" "$(twin_owner "$1" group)" "$2" \
    >>"$1/state/files.yaml"
}

# --- helpers for the git workflow: hooks, time travel, remotes, lock (t0020-t0024) -------

# plan_commit [TWIN]: the desired_commit recorded in TWIN/plan/latest.yaml (empty if none).
plan_commit() {
  # A sha that YAML could misread (0b..., 1e5...) is written quoted.
  sed -n 's/^desired_commit: *"\{0,1\}\([0-9a-f]*\)"\{0,1\}$/\1/p' "${1:-.}/plan/latest.yaml" 2>/dev/null
}

# expect_clean [TWIN]: `git status --porcelain` in TWIN (default: the cwd) prints nothing.
expect_clean() {
  local s
  s=$(git -C "${1:-.}" status --porcelain)
  if [ -z "$s" ]; then ok "git status is clean${1:+ in $(short "$1")}"
  else fail "git status is clean${1:+ in $(short "$1")}" "$s"; fi
}

# expect_no_twin_output FILE: FILE has no line from git-twin (nothing starting "git-twin:").
expect_no_twin_output() {
  if [ -f "$1" ] && ! grep -q '^git-twin:' "$1"; then ok "$(short "$1") has nothing from git-twin"
  else fail "$(short "$1") has nothing from git-twin" "$(show_file "$1")"; fi
}

# now_ms: the time in milliseconds, for measuring how long a command took.
now_ms() { date +%s%3N; }

# hold_lock GIT_DIR SECONDS: holds the twin's repo lock (GIT_DIR/twin/lock) from a background
# process for SECONDS, the way another git-twin command would; returns once it is held.
# Sets LOCK_PID (one process: a shell that took the lock with flock(1) on an inherited
# descriptor and then became `sleep`), so `release_lock` (kill) frees it at once.
hold_lock() {
  local lock=$1/twin/lock i
  mkdir -p "$1/twin"
  ( exec 9>>"$lock" && flock 9 && exec sleep "$2" ) &
  LOCK_PID=$!
  for i in $(seq 200); do
    flock -n "$lock" true 2>/dev/null || return 0
    sleep 0.02
  done
  return 1
}

# release_lock: ends the process that hold_lock started (nothing if none).
release_lock() {
  if [ -n "${LOCK_PID:-}" ]; then
    kill "$LOCK_PID" 2>/dev/null
    wait "$LOCK_PID" 2>/dev/null
    LOCK_PID=""
  fi
}
