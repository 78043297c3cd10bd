# Promise: every command has a manual page of its own, installed where man and `git help`
# find it, and `git twin <command> --help` opens it; the repository format is gittwin(5);
# bash completion completes `git twin` and `git-twin`: commands, each command's options,
# and the values of --prefer, --root and restore's revision.
#
# Needs man (man-db). The completion checks use git's own completion script; the on-demand
# loading through bash-completion is checked only when the bash-completion package is
# installed (TWIN_BASH_COMPLETION and TWIN_GIT_COMPLETION override where the scripts are).
source "$TWIN_TEST_LIB"

if ! command -v man >/dev/null 2>&1; then
  skip_all "man is not installed (Debian package man-db)"
fi
export MANPATH=$TWIN_TEST_PREFIX/share/man MANPAGER=cat PAGER=cat GIT_PAGER=cat MANWIDTH=80
MAN1=$TWIN_TEST_PREFIX/share/man/man1
commands="init snapshot plan apply undo status adopt restore pull push logs validate key doctor hook merge-driver filter-process textconv"

section "man finds every page"
for cmd in $commands; do
  expect_eq "$MAN1/git-twin-$cmd.1" "$(man -w "git-twin-$cmd" 2>&1)" "man -w git-twin-$cmd"
done
expect_eq "$MAN1/git-twin.1" "$(man -w git-twin 2>&1)" "man -w git-twin"
run man -w git-twin-check-deps
check "check-deps (an alias) finds the doctor page" grep -q 'git-twin-doctor\.1$' "$OUT"
expect_eq "$TWIN_TEST_PREFIX/share/man/man5/gittwin.5" "$(man -w gittwin 2>&1)" "man -w gittwin"
expect_eq "$TWIN_TEST_PREFIX/share/man/man5/gittwin.5" "$(man -w 5 gittwin 2>&1)" "man -w 5 gittwin"

section "every page renders without warnings"
for page in "$MAN1"/git-twin*.1 "$TWIN_TEST_PREFIX"/share/man/man5/gittwin.5; do
  [ -L "$page" ] && continue
  man --warnings -l "$page" >/dev/null 2>"$TRASH/warnings"
  expect_eq "" "$(cat "$TRASH/warnings")" "man --warnings: $(basename "$page")"
  if command -v groff >/dev/null 2>&1; then
    groff -man -ww -z "$page" >/dev/null 2>"$TRASH/warnings"
    expect_eq "" "$(cat "$TRASH/warnings")" "groff -ww: $(basename "$page")"
  fi
done

section "every command page has the sections of a git manual page"
for cmd in $commands; do
  missing=""
  for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -qxE "\.SH \"?$s\"?" "$MAN1/git-twin-$cmd.1" || missing="$missing '$s'"
  done
  expect_eq "" "$missing" "git-twin-$cmd.1 has NAME, SYNOPSIS, ..., SEE ALSO"
done

section "git-twin(1) points to every command's page"
run man git-twin
for cmd in $commands; do
  check "git-twin(1) names git-twin-$cmd(1)" grep -qF "git-twin-$cmd(1)" "$OUT"
done
check "git-twin(1) names gittwin(5)" grep -qF "gittwin(5)" "$OUT"
for topic in "post-checkout" "post-merge" "post-rewrite" "pre-commit" "git twin doctor" \
             "refs/twin/base" "TIME TRAVEL"; do
  check "git-twin(1) mentions '$topic'" grep -qF -- "$topic" "$OUT"
done

section "--help opens the command's page"
mkdir "$TRASH/plain"
for cmd in $commands check-deps; do
  page=$cmd
  [ "$cmd" = check-deps ] && page=doctor
  upper=$(echo "GIT-TWIN-$page" | tr '[:lower:]' '[:upper:]')
  run in_twin "$TRASH/plain" git twin "$cmd" --help
  if [ "$RC" = 0 ] && grep -qF "$upper" "$OUT" && grep -qE "^ +git-twin-$page[ ,]" "$OUT"; then
    ok "git twin $cmd --help shows $upper"
  else
    fail "git twin $cmd --help shows $upper" "exit: $RC" "stdout: $(head -c 600 "$OUT")" \
         "stderr: $(head -c 600 "$ERR")"
  fi
done
expect_exit 0 git twin apply -h
expect_contains "$OUT" "GIT-TWIN-APPLY"
expect_exit 0 git twin help restore
expect_contains "$OUT" "GIT-TWIN-RESTORE"
expect_exit 0 git help twin
expect_contains "$OUT" "GIT-TWIN(1)"
expect_exit 0 git twin --help
expect_contains "$OUT" "GIT-TWIN(1)"
expect_exit 0 man gittwin
expect_contains "$OUT" "GITTWIN(5)"
expect_contains "$OUT" "plan/history/"
expect_contains "$OUT" "pre_commit_snapshot"

# --- bash completion -------------------------------------------------------------------
TWIN_COMPLETION=$TWIN_TEST_PREFIX/share/bash-completion/completions/git-twin
GIT_COMPLETION=${TWIN_GIT_COMPLETION:-/usr/share/bash-completion/completions/git}
BASH_COMPLETION=${TWIN_BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}

section "completion file"
expect_file "$TWIN_COMPLETION"
check "it is valid bash" bash -n "$TWIN_COMPLETION"

section "options that completion offers exist and are documented"
# Each option is tried outside a twin (or, for init, with a root that does not exist), so
# that it is parsed and then the command fails before doing anything: 129 would mean the
# option is unknown.
mkdir "$TRASH/empty"
for cmd in init snapshot plan apply undo status adopt restore pull doctor logs; do
  opts=$(bash --norc --noprofile -c '. "$1" >/dev/null 2>&1; __git_twin_options "$2"' _ \
           "$TWIN_COMPLETION" "$cmd")
  [ -n "$opts" ] || fail "completion lists options for $cmd"
  man "git-twin-$cmd" >"$TRASH/page" 2>/dev/null
  for opt in $opts; do
    case $opt in
      --root) args=("$opt" "$TRASH/nonexistent") ;;
      --prefer) args=("$opt" desired) ;;
      --message) args=("$opt" "a message") ;;
      --at) args=("$opt" 20261122T080000Z) ;;
      *) args=("$opt") ;;
    esac
    [ "$cmd" = init ] && args+=(--root "$TRASH/nonexistent")
    [ "$cmd" = restore ] && args+=(HEAD)
    run in_twin "$TRASH/empty" git twin "$cmd" "${args[@]}"
    expect_ne 129 "$RC" "git twin $cmd accepts $opt"
    check "git-twin-$cmd(1) documents $opt" grep -qF -- "$opt" "$TRASH/page"
  done
done
expect_no_file "$TRASH/empty/.git"

# complete MODE LINE: what completing LINE (the cursor at its end) offers, one candidate
# per line as <candidate>, so a trailing space shows. MODE "direct": git's completion script
# and the git-twin file are sourced; MODE "lazy": only bash-completion is sourced, and it
# must find the git-twin file by itself, as it does on a real terminal.
cat >"$TRASH/complete.sh" <<'EOF'
mode=$1 line=$2
if [ "$mode" = lazy ]; then
  . "$BASH_COMPLETION" || exit 3
  # bash-completion's `complete -D` handler runs this on the first TAB after "git".
  _completion_loader git
  if declare -F _git_twin >/dev/null; then
    echo "error: _git_twin is defined before 'git twin <TAB>'" >&2
    exit 3
  fi
else
  . "$GIT_COMPLETION" || exit 3
  . "$TWIN_COMPLETION" || exit 3
fi
COMP_LINE=$line
COMP_POINT=${#line}
read -ra COMP_WORDS <<<"$line"
[ "${line: -1}" = " " ] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
if [ "${COMP_WORDS[0]}" = git-twin ]; then
  [ "$mode" = lazy ] && _completion_loader git-twin
  fn=$(complete -p git-twin 2>/dev/null | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
else
  fn=$(complete -p git 2>/dev/null | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
fi
[ -n "$fn" ] || { echo "error: no completion function for ${COMP_WORDS[0]}" >&2; exit 3; }
"$fn"
for c in "${COMPREPLY[@]}"; do printf '<%s>\n' "$c"; done
EOF

# offers MODE LINE CANDIDATE...: completing LINE offers every CANDIDATE (exactly, with
# its trailing space if any).
offers() {
  local mode=$1 line=$2 c missing=""
  shift 2
  (cd "$TRASH/repo" && env TWIN_COMPLETION="$TWIN_COMPLETION" GIT_COMPLETION="$GIT_COMPLETION" \
     BASH_COMPLETION="$BASH_COMPLETION" \
     XDG_DATA_DIRS="$TWIN_TEST_PREFIX/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" \
     bash --norc --noprofile "$TRASH/complete.sh" "$mode" "$line") >"$TRASH/offered" 2>&1
  for c in "$@"; do
    grep -qxF -- "<$c>" "$TRASH/offered" || missing="$missing <$c>"
  done
  if [ -z "$missing" ]; then ok "$mode: '$line<TAB>' offers $*"
  else fail "$mode: '$line<TAB>' offers $*" "missing:$missing" \
            "offered: $(tr '\n' ' ' <"$TRASH/offered" | head -c 1000)"; fi
}

# not_offered MODE LINE CANDIDATE: completing LINE does not offer CANDIDATE.
not_offered() {
  (cd "$TRASH/repo" && env TWIN_COMPLETION="$TWIN_COMPLETION" GIT_COMPLETION="$GIT_COMPLETION" \
     BASH_COMPLETION="$BASH_COMPLETION" \
     XDG_DATA_DIRS="$TWIN_TEST_PREFIX/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" \
     bash --norc --noprofile "$TRASH/complete.sh" "$1" "$2") >"$TRASH/offered" 2>&1
  if grep -qxF -- "<$3>" "$TRASH/offered"; then fail "$1: '$2<TAB>' does not offer <$3>"
  else ok "$1: '$2<TAB>' does not offer <$3>"; fi
}

# A repository with refs and a remote to complete (completion only reads it).
git init -q "$TRASH/repo"
git -C "$TRASH/repo" commit -q --allow-empty -m one
git -C "$TRASH/repo" tag known-good
git -C "$TRASH/repo" remote add upstream "$TRASH/repo"
mkdir "$TRASH/root-for-completion"

completion_checks() {
  local m=$1
  offers "$m" "git tw" "twin "
  offers "$m" "git twin ap" "apply "
  offers "$m" "git twin " "init " "snapshot " "plan " "apply " "undo " "status " "adopt " "restore " \
    "pull " "push " "logs " "validate " "doctor " "check-deps "
  not_offered "$m" "git twin " "hook "
  offers "$m" "git twin apply --pr" "--prefer "
  offers "$m" "git twin apply --prefer " "desired " "live "
  offers "$m" "git twin apply --prefer=l" "live "
  offers "$m" "git twin apply --" "--yes " "--dry-run " "--prefer " "--root "
  offers "$m" "git twin snapshot --" "--no-commit " "--message " "--push " "--root "
  offers "$m" "git twin plan --" "--json " "--exit-code " "--root "
  offers "$m" "git twin status --ex" "--exit-code "
  offers "$m" "git twin init --" "--root " "--force "
  offers "$m" "git twin doctor --" "--fix "
  offers "$m" "git twin logs " "index " "show " "grep "
  offers "$m" "git twin logs grep --" "--ignore-case " "--fixed-strings " "--json "
  offers "$m" "git twin apply --root $TRASH/root-for-compl" "$TRASH/root-for-completion"
  offers "$m" "git twin restore known" "known-good "
  offers "$m" "git twin pull " "upstream "
  offers "$m" "git twin hook " "post-checkout " "post-merge " "post-rewrite " "pre-commit "
  offers "$m" "git twin help res" "restore "
  offers "$m" "git-twin ap" "apply "
  offers "$m" "git-twin apply --prefer " "desired " "live "
}

section "completion through git's completion script"
if [ ! -f "$GIT_COMPLETION" ]; then
  echo "# skipped: git's completion script is not at $GIT_COMPLETION"
else
  completion_checks direct
fi

section "completion loaded on demand by bash-completion"
if [ ! -f "$BASH_COMPLETION" ]; then
  # Debian package bash-completion; without it, `git twin <TAB>` needs the file sourced by
  # hand (the checks above).
  echo "# skipped: bash-completion is not installed ($BASH_COMPLETION is missing)"
else
  completion_checks lazy
fi

finish
