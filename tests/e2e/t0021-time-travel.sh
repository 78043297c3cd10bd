# Promise: time travel is a plain `git checkout <old commit>`. The hook plans the way back
# without touching the machine; `git twin apply` there brings the machine back AND keeps the
# trip in the branch's history (a "git twin restore" commit on the branch that was checked
# out, then the apply commit); checking the branch out again plans the way forward;
# `git twin restore REV` does the same from a branch.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1

# desire_motd TEXT: commits TEXT as the desired /etc/motd and applies it.
desire_motd() {
  echo "$1" >filesystem/etc/motd
  git commit -q -am "motd: $1" 2>/dev/null || return 1
  git twin apply --yes >/dev/null 2>&1
}

section "two applied versions"
check "apply motd v2" desire_motd "motd v2"
v2=$(git rev-parse HEAD~1)   # the commit that asked for v2 (HEAD is its apply commit)
check "apply motd v3" desire_motd "motd v3"
v3=$(git rev-parse HEAD~1)
expect_eq "motd v3" "$(cat "$R/etc/motd")" "the machine has v3"
expect_eq "motd v2" "$(git show "$v2:filesystem/etc/motd")" "v2's commit asks for v2"
tip=$(git rev-parse HEAD)

section "git checkout <old commit> plans the way back"
root_fingerprint "$R" >"$TRASH/before"
expect_exit 0 git checkout "$v2"
expect_line "$ERR" "git-twin: 1 action pending (files.mirror 1); review with 'git twin plan', run 'git twin apply' to apply"
expect_eq "$v2" "$(plan_commit)" "plan/latest.yaml is made for the old commit"
root_fingerprint "$R" >"$TRASH/after"
check "the checkout left the machine alone" cmp "$TRASH/before" "$TRASH/after"
expect_clean
expect_exit 0 git twin plan
expect_line "$OUT" "~ files.mirror: write /etc/motd"

section "apply on the detached HEAD restores onto the branch"
expect_exit 0 git twin apply --yes
expect_contains "$OUT" "HEAD is detached at ${v2:0:12}"
expect_line "$OUT" "done: ~ files.mirror: write /etc/motd"
expect_eq "motd v2" "$(cat "$R/etc/motd")" "the machine is back at v2"
expect_eq "refs/heads/main" "$(git symbolic-ref -q HEAD)" "HEAD is on main again"
git log --format=%s -3 >"$TRASH/subjects"
expect_eq "git twin apply: 1 done, 0 failed, 0 skipped" "$(sed -n 1p "$TRASH/subjects")" \
  "the newest commit is the apply"
expect_eq "git twin restore ${v2:0:12}" "$(sed -n 2p "$TRASH/subjects")" \
  "before it, the restore of v2"
expect_eq "$tip" "$(git rev-parse HEAD~2)" "both sit on top of the old tip"
expect_eq "motd v2" "$(git show HEAD:filesystem/etc/motd)" "HEAD asks for v2"
expect_eq "" "$(git diff --stat "$v2" HEAD~1 -- state filesystem)" \
  "the restore commit's desired state is v2's"
expect_eq "motd v2" "$(git show HEAD:live/filesystem/etc/motd)" "live/ records v2"
expect_clean
expect_exit 0 git twin plan --exit-code
expect_exit 0 git twin status --exit-code

section "a trip without apply, then back to the branch"
root_fingerprint "$R" >"$TRASH/before"
expect_exit 0 git checkout HEAD~2
expect_line "$ERR" "git-twin: 1 action pending (files.mirror 1); review with 'git twin plan', run 'git twin apply' to apply"
expect_exit 2 git twin plan --exit-code
expect_line "$OUT" "~ files.mirror: write /etc/motd"
expect_exit 0 git checkout main
expect_line "$ERR" "git-twin: nothing to apply: the machine matches the twin"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "the plan follows HEAD back"
expect_exit 0 git twin plan --exit-code
expect_contains "$OUT" "nothing to apply"
root_fingerprint "$R" >"$TRASH/after"
check "the trip left the machine alone" cmp "$TRASH/before" "$TRASH/after"
expect_clean

section "git twin restore REV"
head=$(git rev-parse HEAD)
expect_exit 0 git twin restore "$v3"
expect_contains "$OUT" "restored the desired state of"
expect_line "$OUT" "~ files.mirror: write /etc/motd"
expect_eq "$head" "$(git rev-parse HEAD~1)" "one new commit"
check "it is a 'git twin restore' commit" \
  sh -c "git log -1 --format=%s | grep -q '^git twin restore '"
expect_eq "refs/heads/main" "$(git symbolic-ref -q HEAD)" "still on main"
expect_eq "motd v3" "$(git show HEAD:filesystem/etc/motd)" "HEAD asks for v3"
expect_eq "motd v2" "$(cat "$R/etc/motd")" "restore does not touch the machine"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "plan/latest.yaml is made for the restore"
expect_clean
expect_exit 0 git twin apply --yes
expect_eq "motd v3" "$(cat "$R/etc/motd")" "apply brings v3 back"
expect_clean
expect_exit 0 git twin restore "$v3"
expect_contains "$OUT" "already"
expect_eq 0 "$(git log --format=%s -1 | grep -c '^git twin restore')" "no empty restore commit"

section "restore refuses uncommitted desired changes"
state_entry_set state/files.yaml /etc/hostname mode '"0600"'
cp state/files.yaml "$TRASH/edited"
head=$(git rev-parse HEAD)
expect_exit 1 git twin restore "$v2"
expect_contains "$ERR" "uncommitted changes"
expect_eq "$head" "$(git rev-parse HEAD)" "no commit"
check "the edit is kept" cmp "$TRASH/edited" state/files.yaml
git checkout -q -- state
expect_exit 1 git twin restore no-such-rev
expect_clean

section "apply on a detached HEAD with no branch to go back to"
git checkout -q -b trip 2>/dev/null
git checkout -q "$v2" 2>/dev/null
git branch -q -D trip
root_fingerprint "$R" >"$TRASH/before"
expect_exit 1 git twin apply --yes
expect_contains "$ERR" "HEAD is detached"
expect_contains "$ERR" "hint:"
expect_contains "$ERR" "git twin restore"
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
check_not "HEAD is still detached" git symbolic-ref -q HEAD
git checkout -q main 2>/dev/null
expect_clean

finish
