# Promise (beyond t0024): two applies started together never both run: one applies, the
# other waits for the lock and then finds nothing left to do (or refuses clearly); a commit
# made while a git-twin command holds the lock is still validated by the pre-commit hook;
# a `git pull` while the lock is held brings the commits in (the hook skips with a note) and
# the next command plans them. Nothing is lost and fsck stays clean.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
C=$TRASH/clone
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
trap 'release_lock; on_exit' EXIT

expect_fsck() {
  expect_exit 0 git fsck --no-progress --no-dangling
  expect_eq "" "$(cat "$OUT" "$ERR")" "git fsck finds nothing"
}

section "two applies at once"
echo "motd v2" >filesystem/etc/motd
desire_file "$T" /etc/app/two.conf "two"
git add -A && git commit -qm "two changes" || fail "commit"
expect_exit 0 git twin plan
head=$(git rev-parse HEAD)
history_before=$(ls plan/history 2>/dev/null | wc -l)
git twin apply --yes >"$TRASH/a1.out" 2>"$TRASH/a1.err" &
p1=$!
git twin apply --yes >"$TRASH/a2.out" 2>"$TRASH/a2.err" &
p2=$!
wait "$p1"; rc1=$?
wait "$p2"; rc2=$?
done_count=$(cat "$TRASH/a1.out" "$TRASH/a2.out" | grep -c '^done: ~ files.mirror: write /etc/motd')
expect_eq 1 "$done_count" "exactly one apply wrote /etc/motd"
# The one that lost the race ran after the winner (never beside it): it saw the machine
# already in the desired state, or a plan made stale by the winner's commit.
if [ "$rc1" = 0 ] && grep -q '^done:' "$TRASH/a1.out"; then loser=a2 lrc=$rc2; else loser=a1 lrc=$rc1; fi
check "the winner exits 0 ($rc1 $rc2)" test "$rc1" = 0 -o "$rc2" = 0
if [ "$lrc" = 0 ]; then expect_contains "$TRASH/$loser.out" "nothing to apply"
else expect_contains "$TRASH/$loser.err" "stale"; fi
expect_eq "motd v2" "$(cat "$R/etc/motd")" "etc/motd is written"
expect_eq "two" "$(cat "$R/etc/app/two.conf")" "etc/app/two.conf is written"
expect_eq 1 "$(find "$R/etc" -name 'motd.twinbak-*' | wc -l)" "one backup of etc/motd"
expect_eq $((history_before + 1)) "$(ls plan/history | wc -l)" "one apply record"
expect_eq 1 "$(git rev-list --count "$head"..HEAD)" "one commit on top"
expect_fsck
expect_clean
expect_exit 0 git twin status --exit-code

section "a commit while the lock is held is still validated"
check "hold the lock" hold_lock "$T/.git" 60
sed -i 's/^packages: \[\]$/packages: [{name: --purge, ensure: present}]/' state/packages.yaml
expect_contains state/packages.yaml "--purge"
head=$(git rev-parse HEAD)
expect_exit 1 git commit -qam "hostile while locked"
expect_contains "$ERR" "state/packages.yaml:1:"
expect_eq "$head" "$(git rev-parse HEAD)" "no commit"
git checkout -q -- state/packages.yaml
echo "motd v3" >filesystem/etc/motd
expect_exit 0 git commit -qam "motd v3 while locked"
expect_ne "$head" "$(git rev-parse HEAD)" "a valid commit goes through"
expect_fsck

section "a pull while the lock is held"
git clone -q "$T" "$C" || fail "clone"
echo "motd v4 from the clone" >"$C/filesystem/etc/motd"
git -C "$C" commit -qam "motd v4" || fail "commit in the clone"
theirs=$(git -C "$C" rev-parse HEAD)
root_fingerprint "$R" >"$TRASH/before"
expect_exit 0 git pull -q --ff-only "$C" main
expect_contains "$ERR" "another git-twin command is running; post-merge hook skipped"
expect_eq "$theirs" "$(git rev-parse HEAD)" "the pulled commit is HEAD"
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
expect_fsck
expect_clean
release_lock

section "after the lock is released"
expect_exit 0 git twin plan
expect_contains "$OUT" "~ files.mirror: write /etc/motd"
expect_exit 0 git twin apply --yes
expect_eq "motd v4 from the clone" "$(cat "$R/etc/motd")" "the pulled change is applied"
check "the clone's commit is in the history" git merge-base --is-ancestor "$theirs" HEAD
expect_fsck
expect_clean

finish
