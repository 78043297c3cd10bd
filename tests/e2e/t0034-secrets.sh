# Promise: a twin can be pushed anywhere without publishing a secret. Secret files (by
# pattern, by a private mode, by content, by config.yaml's `secrets`) and the crontabs
# (state/ and live/cron.yaml) are stored encrypted; the owner still sees and diffs them in
# plaintext; plan and status never print them. A clone without the key sees them locked
# and plans nothing for them; `git twin key export`/`import` unlock it. pre-commit refuses
# plaintext where encryption is due, and tokens or private keys anywhere.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
mkdir -p "$R/var/spool/cron/crontabs" "$R/etc/nginx"
printf 'TOKEN=CRON-TOKEN-MARKER\n0 3 * * * /usr/local/bin/backup\n' >"$R/var/spool/cron/crontabs/root"
chmod 600 "$R/var/spool/cron/crontabs/root"
printf 'api_key = APP-TOKEN-MARKER\n' >"$R/etc/app/token.conf"
chmod 600 "$R/etc/app/token.conf"
printf '%s\n' "-----BEGIN PRIVATE KEY-----" "NGINX-KEY-MARKER" "-----END PRIVATE KEY-----" \
  >"$R/etc/nginx/site.key"
chmod 644 "$R/etc/nginx/site.key"
echo "plain=LATER-PRIVATE-MARKER" >"$R/etc/app/later.conf"

git twin init "$T" --root "$R" >"$TRASH/init.out" 2>&1 || { fail "init" "$(cat "$TRASH/init.out")"; finish; }
cd "$T" || exit 1
export GIT_TWIN_ROOT=$R

section "stored encrypted, read in plaintext"
expect_contains "$TRASH/init.out" "git twin key export"
expect_encrypted_blob "$T" HEAD:state/cron.yaml
expect_encrypted_blob "$T" HEAD:live/cron.yaml
expect_encrypted_blob "$T" HEAD:live/filesystem/etc/app/token.conf
expect_encrypted_blob "$T" HEAD:filesystem/etc/nginx/site.key
expect_contains state/cron.yaml "CRON-TOKEN-MARKER"
expect_contains filesystem/etc/app/token.conf "APP-TOKEN-MARKER"
for marker in CRON-TOKEN-MARKER APP-TOKEN-MARKER NGINX-KEY-MARKER SHADOW-SECRET-MARKER; do
  expect_not_in_objects "$T" "$marker"
done
# Each file found secret is matched in the .gitattributes of its own directory (git pays for
# every top-level line at every path); the top level names it in a comment.
expect_contains live/filesystem/etc/app/.gitattributes "/token.conf filter=twin-crypt"
expect_contains filesystem/etc/app/.gitattributes "/token.conf filter=twin-crypt"
expect_contains filesystem/etc/nginx/.gitattributes "/site.key filter=twin-crypt"
expect_contains .gitattributes "#   /etc/app/token.conf"
expect_not_contains .gitattributes "token.conf filter=twin-crypt"
expect_eq "live/filesystem/etc/app/token.conf: filter: twin-crypt" \
  "$(git check-attr filter -- live/filesystem/etc/app/token.conf)" "git reads the directory's line"
expect_eq "filesystem/etc/app/later.conf: filter: unspecified" \
  "$(git check-attr filter -- filesystem/etc/app/later.conf)" "a file beside it is not encrypted"
expect_not_contains .gitattributes "etc/app/later.conf"
expect_eq "" "$(git ls-files -o --exclude-standard)" "the directories' files are committed"
expect_clean
expect_eq "$(git rev-parse HEAD:live/filesystem/etc/shadow)" \
  "$(git hash-object --path=live/filesystem/etc/shadow live/filesystem/etc/shadow)" \
  "the blob snapshot stored is the one git add stores"

section "a file that becomes private is encrypted from then on"
expect_exit 0 git twin snapshot
chmod 600 "$R/etc/app/later.conf"
expect_exit 0 git twin snapshot
expect_contains live/filesystem/etc/app/.gitattributes "/later.conf filter=twin-crypt"
expect_contains filesystem/etc/app/.gitattributes "/later.conf filter=twin-crypt"
expect_encrypted_blob "$T" HEAD:live/filesystem/etc/app/later.conf
expect_encrypted_blob "$T" HEAD:filesystem/etc/app/later.conf
expect_clean

section "a secret file removed from the machine takes its directory's lines with it"
mkdir -p "$R/etc/vault"
echo "VAULT-KEY-MARKER" >"$R/etc/vault/one.key"
chmod 600 "$R/etc/vault/one.key"
echo "plain" >"$R/etc/vault/readme"
# The machine's own .gitattributes is never mirrored: it would collide with git-twin's.
echo "one.key -filter" >"$R/etc/vault/.gitattributes"
expect_exit 0 git twin snapshot
expect_contains live/filesystem/etc/vault/.gitattributes "/one.key filter=twin-crypt"
expect_not_contains live/filesystem/etc/vault/.gitattributes "-filter"
expect_encrypted_blob "$T" HEAD:live/filesystem/etc/vault/one.key
expect_encrypted_blob "$T" HEAD:filesystem/etc/vault/one.key
expect_not_in_objects "$T" "VAULT-KEY-MARKER"
expect_exit 0 git twin snapshot
expect_contains live/filesystem/etc/vault/.gitattributes "/one.key filter=twin-crypt"
rm "$R/etc/vault/one.key"
expect_exit 0 git twin snapshot
expect_no_file live/filesystem/etc/vault/.gitattributes
expect_no_file filesystem/etc/vault/.gitattributes
expect_eq "" "$(git ls-tree -r --name-only HEAD | grep 'vault/\(one.key\|.gitattributes\)')" \
  "the file and its directory's lines are gone from the commit"
expect_not_contains .gitattributes "/etc/vault/one.key"
expect_file filesystem/etc/vault/readme
rm -r "$R/etc/vault"
expect_exit 0 git twin snapshot
expect_no_file live/filesystem/etc/vault
expect_no_file filesystem/etc/vault
expect_clean
mkdir -p "$R/etc/vault2"
echo "VAULT2-KEY-MARKER" >"$R/etc/vault2/two.key"
chmod 600 "$R/etc/vault2/two.key"
expect_exit 0 git twin snapshot
expect_contains filesystem/etc/vault2/.gitattributes "/two.key filter=twin-crypt"
# A listed file's directory that became a file: its copies are gone, not an error.
rm -r "$R/etc/vault2"
echo "now a file" >"$R/etc/vault2"
expect_exit 0 git twin snapshot
expect_contains live/filesystem/etc/vault2 "now a file"
expect_no_file live/filesystem/etc/vault2/.gitattributes
expect_not_contains .gitattributes "/etc/vault2/two.key"
expect_clean

section "a twin from before the per-directory files moves its list at the next snapshot"
# What snapshots wrote before: every listed file as lines of both trees at the top level.
sed -i -e 's|^# secret by mode or content, each matched.*|# secret by mode or content, listed one by one:|' \
  -e 's|^#   \(/.*\)|filesystem\1 filter=twin-crypt diff=twin-crypt merge=twin-crypt\nlive/filesystem\1 filter=twin-crypt diff=twin-crypt merge=twin-crypt|' \
  .gitattributes
expect_contains .gitattributes "live/filesystem/etc/app/later.conf filter=twin-crypt"
git rm -q $(git ls-files -- '*/.gitattributes')
git commit -qam "as before the per-directory files"
expect_encrypted_blob "$T" HEAD:filesystem/etc/app/later.conf
expect_exit 0 git twin snapshot
expect_contains live/filesystem/etc/app/.gitattributes "/later.conf filter=twin-crypt"
expect_contains filesystem/etc/app/.gitattributes "/token.conf filter=twin-crypt"
expect_contains .gitattributes "#   /etc/app/later.conf"
expect_not_contains .gitattributes "later.conf filter=twin-crypt"
expect_encrypted_blob "$T" HEAD:filesystem/etc/app/later.conf
expect_encrypted_blob "$T" HEAD:live/filesystem/etc/app/token.conf
expect_clean

section "config.yaml adds patterns: tracked files are encrypted from then on"
printf 'extra=EXTRA-SECRET-MARKER\n' >"$R/etc/app/db.secret"
expect_exit 0 git twin snapshot
expect_eq "extra=EXTRA" "$(git cat-file blob HEAD:live/filesystem/etc/app/db.secret | head -c 11)" \
  "not secret yet: stored as it is"
sed -i 's|^secrets: \[\]|secrets: ["/etc/app/*.secret"]|' config.yaml
expect_contains config.yaml 'secrets: ["/etc/app/*.secret"]'
git commit -qm "more secrets" config.yaml
expect_exit 0 git twin snapshot
expect_encrypted_blob "$T" HEAD:live/filesystem/etc/app/db.secret
expect_encrypted_blob "$T" HEAD:filesystem/etc/app/db.secret
expect_clean

section "a listed file gone from the machine stays encrypted while the twin has it"
mv "$R/etc/app/token.conf" "$TRASH/token.conf"
sed -i 's/adopt_local_changes: true/adopt_local_changes: false/' config.yaml
git commit -qm "keep drift" config.yaml
expect_exit 0 git twin snapshot
expect_contains .gitattributes "#   /etc/app/token.conf"
expect_contains filesystem/etc/app/.gitattributes "/token.conf filter=twin-crypt"
expect_no_file live/filesystem/etc/app/token.conf
expect_not_contains live/filesystem/etc/app/.gitattributes "/token.conf"
echo "api_key = EDITED-TOKEN-MARKER" >filesystem/etc/app/token.conf
git commit -qam "edited token"
expect_encrypted_blob "$T" HEAD:filesystem/etc/app/token.conf
expect_not_in_objects "$T" "EDITED-TOKEN-MARKER"
sed -i 's/adopt_local_changes: false/adopt_local_changes: true/' config.yaml
git commit -qm "adopt again" config.yaml

section "diffs decrypt locally; plan and status never print secrets"
sed -i 's/SHADOW-SECRET-MARKER\$xyz/SHADOW-SECRET-MARKER$new/' filesystem/etc/shadow
git diff >"$TRASH/diff.out"
expect_contains "$TRASH/diff.out" '+root:$6$SHADOW-SECRET-MARKER$new'
git commit -qam "new root password"
git log -p -1 >"$TRASH/log.out"
expect_contains "$TRASH/log.out" '+root:$6$SHADOW-SECRET-MARKER$new'
expect_exit 2 git twin plan --exit-code
expect_contains "$OUT" "/etc/shadow"
expect_not_contains "$OUT" "SHADOW-SECRET-MARKER"
expect_not_contains plan/latest.yaml "SHADOW-SECRET-MARKER"
git twin plan --json >"$TRASH/plan.json"
expect_not_contains "$TRASH/plan.json" "SHADOW-SECRET-MARKER"
git twin status --json >"$TRASH/status.json"
expect_not_contains "$TRASH/status.json" "SHADOW-SECRET-MARKER"
expect_not_in_objects "$T" "SHADOW-SECRET-MARKER"

section "encrypted files merge: decrypted, merged, encrypted again"
git checkout -q -b github
echo 'bob:$6$SHADOW-SECRET-MARKER$github:19000:0:99999:7:::' >>filesystem/etc/shadow
printf -- '  - user: root\n    schedule: "0 5 * * *"\n    command: /usr/local/bin/from-github\n    enabled: true\n' >>state/cron.yaml
git commit -qam "edited on GitHub" 2>"$ERR" || fail "commit on the github branch" "$(cat "$ERR")"
git checkout -q main
sed -i 's/^root:\$6\$SHADOW-SECRET-MARKER\$new/root:$6$SHADOW-SECRET-MARKER$machine/' filesystem/etc/shadow
printf -- '  - user: root\n    schedule: "0 6 * * *"\n    command: /usr/local/bin/from-machine\n    enabled: true\n' >>state/cron.yaml
git commit -qam "edited on the machine" 2>"$ERR" || fail "commit on main" "$(cat "$ERR")"
run git merge --no-edit github
expect_eq 0 "$RC" "the merge is clean" "$(cat "$OUT" "$ERR")"
expect_contains filesystem/etc/shadow 'SHADOW-SECRET-MARKER$machine'
expect_contains filesystem/etc/shadow 'SHADOW-SECRET-MARKER$github'
expect_contains state/cron.yaml "/usr/local/bin/from-github"
expect_contains state/cron.yaml "/usr/local/bin/from-machine"
expect_encrypted_blob "$T" HEAD:filesystem/etc/shadow
expect_encrypted_blob "$T" HEAD:state/cron.yaml
expect_not_in_objects "$T" "from-github"
expect_exit 0 git twin validate
expect_clean

section "a clone without the key: locked, never written"
git clone -q "$T" "$TRASH/clone" 2>/dev/null
C=$TRASH/clone
magic=$(head -c 10 "$C/filesystem/etc/shadow" | tail -c 9)
expect_eq "TWINCRYPT" "$magic" "the clone's work tree holds ciphertext"
(cd "$C" && git twin status) >"$OUT" 2>"$ERR"
RC=$?
expect_eq 0 "$RC" "status in the keyless clone works"
expect_contains "$OUT" "cron: locked"
expect_contains "$OUT" "locked files (encrypted, no key here)"
(cd "$C" && git twin plan --json) >"$TRASH/clone-plan.json" 2>/dev/null
expect_not_contains "$TRASH/clone-plan.json" "etc/shadow"
(cd "$C" && git twin snapshot) >"$OUT" 2>"$ERR"
expect_ne 0 "$?" "snapshot refuses to run without the key"
expect_contains "$ERR" "git twin key import"

section "key export and import"
other=$(mktemp "$TRASH/other.XXXXXX")
printf 'git-twin-key 1 %0128d\n' 0 >"$other"
(cd "$C" && git twin key import "$other") >"$OUT" 2>"$ERR"
expect_ne 0 "$?" "a key that does not open the locked files is refused"
expect_contains "$ERR" "is not this twin's key"
expect_eq "" "$(git -C "$C" status --porcelain)" "nothing in the clone changed"
expect_no_file "$C/.git/twin/crypt.key"
expect_exit 0 git twin key export "$TRASH/twin.key"
expect_eq "600" "$(stat -c %a "$TRASH/twin.key")" "the exported key is private"
expect_exit 1 git twin key export "$TRASH/twin.key"
expect_contains "$ERR" "--force"
git twin key export - | cat >"$TRASH/piped.key"
cmp -s "$TRASH/twin.key" "$TRASH/piped.key" && ok "export to a pipe writes the same key" ||
  fail "export to a pipe writes the same key"
(cd "$C" && git twin key import "$TRASH/twin.key") >"$OUT" 2>"$ERR"
expect_eq 0 "$?" "import succeeds"
expect_contains "$OUT" "unlocked"
expect_contains "$C/filesystem/etc/shadow" 'SHADOW-SECRET-MARKER$machine'
expect_contains "$C/state/cron.yaml" "CRON-TOKEN-MARKER"
expect_clean "$C"
(cd "$C" && git twin doctor) >"$OUT" 2>"$ERR"
expect_contains "$OUT" "key: "
expect_not_contains "$ERR" "missing"
(cd "$C" && git twin key import "$other") >"$OUT" 2>"$ERR"
expect_ne 0 "$?" "importing another key over the twin's is refused"
expect_contains "$ERR" "another key"

section "pre-commit refuses plaintext secrets"
head=$(git rev-parse HEAD)
blob=$(printf 'root:PLAIN-BYPASS-MARKER\n' | git hash-object -w --stdin)
git update-index --cacheinfo "100644,$blob,filesystem/etc/shadow"
run git commit -m "bypassed the filter"
expect_eq 1 "$RC" "the commit is refused"
expect_contains "$ERR" "filesystem/etc/shadow: must be stored encrypted"
expect_eq "$head" "$(git rev-parse HEAD)" "no commit made"
git reset -q
token="ghp_$(printf 'a%.0s' $(seq 36))"
printf 'Welcome\nGITHUB_TOKEN=%s\n' "$token" >filesystem/etc/motd
git add filesystem/etc/motd
run git commit -m "a token"
expect_eq 1 "$RC" "a GitHub token is refused"
expect_contains "$ERR" "filesystem/etc/motd:2: a GitHub token in plaintext"
expect_not_contains "$ERR" "$token"
git reset -q
git checkout -q -- filesystem/etc/motd

finish
