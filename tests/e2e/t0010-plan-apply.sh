# Promise: an edit to the twin (content in filesystem/, mode, a new file, a directory with a
# file in it, a symlink, `ensure: absent`) shows up in `git twin plan` as one readable line
# per action and in plan/latest.yaml (ignored by git) grouped by plugin with its
# dependencies; `apply --dry-run` touches nothing; `apply --yes` makes the root match the
# twin with atomic writes, final modes and timestamped backups that never overwrite each
# other, records the outcome, commits, moves the sync base; and afterwards there is
# nothing left to do.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
# A user that only the root knows (not the host running the test), for chown.
echo "bob:x:4321:4321:Bob:/home/bob:/bin/sh" >>"$R/etc/passwd"
echo "bob:x:4321:" >>"$R/etc/group"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
# Owner and group for new entries: root, or the test user when not run as root.
OWNER=$(twin_owner "$T" owner)
GROUP=$(twin_owner "$T" group)

commits() { git rev-list --count HEAD; }

section "desired edits"
old_motd=$(cat "$R/etc/motd")
old_app=$(cat "$R/etc/app/app.conf")
echo "Welcome, edited in the twin" >filesystem/etc/motd
state_entry_set state/files.yaml /etc/hostname mode '"0600"'
desire_file "$T" /etc/app/new.conf "new = 1" 0640
state_entry_replace state/files.yaml /etc/app/app.conf <<'EOF'
  - path: /etc/app/app.conf
    ensure: absent
EOF
cat >>state/files.yaml <<EOF
  - path: /etc/newdir
    type: directory
    mode: "0750"
    owner: "$OWNER"
    group: "$GROUP"
EOF
desire_file "$T" /etc/newdir/inner.conf "inner = 1"
cat >>state/files.yaml <<EOF
  - path: /etc/link
    type: symlink
    target: /etc/motd
    owner: "$OWNER"
    group: "$GROUP"
EOF
check "the edited state is valid" git twin validate
yaml_entry state/files.yaml /etc/hostname >"$TRASH/hostname.yaml"
expect_contains "$TRASH/hostname.yaml" 'mode: "0600"'
yaml_entry state/files.yaml /etc/app/app.conf >"$TRASH/app.yaml"
expect_contains "$TRASH/app.yaml" "ensure: absent"

section "plan"
head=$(git rev-parse HEAD)
expect_exit 0 git twin plan
expect_line "$OUT" "~ files.mirror: write /etc/motd"
expect_line "$OUT" "~ files.mirror: chmod 0600 /etc/hostname"
expect_line "$OUT" "+ files.mirror: write /etc/app/new.conf"
expect_line "$OUT" "+ files.mirror: mkdir /etc/newdir"
expect_line "$OUT" "+ files.mirror: write /etc/newdir/inner.conf"
expect_line "$OUT" "+ files.mirror: symlink /etc/link"
expect_line "$OUT" "- files.mirror: remove /etc/app/app.conf"
expect_eq 7 "$(grep -c '^[-+~!] ' "$OUT")" "seven action lines, no conflict"
expect_file plan/latest.yaml
expect_eq "" "$(git status --porcelain --ignored=no -- plan)" "git status does not show plan/"
check "plan/latest.yaml is ignored by git" git check-ignore -q plan/latest.yaml
expect_line plan/latest.yaml "format_version: 1"
expect_eq "$head" "$(plan_commit)" "plan/latest.yaml names HEAD as its desired commit"
check "plan/latest.yaml has a desired_digest" grep -q '^desired_digest: [0-9a-f]\{64\}$' plan/latest.yaml
check "plan/latest.yaml has a live_digest" grep -q '^live_digest: [0-9a-f]\{64\}$' plan/latest.yaml
expect_line plan/latest.yaml "actions:"
expect_line plan/latest.yaml "  files.mirror:"
expect_line plan/latest.yaml "conflicts: []"
# Every action id sits inside the files.mirror group.
awk '/^  files.mirror:/ { g = 1; next } /^[^ ]|^  [^ ]/ { g = 0 } g && /id: / { print $NF }' \
  plan/latest.yaml | sort >"$TRASH/grouped-ids"
grep 'id: ' plan/latest.yaml | awk '{ print $NF }' | sort >"$TRASH/all-ids"
expect_eq 7 "$(wc -l <"$TRASH/grouped-ids")" "seven actions under files.mirror"
expect_eq "$(cat "$TRASH/all-ids")" "$(cat "$TRASH/grouped-ids")" "no action outside the group"
expect_contains "$TRASH/grouped-ids" "files.mirror/write_file/etc/motd"
expect_contains "$TRASH/grouped-ids" "files.mirror/remove/etc/app/app.conf"
expect_contains "$TRASH/grouped-ids" "files.mirror/create_directory/etc/newdir"
expect_eq "$head" "$(git rev-parse HEAD)" "plan makes no commit"

section "plan --json"
expect_exit 0 git twin plan --json
check "--json parses" python3 -m json.tool "$OUT"
cp "$OUT" "$TRASH/plan.json"
check "--json has format_version 1 and the plan's fields" python3 - "$TRASH/plan.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["format_version"] == 1, p["format_version"]
for k in ("desired_commit", "desired_digest", "live_digest", "actions", "conflicts"):
    assert k in p, k
assert list(p["actions"]) == ["files.mirror"], list(p["actions"])
acts = {a["id"]: a for a in p["actions"]["files.mirror"]}
assert len(acts) == 7, sorted(acts)
for a in acts.values():
    for k in ("id", "op", "resource", "change"):
        assert k in a, (k, a)
inner = acts["files.mirror/write_file/etc/newdir/inner.conf"]
assert inner["depends_on"] == ["files.mirror/create_directory/etc/newdir"], inner
assert acts["files.mirror/create_directory/etc/newdir"]["mode"] == "0750"
assert acts["files.mirror/set_attributes/etc/hostname"]["mode"] == "0600"
assert acts["files.mirror/create_symlink/etc/link"]["target"] == "/etc/motd"
assert acts["files.mirror/write_file/etc/app/new.conf"]["mode"] == "0640"
assert acts["files.mirror/remove/etc/app/app.conf"]["op"] == "remove"
assert p["conflicts"] == []
EOF
# The YAML plan says the same about the dependency.
awk '/id: files.mirror\/write_file\/etc\/newdir\/inner.conf/ { f = 1 } f' plan/latest.yaml \
  | sed -n '1,12p' >"$TRASH/inner-action"
expect_contains "$TRASH/inner-action" "- files.mirror/create_directory/etc/newdir"
expect_exit 2 git twin plan --exit-code

section "apply --dry-run changes nothing"
root_fingerprint "$R" >"$TRASH/before"
expect_exit 0 git twin apply --dry-run
expect_line "$OUT" "~ files.mirror: write /etc/motd"
expect_contains "$OUT" "dry run"
root_fingerprint "$R" >"$TRASH/after"
check "the root is identical (listing and contents)" cmp "$TRASH/before" "$TRASH/after"
expect_eq "$head" "$(git rev-parse HEAD)" "HEAD unchanged"
expect_eq "$head" "$(git rev-parse refs/twin/base)" "refs/twin/base unchanged"
check "no history written" sh -c '! ls plan/history/*.yaml 2>/dev/null | grep -q .'

section "apply --yes"
n=$(commits)
expect_exit 0 git twin apply --yes
expect_line "$OUT" "done: ~ files.mirror: write /etc/motd"
expect_line "$OUT" "done: - files.mirror: remove /etc/app/app.conf"
expect_eq 7 "$(grep -c '^done: ' "$OUT")" "seven actions done"
expect_not_contains "$OUT" "FAILED"
expect_not_contains "$OUT" "skipped:"
expect_eq "Welcome, edited in the twin" "$(cat "$R/etc/motd")" "etc/motd has the twin's content"
expect_eq 600 "$(stat -c %a "$R/etc/hostname")" "etc/hostname has mode 0600"
expect_eq "fakehost" "$(cat "$R/etc/hostname")" "etc/hostname keeps its content"
expect_eq "new = 1" "$(cat "$R/etc/app/new.conf")" "etc/app/new.conf written"
expect_eq "640 $(stat -c '%u %g' "$R/etc/motd")" "$(stat -c '%a %u %g' "$R/etc/app/new.conf")" \
  "etc/app/new.conf has its mode and owner"
check "etc/newdir is a directory" test -d "$R/etc/newdir" -a ! -L "$R/etc/newdir"
expect_eq 750 "$(stat -c %a "$R/etc/newdir")" "etc/newdir has mode 0750"
expect_eq "inner = 1" "$(cat "$R/etc/newdir/inner.conf")" "etc/newdir/inner.conf written"
check "etc/link is a symlink" test -L "$R/etc/link"
expect_eq "/etc/motd" "$(readlink "$R/etc/link")" "etc/link points to /etc/motd"
expect_no_file "$R/etc/app/app.conf"
motd_backups=$(ls "$R"/etc/motd.twinbak-* 2>/dev/null)
expect_eq 1 "$(echo "$motd_backups" | grep -c .)" "one backup of etc/motd"
check "the backup name is <path>.twinbak-YYYYMMDDHHMMSS" \
  sh -c "ls '$R/etc' | grep -qx 'motd.twinbak-[0-9]\{14\}'"
expect_eq "$old_motd" "$(cat $motd_backups)" "the motd backup holds the old content"
app_backup=$(ls "$R"/etc/app/app.conf.twinbak-* 2>/dev/null)
expect_eq "$old_app" "$(cat "$app_backup")" "the removed app.conf is kept as a backup"
expect_eq "" "$(find "$R" -name '.*twin-tmp*')" "no temporary files left"
expect_no_file plan/latest.yaml
expect_eq $((n + 1)) "$(commits)" "one new commit"
check "the commit message starts with 'git twin apply:'" \
  sh -c "git log -1 --format=%s | grep -q '^git twin apply:'"
history=$(git ls-tree --name-only HEAD plan/history/ | grep '\.yaml$')
expect_eq 1 "$(echo "$history" | grep -c .)" "one history record committed"
check "history record name is plan/history/YYYY-MM-DDTHHMMSSZ.yaml" \
  sh -c "echo '$history' | grep -qx 'plan/history/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9]\{6\}Z.yaml'"
git show "HEAD:$history" >"$TRASH/history.yaml"
expect_eq 7 "$(grep -c '^ *status: done$' "$TRASH/history.yaml")" "history: seven results done"
expect_contains "$TRASH/history.yaml" "id: files.mirror/write_file/etc/motd"
expect_contains "$TRASH/history.yaml" "- /etc/motd.twinbak-"
expect_contains "$TRASH/history.yaml" "- /etc/app/app.conf.twinbak-"
expect_line logs/current/index.yaml "apply:"
expect_contains logs/current/index.yaml "done: 7"
expect_contains logs/current/index.yaml "failed: 0"
expect_contains logs/current/index.yaml "skipped: 0"
expect_eq "" "$(git status --porcelain)" "git status is clean"
expect_eq "$(git rev-parse HEAD)" "$(git rev-parse refs/twin/base)" "refs/twin/base = HEAD"
# What was applied is committed as the desired state, and live/ shows it.
expect_eq "Welcome, edited in the twin" "$(git show HEAD:live/filesystem/etc/motd)" \
  "live/ records the new motd"
yaml_entry live/files.yaml /etc/hostname >"$TRASH/hostname-live.yaml"
expect_contains "$TRASH/hostname-live.yaml" 'mode: "0600"'
expect_not_contains live/files.yaml "twinbak"

section "idempotence"
head=$(git rev-parse HEAD)
expect_exit 0 git twin plan --exit-code
expect_contains "$OUT" "nothing to apply"
check "no action lines" sh -c "! grep -q '^[-+~!] ' '$OUT'"
rm -f plan/latest.yaml
expect_exit 0 git twin apply --yes
expect_contains "$OUT" "nothing to apply"
expect_eq "$head" "$(git rev-parse HEAD)" "no new commit"
expect_eq 1 "$(ls plan/history/*.yaml | wc -l)" "no new history record"
expect_eq "" "$(git status --porcelain)" "git status is clean"

section "chown, by the root's user names"
if [ "$(id -u)" != 0 ]; then
  echo "# skipped: only root can chown"
else
  state_entry_set state/files.yaml /etc/os-release owner bob
  state_entry_set state/files.yaml /etc/os-release group bob
  expect_exit 0 git twin plan
  expect_line "$OUT" "~ files.mirror: chown bob:bob /etc/os-release"
  expect_exit 0 git twin apply --yes
  expect_eq "4321 4321" "$(stat -c '%u %g' "$R/etc/os-release")" \
    "etc/os-release belongs to bob as the root's /etc/passwd defines him"
  expect_eq "" "$(git status --porcelain)" "git status is clean"
  expect_exit 0 git twin status --exit-code
fi

section "two applies in a row keep both backups"
records=$(ls plan/history/*.yaml | wc -l)
echo "second version" >filesystem/etc/motd
git twin plan >/dev/null   # a plan saved earlier is stale now: review a new one
git twin apply --yes >"$TRASH/apply2" 2>&1
rc2=$?
echo "third version" >filesystem/etc/motd
git twin plan >/dev/null
git twin apply --yes >"$TRASH/apply3" 2>&1
rc3=$?
expect_eq "0 0" "$rc2 $rc3" "both applies exit 0"
expect_eq "third version" "$(cat "$R/etc/motd")" "etc/motd has the last content"
ls "$R"/etc/motd.twinbak-* >"$TRASH/backups"
expect_eq 3 "$(wc -l <"$TRASH/backups")" "three motd backups in all"
contents=$(for f in $(cat "$TRASH/backups"); do cat "$f"; done | sort | tr '\n' '|')
expect_eq "Welcome to fakehost|Welcome, edited in the twin|second version|" "$contents" \
  "each backup holds one old content, none overwritten"
# The backup made by the second apply holds the first edit, the third apply's the second.
s2=$(grep -l '^Welcome, edited in the twin$' "$R"/etc/motd.twinbak-*); s2=${s2##*twinbak-}
s3=$(grep -l '^second version$' "$R"/etc/motd.twinbak-*); s3=${s3##*twinbak-}
if [ "${s2%%-*}" != "${s3%%-*}" ]; then
  echo "# the two applies ran in different seconds ($s2, $s3)"
  check "different seconds: plain timestamps" sh -c \
    "echo '$s2 $s3' | grep -qx '[0-9]\{14\}\(-[0-9]*\)\? [0-9]\{14\}'"
elif [ "$s2" = "${s2%%-*}" ]; then
  expect_eq "$s2-1" "$s3" "same second: the later backup gets the -1 suffix"
else
  expect_eq "${s2%%-*}-$((${s2#*-} + 1))" "$s3" "same second: the later backup gets the next suffix"
fi
expect_eq $((records + 2)) "$(ls plan/history/*.yaml | wc -l)" "two more history records"
expect_eq "" "$(git status --porcelain)" "git status is clean"
expect_eq "$(git rev-parse HEAD)" "$(git rev-parse refs/twin/base)" "refs/twin/base = HEAD"

finish
