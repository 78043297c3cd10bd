# Promise: `git twin snapshot` records the machine in live/, adopts one-sided local changes
# into state/ and filesystem/, never overwrites a desired edit (conflicts are reported and
# left alone), commits only when something changed, and honours --no-commit, -m and
# sync.adopt_local_changes.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1

commits() { git rev-list --count HEAD; }
# clean_and_synced: nothing left uncommitted and the sync base is HEAD.
clean_and_synced() {
  expect_eq "" "$(git status --porcelain)" "git status is clean"
  expect_eq "$(git rev-parse HEAD)" "$(git rev-parse refs/twin/base)" "refs/twin/base = HEAD"
}

section "nothing changed"
head=$(git rev-parse HEAD)
live_files=$(sha live/files.yaml)
live_system=$(sha live/system.yaml)
expect_exit 0 git twin snapshot
check "files.mirror reports unchanged" grep -q '^files.mirror: .*unchanged$' "$OUT"
check "system.info reports unchanged" grep -q '^system.info: .*unchanged$' "$OUT"
expect_not_contains "$OUT" "committed"
expect_eq "$head" "$(git rev-parse HEAD)" "no new commit"
expect_eq "$live_files" "$(sha live/files.yaml)" "live/files.yaml byte-identical"
expect_eq "$live_system" "$(sha live/system.yaml)" "live/system.yaml byte-identical"
clean_and_synced
expect_exit 129 git twin snapshot extra-argument

section "local changes are adopted"
echo "Changed motd" >"$R/etc/motd"
echo "new = 1" >"$R/etc/app/new.conf"
rm "$R/etc/app/app.conf"
chmod 600 "$R/etc/hostname"
n=$(commits)
expect_exit 0 git twin snapshot
expect_contains "$OUT" "adopted 4 into state/"
expect_contains "$OUT" "committed"
expect_eq $((n + 1)) "$(commits)" "one new commit"
expect_eq "Changed motd" "$(cat filesystem/etc/motd)" "filesystem/etc/motd has the new content"
expect_eq "Changed motd" "$(cat live/filesystem/etc/motd)" "live/filesystem/etc/motd has the new content"
expect_eq "new = 1" "$(cat filesystem/etc/app/new.conf)" "filesystem/ has the added file"
expect_eq "new = 1" "$(cat live/filesystem/etc/app/new.conf)" "live/ has the added file"
yaml_entry state/files.yaml /etc/app/new.conf >"$TRASH/new.yaml"
expect_contains "$TRASH/new.yaml" "twin_path: filesystem/etc/app/new.conf"
expect_contains "$TRASH/new.yaml" "type: file"
expect_not_contains state/files.yaml "path: /etc/app/app.conf"
expect_not_contains live/files.yaml "path: /etc/app/app.conf"
expect_no_file filesystem/etc/app/app.conf
expect_no_file live/filesystem/etc/app/app.conf
yaml_entry state/files.yaml /etc/hostname >"$TRASH/hostname.yaml"
expect_contains "$TRASH/hostname.yaml" 'mode: "0600"'
yaml_entry live/files.yaml /etc/hostname >"$TRASH/hostname-live.yaml"
expect_contains "$TRASH/hostname-live.yaml" 'mode: "0600"'
yaml_entry state/files.yaml /etc/motd >"$TRASH/motd.yaml"
expect_contains "$TRASH/motd.yaml" "sha256: $(sha "$R/etc/motd")"
git log -1 --format=%B >"$TRASH/msg"
expect_contains "$TRASH/msg" "adopted files.mirror /etc/app/new.conf"
clean_and_synced

section "conflict: desired edit committed, machine changed differently"
echo "Twin edit" >filesystem/etc/motd
git commit -qam "edit motd in the twin"
echo "Root edit" >"$R/etc/motd"
state_before=$(sha state/files.yaml)
expect_exit 0 git twin snapshot
expect_contains "$ERR" "warning: files.mirror: conflict at /etc/motd"
expect_contains "$OUT" "1 conflict left alone"
expect_eq "Twin edit" "$(cat filesystem/etc/motd)" "filesystem/etc/motd keeps the twin's edit"
expect_eq "Root edit" "$(cat live/filesystem/etc/motd)" "live/ shows the machine's version"
expect_eq "$state_before" "$(sha state/files.yaml)" "state/files.yaml untouched"
expect_eq "" "$(git status --porcelain)" "git status is clean"
# The conflict persists until one side is resolved: the sync base does not move past it
# (otherwise a plan would overwrite the machine's change with the twin's).
expect_exit 0 git twin snapshot
expect_contains "$ERR" "conflict at /etc/motd"
expect_eq "Twin edit" "$(cat filesystem/etc/motd)" "filesystem/etc/motd still keeps the twin's edit"

section "resolving the conflict: the machine takes the twin's version"
echo "Twin edit" >"$R/etc/motd"
expect_exit 0 git twin snapshot
expect_not_contains "$ERR" "conflict"
expect_eq "Twin edit" "$(cat filesystem/etc/motd)" "filesystem/etc/motd unchanged"
clean_and_synced

section "conflict: desired edit only in the work tree"
echo "twin work tree" >filesystem/etc/app/new.conf
echo "root side" >"$R/etc/app/new.conf"
expect_exit 0 git twin snapshot
expect_contains "$ERR" "conflict at /etc/app/new.conf"
expect_eq "twin work tree" "$(cat filesystem/etc/app/new.conf)" "the uncommitted edit survives"
expect_eq " M filesystem/etc/app/new.conf" "$(git status --porcelain)" \
  "the uncommitted edit is left uncommitted, nothing else"
git checkout -q -- filesystem/etc/app/new.conf
echo "new = 1" >"$R/etc/app/new.conf"
git twin snapshot >/dev/null 2>&1

section "same change on both sides is not a conflict"
echo "samehost" >filesystem/etc/hostname
git commit -qam "rename the host in the twin"
echo "samehost" >"$R/etc/hostname"
expect_exit 0 git twin snapshot
expect_not_contains "$ERR" "conflict"
expect_eq "samehost" "$(cat filesystem/etc/hostname)" "filesystem/etc/hostname"
expect_eq "samehost" "$(cat live/filesystem/etc/hostname)" "live/filesystem/etc/hostname"
expect_contains live/system.yaml "hostname: samehost"
clean_and_synced

section "--no-commit"
echo "no commit yet" >"$R/etc/motd"
head=$(git rev-parse HEAD)
expect_exit 0 git twin snapshot --no-commit
expect_not_contains "$OUT" "committed"
expect_eq "$head" "$(git rev-parse HEAD)" "HEAD unchanged"
expect_eq "no commit yet" "$(cat live/filesystem/etc/motd)" "live/ updated"
check "live/files.yaml is modified" sh -c 'git status --porcelain | grep -q " live/files.yaml"'

section "a later plain snapshot commits what --no-commit left"
n=$(commits)
expect_exit 0 git twin snapshot
expect_contains "$OUT" "committed"
expect_eq $((n + 1)) "$(commits)" "one new commit"
expect_eq "no commit yet" "$(git show HEAD:live/filesystem/etc/motd)" "HEAD has the live change"
# What --no-commit adopted into state/ and filesystem/ is committed too.
expect_eq "no commit yet" "$(git show HEAD:filesystem/etc/motd)" "HEAD has the adopted change"
clean_and_synced
# Commit whatever was left so that the next cases start from a clean tree.
[ -z "$(git status --porcelain)" ] || git commit -qam "test: commit what snapshot left"

section "-m sets the message"
echo "message test" >"$R/etc/app/new.conf"
expect_exit 0 git twin snapshot -m "my own message"
expect_eq "my own message" "$(git log -1 --format=%s)" "short option"
echo "message test 2" >"$R/etc/app/new.conf"
expect_exit 0 git twin snapshot --message="long form"
expect_eq "long form" "$(git log -1 --format=%s)" "long option"

section "sync.adopt_local_changes: false"
sed -i 's/adopt_local_changes: true/adopt_local_changes: false/' config.yaml
expect_contains config.yaml "adopt_local_changes: false"
git commit -qam "stop adopting"
state_before=$(sha state/files.yaml)
desired_motd=$(cat filesystem/etc/motd)
echo "drift only" >"$R/etc/motd"
expect_exit 0 git twin snapshot
expect_not_contains "$OUT" "adopted"
expect_eq "drift only" "$(cat live/filesystem/etc/motd)" "live/ shows the change"
expect_eq "drift only" "$(git show HEAD:live/filesystem/etc/motd)" "and it is committed"
expect_eq "$desired_motd" "$(cat filesystem/etc/motd)" "filesystem/ keeps the desired content"
expect_eq "$state_before" "$(sha state/files.yaml)" "state/files.yaml unchanged"
expect_eq "" "$(git status --porcelain)" "git status is clean"
sed -i 's/adopt_local_changes: false/adopt_local_changes: true/' config.yaml
git commit -qam "adopt again"

section "an unreadable file"
if [ "$(id -u)" = 0 ]; then
  echo "# skipped: running as root, which reads every file"
else
  echo "UNREADABLE-MARKER" >"$R/etc/private.conf"
  chmod 000 "$R/etc/private.conf"
  expect_exit 0 git twin snapshot
  yaml_entry live/files.yaml /etc/private.conf >"$TRASH/private.yaml"
  expect_contains "$TRASH/private.yaml" "content: unreadable"
  expect_no_file live/filesystem/etc/private.conf
  expect_nowhere_in_repo "$T" "UNREADABLE-MARKER"
  rm -f "$R/etc/private.conf"
fi

section "a symlink to /etc/shadow is not followed"
ln -s /etc/shadow "$R/etc/evil"
expect_exit 0 git twin snapshot
yaml_entry live/files.yaml /etc/evil >"$TRASH/evil.yaml"
expect_contains "$TRASH/evil.yaml" "type: symlink"
expect_contains "$TRASH/evil.yaml" "target: /etc/shadow"
yaml_entry state/files.yaml /etc/evil >"$TRASH/evil-state.yaml"
expect_contains "$TRASH/evil-state.yaml" "target: /etc/shadow"
expect_no_file live/filesystem/etc/evil
expect_no_file filesystem/etc/evil
expect_not_in_objects "$T" "SHADOW-SECRET-MARKER"
expect_eq "" "$(git status --porcelain)" "git status is clean"

section "stable once more"
head=$(git rev-parse HEAD)
expect_exit 0 git twin snapshot
expect_eq "$head" "$(git rev-parse HEAD)" "no new commit"

finish
