# Promise: hostile desired state is refused with a clear error and changes nothing.
# Every file in tests/hostile/ is one case (its header says what it attacks and what must
# happen). For each case a fresh copy of one template twin and its fake root gets the
# case applied, then the commands its `# run:` line names run in order:
#   validate  git twin validate
#   commit    git add -A && git commit (the pre-commit hook); afterwards the case is
#             committed with --no-verify, as a pull of someone else's commit would bring it
#   plan      git twin plan
#   apply     git twin apply --yes
#   snapshot  git twin snapshot
#   undo      git twin undo --yes
# Each must exit 1 (or the N of `cmd=N`), and its output must hold every `# expect: CMD
# TEXT` line for it (`*` = every command). After the case: the fake root and a directory
# beside it ($OUTSIDE) are byte for byte as before the commands ran, no file of $OUTSIDE
# was read into the repository, and no command line ran a shell.
#
# A case file is YAML (`# target: PATH`: its lines below the header become that file of
# the twin) or shell (`.sh`: sourced in the twin with $R, $T and $OUTSIDE set).
source "$TWIN_TEST_LIB"

CORPUS=$(cd "$(dirname "$TWIN_TEST_LIB")/../hostile" && pwd)
R=$TRASH/root
T=$TRASH/twin
OUTSIDE=$TRASH/outside
PWNED=/tmp/twin-hostile-pwned
rm -f "$PWNED"

# The template: a twin with one recorded apply (for the undo cases), made once.
make_fake_root "$R"
mkdir -p "$OUTSIDE"
echo "OUTSIDE-SECRET-MARKER" >"$OUTSIDE/secret"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
(
  cd "$T" && echo "motd from the twin" >filesystem/etc/motd && git commit -qam "motd" &&
    git twin apply --yes
) >"$TRASH/template.out" 2>&1 || { fail "template apply" "$(cat "$TRASH/template.out")"; finish; }
cp -a "$R" "$TRASH/template-root"
cp -a "$T" "$TRASH/template-twin"
cp -a "$OUTSIDE" "$TRASH/template-outside"

# header CASE KEY: the values of the `# KEY: ...` lines of the case's header, one a line.
header() { sed -n "/^[^#]/q; s/^# $2: //p" "$1"; }

# fresh: the template's root, twin and outside directory again.
fresh() {
  cd "$TRASH" || exit 1
  chmod -R u+rwx "$R" "$T" "$OUTSIDE" 2>/dev/null
  rm -rf "$R" "$T" "$OUTSIDE"
  cp -a "$TRASH/template-root" "$R"
  cp -a "$TRASH/template-twin" "$T"
  cp -a "$TRASH/template-outside" "$OUTSIDE"
  cd "$T" || exit 1
}

# fingerprint: everything a command must not change outside the repository.
fingerprint() { root_fingerprint "$R"; root_fingerprint "$OUTSIDE"; }

# run_cmd NAME: runs one command of a case's `# run:` line.
run_cmd() {
  case $1 in
    validate) run git twin validate ;;
    commit)
      git add -A
      run git commit -qm "hostile case"
      git commit -q --no-verify -m "hostile case (pulled)" >/dev/null 2>&1
      ;;
    plan) run git twin plan ;;
    apply) run git twin apply --yes ;;
    snapshot) run git twin snapshot ;;
    undo) run git twin undo --yes ;;
    *) RC=99; echo "unknown command '$1' in the case" >"$ERR" ;;
  esac
}

cases=0
for c in "$CORPUS"/*; do
  name=$(basename "$c")
  section "$name"
  cases=$((cases + 1))
  check "the header says what it attacks" grep -q '^# Attacks: ' "$c"
  check "the header says what must happen" grep -q '^# Must: ' "$c"
  fresh
  case $name in
    *.yaml)
      target=$(header "$c" target)
      sed '/^#/d' "$c" >"$T/$target"
      ;;
    *.sh)
      # shellcheck disable=SC1090
      (set -e; source "$c") >"$TRASH/setup.out" 2>&1 ||
        fail "case setup" "$(cat "$TRASH/setup.out")"
      ;;
  esac
  fingerprint >"$TRASH/before"
  for cmd in $(header "$c" run); do
    want=1
    case $cmd in *=*) want=${cmd#*=}; cmd=${cmd%%=*} ;; esac
    run_cmd "$cmd"
    if [ "$RC" = "$want" ]; then ok "$cmd exits $want"
    else fail "$cmd exits $want" "actual exit: $RC" "stdout: $(head -c 1500 "$OUT")" \
              "stderr: $(head -c 1500 "$ERR")"; fi
    while IFS= read -r line; do
      who=${line%% *} text=${line#* }
      if [ "$who" = "*" ] || [ "$who" = "$cmd" ]; then
        if grep -qF -- "$text" "$ERR" "$OUT"; then ok "$cmd says '$text'"
        else fail "$cmd says '$text'" "stderr: $(head -c 1500 "$ERR")"; fi
      fi
    done < <(header "$c" expect)
  done
  fingerprint >"$TRASH/after"
  if cmp -s "$TRASH/before" "$TRASH/after"; then ok "the root and \$OUTSIDE are unchanged"
  else fail "the root and \$OUTSIDE are unchanged" \
            "$(diff "$TRASH/before" "$TRASH/after" | head -20)"; fi
  check_not "nothing of \$OUTSIDE in the repository" grep -rqaF OUTSIDE-SECRET-MARKER "$T"
  check_not "nothing of \$OUTSIDE in git's objects" \
    sh -c "git cat-file --batch-all-objects --batch | grep -qaF OUTSIDE-SECRET-MARKER"
  expect_no_file "$PWNED"
done

section "corpus"
echo "# $cases hostile cases run"
check "the corpus holds at least 30 cases ($cases)" test "$cases" -ge 30

finish
