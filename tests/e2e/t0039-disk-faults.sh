# Promise: a full or read-only disk never leaves the machine or the twin half-done. When
# apply cannot write (ENOSPC, EROFS) it says which path and why, keeps every file of the
# root either old or new (no temp file left), records the actions as failed, and the
# repository stays sound (fsck clean, index readable, status works). When the twin's own
# disk fills during a snapshot, the snapshot fails clearly with HEAD unchanged, and the next
# snapshot after space is freed succeeds; the copies in live/ are kept meanwhile.
# Needs mount(2) for tmpfs (root in a container that allows it); skipped otherwise.
source "$TWIN_TEST_LIB"

ROOTFS=$TRASH/rootfs   # the fake root, on its own small tmpfs
REPOFS=$TRASH/repofs   # the second twin's repository, on its own small tmpfs
mkdir -p "$ROOTFS" "$REPOFS"
mount -t tmpfs -o size=8m tmpfs "$ROOTFS" 2>/dev/null || skip_all "cannot mount a tmpfs here"
unmount_all() {
  cd / || true
  umount "$ROOTFS" 2>/dev/null
  umount "$REPOFS" 2>/dev/null
}
trap 'unmount_all; on_exit' EXIT

R=$ROOTFS/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1

# fill DIR: fills the filesystem of DIR up to the last byte (with DIR/filler).
fill() { head -c 64M /dev/zero >"$1/filler" 2>/dev/null; sync; }
# expect_sound: the repository is consistent: fsck clean, index readable, status works.
expect_sound() {
  expect_exit 0 git fsck --no-progress --no-dangling
  expect_eq "" "$(cat "$OUT" "$ERR")" "git fsck finds nothing"
  check "git status reads the index" git status --porcelain
  expect_exit 0 git twin status
  expect_not_contains "$ERR" "interrupted"
}
# files_fingerprint DIR: like root_fingerprint, without the mtimes of directories (a temp
# file that was created and removed again changes its directory's mtime, nothing else).
files_fingerprint() {
  find "$1" ! -type d -printf '%p %m %u %g %s %T@ %y %l\n' | LC_ALL=C sort
  find "$1" -type d -printf '%p %m %u %g\n' | LC_ALL=C sort
  find "$1" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
}
# temp_files: temp files an apply left on the root.
temp_files() { find "$R" -name '*twin-tmp*'; }

old_motd=$(sha "$R/etc/motd")
head -c 300000 /dev/urandom | base64 >filesystem/etc/motd
new_motd=$(sha filesystem/etc/motd)
desire_file "$T" /etc/app/new.conf "$(head -c 300000 /dev/urandom | base64)"
git add -A && git commit -qm "two big changes" || fail "commit"
head=$(git rev-parse HEAD)

section "apply on a full root"
fill "$ROOTFS"
files_fingerprint "$R" >"$TRASH/before"
expect_exit 1 git twin apply --yes
expect_contains "$OUT" "FAILED: ~ files.mirror: write /etc/motd"
expect_contains "$OUT" "No space left on device"
expect_contains "$OUT" "/etc/app/new.conf"
expect_eq "$old_motd" "$(sha "$R/etc/motd")" "etc/motd is the old file, whole"
expect_no_file "$R/etc/app/new.conf"
expect_eq "" "$(temp_files)" "no temporary file left on the root"
files_fingerprint "$R" >"$TRASH/after"
check "every file of the root is unchanged" cmp "$TRASH/before" "$TRASH/after"
expect_eq 1 "$(git rev-list --count "$head"..HEAD)" "one complete commit records the apply"
record=$(git show --name-only --format= HEAD -- plan/history | head -1)
check "the apply record is committed ($record)" test -n "$record"
expect_contains "$record" "status: failed"
expect_not_contains "$record" "status: done"
expect_sound

section "apply on a read-only root"
rm -f "$ROOTFS/filler"
mount -o remount,ro "$ROOTFS" || fail "remount read-only"
head=$(git rev-parse HEAD)
files_fingerprint "$R" >"$TRASH/before"
expect_exit 1 git twin apply --yes
expect_contains "$OUT" "FAILED: ~ files.mirror: write /etc/motd"
expect_contains "$OUT" "Read-only file system"
files_fingerprint "$R" >"$TRASH/after"
check "every file of the root is unchanged" cmp "$TRASH/before" "$TRASH/after"
expect_eq 1 "$(git rev-list --count "$head"..HEAD)" "one complete commit records the apply"
expect_sound

section "after the disk is writable again"
mount -o remount,rw "$ROOTFS" || fail "remount read-write"
expect_exit 0 git twin apply --yes
expect_eq "$new_motd" "$(sha "$R/etc/motd")" "etc/motd is the new file"
expect_file "$R/etc/app/new.conf"
expect_eq "" "$(temp_files)" "no temporary file left on the root"
expect_exit 0 git twin status --exit-code
expect_sound

section "snapshot with the twin's own disk full"
mount -t tmpfs -o size=8m tmpfs "$REPOFS" || fail "mount the repository's tmpfs"
R2=$TRASH/root2
T2=$REPOFS/twin
make_fake_root "$R2"
git twin init "$T2" --root "$R2" >/dev/null 2>&1 || { fail "init on tmpfs"; finish; }
cd "$T2" || exit 1
head=$(git rev-parse HEAD)
head -c 400000 /dev/urandom | base64 >"$R2/etc/app/app.conf"
fill "$REPOFS"
expect_exit 1 git twin snapshot
expect_contains "$ERR" "error: files.mirror: cannot write 'live/filesystem/etc/app/app.conf': No space left on device"
expect_eq "$head" "$(git rev-parse HEAD)" "no commit"
rm -f "$REPOFS/filler"
# The copy that could not be replaced is kept, not dropped as if the file were unreadable.
expect_file live/filesystem/etc/app/app.conf
expect_eq "" "$(git status --porcelain)" "the work tree is as HEAD has it"
expect_sound
expect_exit 0 git twin snapshot
expect_ne "$head" "$(git rev-parse HEAD)" "the next snapshot commits"
expect_eq "$(sha "$R2/etc/app/app.conf")" "$(git show HEAD:live/filesystem/etc/app/app.conf | sha256sum | cut -d' ' -f1)" \
  "the commit has the machine's file"
expect_clean
expect_sound

unmount_all
finish
