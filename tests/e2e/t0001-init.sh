# Promise: `git twin init` creates a private twin repository of a root with one commit,
# mirrors /etc faithfully (modes, owners, symlinks, special files) while never storing
# secrets, and refuses to clobber an existing repository or directory unless --force.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"

section "init on a fake root"
expect_exit 0 git twin init "$T" --root "$R"
expect_contains "$OUT" "files.mirror:"
expect_contains "$OUT" "committed "
expect_eq 700 "$(stat -c %a "$T")" "the twin directory has mode 0700"
expect_eq "$R" "$(sed -n 's/^root: //p' "$T/config.yaml")" "config.yaml records the root"

section "layout"
for f in config.yaml .gitignore plugins/files.mirror/plugin.yaml plugins/files.mirror/schema.yaml \
         plugins/system.info/plugin.yaml plugins/system.info/schema.yaml \
         schema/config.schema.json live/system.yaml live/files.yaml state/files.yaml; do
  expect_file "$T/$f"
done
expect_contains "$T/.gitignore" "/plan/latest.yaml"
expect_contains "$T/live/system.yaml" "hostname: fakehost"
expect_contains "$T/live/system.yaml" "id: debian"
expect_eq "Welcome to fakehost" "$(cat "$T/live/filesystem/etc/motd")" "live/ has /etc/motd's content"
expect_eq "Welcome to fakehost" "$(cat "$T/filesystem/etc/motd")" "filesystem/ has /etc/motd's content"
expect_contains "$T/state/files.yaml" "twin_path: filesystem/etc/motd"
expect_contains "$T/live/files.yaml" "path: /etc/motd"

section "secrets are stored, encrypted"
expect_contains "$T/live/filesystem/etc/shadow" "SHADOW-SECRET-MARKER"
expect_contains "$T/filesystem/etc/shadow" "SHADOW-SECRET-MARKER"
expect_contains "$T/live/files.yaml" "path: /etc/shadow"
expect_encrypted_blob "$T" HEAD:live/filesystem/etc/shadow
expect_encrypted_blob "$T" HEAD:filesystem/etc/shadow
expect_encrypted_blob "$T" HEAD:filesystem/etc/ssh/ssh_host_ed25519_key
expect_not_in_objects "$T" "SHADOW-SECRET-MARKER"
expect_not_in_objects "$T" "SSH-PRIVATE-KEY-MARKER"
expect_contains "$T/.gitattributes" "filesystem/etc/shadow filter=twin-crypt"
expect_eq "600" "$(stat -c %a "$T/.git/twin/crypt.key")" "the key is private to its owner"
expect_eq "'$(realpath "$TWIN_TEST_PREFIX")/bin/git-twin' filter-process" \
  "$(git -C "$T" config filter.twin-crypt.process)" \
  "the crypt filter is configured, by the binary's absolute path"
expect_eq "true" "$(git -C "$T" config filter.twin-crypt.required)" "the filter is required"
expect_eq "" "$(git -C "$T" status --porcelain)" "git status is clean after init"
expect_file "$T/live/filesystem/etc/ssh/ssh_host_ed25519_key.pub"
expect_file "$T/filesystem/etc/ssh/ssh_host_ed25519_key.pub"
expect_contains "$T/filesystem/etc/ssh/ssh_host_ed25519_key.pub" "PUBLIC-KEY-MARKER"

section "special files"
yaml_entry "$T/live/files.yaml" /etc/fifo >"$TRASH/fifo.yaml"
expect_contains "$TRASH/fifo.yaml" "type: fifo"
expect_contains "$TRASH/fifo.yaml" "skipped: true"
expect_not_contains "$TRASH/fifo.yaml" "sha256:"
expect_no_file "$T/live/filesystem/etc/fifo"
expect_no_file "$T/filesystem/etc/fifo"

yaml_entry "$T/live/files.yaml" /etc/big.bin >"$TRASH/big.yaml"
expect_contains "$TRASH/big.yaml" "content: too_large"
expect_contains "$TRASH/big.yaml" "size: 2097152"
expect_no_file "$T/live/filesystem/etc/big.bin"
expect_no_file "$T/filesystem/etc/big.bin"
yaml_entry "$T/state/files.yaml" /etc/big.bin >"$TRASH/big-state.yaml"
expect_contains "$TRASH/big-state.yaml" "type: file"
expect_not_contains "$TRASH/big-state.yaml" "twin_path:"

if [ "$(stat -c %u "$R/etc/orphan.conf")" = 4242 ]; then
  yaml_entry "$T/state/files.yaml" /etc/orphan.conf >"$TRASH/orphan.yaml"
  expect_contains "$TRASH/orphan.yaml" 'owner: "4242"'
  expect_contains "$TRASH/orphan.yaml" 'group: "4242"'
else
  echo "# skipped: cannot chown to uid 4242 when not root"
fi

yaml_entry "$T/state/files.yaml" /etc/localtime >"$TRASH/localtime.yaml"
expect_contains "$TRASH/localtime.yaml" "type: symlink"
expect_contains "$TRASH/localtime.yaml" "target: /usr/share/zoneinfo/Etc/UTC"
expect_no_file "$T/live/filesystem/etc/localtime"
expect_no_file "$T/filesystem/etc/localtime"

yaml_entry "$T/state/files.yaml" /etc/empty.d >"$TRASH/empty.yaml"
expect_contains "$TRASH/empty.yaml" "type: directory"
expect_contains "$TRASH/empty.yaml" 'mode: "0755"'

yaml_entry "$T/state/files.yaml" /etc/ssh/ssh_host_ed25519_key.pub >"$TRASH/pub.yaml"
expect_contains "$TRASH/pub.yaml" "twin_path: filesystem/etc/ssh/ssh_host_ed25519_key.pub"
expect_not_contains "$T/state/files.yaml" "path: /bin/sh"

section "one clean commit"
expect_eq 1 "$(git -C "$T" rev-list --count HEAD)" "exactly one commit"
expect_eq "" "$(git -C "$T" status --porcelain)" "git status is clean"
head=$(git -C "$T" rev-parse HEAD)
expect_eq "$head" "$(git -C "$T" rev-parse refs/twin/base)" "refs/twin/base = HEAD"
check "the commit holds state/files.yaml" git -C "$T" cat-file -e HEAD:state/files.yaml
check "the commit holds filesystem/etc/motd" git -C "$T" cat-file -e HEAD:filesystem/etc/motd
check "the author is the configured identity" \
  test "$(git -C "$T" log -1 --format=%ae)" = tester@example.invalid

section "init again refuses"
config_sha=$(sha "$T/config.yaml")
expect_exit 1 git twin init "$T" --root "$R"
expect_contains "$ERR" "already a git-twin repository"
expect_eq "$head" "$(git -C "$T" rev-parse HEAD)" "HEAD unchanged"
expect_eq "$config_sha" "$(sha "$T/config.yaml")" "config.yaml unchanged"
expect_eq "" "$(git -C "$T" status --porcelain)" "still clean"
run in_twin "$T" git twin init --root "$R"
expect_eq 1 "$RC" "init with no DIR inside the twin exits 1"
expect_eq "$head" "$(git -C "$T" rev-parse HEAD)" "HEAD unchanged"

section "a non-empty unrelated directory"
O=$TRASH/other
mkdir "$O"
echo "my notes" >"$O/notes.txt"
expect_exit 1 git twin init "$O" --root "$R"
expect_contains "$ERR" "notes.txt"
expect_contains "$ERR" "--force"
expect_no_file "$O/.git"
expect_no_file "$O/config.yaml"
expect_exit 0 git twin init "$O" --root "$R" --force
expect_eq 700 "$(stat -c %a "$O")" "made private by --force"
expect_eq "my notes" "$(cat "$O/notes.txt")" "the unrelated file survives"
expect_eq 1 "$(git -C "$O" rev-list --count HEAD)" "one commit"
expect_file "$O/filesystem/etc/motd"

section "an existing plain git repository"
G=$TRASH/gitrepo
git init -q "$G"
expect_exit 1 git twin init "$G" --root "$R"
expect_contains "$ERR" "already a git repository"
expect_no_file "$G/config.yaml"

section "DIR defaults to the current directory"
mkdir "$TRASH/here"
run in_twin "$TRASH/here" git twin init --root "$R"
expect_eq 0 "$RC" "init with no DIR exits 0"
expect_file "$TRASH/here/config.yaml"
expect_eq 700 "$(stat -c %a "$TRASH/here")" "made private"
expect_eq 1 "$(git -C "$TRASH/here" rev-list --count HEAD)" "one commit"

section "no git identity configured"
: >"$GIT_CONFIG_GLOBAL"
N=$TRASH/noident
expect_exit 0 git twin init "$N" --root "$R"
expect_eq 1 "$(git -C "$N" rev-list --count HEAD 2>/dev/null)" "init committed anyway"
expect_eq "" "$(git -C "$N" status --porcelain)" "git status is clean"
echo "changed" >"$R/etc/motd"
run in_twin "$N" git twin snapshot
expect_eq 0 "$RC" "snapshot without identity exits 0"
expect_eq 2 "$(git -C "$N" rev-list --count HEAD 2>/dev/null)" "snapshot committed anyway"

finish
