# Promise: git is the interface. `git twin init` installs hook shims that chain (never
# overwrite) the user's own hooks; after a branch checkout, a merge or a rebase git-twin
# re-plans and prints one short block, never changing the machine, never failing git's
# command and leaving `git status` clean; it keeps quiet for its own git runs and while a
# rebase is in progress; `git twin doctor` says when the hooks cannot fire.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
H=$T/.git/hooks
first=$(git rev-parse HEAD)

section "shims"
for name in post-checkout post-merge post-rewrite pre-commit; do
  check "$name is an executable file" test -f "$H/$name" -a -x "$H/$name"
  expect_contains "$H/$name" "git twin hook $name"
  expect_no_file "$H/$name.before-twin"
done

section "doctor"
expect_exit 0 git twin doctor
expect_not_contains "$ERR" "warning:"
expect_exit 0 git twin check-deps
git config core.hooksPath /nonexistent
expect_exit 1 git twin doctor
expect_contains "$ERR" "core.hooksPath"
git config --unset core.hooksPath
expect_exit 0 git twin doctor
run env PATH=/usr/bin:/bin "$TWIN_TEST_PREFIX/bin/git-twin" doctor
expect_eq 1 "$RC" "doctor exits 1 when git-twin is not on PATH"
expect_contains "$ERR" "git-twin is not on PATH"
rm "$H/post-merge"
expect_exit 1 git twin doctor
expect_contains "$ERR" "the post-merge hook is not installed"
expect_exit 0 git twin doctor --fix
expect_contains "$OUT" "post-merge: installed"
expect_contains "$H/post-merge" "git twin hook post-merge"
check "post-merge is executable again" test -x "$H/post-merge"
expect_exit 0 git twin doctor

section "a user's hooks are chained by doctor --fix"
# The user replaced git-twin's shims with hooks of their own (or had them before).
cat >"$H/post-checkout" <<EOF
#!/bin/sh
echo "user post-checkout \$3" >>"$TRASH/user-hook-ran"
EOF
printf '#!/bin/sh\necho "user pre-commit says no" >&2\nexit 1\n' >"$H/pre-commit"
chmod +x "$H/post-checkout" "$H/pre-commit"
expect_exit 1 git twin doctor
expect_contains "$ERR" "post-checkout hook is not installed"
expect_exit 0 git twin doctor --fix
expect_contains "$OUT" "post-checkout: chained the existing hook (now post-checkout.before-twin)"
expect_contains "$OUT" "pre-commit: chained the existing hook (now pre-commit.before-twin)"
expect_contains "$H/post-checkout" "git twin hook post-checkout"
expect_contains "$H/post-checkout.before-twin" "user post-checkout"
expect_contains "$H/pre-commit.before-twin" "user pre-commit says no"
# A second --fix finds shims and changes nothing.
cp "$H/post-checkout.before-twin" "$TRASH/chained-copy"
expect_exit 0 git twin doctor --fix
check "the chained hook is kept as it was" cmp "$TRASH/chained-copy" "$H/post-checkout.before-twin"
expect_exit 0 git twin doctor
# Another hook of the user's on top of a chained one: nothing is overwritten.
cp "$H/post-checkout" "$TRASH/shim-copy"
printf '#!/bin/sh
echo second user hook
' >"$H/post-checkout"
cp "$H/post-checkout" "$TRASH/second-copy"
expect_exit 1 git twin doctor --fix
expect_contains "$ERR" "merge them by hand"
check "the new user hook is kept" cmp "$TRASH/second-copy" "$H/post-checkout"
check "the chained hook is kept" cmp "$TRASH/chained-copy" "$H/post-checkout.before-twin"
cp "$TRASH/shim-copy" "$H/post-checkout"
expect_exit 0 git twin doctor

section "the chained post-checkout still runs"
expect_exit 0 git checkout -b side
expect_contains "$TRASH/user-hook-ran" "user post-checkout 1"
expect_no_twin_output "$ERR"   # same commit: no desired state changed, nothing to say
expect_exit 0 git checkout main

section "the chained pre-commit still refuses"
echo "a note" >notes.txt
git add notes.txt
head=$(git rev-parse HEAD)
expect_exit 1 git commit -m "blocked by the user's hook"
expect_contains "$ERR" "user pre-commit says no"
expect_eq "$head" "$(git rev-parse HEAD)" "no commit made"
printf '#!/bin/sh\nexit 0\n' >"$H/pre-commit.before-twin"
expect_exit 0 git commit -m "notes"
expect_ne "$head" "$(git rev-parse HEAD)" "the commit is made once the user's hook agrees"
git branch -q -f side HEAD

section "git-twin not on PATH"
rm -f "$TRASH/user-hook-ran"
run env PATH=/usr/bin:/bin /usr/bin/git checkout side
expect_eq 0 "$RC" "checkout exits 0"
expect_contains "$ERR" "git-twin: not on PATH; its post-checkout hook was skipped"
expect_contains "$TRASH/user-hook-ran" "user post-checkout 1"
run env PATH=/usr/bin:/bin /usr/bin/git checkout main
expect_eq 0 "$RC" "checkout back exits 0"

section "a branch switch that changes the desired state"
echo "Welcome v2" >filesystem/etc/motd
git commit -q -am "motd v2" 2>/dev/null
git twin apply --yes >/dev/null 2>&1 || fail "apply motd v2"
expect_eq "Welcome v2" "$(cat "$R/etc/motd")" "the machine has motd v2"
root_fingerprint "$R" >"$TRASH/before"
rm -f plan/latest.yaml "$TRASH/user-hook-ran"
expect_exit 0 git checkout -b old "$first"
expect_contains "$TRASH/user-hook-ran" "user post-checkout 1"
expect_line "$ERR" "git-twin: 1 action pending (files.mirror 1); review with 'git twin plan', run 'git twin apply' to apply"
expect_eq 1 "$(grep -c '^git-twin:' "$ERR")" "one line from git-twin"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "plan/latest.yaml is made for the new HEAD"
expect_clean
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
expect_exit 0 git checkout main
expect_line "$ERR" "git-twin: nothing to apply: the machine matches the twin"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "plan/latest.yaml follows HEAD back"
expect_clean

section "planning fails"
git checkout -q -b broken 2>/dev/null
echo "files: [ {path: " >state/files.yaml
expect_exit 1 git commit -q -am "broken state"
expect_contains "$ERR" "git-twin: commit refused"
expect_exit 0 git commit -q --no-verify -am "broken state"
expect_exit 0 git checkout main
expect_exit 0 git checkout broken
expect_contains "$ERR" "git-twin: warning: could not plan:"
expect_contains "$ERR" "state/files.yaml:1:"
expect_clean
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
git checkout -q main 2>/dev/null

section "recursion guard"
rm -f plan/latest.yaml
expect_exit 0 env GIT_TWIN_INTERNAL=1 git checkout old
expect_no_twin_output "$ERR"
expect_no_file plan/latest.yaml
expect_exit 0 env GIT_TWIN_IN_HOOK=1 git checkout main
expect_no_twin_output "$ERR"
expect_no_file plan/latest.yaml
expect_exit 0 env GIT_TWIN_INTERNAL=1 git twin hook post-checkout "$first" "$(git rev-parse HEAD)" 1
expect_no_twin_output "$ERR"

section "rebase in progress"
git checkout -q -b conflicting "$first" 2>/dev/null
echo "another note" >notes.txt
git add notes.txt
git commit -q -m "conflicting notes" 2>/dev/null
run git rebase main
check "the rebase stops on the conflict" test -d .git/rebase-merge
rm -f plan/latest.yaml
expect_exit 0 git checkout HEAD -- filesystem/etc/motd
expect_no_file plan/latest.yaml
expect_exit 0 git twin hook post-checkout "$first" "$(git rev-parse HEAD)" 1
expect_contains "$ERR" "rebase"
expect_contains "$ERR" "post-checkout hook does nothing"
expect_exit 0 git twin hook post-merge 0
expect_contains "$ERR" "post-merge hook does nothing"
expect_no_file plan/latest.yaml
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"
expect_exit 0 git rebase --abort
expect_exit 0 git checkout main
expect_line "$ERR" "git-twin: nothing to apply: the machine matches the twin"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "after the abort the hook plans again"

section "git pull --rebase fires post-rewrite"
git clone -q --bare "$T" "$TRASH/remote.git"
git remote add origin "$TRASH/remote.git"
git fetch -q origin
git branch -q -u origin/main main
git clone -q "$TRASH/remote.git" "$TRASH/other"
(cd "$TRASH/other" && echo "Welcome v3" >filesystem/etc/motd && git commit -q -am "motd v3" &&
  git push -q origin main) || fail "push from the other clone"
echo "local note" >>notes.txt
git commit -q -am "local note" 2>/dev/null
rm -f plan/latest.yaml
expect_exit 0 git pull --rebase
expect_eq "Welcome v3" "$(git show HEAD:filesystem/etc/motd)" "the remote change is in HEAD"
expect_eq "local note" "$(git show HEAD:notes.txt | tail -1)" "the local commit is replayed on top"
# post-rewrite runs while git still has its rebase state; it plans all the same. (git's
# "Rebasing (1/1)" progress ends in a carriage return, so the block shares its line.)
expect_contains "$ERR" "git-twin: 1 action pending (files.mirror 1); review with 'git twin plan', run 'git twin apply' to apply"
expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "plan/latest.yaml is made for the rebased HEAD"
expect_clean
root_fingerprint "$R" >"$TRASH/after"
check "the machine is unchanged" cmp "$TRASH/before" "$TRASH/after"

finish
