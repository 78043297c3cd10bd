# Promise: `git twin status` says in one line per plugin whether the machine and the twin
# agree, what the twin wants done (DRIFT), what the machine changed that is waiting to be
# adopted, and what changed on both sides (conflict), also as JSON and as an exit code;
# and `git twin adopt` copies what is observed into the desired state for exactly what is
# named (a path and what is below it, a plugin, or everything), commits it, and refuses
# names it does not know without changing anything.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1

# files_json_state: the `state` of files.mirror in `git twin status --json`.
files_json_state() {
  git twin status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([p["state"] for p in d["plugins"] if p["plugin"] == "files.mirror"][0])'
}
# nothing_changed HEAD: HEAD is still HEAD and the tree is clean.
nothing_changed() {
  expect_eq "$1" "$(git rev-parse HEAD)" "HEAD unchanged"
  expect_eq "" "$(git status --porcelain)" "git status is clean"
}
in_sync() {
  expect_exit 0 git twin status --exit-code
  expect_line "$OUT" "files: in sync"
}

section "a fresh twin"
expect_exit 0 git twin status
expect_line "$OUT" "system: observed only"
expect_line "$OUT" "packages: in sync"
expect_line "$OUT" "files: in sync"
expect_line "$OUT" "services: in sync"
expect_line "$OUT" "cron: in sync"
expect_eq 5 "$(wc -l <"$OUT")" "one line per plugin"
expect_exit 0 git twin status --exit-code
expect_exit 0 git twin status --json
check "--json parses" python3 -m json.tool "$OUT"
check "--json: format_version 1, system observed_only, packages and files in_sync" \
  python3 - "$OUT" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format_version"] == 1
states = {p["plugin"]: p["state"] for p in d["plugins"]}
assert states == {"system.info": "observed_only", "packages.debian": "in_sync",
                  "files.mirror": "in_sync", "services.systemd": "in_sync",
                  "cron.user": "in_sync"}, states
EOF

section "a desired edit: DRIFT"
echo "twin wants this" >filesystem/etc/motd
expect_exit 0 git twin status
expect_line "$OUT" "files: DRIFT (1 action needed)"
expect_line "$OUT" "system: observed only"
expect_exit 2 git twin status --exit-code
expect_eq "pending" "$(files_json_state)" "--json: files.mirror state is pending"
state_entry_set state/files.yaml /etc/hostname mode '"0600"'
expect_exit 2 git twin status --exit-code
expect_line "$OUT" "files: DRIFT (2 actions needed)"
git checkout -q -- filesystem state
in_sync

section "a change on the machine only: local changes to adopt"
echo "changed on the machine" >"$R/etc/motd"
expect_exit 0 git twin status
expect_line "$OUT" "files: 1 local change to adopt"
expect_eq "local_drift" "$(files_json_state)" "--json: files.mirror state is local_drift"
chmod 600 "$R/etc/hostname"
expect_exit 0 git twin status
expect_line "$OUT" "files: 2 local changes to adopt"
expect_exit 0 git twin snapshot
expect_contains "$OUT" "adopted 2"
in_sync
expect_eq "changed on the machine" "$(cat filesystem/etc/motd)" "snapshot adopted the motd"

section "a new file on the machine"
echo "brand new" >"$R/etc/app/brand-new.conf"
expect_exit 0 git twin status
# A file new on the machine is a local change too: the next snapshot adopts it.
expect_line "$OUT" "files: 1 local change to adopt"
git twin snapshot >/dev/null 2>&1
expect_file filesystem/etc/app/brand-new.conf
in_sync

section "a conflict"
echo "the twin's motd" >filesystem/etc/motd
git commit -qam "twin: motd"
echo "the machine's motd" >"$R/etc/motd"
expect_exit 0 git twin status
expect_line "$OUT" "files: 1 conflict"
expect_eq "conflict" "$(files_json_state)" "--json: files.mirror state is conflict"
expect_exit 2 git twin status --exit-code
echo "twin side of a second file" >filesystem/etc/os-release
git commit -qam "twin: os-release"
echo "twin and machine apart" >"$R/etc/hostname"
echo "fakehost" >filesystem/etc/hostname   # unchanged desired: only the machine changed
expect_exit 0 git twin status
expect_line "$OUT" "files: DRIFT (1 action needed), 1 local change to adopt, 1 conflict"
# Resolve: the machine takes the twin's motd, the rest goes back to how it was.
echo "the twin's motd" >"$R/etc/motd"
git revert --no-edit HEAD >/dev/null
echo "fakehost" >"$R/etc/hostname"
in_sync

# The machine now matches the twin again; a snapshot records that as the new sync point.
expect_exit 0 git twin snapshot

section "adopt one path (sync.adopt_local_changes: false)"
sed -i 's/adopt_local_changes: true/adopt_local_changes: false/' config.yaml
expect_contains config.yaml "adopt_local_changes: false"
git commit -qam "twin: do not adopt local changes"
echo "machine motd, not adopted" >"$R/etc/motd"
echo "machine app.conf, not adopted" >"$R/etc/app/app.conf"
expect_exit 0 git twin snapshot
expect_not_contains "$OUT" "adopted"
expect_eq "the twin's motd" "$(cat filesystem/etc/motd)" "snapshot did not adopt the motd"
expect_exit 0 git twin status
# The sync base does not move past changes that were not adopted, so they stay local
# changes (and apply would not silently undo them).
expect_line "$OUT" "files: 2 local changes to adopt"
expect_ne "in_sync" "$(files_json_state)" "status is not 'in sync' before adopting"
n=$(git rev-list --count HEAD)
expect_exit 0 git twin adopt /etc/motd
expect_contains "$OUT" "/etc/motd"
expect_eq "machine motd, not adopted" "$(cat filesystem/etc/motd)" "filesystem/etc/motd adopted"
expect_eq "machine motd, not adopted" "$(git show HEAD:filesystem/etc/motd)" "and committed"
yaml_entry state/files.yaml /etc/motd >"$TRASH/motd.yaml"
expect_contains "$TRASH/motd.yaml" "sha256: $(sha "$R/etc/motd")"
expect_eq $((n + 1)) "$(git rev-list --count HEAD)" "one new commit"
expect_eq "" "$(git status --porcelain)" "git status is clean"
expect_ne "machine app.conf, not adopted" "$(cat filesystem/etc/app/app.conf)" \
  "app.conf, not named, is not adopted"
expect_exit 0 git twin status
expect_line "$OUT" "files: 1 local change to adopt"

section "adopt a directory: everything below it"
echo "machine extra" >"$R/etc/app/extra.conf"
mkdir "$R/etc/app/conf.d"
echo "deep = 1" >"$R/etc/app/conf.d/deep.conf"
echo "not below /etc/app" >"$R/etc/os-release"
expect_exit 0 git twin adopt /etc/app
expect_eq "machine app.conf, not adopted" "$(cat filesystem/etc/app/app.conf)" "app.conf adopted"
expect_eq "machine extra" "$(cat filesystem/etc/app/extra.conf)" "a new file below adopted"
expect_eq "deep = 1" "$(cat filesystem/etc/app/conf.d/deep.conf)" "a file in a new directory adopted"
yaml_entry state/files.yaml /etc/app/conf.d >"$TRASH/confd.yaml"
expect_contains "$TRASH/confd.yaml" "type: directory"
expect_ne "not below /etc/app" "$(cat filesystem/etc/os-release)" "os-release is not adopted"
expect_eq "" "$(git status --porcelain)" "git status is clean"

section "adopt files: everything"
chmod 640 "$R/etc/group"
rm "$R/etc/app/extra.conf"
expect_exit 0 git twin adopt files
expect_eq "not below /etc/app" "$(cat filesystem/etc/os-release)" "os-release adopted"
yaml_entry state/files.yaml /etc/group >"$TRASH/group.yaml"
expect_contains "$TRASH/group.yaml" 'mode: "0640"'
expect_not_contains state/files.yaml "path: /etc/app/extra.conf"
expect_no_file filesystem/etc/app/extra.conf
expect_eq "" "$(git status --porcelain)" "git status is clean"
in_sync
head=$(git rev-parse HEAD)
expect_exit 0 git twin adopt files.mirror
expect_contains "$OUT" "nothing to adopt"
nothing_changed "$head"

section "adopt: unknown names change nothing"
echo "pending machine change" >"$R/etc/motd"   # so that there is something to (not) adopt
head=$(git rev-parse HEAD)
state_before=$(sha state/files.yaml)
expect_exit 1 git twin adopt /etc/nonexistent
expect_contains "$ERR" "/etc/nonexistent"
# A refused adopt leaves the work tree as it was: names are checked before anything is
# written.
nothing_changed "$head"
expect_eq "$state_before" "$(sha state/files.yaml)" "state/files.yaml unchanged"
git checkout -q -- .   # start each case below from a clean tree
expect_exit 1 git twin adopt system
expect_contains "$ERR" "observed only"
nothing_changed "$head"
expect_exit 1 git twin adopt system.info
nothing_changed "$head"
run git twin adopt etc/motd
expect_ne 0 "$RC" "a relative path is refused"
expect_contains "$ERR" "etc/motd"
nothing_changed "$head"
git checkout -q -- .
# One bad name in a list refuses the whole list.
run git twin adopt /etc/motd /etc/nonexistent
expect_ne 0 "$RC" "a list with an unknown path is refused"
expect_contains "$ERR" "/etc/nonexistent"
nothing_changed "$head"
expect_ne "pending machine change" "$(cat filesystem/etc/motd)" "not even the good name is adopted"
git checkout -q -- .

finish
