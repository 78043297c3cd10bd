# Promise: after a checkout, a merge or a pull, the hook's plan/latest.yaml is byte for byte
# the one a full `git twin plan` writes right afterwards (same actions, desired_digest and
# desired_commit) while the machine does not change, whether the hook re-planned only the
# files under filesystem/ that git changed (from the plan memo a full plan leaves in
# $GIT_DIR/twin/plan-memo/) or fell back to a full plan (config.yaml, state/ or plugins/
# changed, an uncommitted edit of them, the sync base moved, a desired file is gone, the
# memo is missing, stale or damaged). The hook never touches the machine nor dirties git.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
# A few more files, with names that sort around each other ('-' and '.' before '/').
echo "old = 1" >"$R/etc/app-old.conf"
echo "top = 1" >"$R/etc/app.conf"
echo "a = 1" >"$R/etc/app/a.conf"
echo "z = 1" >"$R/etc/app/z.conf"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
git config advice.detachedHead false
OWNER=$(twin_owner "$T" owner)
GROUP=$(twin_owner "$T" group)
MEMO=$T/.git/twin/plan-memo
TAB=$(printf '\t')

# Commits and moves of HEAD that must not run git-twin's hooks.
quiet_git() { git -c core.hooksPath=/dev/null "$@"; }
commit_all() { quiet_git add -A . && quiet_git commit -q -m "$1"; }

# memo_token: the token of the plan memo's head; a full plan that writes a new memo body
# gives it a new token, an incremental plan (which only rewrites the head) keeps it.
memo_token() { sed -n 's/^token //p' "$MEMO/head" 2>/dev/null; }

# STATUS: what `git status --porcelain` must print after the hook (empty: clean).
STATUS=""

# hook_plan DESC GIT-ARGS...: runs `git GIT-ARGS...` (its hook re-plans), keeps the plan the
# hook wrote in $TRASH/hook.yaml and its stderr in $TRASH/hook.err, then checks that a full
# `git twin plan` writes the very same plan/latest.yaml, that git status is as expected and
# that the machine did not change. The plan memo and plan/latest.yaml are then put back as
# the hook left them, so that the next hook chains on the hook's plan, not on a full one.
hook_plan() {
  local desc=$1; shift
  root_fingerprint "$R" >"$TRASH/fp.before"
  expect_exit 0 git "$@"
  cp "$ERR" "$TRASH/hook.err"
  rm -f "$TRASH/hook.yaml"
  cp plan/latest.yaml "$TRASH/hook.yaml" 2>/dev/null
  expect_eq "$(git rev-parse HEAD)" "$(plan_commit)" "$desc: the hook planned for the new HEAD"
  expect_eq "$STATUS" "$(git status --porcelain)" "$desc: git status after the hook"
  rm -rf "$TRASH/memo.keep"
  cp -a "$MEMO" "$TRASH/memo.keep"
  run git twin plan
  expect_eq 0 "$RC" "$desc: git twin plan afterwards exits 0"
  check "$desc: the hook's plan is the full plan" diff -u "$TRASH/hook.yaml" plan/latest.yaml
  root_fingerprint "$R" >"$TRASH/fp.after"
  check "$desc: the machine is unchanged" cmp "$TRASH/fp.before" "$TRASH/fp.after"
  rm -rf "$MEMO"
  cp -a "$TRASH/memo.keep" "$MEMO"
  cp "$TRASH/hook.yaml" plan/latest.yaml
}

# expect_incremental DESC TOKEN PATH: the last hook re-planned from the memo whose token was
# TOKEN (no new body) and took the new content of PATH into account.
expect_incremental() {
  expect_eq "$2" "$(memo_token)" "$1: the memo body is kept (an incremental plan)"
  if grep -qF "digest $3$TAB" "$MEMO/head"; then ok "$1: the memo head records $3"
  else fail "$1: the memo head records $3" "$(show_file "$MEMO/head")"; fi
}

# expect_full DESC TOKEN: the last hook made a full plan (a new memo body, no longer TOKEN).
expect_full() { expect_ne "$2" "$(memo_token)" "$1: a new memo body (a full plan)"; }

PENDING_TAIL="; review with 'git twin plan', run 'git twin apply' to apply"

A=$(git rev-parse HEAD)
echo "Welcome, version B" >filesystem/etc/motd
commit_all "B: motd"
B=$(git rev-parse HEAD)

section "a. checkout back and forth"
expect_exit 0 git twin plan
tok=$(memo_token)
check "a full plan leaves a memo body" test -s "$MEMO/body"
hook_plan "checkout A" checkout -q "$A"
expect_line "$TRASH/hook.err" "git-twin: nothing to apply: the machine matches the twin"
expect_eq 1 "$(grep -c '^git-twin:' "$TRASH/hook.err")" "one line from git-twin"
expect_incremental "checkout A" "$tok" filesystem/etc/motd
hook_plan "checkout - (B)" checkout -q -
expect_eq "refs/heads/main" "$(git symbolic-ref -q HEAD)" "back on main"
expect_line "$TRASH/hook.err" "git-twin: 1 action pending (files.mirror 1)$PENDING_TAIL"
expect_line "$TRASH/hook.yaml" "      id: files.mirror/write_file/etc/motd"
expect_eq 1 "$(grep -c '^ *id: ' "$TRASH/hook.yaml")" "one action in the hook's plan"
expect_incremental "checkout - (B)" "$tok" filesystem/etc/motd
for round in 1 2; do
  hook_plan "round $round: checkout A" checkout -q "$A"
  expect_eq 0 "$(grep -c '^ *id: ' "$TRASH/hook.yaml")" "round $round: no action at A"
  hook_plan "round $round: checkout main" checkout -q main
  expect_eq 1 "$(grep -c '^ *id: ' "$TRASH/hook.yaml")" "round $round: one action at B"
done
expect_eq "$tok" "$(memo_token)" "the chain of hooks never rewrote the memo body"

section "b. several files, and a file no state entry uses"
echo "otherhost" >filesystem/etc/hostname
printf 'listen = 9090\nworkers = 8\n' >filesystem/etc/app/app.conf
commit_all "D: hostname and app.conf"
D=$(git rev-parse HEAD)
echo "nobody reads me" >filesystem/etc/unused.conf
commit_all "E: a file under filesystem/ that state/ does not name"
E=$(git rev-parse HEAD)
quiet_git checkout -q "$B"
expect_exit 0 git twin plan
tok=$(memo_token)
hook_plan "B -> D" checkout -q "$D"
expect_line "$TRASH/hook.err" "git-twin: 3 actions pending (files.mirror 3)$PENDING_TAIL"
expect_incremental "B -> D" "$tok" filesystem/etc/hostname
expect_incremental "B -> D" "$tok" filesystem/etc/app/app.conf
hook_plan "D -> E" checkout -q "$E"
expect_line "$TRASH/hook.err" "git-twin: 3 actions pending (files.mirror 3)$PENDING_TAIL"
expect_eq "$tok" "$(memo_token)" "D -> E: the memo body is kept"
hook_plan "E -> A" checkout -q "$A"
expect_line "$TRASH/hook.err" "git-twin: nothing to apply: the machine matches the twin"
hook_plan "A -> E" checkout -q "$E"
hook_plan "E -> B" checkout -q "$B"
expect_line "$TRASH/hook.err" "git-twin: 1 action pending (files.mirror 1)$PENDING_TAIL"
expect_eq "$tok" "$(memo_token)" "b: every hook was incremental"

section "b. new directories, removals and the order of actions"
quiet_git checkout -q -b more "$D"
state_entry_replace state/files.yaml /etc/app-old.conf <<'EOF'
  - path: /etc/app-old.conf
    ensure: absent
EOF
cat >>state/files.yaml <<EOF
  - path: /etc/newdir
    type: directory
    mode: "0750"
    owner: "$OWNER"
    group: "$GROUP"
EOF
desire_file "$T" /etc/newdir/new.conf "new = 1"
desire_file "$T" /etc/app/m.conf "m = 1"
check "the new state is valid" git twin validate
commit_all "G: a new directory, a new file, a removal"
G=$(git rev-parse HEAD)
echo "new = 2" >filesystem/etc/newdir/new.conf
commit_all "H: the file in the new directory"
H=$(git rev-parse HEAD)
echo "top = 2" >filesystem/etc/app.conf
echo "a = 2" >filesystem/etc/app/a.conf
echo "z = 2" >filesystem/etc/app/z.conf
echo "m = 2" >filesystem/etc/app/m.conf
commit_all "I: files around the others"
I=$(git rev-parse HEAD)
quiet_git checkout -q "$B"
expect_exit 0 git twin plan
tok=$(memo_token)
hook_plan "B -> G (state changed)" checkout -q "$G"
expect_full "B -> G" "$tok"
expect_line "$TRASH/hook.yaml" "      id: files.mirror/create_directory/etc/newdir"
expect_line "$TRASH/hook.yaml" "      id: files.mirror/remove/etc/app-old.conf"
check "the file in the new directory depends on it" \
  grep -qx '        - files.mirror/create_directory/etc/newdir' "$TRASH/hook.yaml"
tok=$(memo_token)
# The directory's creation is pending: its file's action depends on it, so a partial plan
# cannot replace that action alone.
hook_plan "G -> H (below a directory to create)" checkout -q "$H"
expect_full "G -> H" "$tok"
expect_line "$TRASH/hook.yaml" "      id: files.mirror/write_file/etc/newdir/new.conf"
tok=$(memo_token)
# Files that sort before, between and after the other pending actions, and a new one.
hook_plan "H -> I" checkout -q "$I"
expect_line "$TRASH/hook.err" "git-twin: 10 actions pending (files.mirror 10)$PENDING_TAIL"
expect_incremental "H -> I" "$tok" filesystem/etc/app/m.conf
hook_plan "I -> H" checkout -q "$H"
expect_incremental "I -> H" "$tok" filesystem/etc/app.conf
expect_line "$TRASH/hook.err" "git-twin: 7 actions pending (files.mirror 7)$PENDING_TAIL"
hook_plan "H -> I again" checkout -q "$I"
expect_eq "$tok" "$(memo_token)" "H -> I again: the memo body is kept"
# new.conf changes too, below the directory still to create.
hook_plan "I -> G" checkout -q "$G"
expect_full "I -> G" "$tok"
hook_plan "G -> I" checkout -q "$I"
quiet_git checkout -q "$I"

section "c. a commit that changes state/ plans in full"
state_entry_set state/files.yaml /etc/passwd mode '"0600"'
echo "Welcome, version J" >filesystem/etc/motd
commit_all "J: passwd mode and motd"
J=$(git rev-parse HEAD)
quiet_git checkout -q "$I"
expect_exit 0 git twin plan
tok=$(memo_token)
hook_plan "I -> J" checkout -q "$J"
expect_full "I -> J" "$tok"
expect_line "$TRASH/hook.yaml" "      id: files.mirror/set_attributes/etc/passwd"
expect_not_contains "$MEMO/head" "digest filesystem/etc/motd"
hook_plan "J -> I" checkout -q "$I"
expect_not_contains "$TRASH/hook.yaml" "set_attributes"

section "d. a desired file that state/ names is gone"
quiet_git checkout -q "$J"
quiet_git rm -q filesystem/etc/os-release
quiet_git commit -q -m "K: os-release removed from filesystem/ only"
K=$(git rev-parse HEAD)
quiet_git checkout -q "$J"
expect_exit 0 git twin plan
root_fingerprint "$R" >"$TRASH/fp.before"
expect_exit 0 git checkout -q "$K"
expect_eq "$K" "$(git rev-parse HEAD)" "the checkout happened"
expect_contains "$ERR" "git-twin: warning: could not plan: desired state is invalid"
expect_contains "$ERR" "filesystem/etc/os-release"
expect_ne "$K" "$(plan_commit)" "no plan claims to be made for K"
expect_clean
root_fingerprint "$R" >"$TRASH/fp.after"
check "the machine is unchanged" cmp "$TRASH/fp.before" "$TRASH/fp.after"
expect_exit 1 git twin plan
expect_contains "$ERR" "filesystem/etc/os-release"
hook_plan "K -> J" checkout -q "$J"

section "e. a missing, stale or damaged memo"
# Each time: a full plan at D (three actions pending), the damage, then a checkout of B.
damage_then_checkout() {
  local desc=$1 tok; shift
  quiet_git checkout -q "$D"
  run git twin plan
  tok=$(memo_token)
  "$@"
  hook_plan "$desc" checkout -q "$B"
  expect_full "$desc" "$tok"
  expect_line "$TRASH/hook.yaml" "      id: files.mirror/write_file/etc/motd"
}
damage_then_checkout "empty body" truncate -s 0 "$MEMO/body"
damage_then_checkout "body cut in a line" truncate -s -7 "$MEMO/body"
cut_to_first_line() { head -n 1 "$MEMO/body" >"$TRASH/body" && cat "$TRASH/body" >"$MEMO/body"; }
damage_then_checkout "body cut after its first line" cut_to_first_line
cut_half() {
  head -n 4 "$MEMO/body" >"$TRASH/body" && cat "$TRASH/body" >"$MEMO/body"
}
damage_then_checkout "body cut after a few rows" cut_half
damage_then_checkout "no body" rm -f "$MEMO/body"
damage_then_checkout "no head" rm -f "$MEMO/head"
damage_then_checkout "no memo" rm -rf "$MEMO"
damage_then_checkout "a head of garbage" sh -c "echo garbage >'$MEMO/head'"
quiet_git checkout -q "$A"
run git twin plan
rm -rf "$TRASH/old-memo"
cp -a "$MEMO" "$TRASH/old-memo"
put_back_old_memo() { rm -rf "$MEMO" && cp -a "$TRASH/old-memo" "$MEMO"; }
damage_then_checkout "the memo of an older plan" put_back_old_memo
# A plan edited by hand no longer matches its memo: at D, drop the hostname action, then
# check out E (which changes only a file no state entry uses).
drop_hostname() {
  awk '/^    - |^[^ ]|^  [^ ]/ { skip = 0 } /^    - path: \/etc\/hostname$/ { skip = 1 } !skip' \
    plan/latest.yaml >"$TRASH/edited.yaml" && cp "$TRASH/edited.yaml" plan/latest.yaml
}
quiet_git checkout -q "$D"
run git twin plan
drop_hostname
check "the edited plan lacks the hostname action" \
  sh -c "! grep -q 'write_file/etc/hostname' plan/latest.yaml"
hook_plan "a plan edited by hand" checkout -q "$E"
expect_line "$TRASH/hook.yaml" "      id: files.mirror/write_file/etc/hostname"

section "e. the sync base moved"
quiet_git checkout -q "$B"
run git twin plan
tok=$(memo_token)
base=$(git rev-parse refs/twin/base)
# A commit whose live/ is the base's: the plan is the same, but the memo must not be used.
quiet_git commit-tree -p "$base" -m "another base" "$base^{tree}" >"$TRASH/newbase"
git update-ref refs/twin/base "$(cat "$TRASH/newbase")"
hook_plan "base moved" checkout -q "$A"
expect_full "base moved" "$tok"
git update-ref refs/twin/base "$base"

section "f. an uncommitted edit of state/ carried over a checkout"
quiet_git checkout -q "$B"
run git twin plan
tok=$(memo_token)
state_entry_set state/files.yaml /etc/passwd mode '"0600"'
STATUS=" M state/files.yaml"
hook_plan "edit after the plan" checkout -q "$A"
expect_full "edit after the plan" "$tok"
expect_line "$TRASH/hook.yaml" "      id: files.mirror/set_attributes/etc/passwd"
# The plan was made with the edit: the memo may serve.
quiet_git checkout -q "$B"
run git twin plan
tok=$(memo_token)
hook_plan "edit before the plan" checkout -q "$A"
expect_incremental "edit before the plan" "$tok" filesystem/etc/motd
expect_line "$TRASH/hook.yaml" "      id: files.mirror/set_attributes/etc/passwd"
quiet_git checkout -q -- state
# An edit in place that keeps the inode and the size (only the file's times tell).
quiet_git checkout -q "$B"
cp state/files.yaml "$TRASH/edited-state"
state_entry_set "$TRASH/edited-state" /etc/passwd mode '"0600"'
run git twin plan
tok=$(memo_token)
inode=$(stat -c %i state/files.yaml)
size=$(stat -c %s state/files.yaml)
sleep 0.05   # past the file system's timestamp granularity
cat "$TRASH/edited-state" >state/files.yaml
expect_eq "$inode $size" "$(stat -c '%i %s' state/files.yaml)" "same inode and size after the edit"
hook_plan "same-size edit in place" checkout -q "$A"
expect_full "same-size edit in place" "$tok"
expect_line "$TRASH/hook.yaml" "      id: files.mirror/set_attributes/etc/passwd"
quiet_git checkout -q -- state
STATUS=""

section "f. an uncommitted edit of filesystem/ made after the last full plan"
# hostname is the same in A and B, so git keeps the edit. The hook re-plans only what the
# checkout changed (reading every desired file would cost what a full plan costs), so the
# edit shows at the next `git twin plan`, and apply refuses the plan made before it.
quiet_git checkout -q -B f-at-b "$B"
run git twin plan
echo "edited, not committed" >filesystem/etc/hostname
root_fingerprint "$R" >"$TRASH/fp.before"
expect_exit 0 git checkout -q -B f-at-a "$A"
check "the hook's plan does not know the edit yet" \
  sh -c "! grep -q 'write_file/etc/hostname' plan/latest.yaml"
expect_exit 1 git twin apply --yes
expect_line "$ERR" "error: plan/latest.yaml is stale: state/ or filesystem/ changed since it was made"
root_fingerprint "$R" >"$TRASH/fp.after"
check "apply changed nothing on the machine" cmp "$TRASH/fp.before" "$TRASH/fp.after"
expect_exit 0 git twin plan
expect_line plan/latest.yaml "      id: files.mirror/write_file/etc/hostname"
quiet_git checkout -q -- filesystem

section "g. git pull (post-merge)"
quiet_git checkout -q main
run git twin plan
tok=$(memo_token)
git clone -q "$T" "$TRASH/other" 2>/dev/null
(cd "$TRASH/other" && echo "Welcome, from the other clone" >filesystem/etc/motd &&
  echo "from the other clone" >filesystem/etc/hostname &&
  quiet_git commit -q -am "motd and hostname from the other clone") ||
  fail "commit in the other clone"
hook_plan "fast-forward pull" pull -q --ff-only "$TRASH/other" main
expect_eq "$(git -C "$TRASH/other" rev-parse HEAD)" "$(git rev-parse HEAD)" "main fast-forwarded"
# main is at E: motd, hostname and app.conf differ from the machine.
expect_line "$TRASH/hook.err" "git-twin: 3 actions pending (files.mirror 3)$PENDING_TAIL"
expect_incremental "fast-forward pull" "$tok" filesystem/etc/hostname
# A true merge: a local commit and another one in the other clone.
echo "z = local" >filesystem/etc/app/z.conf
commit_all "local z.conf"
run git twin plan
tok=$(memo_token)
(cd "$TRASH/other" && echo "a = other" >filesystem/etc/app/a.conf &&
  quiet_git commit -q -am "a.conf from the other clone") || fail "commit in the other clone"
hook_plan "merging pull" pull -q --no-rebase --no-edit "$TRASH/other" main
check "HEAD is a merge" git rev-parse -q --verify HEAD^2
expect_line "$TRASH/hook.err" "git-twin: 5 actions pending (files.mirror 5)$PENDING_TAIL"
expect_incremental "merging pull" "$tok" filesystem/etc/app/a.conf

section "h. git merge --squash (post-merge without moving HEAD)"
quiet_git checkout -q -b squash-side
echo "from a squashed branch" >filesystem/etc/hostname
commit_all "hostname on a side branch"
quiet_git checkout -q main
run git twin plan
STATUS="M  filesystem/etc/hostname"
hook_plan "squash merge" merge -q --squash squash-side
expect_line "$TRASH/hook.yaml" "      id: files.mirror/write_file/etc/hostname"
quiet_git reset -q --hard
STATUS=""

section "i. the machine changed between two full plans"
# The memo's items hold what the machine looked like: a plan after a change on the machine
# must not keep the items of the plan before it.
quiet_git checkout -q -b machine-moved
echo "desired motd, again" >filesystem/etc/motd
commit_all "motd once more"
M=$(git rev-parse HEAD)
quiet_git checkout -q main
run git twin plan
echo "changed on the machine" >"$R/etc/motd"
run git twin plan
hook_plan "checkout after a machine change" checkout -q "$M"

finish
