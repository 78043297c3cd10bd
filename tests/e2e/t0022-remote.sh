# Promise: a twin lives on a remote like any repository. A change pushed from another clone
# arrives with plain `git pull` (the post-merge hook plans it, the machine waits for
# `git twin apply`), with `git pull --rebase` (post-rewrite plans it) or with `git twin
# pull` (fast-forward only, then the plan); diverged histories are refused, not merged
# behind the user's back; `git twin push` and `git twin snapshot --push` publish.
source "$TWIN_TEST_LIB"

R=$TRASH/root
A=$TRASH/twin
B=$TRASH/clone
REMOTE=$TRASH/remote.git
make_fake_root "$R"
git twin init "$A" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$A" || exit 1
if ! { git clone -q --bare "$A" "$REMOTE" && git remote add origin "$REMOTE" &&
        git push -q -u origin main 2>/dev/null; }; then
  fail "set up the remote"; finish
fi
git clone -q "$REMOTE" "$B" || { fail "clone B"; finish; }

remote_head() { git --git-dir="$REMOTE" rev-parse refs/heads/main; }

# in_b CMD...: runs CMD in clone B (plain git, no hooks there).
in_b() { (cd "$B" && "$@"); }

section "git pull: post-merge plans what B pushed"
(cd "$B" && echo "motd from B" >filesystem/etc/motd &&
  state_entry_set state/files.yaml /etc/hostname mode '"0600"' &&
  git commit -q -am "B: motd and hostname mode" && git push -q) || fail "B pushes"
root_fingerprint "$R" >"$TRASH/before"
expect_exit 0 git pull
expect_line "$ERR" "git-twin: 2 actions pending (files.mirror 2); review with 'git twin plan', run 'git twin apply' to apply"
expect_eq "$(remote_head)" "$(git rev-parse HEAD)" "A is at B's commit"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "plan/latest.yaml is made for the pulled HEAD"
expect_clean
root_fingerprint "$R" >"$TRASH/after"
check "git pull left the machine alone" cmp "$TRASH/before" "$TRASH/after"
expect_exit 0 git twin apply --yes
expect_eq "motd from B" "$(cat "$R/etc/motd")" "the machine has B's motd"
expect_eq 600 "$(stat -c %a "$R/etc/hostname")" "etc/hostname has B's mode"
expect_clean
expect_exit 0 git twin push
expect_eq "$(git rev-parse HEAD)" "$(remote_head)" "git twin push publishes the apply commit"

section "git twin pull"
in_b git pull -q || fail "B pulls"
(cd "$B" && echo "motd from B, again" >filesystem/etc/motd && git commit -q -am "B: motd again" &&
  git push -q) || fail "B pushes"
root_fingerprint "$R" >"$TRASH/before"
expect_exit 0 git twin pull
expect_line "$OUT" "~ files.mirror: write /etc/motd"
expect_contains "$OUT" "1 action pending (files.mirror 1)"
expect_contains "$OUT" "git twin apply"
expect_eq 1 "$(cat "$OUT" "$ERR" | grep -c 'action pending')" "the summary is printed once (no hook echo)"
expect_eq "$(remote_head)" "$(git rev-parse HEAD)" "A is at B's commit"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "plan/latest.yaml is made for the pulled HEAD"
expect_clean
root_fingerprint "$R" >"$TRASH/after"
check "git twin pull left the machine alone" cmp "$TRASH/before" "$TRASH/after"
expect_exit 0 git twin apply --yes
expect_eq "motd from B, again" "$(cat "$R/etc/motd")" "the machine has B's new motd"
expect_exit 0 git twin push
expect_exit 0 git twin pull
expect_contains "$OUT" "nothing to apply"

section "git pull --rebase: post-rewrite plans"
in_b git pull -q || fail "B pulls"
(cd "$B" && echo "motd v3 from B" >filesystem/etc/motd && git commit -q -am "B: motd v3" &&
  git push -q) || fail "B pushes"
echo "a local note" >notes.txt
git add notes.txt && git commit -q -m "A: notes" 2>/dev/null
rm -f plan/latest.yaml
expect_exit 0 git pull --rebase
expect_eq "$(remote_head)" "$(git rev-parse HEAD~1)" "A's commit is replayed on B's"
# post-rewrite plans at the end of the rebase (git's progress line ends in a carriage
# return, so the block shares its line).
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "plan/latest.yaml is made for the rebased HEAD"
expect_contains "$ERR" "git-twin: 1 action pending (files.mirror 1); review with 'git twin plan', run 'git twin apply' to apply"
expect_clean
expect_exit 0 git twin push
expect_eq "$(git rev-parse HEAD)" "$(remote_head)" "git twin push publishes the rebased commits"
expect_exit 0 git twin apply --yes
expect_eq "motd v3 from B" "$(cat "$R/etc/motd")" "the machine has B's v3"
expect_exit 0 git twin push

section "git twin pull refuses diverged histories"
in_b git pull -q || fail "B pulls"
(cd "$B" && echo "motd v4 from B" >filesystem/etc/motd && git commit -q -am "B: motd v4" &&
  git push -q) || fail "B pushes"
echo "another local note" >>notes.txt
git commit -q -am "A: more notes" 2>/dev/null
head=$(git rev-parse HEAD)
root_fingerprint "$R" >"$TRASH/before"
rm -f plan/latest.yaml
expect_exit 1 git twin pull
expect_contains "$ERR" "git pull --ff-only failed"
expect_contains "$ERR" "hint:"
expect_eq "$head" "$(git rev-parse HEAD)" "HEAD unchanged"
expect_eq "refs/heads/main" "$(git symbolic-ref -q HEAD)" "still on main"
expect_no_file plan/latest.yaml
expect_clean
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
# Merging by hand is the user's call; the post-merge hook then plans.
expect_exit 0 git pull --no-rebase --no-edit
expect_line "$ERR" "git-twin: 1 action pending (files.mirror 1); review with 'git twin plan', run 'git twin apply' to apply"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "plan/latest.yaml is made for the merge"
expect_exit 0 git twin apply --yes
expect_eq "motd v4 from B" "$(cat "$R/etc/motd")" "the machine has B's v4"
expect_exit 0 git twin push
expect_eq "$(git rev-parse HEAD)" "$(remote_head)" "the merge is published"

section "git twin snapshot --push"
echo "changed on the machine" >"$R/etc/app/app.conf"
head=$(git rev-parse HEAD)
expect_exit 0 git twin snapshot --push
expect_ne "$head" "$(git rev-parse HEAD)" "the snapshot made a commit"
expect_eq "$(git rev-parse HEAD)" "$(remote_head)" "and pushed it"
expect_eq "changed on the machine" \
  "$(git --git-dir="$REMOTE" show refs/heads/main:live/filesystem/etc/app/app.conf)" \
  "the remote has the machine change"
expect_clean

section "git twin push passes its arguments to git push"
expect_exit 0 git twin push origin HEAD:refs/heads/copy
expect_eq "$(git rev-parse HEAD)" "$(git --git-dir="$REMOTE" rev-parse refs/heads/copy)" \
  "the remote has the branch 'copy'"
expect_exit 1 git twin push no-such-remote
expect_contains "$ERR" "git push failed"

finish
