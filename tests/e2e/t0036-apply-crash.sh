# Promise: an apply killed at any point (before any action, between actions, after the last
# one before its commit) leaves every file either as it was or as desired, with its final
# mode (shadow is never readable by others), and a journal that the next command notices:
# status warns, snapshot refuses, a new apply refuses, and `git twin apply --resume` finishes
# it, ending in the same machine and history as an uninterrupted apply, with git fsck clean;
# `git twin undo` instead rolls it back to the machine as it was, the changes pending again.
# A temp file left by a write cut short is removed on resume. The kill points come from the
# journal itself (GIT_TWIN_TEST_KILL_AFTER_RECORDS=N: SIGKILL once record N is on disk),
# tried one by one until the apply runs through.
source "$TWIN_TEST_LIB"

R0=$TRASH/root0
T0=$TRASH/twin0
make_fake_root "$R0"
git twin init "$T0" --root "$R0" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T0" || exit 1
# Four writes: motd, app.conf, a new file, and shadow (a secret, mode 0640).
echo "motd from the twin" >filesystem/etc/motd
printf 'listen = 9090\nworkers = 8\n' >filesystem/etc/app/app.conf
desire_file "$T0" /etc/app/new.conf "brand new" 0640
sed -i 's/SHADOW-SECRET-MARKER\$abc/SHADOW-SECRET-MARKER$new/' filesystem/etc/shadow
git add -A && git commit -qm "four changes" || fail "commit the desired changes"
rm -f plan/latest.yaml
cd "$TRASH" || exit 1

# old_or_new FILE: the file in the copy is either as it was or as desired.
old_or_new() {
  local f=$1 now
  now=$(sha256sum <"$r$f")
  if [ "$now" = "$(sha256sum <"$R0$f")" ] || [ "$now" = "$(sha256sum <"$TRASH/expected$f")" ]; then
    ok "k=$k: $f is old or new"
  else
    fail "k=$k: $f is old or new" "$(head -c 200 "$r$f")"
  fi
}

section "an uninterrupted apply, for reference"
cp -a "$R0" "$TRASH/expected"
cp -a "$T0" "$TRASH/twin-ref"
(cd "$TRASH/twin-ref" && git twin apply --yes --root "$TRASH/expected") >"$TRASH/ref.out" 2>&1 ||
  fail "reference apply" "$(cat "$TRASH/ref.out")"
expect_contains "$TRASH/ref.out" "applied: 4 done, 0 failed, 0 skipped"
root_content "$TRASH/expected" >"$TRASH/expected.content"
root_content "$R0" >"$TRASH/original.content"

k=0
kills=0
while [ "$k" -lt 30 ]; do
  k=$((k + 1))
  r=$TRASH/root$k
  t=$TRASH/twin$k
  cp -a "$R0" "$r"
  cp -a "$T0" "$t"
  cd "$t" || exit 1
  GIT_TWIN_TEST_KILL_AFTER_RECORDS=$k git twin apply --yes --root "$r" >"$TRASH/apply$k.out" 2>&1
  rc=$?
  if [ "$rc" = 0 ]; then
    # Past the last record: nothing was killed, this run is complete.
    expect_eq "$(cat "$TRASH/expected.content")" "$(root_content "$r")" "k=$k: not killed, the machine as desired"
    cd "$TRASH" && rm -rf "$r" "$t"
    break
  fi
  kills=$((kills + 1))
  section "killed after journal record $k"
  expect_eq 137 "$rc" "k=$k: apply was killed (SIGKILL)"
  expect_file .git/twin/apply-journal
  for f in /etc/motd /etc/app/app.conf /etc/shadow; do old_or_new "$f"; done
  expect_eq 640 "$(stat -c %a "$r/etc/shadow")" "k=$k: shadow keeps mode 0640"
  [ -e "$r/etc/app/new.conf" ] &&
    expect_eq 640 "$(stat -c %a "$r/etc/app/new.conf")" "k=$k: new.conf has its final mode"
  run git twin status --root "$r"
  expect_contains "$ERR" "an apply was interrupted before it finished"
  expect_exit 1 git twin snapshot --root "$r"
  expect_contains "$ERR" "git twin apply --resume"
  expect_exit 1 git twin apply --yes --root "$r"
  expect_contains "$ERR" "interrupted"
  if [ "$k" = 2 ]; then
    # The first batch started: as if the power went while motd's temp file was written.
    printf 'motd from the tw' >"$r/etc/.motd.twin-tmp-99999-1"
    git commit -q --allow-empty -m "moved on"
    expect_exit 1 git twin apply --resume --yes --root "$r"
    expect_contains "$ERR" "HEAD moved since the interrupted apply started"
    git reset -q --hard HEAD~1
  fi
  # Killed after its commit, before the journal went: the apply is complete.
  committed=""
  case "$(git log -1 --format=%s)" in "git twin apply:"*) committed=1 ;; esac

  # The same crash rolled back instead, in a copy.
  cp -a "$r" "$r-u"
  cp -a "$t" "$t-u"
  (cd "$t-u" && git twin undo --yes --root "$r-u") >"$TRASH/undo$k.out" 2>&1
  expect_eq 0 "$?" "k=$k: git twin undo rolls the interrupted apply back"
  expect_eq "$(cat "$TRASH/original.content")" "$(root_content "$r-u")" "k=$k: after undo, the machine as before"
  expect_no_file "$t-u/.git/twin/apply-journal"
  expect_exit 0 git -C "$t-u" fsck --no-progress
  expect_eq "" "$(git -C "$t-u" status --porcelain)" "k=$k: after undo, git status is clean"
  run in_twin "$t-u" git twin status --root "$r-u" --exit-code
  if [ -n "$committed" ]; then
    # An undo of a committed apply: the twin follows the machine back.
    expect_eq 0 "$RC" "k=$k: after undo of the committed apply, in sync"
  else
    expect_eq 1 "$(ls "$t-u"/.git/twin/apply-journal.undone-* | wc -l)" "k=$k: the interrupted journal is kept aside"
    expect_eq 2 "$RC" "k=$k: after undo, the four changes are pending again"
  fi
  rm -rf "$r-u" "$t-u"

  expect_exit 0 git twin apply --resume --yes --root "$r"
  if [ -n "$committed" ]; then
    expect_contains "$OUT" "was already recorded"
  else
    expect_contains "$OUT" "resuming the apply of"
    expect_contains "$OUT" "applied: 4 done, 0 failed, 0 skipped"
  fi
  expect_no_file .git/twin/apply-journal
  expect_eq "$(cat "$TRASH/expected.content")" "$(root_content "$r")" "k=$k: after resume, the machine as desired"
  expect_eq 1 "$(ls plan/history | wc -l)" "k=$k: one apply record"
  expect_eq 4 "$(grep -c 'status: done' plan/history/*.yaml)" "k=$k: the record has four done actions"
  expect_exit 0 git fsck --no-progress
  expect_eq "" "$(git status --porcelain)" "k=$k: git status is clean"
  run git twin status --root "$r" --exit-code
  expect_eq 0 "$RC" "k=$k: status says in sync"
  expect_not_contains "$ERR" "interrupted"
  cd "$TRASH" && rm -rf "$r" "$t"
done
# begin, start, four outcomes, recorded, and after the commit.
check "the apply was killed at every journal record ($kills)" test "$kills" -ge 8

section "nothing to resume"
cd "$T0" || exit 1
expect_exit 1 git twin apply --resume --yes
expect_contains "$ERR" "there is no interrupted apply to resume"
expect_exit 129 git twin apply --resume --prefer desired

finish
