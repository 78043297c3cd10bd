# Promise: `git twin apply` never changes the machine on a doubtful basis. It refuses a
# plan that is stale (the root, HEAD or the desired files changed since it was made) or
# that was edited by hand, refuses to run unconfirmed without a terminal, refuses desired
# state that is invalid or points outside the configured roots, never writes through a
# symlink, and leaves alone what changed on both sides unless told which side wins. When
# one action fails, the independent ones still run, the failure is reported with its path,
# and what depended on it is skipped.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
# Owner and group for new entries: root, or the test user when not run as root.
OWNER=$(twin_owner "$T" owner)
GROUP=$(twin_owner "$T" group)

# snap: a fingerprint of the root, to compare with `unchanged` after a refusal.
snap() { root_fingerprint "$R" >"$TRASH/root-before"; }
unchanged() {
  root_fingerprint "$R" >"$TRASH/root-after"
  if cmp -s "$TRASH/root-before" "$TRASH/root-after"; then ok "the root is unchanged"
  else fail "the root is unchanged" "$(diff "$TRASH/root-before" "$TRASH/root-after" | head -20)"; fi
}
# refused: the last command exited 1 with an error and the root is as snapped.
refused() {
  expect_eq 1 "$RC" "exit 1"
  expect_contains "$ERR" "error:"
  unchanged
}
# reset_twin: drop work-tree edits and the saved plan, back to a clean HEAD.
reset_twin() {
  git reset -q --hard
  git clean -qfd -e plan/history
  rm -f plan/latest.yaml
}
clean_and_synced() {
  expect_eq "" "$(git status --porcelain)" "git status is clean"
  expect_eq "$(git rev-parse HEAD)" "$(git rev-parse refs/twin/base)" "refs/twin/base = HEAD"
}

section "stale plan: the root changed after plan"
echo "motd from the twin" >filesystem/etc/motd
git commit -qam "twin: new motd"
git twin plan >/dev/null 2>&1
echo "otherhost" >"$R/etc/hostname"
snap
run git twin apply --yes
refused
expect_contains "$ERR" "plan/latest.yaml is stale"
expect_contains "$ERR" "hint: run 'git twin plan' again"
expect_eq "Welcome to fakehost" "$(cat "$R/etc/motd")" "etc/motd not written"
echo "fakehost" >"$R/etc/hostname"

section "stale plan: HEAD moved after plan"
git twin plan >/dev/null 2>&1
echo "motd from the twin, v2" >filesystem/etc/motd
git commit -qam "twin: motd v2"
snap
run git twin apply --yes
refused
expect_contains "$ERR" "stale"
expect_contains "$ERR" "HEAD"
expect_contains "$ERR" "hint:"

section "stale plan: filesystem/ edited after plan, not committed"
git twin plan >/dev/null 2>&1
echo "uncommitted edit" >filesystem/etc/motd
snap
run git twin apply --yes
refused
expect_contains "$ERR" "stale"
expect_contains "$ERR" "hint:"
git checkout -q -- filesystem/etc/motd

section "a plan edited by hand to add an action"
git twin plan >/dev/null 2>&1
cp plan/latest.yaml "$TRASH/plan.good"
python3 - plan/latest.yaml <<'EOF'
import sys
p = sys.argv[1]
text = open(p).read()
extra = """    - path: /etc/passwd
      id: files.mirror/write_file/etc/passwd
      change: modify
      from: filesystem/etc/motd
      group: root
      mode: "0644"
      op: write_file
      owner: root
      resource: /etc/passwd
"""
assert "\nconflicts:" in text
open(p, "w").write(text.replace("\nconflicts:", "\n" + extra.rstrip("\n") + "\nconflicts:", 1))
EOF
expect_contains plan/latest.yaml "files.mirror/write_file/etc/passwd"
passwd=$(sha "$R/etc/passwd")
snap
run git twin apply --yes
refused
check "the error says the plan does not match" grep -q "plan/latest.yaml.*does not match" "$ERR"
expect_eq "$passwd" "$(sha "$R/etc/passwd")" "etc/passwd untouched"

section "a plan with a schema violation"
sed 's/^      mode: "0644"$/      mode: 420/' "$TRASH/plan.good" >plan/latest.yaml
line=$(grep -n '^      mode: 420$' plan/latest.yaml | head -1 | cut -d: -f1)
check "the hand edit is in the file" test -n "$line"
snap
run git twin apply --yes
refused
check "the error names plan/latest.yaml:$line:col" grep -q "plan/latest.yaml:$line:[0-9]" "$ERR"
sed 's/^format_version: 1$/format_version: 7/' "$TRASH/plan.good" >plan/latest.yaml
run git twin apply --yes
refused
check "the error names plan/latest.yaml:line:col" grep -q "plan/latest.yaml:[0-9]*:[0-9]" "$ERR"
printf 'format_version: 1\nactions: [unclosed\n' >plan/latest.yaml
run git twin apply --yes
refused
check "a YAML syntax error names plan/latest.yaml:line:col" \
  grep -q "plan/latest.yaml:[0-9]*:[0-9]" "$ERR"
rm -f plan/latest.yaml

section "no terminal and no --yes"
snap
run git twin apply </dev/null
refused
expect_contains "$ERR" "hint:"
expect_contains "$ERR" "--yes"
expect_eq "Welcome to fakehost" "$(cat "$R/etc/motd")" "etc/motd not written"

section "apply.require_confirmation: false"
sed -i 's/require_confirmation: true/require_confirmation: false/' config.yaml
expect_contains config.yaml "require_confirmation: false"
git commit -qam "apply without confirmation"
expect_exit 0 git twin apply </dev/null
expect_eq "motd from the twin, v2" "$(cat "$R/etc/motd")" "applied without --yes"
clean_and_synced

section "a twin_path that does not exist"
desire_file "$T" /etc/ghost.conf "ghost"
rm filesystem/etc/ghost.conf
line=$(grep -n 'twin_path: filesystem/etc/ghost.conf' state/files.yaml | cut -d: -f1)
echo "a change that must not be applied" >filesystem/etc/motd
snap
expect_exit 1 git twin plan
check "plan names state/files.yaml:$line" grep -q "state/files.yaml:$line:" "$ERR"
expect_contains "$ERR" "filesystem/etc/ghost.conf"
expect_no_file plan/latest.yaml
run git twin apply --yes
refused
expect_contains "$ERR" "state/files.yaml:$line:"
expect_no_file "$R/etc/ghost.conf"
reset_twin

section "a path outside filesystem_roots"
mkdir -p filesystem/usr/local/bin
cat >>state/files.yaml <<EOF
  - path: /usr/local/bin/evil
    type: file
    mode: "0755"
    owner: "$OWNER"
    group: "$GROUP"
    twin_path: filesystem/usr/local/bin/evil
EOF
echo "#!/bin/sh" >filesystem/usr/local/bin/evil
snap
expect_exit 1 git twin plan
expect_contains "$ERR" "/usr/local/bin/evil"
expect_contains "$ERR" "filesystem_roots"
check "plan names state/files.yaml:line" grep -q "state/files.yaml:[0-9]*:[0-9]" "$ERR"
run git twin apply --yes
refused
check "nothing under usr/ in the root" test ! -e "$R/usr"
reset_twin

section "a path with '..' in it"
cat >>state/files.yaml <<EOF
  - path: /etc/../usr/evil
    type: file
    mode: "0644"
    owner: "$OWNER"
    group: "$GROUP"
    twin_path: filesystem/etc/motd
EOF
snap
expect_exit 1 git twin plan
expect_contains "$ERR" "/etc/../usr/evil"
run git twin apply --yes
refused
reset_twin

section "a failed action does not stop independent ones"
echo "i am a file, not a directory" >"$R/etc/notadir"
git twin snapshot >/dev/null 2>&1  # /etc/notadir (a file) is now known to the twin
yaml_entry state/files.yaml /etc/notadir >"$TRASH/notadir.yaml"
expect_contains "$TRASH/notadir.yaml" "type: file"
mkdir -p filesystem/extra
echo "x = 1" >filesystem/extra/x.conf
echo "y = 1" >filesystem/extra/y.conf
cat >>state/files.yaml <<EOF
  - path: /etc/notadir/x.conf
    type: file
    mode: "0644"
    owner: "$OWNER"
    group: "$GROUP"
    twin_path: filesystem/extra/x.conf
  - path: /etc/notadir/sub
    type: directory
    mode: "0755"
    owner: "$OWNER"
    group: "$GROUP"
  - path: /etc/notadir/sub/y.conf
    type: file
    mode: "0644"
    owner: "$OWNER"
    group: "$GROUP"
    twin_path: filesystem/extra/y.conf
EOF
echo "independent change" >filesystem/etc/motd
git add -A && git commit -qm "twin: files below a path that is a file on the machine"
n=$(git rev-list --count HEAD)
expect_exit 1 git twin apply --yes
expect_line "$OUT" "done: ~ files.mirror: write /etc/motd"
check "the failure is printed with its path" grep -q '^FAILED: .*/etc/notadir/x.conf: .' "$OUT"
check "the failed mkdir is printed with its path" grep -q '^FAILED: .*mkdir /etc/notadir/sub: .' "$OUT"
check "the child of the failed directory is skipped" \
  grep -q '^skipped: .*/etc/notadir/sub/y.conf' "$OUT"
expect_eq "independent change" "$(cat "$R/etc/motd")" "the independent change is done"
expect_eq "i am a file, not a directory" "$(cat "$R/etc/notadir")" "etc/notadir untouched"
expect_eq "" "$(find "$R" -name '.*twin-tmp*')" "no temporary files left"
expect_eq $((n + 1)) "$(git rev-list --count HEAD)" "the outcome is committed"
history=$(git show --name-only --format= HEAD -- plan/history/)
expect_contains "$OUT" "record: $history"
git show "HEAD:$history" >"$TRASH/history.yaml"
awk '/id: files.mirror\/write_file\/etc\/notadir\/x.conf/ { f = 1 } f && /status:/ { print; exit }' \
  "$TRASH/history.yaml" >"$TRASH/x-status"
expect_contains "$TRASH/x-status" "status: failed"
awk '/id: files.mirror\/write_file\/etc\/notadir\/sub\/y.conf/ { f = 1 } f && /status:/ { print; exit }' \
  "$TRASH/history.yaml" >"$TRASH/y-status"
expect_contains "$TRASH/y-status" "status: skipped"
awk '/id: files.mirror\/write_file\/etc\/motd/ { f = 1 } f && /status:/ { print; exit }' \
  "$TRASH/history.yaml" >"$TRASH/motd-status"
expect_contains "$TRASH/motd-status" "status: done"
expect_contains logs/current/index.yaml "done: 1"
expect_contains logs/current/index.yaml "failed: 2"
expect_contains logs/current/index.yaml "skipped: 1"
expect_contains logs/current/index.yaml "/etc/notadir/x.conf"
# Drop the impossible entries again.
for p in /etc/notadir/x.conf /etc/notadir/sub /etc/notadir/sub/y.conf; do
  state_entry_replace state/files.yaml "$p" </dev/null
done
git rm -rq filesystem/extra && git commit -qam "twin: drop the impossible entries"
expect_exit 0 git twin plan --exit-code
rm -f plan/latest.yaml

section "no writing through a symlinked directory"
mkdir -p "$TRASH/outside"
ln -s "$TRASH/outside" "$R/etc/linkdir"
git twin snapshot >/dev/null 2>&1
mkdir -p filesystem/extra
echo "evil = 1" >filesystem/extra/evil.conf
cat >>state/files.yaml <<EOF
  - path: /etc/linkdir/evil.conf
    type: file
    mode: "0644"
    owner: "$OWNER"
    group: "$GROUP"
    twin_path: filesystem/extra/evil.conf
EOF
git add -A && git commit -qm "twin: a file below a symlinked directory"
expect_exit 1 git twin apply --yes
check "the failure is printed with its path" grep -q '^FAILED: .*/etc/linkdir/evil.conf: .' "$OUT"
expect_contains "$OUT" "symlink"
expect_eq "" "$(ls -A "$TRASH/outside")" "nothing appeared in the outside directory"
check "etc/linkdir is still the symlink" test -L "$R/etc/linkdir"
state_entry_replace state/files.yaml /etc/linkdir/evil.conf </dev/null
git rm -rq filesystem/extra && git commit -qam "twin: drop the symlinked entry"

section "a file that is a symlink on the machine is replaced, not written through"
echo "OUTSIDE-CONTENT" >"$TRASH/outside/target"
rm "$R/etc/hostname"
ln -s "$TRASH/outside/target" "$R/etc/hostname"
echo "twinhost" >filesystem/etc/hostname
git commit -qam "twin: hostname"
# Both sides changed (the machine made it a symlink): a conflict; the twin wins here.
run git twin apply --yes --prefer desired
expect_eq 0 "$RC" "exit 0"
expect_eq "OUTSIDE-CONTENT" "$(cat "$TRASH/outside/target")" "the symlink's target is untouched"
check "etc/hostname is now a regular file" test -f "$R/etc/hostname" -a ! -L "$R/etc/hostname"
expect_eq "twinhost" "$(cat "$R/etc/hostname")" "etc/hostname has the twin's content"
clean_and_synced

section "conflict: plan shows it, apply skips it"
echo "motd: the twin's idea" >filesystem/etc/motd
git commit -qam "twin: motd conflict"
echo "motd: the machine's idea" >"$R/etc/motd"
expect_exit 0 git twin plan
expect_line "$OUT" "! files.mirror: conflict at /etc/motd: twin and machine differ in content"
expect_contains plan/latest.yaml "resource: /etc/motd"
expect_exit 2 git twin plan --exit-code
snap
run git twin apply --yes
expect_contains "$OUT" "conflict at /etc/motd"
expect_contains "$ERR" "--prefer"
unchanged
expect_eq "motd: the machine's idea" "$(cat "$R/etc/motd")" "the root keeps its version"
expect_eq "motd: the twin's idea" "$(cat filesystem/etc/motd)" "the twin keeps its version"

section "--prefer desired: the twin wins"
rm -f plan/latest.yaml
ls "$R"/etc/motd.twinbak-* >"$TRASH/backups-before" 2>/dev/null
expect_exit 0 git twin apply --yes --prefer desired
expect_line "$OUT" "done: ~ files.mirror: write /etc/motd"
expect_eq "motd: the twin's idea" "$(cat "$R/etc/motd")" "the root has the twin's version"
ls "$R"/etc/motd.twinbak-* >"$TRASH/backups-after" 2>/dev/null
new_backup=$(comm -13 "$TRASH/backups-before" "$TRASH/backups-after")
expect_eq "motd: the machine's idea" "$(cat "$new_backup" 2>/dev/null)" \
  "the machine's version is kept as a backup"
clean_and_synced
expect_exit 0 git twin status --exit-code

section "--prefer live: the machine wins"
echo "motd: the twin, again" >filesystem/etc/motd
git commit -qam "twin: motd conflict again"
echo "motd: the machine, again" >"$R/etc/motd"
expect_exit 2 git twin plan --exit-code
expect_contains "$OUT" "conflict at /etc/motd"
n=$(git rev-list --count HEAD)
expect_exit 0 git twin apply --yes --prefer live
expect_eq "motd: the machine, again" "$(cat "$R/etc/motd")" "the root keeps its version"
expect_eq "motd: the machine, again" "$(cat filesystem/etc/motd)" "filesystem/etc/motd adopted it"
expect_eq "motd: the machine, again" "$(git show HEAD:filesystem/etc/motd)" "and it is committed"
yaml_entry state/files.yaml /etc/motd >"$TRASH/motd.yaml"
expect_contains "$TRASH/motd.yaml" "sha256: $(sha "$R/etc/motd")"
expect_eq $((n + 1)) "$(git rev-list --count HEAD)" "one new commit"
clean_and_synced
expect_exit 0 git twin status --exit-code

section "usage"
expect_exit 129 git twin apply --prefer sideways
expect_exit 129 git twin apply extra-argument

finish
