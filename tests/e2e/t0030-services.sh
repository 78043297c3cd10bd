# Promise: services.systemd observes the unit files of a root natively and seeds
# state/services.yaml from them; an edit to `enabled:` or `masked:` shows up in `git twin
# plan` as one action, and `git twin apply --yes` runs the real `systemctl --root=<root>
# enable|mask -- <unit>`, after which the twin is in sync again; a hostile unit name is
# refused with file:line before any command sees it, and nothing changes; `running:` on a
# root without a running systemd is planned and then reported as skipped, never faked.
source "$TWIN_TEST_LIB"

command -v systemctl >/dev/null 2>&1 || skip_all "systemctl is not installed"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
mkdir -p "$R/usr/lib/systemd/system" "$R/etc/systemd/system"
cat >"$R/usr/lib/systemd/system/web.service" <<'UNIT'
[Unit]
Description=A web server

[Service]
ExecStart=/bin/true

[Install]
WantedBy=multi-user.target
UNIT
cp "$R/usr/lib/systemd/system/web.service" "$R/usr/lib/systemd/system/noisy.service"
printf '[Unit]\nDescription=Multi-User\n' >"$R/usr/lib/systemd/system/multi-user.target"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1

# set_unit FIELD VALUE UNIT: sets FIELD of UNIT's item in state/services.yaml.
set_unit() {
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
field, value, unit = sys.argv[1:]
text = open("state/services.yaml").read()
items = re.split(r"(?m)^(?=  - )", text)
out = []
for item in items:
    if re.match(r"  - name: %s\n" % re.escape(unit), item):
        if re.search(r"(?m)^    %s: " % field, item):
            item = re.sub(r"(?m)^    %s: .*$" % field, "    %s: %s" % (field, value), item)
        else:
            item = item.rstrip("\n") + "\n    %s: %s\n" % (field, value)
    out.append(item)
open("state/services.yaml", "w").write("".join(out))
PY
}

section "observed and seeded"
expect_file live/services.yaml
expect_contains live/services.yaml "name: web.service"
expect_contains live/services.yaml "state: disabled"
expect_contains live/services.yaml "systemd_running: false"
expect_contains state/services.yaml "name: web.service"
expect_contains state/services.yaml "name: noisy.service"
expect_not_contains state/services.yaml "multi-user.target"
expect_exit 0 git twin status --exit-code
expect_line "$OUT" "services: in sync"

section "enable"
set_unit enabled true web.service
check "the edited state is valid" git twin validate
git commit -qam "enable web" || fail "commit"
expect_exit 0 git twin plan
expect_line "$OUT" "+ services.systemd: enable web.service"
expect_eq 1 "$(grep -c '^[-+~!] ' "$OUT")" "one action"
check "the plan names the unit" grep -q "unit: web.service" plan/latest.yaml
expect_exit 0 git twin apply --yes
link=$R/etc/systemd/system/multi-user.target.wants/web.service
if [ -L "$link" ]; then ok "the wants symlink exists"; else fail "the wants symlink exists" "$(ls -la "$R/etc/systemd/system" 2>&1)"; fi
expect_eq "/usr/lib/systemd/system/web.service" "$(readlink "$link")" "it points at the unit file"
expect_eq "enabled" "$(systemctl --root="$R" is-enabled web.service 2>/dev/null)" "systemctl agrees"
expect_exit 0 git twin status --exit-code
expect_line "$OUT" "services: in sync"
expect_contains live/services.yaml "state: enabled"

section "mask"
set_unit masked true noisy.service
git commit -qam "mask noisy" || fail "commit"
expect_exit 0 git twin plan
expect_line "$OUT" "+ services.systemd: mask noisy.service"
expect_exit 0 git twin apply --yes
expect_eq "/dev/null" "$(readlink "$R/etc/systemd/system/noisy.service")" "masked: a symlink to /dev/null"
expect_exit 0 git twin status --exit-code
expect_line "$OUT" "services: in sync"

section "drift on the machine is adopted"
systemctl --root="$R" disable web.service >/dev/null 2>&1
expect_exit 0 git twin snapshot
web=$(awk '/^  - name: web.service$/ { f = 1; next } /^  - / { f = 0 } f' state/services.yaml)
expect_eq "    enabled: false" "$web" "state/ now says web.service is disabled"
expect_exit 0 git twin status --exit-code

section "hostile unit names are refused with file:line"
root_fingerprint "$R" >"$TRASH/before"
for bad in "-x.service" "a;b.service" "a b.service" "../x.service" "x.servic"; do
  cp state/services.yaml "$TRASH/saved.yaml"
  printf '  - name: "%s"\n    enabled: true\n' "$bad" >>state/services.yaml
  line=$(grep -n "name: \"$bad\"" state/services.yaml | cut -d: -f1)
  expect_exit 1 git twin validate
  expect_contains "$ERR" "state/services.yaml:$line:"
  expect_exit 1 git twin plan
  cp "$TRASH/saved.yaml" state/services.yaml
done
printf '  - name: "x.service\\n"\n    enabled: true\n' >>state/services.yaml
expect_exit 1 git twin validate
expect_contains "$ERR" "line breaks"
cp "$TRASH/saved.yaml" state/services.yaml
root_fingerprint "$R" >"$TRASH/after"
expect_eq "$(cat "$TRASH/before")" "$(cat "$TRASH/after")" "the root is unchanged"

section "running: true without a running systemd is skipped"
set_unit running true web.service
git commit -qam "run web" || fail "commit"
expect_exit 0 git twin plan
expect_line "$OUT" "+ services.systemd: start web.service"
expect_exit 1 git twin apply --yes
expect_contains "$OUT" "1 skipped"
check "the record says why" grep -rq "systemd is not running on this root" plan/history

section "restart_on: a unit restarts after a file it reads was written"
set_unit running false web.service
set_unit restart_on '[/etc/app]' noisy.service
set_unit masked false noisy.service
set_unit restart_on '[/etc/app]' web.service
echo "listen = 9090" >filesystem/etc/app/app.conf
check "the edited state is valid" git twin validate
git commit -qam "new app.conf; restart on it" || fail "commit"
expect_exit 0 git twin plan
expect_line "$OUT" "~ files.mirror: write /etc/app/app.conf"
expect_line "$OUT" "~ services.systemd: restart noisy.service"
check "a unit wanted stopped is not restarted" sh -c "! grep -q 'restart web.service' '$OUT'"
# The restart action's block in plan/latest.yaml, and what it depends on.
awk '/- id: services.systemd\/restart\//{f=1; next} /- id: /{f=0} f' plan/latest.yaml |
  sed -n 's/^ *- \(files\.mirror\/.*\)$/\1/p' >"$TRASH/restart.deps"
expect_eq "files.mirror/write_file/etc/app/app.conf" "$(cat "$TRASH/restart.deps")" \
  "the restart depends on the write"
# A restart crosses plugins: the hooks' one-plugin re-plan must not be used for this twin.
expect_no_file .git/twin/plan-memo/head
expect_exit 1 git twin apply --yes
expect_eq "listen = 9090" "$(cat "$R/etc/app/app.conf")" "the file was written"
check "the restart is skipped where no systemd runs" \
  grep -rq "cannot restart noisy.service" plan/history
section "restart_on paths are checked"
set_unit restart_on '[etc/app]' noisy.service
expect_exit 1 git twin validate
expect_contains "$ERR" "/services/"
expect_contains "$ERR" "/restart_on/0"
git checkout -q -- state
finish
