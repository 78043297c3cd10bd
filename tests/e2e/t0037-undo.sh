# Promise: `git twin undo` puts the machine back as it was before a recorded apply (files
# from their backups with their old mode and owner, created files gone, modes set back),
# shows the plan first, changes nothing with --dry-run, records and commits itself like an
# apply, and leaves the twin following the machine (status in sync). An older apply can be
# named. A record edited to reach outside filesystem_roots is refused and nothing changes.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1

root_content "$R" >"$TRASH/before"

section "an apply that writes, creates, removes and chmods"
echo "motd from the twin" >filesystem/etc/motd
desire_file "$T" /etc/app/new.conf "brand new" 0640
sed -i '/^  - path: \/etc\/app\/app.conf$/a\    ensure: absent' state/files.yaml
state_entry_set state/files.yaml /etc/hostname mode '"0600"'
git add -A && git commit -qm "four changes"
expect_exit 0 git twin apply --yes
expect_contains "$OUT" "applied: 4 done, 0 failed, 0 skipped"
expect_no_file "$R/etc/app/app.conf"
expect_eq 600 "$(stat -c %a "$R/etc/hostname")" "hostname is 0600"
first_record=$(ls plan/history)

section "undo --dry-run shows the plan and changes nothing"
snapshot_of_root=$(root_content "$R")
expect_exit 0 git twin undo --dry-run
expect_contains "$OUT" "undo of the apply of"
expect_contains "$OUT" "restore_backup /etc/motd"
expect_contains "$OUT" "- files.mirror: remove /etc/app/new.conf"
expect_contains "$OUT" "chmod 0644 /etc/hostname"
expect_contains "$OUT" "dry run: 4 actions would run"
expect_eq "$snapshot_of_root" "$(root_content "$R")" "the root is unchanged"

section "undo puts the machine back and the twin follows"
expect_exit 0 git twin undo --yes
expect_contains "$OUT" "applied: 4 done, 0 failed, 0 skipped"
expect_eq "$(cat "$TRASH/before")" "$(root_content "$R")" "the machine is as before the apply"
expect_eq 2 "$(ls plan/history | wc -l)" "the undo is recorded as an apply"
git log -1 --format=%s >"$TRASH/subject"
expect_contains "$TRASH/subject" "git twin undo of plan/history/$first_record"
expect_eq "" "$(git status --porcelain)" "git status is clean"
expect_exit 0 git twin status --exit-code
expect_eq "Welcome to fakehost" "$(cat filesystem/etc/motd)" "the twin's motd follows the machine"
expect_exit 0 git fsck --no-progress
ls "$R/etc/" | grep -q 'motd.twinbak-' && ok "the backups stay" || fail "the backups stay"

section "an older apply by name"
echo "second motd" >filesystem/etc/motd
git commit -qam "second motd"
expect_exit 0 git twin apply --yes
expect_exit 0 git twin undo --yes "${first_record%.yaml}"
expect_contains "$OUT" "undo of the apply of"
expect_exit 1 git twin undo --yes no-such-apply
expect_contains "$ERR" "there is no apply record plan/history/no-such-apply.yaml"
expect_exit 129 git twin undo ../../etc/passwd

section "a record edited to reach outside the roots changes nothing"
cat >plan/history/2099-01-01T000000Z.yaml <<'REC'
format_version: 1
applied_at: "2099-01-01T00:00:00Z"
results:
  - {id: files.mirror/write_file/root/x, plugin: files.mirror, op: write_file, resource: /root/.ssh/authorized_keys, change: create, status: done, backups: [], action: {path: /root/.ssh/authorized_keys}}
REC
mkdir -p "$R/root/.ssh" && echo "key" >"$R/root/.ssh/authorized_keys"
snapshot_of_root=$(root_content "$R")
expect_exit 1 git twin undo --yes
expect_contains "$ERR" "outside filesystem_roots"
expect_eq "$snapshot_of_root" "$(root_content "$R")" "the root is unchanged"
rm plan/history/2099-01-01T000000Z.yaml

finish
