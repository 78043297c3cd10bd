# Promise: `git twin validate` accepts a fresh twin and refuses each kind of broken
# config.yaml or state/files.yaml with an error naming file:line:col and the field; and a
# snapshot never rewrites an invalid state/files.yaml.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
S=state/files.yaml

# line_of FILE TEXT: the number of the first line of FILE containing TEXT.
line_of() { grep -nF -- "$2" "$1" | head -1 | cut -d: -f1; }
# index_of PATH: the index of PATH's entry in state/files.yaml's list.
index_of() { awk -v p="$1" '/^  - path: /{ if ($3 == p) print n; n++ }' "$S"; }
# set_line FILE N TEXT: replaces line N of FILE with TEXT.
set_line() { T_TEXT=$3 awk -v n="$2" 'NR == n { print ENVIRON["T_TEXT"]; next } { print }' "$1" >"$1.new" && mv "$1.new" "$1"; }
# insert_after FILE N TEXT: inserts TEXT as a new line after line N.
insert_after() { T_TEXT=$3 awk -v n="$2" '{ print } NR == n { print ENVIRON["T_TEXT"] }' "$1" >"$1.new" && mv "$1.new" "$1"; }
# invalid: validate must exit 1 with TEXT on stderr; then the work tree is restored.
invalid() {
  expect_exit 1 git twin validate
  expect_contains "$ERR" "$1"
  check "a problem count is printed" grep -Eq '^[0-9]+ problems? in ' "$ERR"
  git checkout -q -- .
}

motd=$(index_of /etc/motd)            # the entry most cases break
motd_line=$(line_of "$S" "path: /etc/motd")
motd_mode=$((motd_line + 2))          # "- path", "group", "mode" (keys are sorted)

section "a fresh twin is valid"
expect_exit 0 git twin validate
expect_contains "$OUT" "valid: config.yaml, state/cron.yaml, state/files.yaml"
expect_eq "" "$(cat "$ERR")" "nothing on stderr"
expect_eq '    mode: "0644"' "$(sed -n "${motd_mode}p" "$S")" "(test setup: line $motd_mode is motd's mode)"

section "malformed YAML"
set_line "$S" "$motd_mode" '    mode: "0644": x'
invalid "error: state/files.yaml:$motd_mode:17: "
set_line "$S" "$motd_mode" "$(printf '\tmode: "0644"')"
invalid "error: state/files.yaml:$motd_mode:1: "

section "schema errors"
set_line "$S" "$motd_mode" '    mode: "999"'
invalid "error: state/files.yaml:$motd_mode:11: /files/$motd/mode: "
insert_after "$S" "$motd_mode" '    colour: blue'
invalid "error: state/files.yaml:$((motd_mode + 1)):"
insert_after "$S" "$motd_mode" '    colour: blue'
invalid "/files/$motd/colour: unknown field 'colour'"
sed -i "$((motd_line + 1)),$((motd_line + 6))"'{/    type: file/d}' "$S"
yaml_entry "$S" /etc/motd >"$TRASH/motd.yaml"
check_not "(test setup: motd's type is gone)" grep -q "type:" "$TRASH/motd.yaml"
invalid "error: state/files.yaml:$motd_line:5: /files/$motd: missing required field 'type'"

section "semantic errors"
sed -i 's|path: /etc/motd$|path: /usr/x|' "$S"
invalid "error: state/files.yaml:$motd_line:11: /files/$motd/path: '/usr/x' is outside filesystem_roots"
sed -i 's|path: /etc/motd$|path: /etc/app/../motd|' "$S"
invalid "/files/$motd/path: invalid path '/etc/app/../motd': it contains a '..' component"
tp_line=$(line_of "$S" "twin_path: filesystem/etc/motd")
sed -i 's|twin_path: filesystem/etc/motd$|twin_path: ../../etc/passwd|' "$S"
invalid "error: state/files.yaml:$tp_line:16: /files/$motd/twin_path: "
sed -i 's|twin_path: filesystem/etc/motd$|twin_path: live/x|' "$S"
invalid "error: state/files.yaml:$tp_line:16: /files/$motd/twin_path: "
sed -i 's|twin_path: filesystem/etc/motd$|twin_path: filesystem/etc/nope|' "$S"
invalid "/files/$motd/twin_path: 'filesystem/etc/nope' does not exist in the twin"
sed -i 's|path: /etc/hostname$|path: /etc/motd|' "$S"
invalid "/path: '/etc/motd' is listed twice (first at line "

section "config.yaml"
sed -i 's|^    - files.mirror$|    - files.mirror\n    - frobnicate.thing|' config.yaml
expect_contains config.yaml "frobnicate.thing"
invalid "error: config.yaml:$(line_of config.yaml frobnicate.thing):7: /plugins/enable/3: unknown plugin 'frobnicate.thing'"
sed -i 's|^  - /etc$|  - relative|' config.yaml
expect_contains config.yaml "  - relative"
invalid "error: config.yaml:$(line_of config.yaml "  - relative"):5: /filesystem_roots/0: "
sed -i 's|auto_commit: true|auto_commit: yes|' config.yaml
invalid "error: config.yaml:$(line_of config.yaml "auto_commit:"):16: 'yes' is read differently"
git checkout -q -- .
sed -i 's|auto_commit: true|auto_commit: yes|' config.yaml
invalid "quote it (\"yes\") or write true or false"
sed -i 's|auto_commit: true|auto_commit: "yes"|' config.yaml
invalid "/snapshot/auto_commit: expected boolean"

section "validate one path, from a subdirectory"
mkdir -p filesystem/etc && cd filesystem/etc || exit 1
expect_exit 0 git twin validate ../../state/files.yaml
expect_eq "valid: state/files.yaml" "$(cat "$OUT")" "only that file was checked"
cd "$T/state" || exit 1
expect_exit 0 git twin validate files.yaml
expect_eq "valid: state/files.yaml" "$(cat "$OUT")" "only that file was checked"
expect_exit 0 git twin validate "$T/state/files.yaml"
set_line "$T/$S" "$motd_mode" '    mode: "999"'
expect_exit 1 git twin validate files.yaml
expect_contains "$ERR" "error: state/files.yaml:$motd_mode:11: /files/$motd/mode: "
expect_exit 1 git twin validate "$R/etc/passwd"
expect_contains "$ERR" "outside the twin repository"
cd "$T" && git checkout -q -- .

section "snapshot with an invalid state/files.yaml adopts nothing"
set_line "$S" "$motd_mode" '    mode: "999"'
state_before=$(sha "$S")
echo "drift while invalid" >"$R/etc/motd"
echo "new while invalid" >"$R/etc/new.conf"
expect_exit 1 git twin snapshot
expect_contains "$ERR" "state/files.yaml"
expect_contains "$ERR" "/files/$motd/mode"
expect_eq "$state_before" "$(sha "$S")" "state/files.yaml byte-identical"
expect_eq "Welcome to fakehost" "$(cat filesystem/etc/motd)" "filesystem/etc/motd untouched"
expect_no_file filesystem/etc/new.conf
expect_eq "" "$(git status --porcelain -- state filesystem | grep -v '^ M state/files.yaml$')" \
  "nothing else changed in state/ or filesystem/"

finish
