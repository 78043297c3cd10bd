# Promise: git-twin commands never interleave on one twin. While another command holds the
# repository lock, snapshot and apply wait a few seconds and then fail clearly, changing
# nothing; a hook does not hold up git (it skips at once with a note); two snapshots started
# together both finish, one after the other, with an intact history. And what no hook sees
# (`git reset --hard`) is caught up on by the next command: apply refuses the stale plan,
# status and snapshot make it again and say so.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
LOCK=$T/.git/twin/lock
trap 'release_lock; on_exit' EXIT

# timed CMD...: like `run`, and sets MS to how long CMD took in milliseconds.
timed() {
  local start
  start=$(now_ms)
  run "$@"
  MS=$(($(now_ms) - start))
}

section "set up"
echo "motd v2" >filesystem/etc/motd
check "commit a desired change" git commit -q -am "motd v2"
git branch -q other HEAD~1
echo "changed by hand" >"$R/etc/app/app.conf"
check "the lock can be held from the shell" hold_lock "$T/.git" 60
head=$(git rev-parse HEAD)
root_fingerprint "$R" >"$TRASH/before"
git ls-files -s >"$TRASH/index-before"

section "snapshot and apply wait, then fail"
# Both at once, so that the test waits 5 s and not 10.
t0=$(now_ms)
( timed git twin snapshot; echo "$RC $MS" >"$TRASH/snap.rc"; cp "$ERR" "$TRASH/snap.err" ) &
snap_pid=$!
git twin apply --yes >"$TRASH/apply.out" 2>"$TRASH/apply.err"
apply_rc=$?
apply_ms=$(($(now_ms) - t0))
wait "$snap_pid"
read -r snap_rc snap_ms <"$TRASH/snap.rc"
expect_eq 1 "$snap_rc" "snapshot exits 1"
expect_contains "$TRASH/snap.err" "another git-twin command holds the lock '$LOCK'"
check "snapshot waited about 5 s (${snap_ms} ms)" test "$snap_ms" -ge 4500 -a "$snap_ms" -lt 9000
expect_eq 1 "$apply_rc" "apply exits 1"
expect_contains "$TRASH/apply.err" "another git-twin command holds the lock '$LOCK'"
check "apply waited about 5 s (${apply_ms} ms)" test "$apply_ms" -ge 4500 -a "$apply_ms" -lt 9000
expect_eq "$head" "$(git rev-parse HEAD)" "no commit"
git ls-files -s >"$TRASH/index-after"
check "the index is unchanged" cmp "$TRASH/index-before" "$TRASH/index-after"
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
expect_clean

section "a hook does not wait"
timed git checkout other
expect_eq 0 "$RC" "checkout exits 0"
expect_line "$ERR" "git-twin: another git-twin command is running; post-checkout hook skipped"
check "it took under 2 s (${MS} ms)" test "$MS" -lt 2000
timed git checkout main
expect_eq 0 "$RC" "checkout back exits 0"
expect_line "$ERR" "git-twin: another git-twin command is running; post-checkout hook skipped"
check "it took under 2 s (${MS} ms)" test "$MS" -lt 2000
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
expect_clean

section "after the lock is released"
release_lock
check "the lock is free" flock -n "$LOCK" true
expect_exit 0 git twin snapshot
expect_ne "$head" "$(git rev-parse HEAD)" "snapshot commits"
expect_eq "changed by hand" "$(git show HEAD:live/filesystem/etc/app/app.conf)" \
  "the snapshot has the machine change"
expect_exit 0 git twin apply --yes
expect_eq "motd v2" "$(cat "$R/etc/motd")" "apply works"
expect_clean

section "three snapshots at once"
echo "changed by hand, again" >"$R/etc/app/app.conf"
echo "and this too" >"$R/etc/motd"
head=$(git rev-parse HEAD)
for i in 1 2 3; do
  git twin snapshot -m "snapshot $i" >"$TRASH/snap$i.out" 2>"$TRASH/snap$i.err" &
  eval "pid$i=\$!"
done
wait "$pid1"; rc1=$?
wait "$pid2"; rc2=$?
wait "$pid3"; rc3=$?
expect_eq "0 0 0" "$rc1 $rc2 $rc3" "all three exit 0"
for i in 1 2 3; do expect_not_contains "$TRASH/snap$i.err" "error:"; done
expect_exit 0 git fsck --no-progress --no-dangling
expect_eq "" "$(cat "$OUT" "$ERR")" "git fsck finds nothing"
check "the new commits sit on top of the old HEAD" git merge-base --is-ancestor "$head" HEAD
check "at least one new commit" test "$(git rev-list --count "$head"..HEAD)" -ge 1
expect_eq "0" "$(git rev-list --merges --count "$head"..HEAD)" "a straight line of commits"
expect_eq "and this too" "$(git show HEAD:live/filesystem/etc/motd)" "HEAD has the machine change"
expect_eq "changed by hand, again" "$(git show HEAD:live/filesystem/etc/app/app.conf)" \
  "HEAD has the other machine change"
expect_clean
expect_exit 0 git twin status --exit-code

section "reconcile after git reset --hard"
echo "motd v3" >filesystem/etc/motd
git commit -q -am "motd v3" 2>/dev/null
expect_exit 0 git twin plan
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "the plan is made for the v3 commit"
expect_exit 0 git reset -q --hard HEAD~1
expect_no_twin_output "$ERR"
expect_ne "$(git rev-parse HEAD)" "$(plan_commit)" "no hook ran: the plan is for the old HEAD"
root_fingerprint "$R" >"$TRASH/before"
expect_exit 1 git twin apply --yes
expect_contains "$ERR" "plan/latest.yaml is stale"
expect_contains "$ERR" "hint:"
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
expect_exit 0 git twin status
expect_contains "$ERR" "hint: plan/latest.yaml was made for an earlier HEAD"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "status made the plan again for HEAD"
expect_exit 0 git twin status
expect_not_contains "$ERR" "hint:"
expect_exit 0 git twin apply --yes
expect_contains "$OUT" "nothing to apply"
# snapshot does the same.
echo "motd v4" >filesystem/etc/motd
git commit -q -am "motd v4" 2>/dev/null
git twin plan >/dev/null 2>&1
git reset -q --hard HEAD~1
expect_exit 0 git twin snapshot
expect_contains "$ERR" "hint: plan/latest.yaml was made for an earlier HEAD"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "snapshot made the plan again for HEAD"
expect_clean

finish
