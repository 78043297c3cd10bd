# Promise: a snapshot captures what the machine has been saying into logs/current: the
# journal's tail and the last boot's errors (journalctl --root on a real journal file made
# for the test), tails of the log files under the root's /var/log, with counts of errors,
# failed logins by source, failed and crashed units, all in logs/current/index.yaml and
# readable with `git twin logs`. Secrets in the logs never reach the repository. An idle
# machine makes no new capture; a changed one rotates the previous capture into
# logs/<UTC timestamp>/ and prunes beyond `keep`. A bad state/logs_config.yaml is refused
# with file:line and captures nothing.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
mkdir -p "$R/var/log/nginx"
cp "$TWIN_FIXTURES_DIR/logs/auth.log" "$R/var/log/auth.log"
cp "$TWIN_FIXTURES_DIR/logs/syslog" "$R/var/log/syslog"
cp "$TWIN_FIXTURES_DIR/logs/nginx_error.log" "$R/var/log/nginx/error.log"

# A journal of the root, ten minutes old: made from the export format by
# systemd-journal-remote (Debian package systemd-journal-remote), read by journalctl.
JOURNAL_REMOTE=/lib/systemd/systemd-journal-remote
have_journal=""
if [ -x "$JOURNAL_REMOTE" ] && command -v journalctl >/dev/null 2>&1; then
  have_journal=1
  t=$(( ($(date +%s) - 600) * 1000000 ))
  boot=6b1f0c33a54d4b1e9e0f6c1c2d3e4f50
  entry() { # SECONDS PRIORITY IDENTIFIER MESSAGE [FIELD=VALUE...]
    local s=$1 p=$2 id=$3 msg=$4
    shift 4
    printf '__CURSOR=s=t;i=%s\n__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=%s\n' \
      "$s" $((t + s * 1000000)) $((s * 1000000)) "$boot"
    printf '_HOSTNAME=fakehost\nPRIORITY=%s\nSYSLOG_IDENTIFIER=%s\nMESSAGE=%s\n' "$p" "$id" "$msg"
    printf '%s\n' "$@"
    echo
  }
  {
    entry 1 6 systemd "Started ssh.service." UNIT=ssh.service
    entry 2 3 nginx "bind() to 0.0.0.0:80 failed (98: Address already in use)" _PID=901
    entry 3 4 systemd "nginx.service: Failed with result 'exit-code'." UNIT=nginx.service \
      MESSAGE_ID=d9b373ed55a64feb8242e02dbe79a49c
    entry 4 4 systemd "app.service: Main process exited, code=dumped, status=11/SEGV" \
      UNIT=app.service MESSAGE_ID=98e322203f7a4ed290d09fe03c09fe15 EXIT_CODE=dumped
    entry 5 3 deploy "fetch https://ci:JOURNAL-SECRET-MARKER@git.example.com failed"
  } >"$TRASH/journal.export"
  mkdir -p "$R/var/log/journal/0123456789abcdef0123456789abcdef"
  "$JOURNAL_REMOTE" -o "$R/var/log/journal/0123456789abcdef0123456789abcdef/system.journal" \
    "$TRASH/journal.export" >"$TRASH/remote.out" 2>&1 ||
    fail "systemd-journal-remote makes a journal" "$(cat "$TRASH/remote.out")"
else
  echo "# journal sections skipped: $JOURNAL_REMOTE is not installed (systemd-journal-remote)"
fi
# Secrets in the log files (the fixtures hold tokens and a password; markers to grep for).
echo "2026-11-22T08:10:00+00:00 box app[5]: login with password=FILE-SECRET-MARKER failed" \
  >>"$R/var/log/syslog"

git twin init "$T" --root "$R" >"$TRASH/init.out" 2>&1 || { fail "init" "$(cat "$TRASH/init.out")"; finish; }
cd "$T" || exit 1

section "init writes the log settings and takes the first capture"
expect_file state/logs_config.yaml
expect_contains state/logs_config.yaml "path: /var/log/auth.log"
expect_contains "$TRASH/init.out" "logs: captured into logs/current"
expect_file logs/current/index.yaml
expect_file logs/current/files/syslog_tail.txt
expect_file logs/current/files/auth_tail.txt
expect_file logs/current/files/nginx_error_tail.txt
expect_clean
expect_eq "" "$(git ls-files --others --modified)" "every capture is committed"
expect_exit 0 git twin validate
expect_contains "$OUT" "state/logs_config.yaml"

section "log files: tails and counts"
expect_contains logs/current/files/syslog_tail.txt "Out of memory: Killed process 2212"
expect_exit 0 git twin logs
expect_contains "$OUT" "auth (/var/log/auth.log): 0 error lines, 4 failed logins from 203.0.113.5 (2x), 2001:db8::7, local"
expect_contains "$OUT" "nginx_error (/var/log/nginx/error.log): 3 error lines"
expect_contains "$OUT" "syslog (/var/log/syslog): 5 error lines"
expect_contains "$OUT" "last error: 2026-11-22T08:10:00+00:00 box app[5]: login with password=[REDACTED] failed"
expect_exit 0 git twin logs show auth
expect_eq "$(sed -n 1,9p "$R/var/log/auth.log")" "$(sed -n 1,9p "$OUT")" \
  "logs show auth prints the file as it is on the machine (its last line holds a secret)"

section "secrets in logs never reach the repository"
for marker in FILE-SECRET-MARKER hunter2 s3cr3t-Backup pa55word \
  ghp_0123456789abcdefghijABCDEFGHIJ012345 abcdef0123456789abcdef JOURNAL-SECRET-MARKER; do
  expect_nowhere_in_repo "$T" "$marker"
done
expect_contains logs/current/files/syslog_tail.txt "backup:[REDACTED]@store.example.com"
expect_contains logs/current/files/auth_tail.txt "Authorization: Bearer [REDACTED]"

if [ -n "$have_journal" ]; then
  section "the journal: tail, the boot's errors, failed and crashed units"
  expect_file logs/current/systemd/journal_tail.txt
  expect_contains logs/current/systemd/journal_tail.txt "fakehost systemd: Started ssh.service."
  expect_eq 5 "$(wc -l <logs/current/systemd/journal_tail.txt)" "the tail has every entry"
  expect_eq 2 "$(wc -l <logs/current/systemd/errors_last_boot.txt)" "two errors in the last boot"
  expect_contains logs/current/systemd/errors_last_boot.txt "fetch https://ci:[REDACTED]@git.example.com failed"
  run git twin logs
  expect_contains "$OUT" "journal: last hour 2 errors, 2 warnings; last boot 2 errors, 2 warnings"
  expect_contains "$OUT" "failed units: nginx.service"
  expect_contains "$OUT" "crashed units: app.service"
  expect_exit 0 git twin logs --json
  python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["format_version"] == 1; assert d["journal"]["last_boot"]["crashed_units"] == [{"name": "app.service", "count": 1}], d' <"$OUT" &&
    ok "logs --json carries the index" || fail "logs --json carries the index" "$(head -c 800 "$OUT")"
else
  section "no journal below the root"
  run git twin logs
  expect_contains "$OUT" "journal: not captured (no journal in"
fi

section "an idle machine makes no new capture"
head_before=$(git rev-parse HEAD)
expect_exit 0 git twin snapshot
expect_contains "$OUT" "logs: unchanged"
expect_eq "$head_before" "$(git rev-parse HEAD)" "no commit"
expect_eq "current" "$(ls logs)" "nothing rotated"

section "new log lines: the previous capture rotates"
first_stamp=$(sed -n 's/^captured_at: "\(.*\)"$/\1/p' logs/current/index.yaml | tr -d ':-')
sleep 1
echo "2026-11-22T08:20:00+00:00 box app[5]: fatal: disk full" >>"$R/var/log/syslog"
expect_exit 0 git twin snapshot
expect_contains "$OUT" "the previous capture is now logs/$first_stamp"
expect_clean
expect_contains logs/current/files/syslog_tail.txt "fatal: disk full"
expect_not_contains "logs/$first_stamp/files/syslog_tail.txt" "fatal: disk full"
expect_exit 0 git twin logs grep -i "DISK FULL"
expect_eq "logs/current/files/syslog_tail.txt:11:2026-11-22T08:20:00+00:00 box app[5]: fatal: disk full" \
  "$(cat "$OUT")" "grep finds the new line in the current capture only"
expect_exit 0 git twin logs grep -F "Out of memory"
expect_eq 2 "$(wc -l <"$OUT")" "grep searches the rotated capture too"
expect_contains "$OUT" "logs/$first_stamp/files/syslog_tail.txt:5:"
expect_exit 1 git twin logs grep "no such line anywhere"
expect_exit 0 git twin logs show syslog --at "$first_stamp"
expect_not_contains "$OUT" "disk full"
expect_exit 129 git twin logs grep "("
expect_exit 1 git twin logs show nosuchsource
expect_contains "$ERR" "there are: auth"

section "keep: older captures are pruned"
sed -i 's/^keep: 10$/keep: 1/' state/logs_config.yaml
expect_contains state/logs_config.yaml "keep: 1"
git commit -qam "keep one earlier capture" || fail "commit keep: 1"
for n in 1 2; do
  sleep 1
  echo "2026-11-22T08:3$n:00+00:00 box app[5]: line $n" >>"$R/var/log/syslog"
  run git twin snapshot
done
expect_contains "$OUT" "1 older capture pruned"
expect_eq 1 "$(ls logs | grep -c T)" "one rotated capture is left"
expect_eq "" "$(git ls-files logs | grep "^logs/$first_stamp/")" "the pruned capture is gone from HEAD"
expect_ne "" "$(git log --format=%h -- "logs/$first_stamp" | head -1)" "and stays in history"

section "apply's outcome stays in the index across captures"
echo "Welcome, changed by the twin" >filesystem/etc/motd
git commit -qam "new motd"
expect_exit 0 git twin apply --yes
sleep 1
echo "2026-11-22T08:40:00+00:00 box app[5]: after apply" >>"$R/var/log/syslog"
expect_exit 0 git twin snapshot
expect_contains logs/current/index.yaml "last_applied_at:"
run git twin logs
expect_contains "$OUT" "last apply: "
expect_contains "$OUT" "1 done, 0 failed, 0 skipped"

section "a bad logs_config is refused with file:line and captures nothing"
printf 'keep: lots\n' >state/logs_config.yaml
expect_exit 1 git twin validate
expect_contains "$ERR" "state/logs_config.yaml:1:7: /keep:"
run git commit -qam "bad keep"
expect_ne 0 "$RC" "pre-commit refuses the commit"
expect_contains "$ERR" "state/logs_config.yaml:1:7"
git checkout -q -- state/logs_config.yaml
printf 'files: {sources: [{name: a, path: /var/log/../../etc/shadow}]}\n' >state/logs_config.yaml
expect_exit 1 git twin validate
expect_contains "$ERR" "/files/sources/0/path"
head_before=$(git rev-parse HEAD)
echo "2026-11-22T08:50:00+00:00 box app[5]: more" >>"$R/var/log/syslog"
expect_exit 0 git twin snapshot --no-commit
expect_contains "$ERR" "warning: logs: logs were not captured: state/logs_config.yaml:1:"
expect_not_contains logs/current/files/syslog_tail.txt "08:50:00"
git checkout -q -- state/logs_config.yaml

finish
