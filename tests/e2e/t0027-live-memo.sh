# Promise: a snapshot of an unchanged machine trusts the live memo ($GIT_DIR/twin/live.memo)
# only while live/<fragment>.yaml is exactly the file it wrote: a live document edited by
# hand (appended to, or changed in place with its mtime put back) or deleted is written
# again with the exact text it had, and git status is clean afterwards; a second snapshot
# with nothing changed makes no commit and rewrites nothing under $GIT_DIR/twin/.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
LIVE_MEMO=.git/twin/live.memo

# twin_listing: every file under .git/twin/ but the lock, with its type, size, inode, mtime
# and ctime: a file that was rewritten (even with the same text) shows up as changed.
twin_listing() {
  find .git/twin -path .git/twin/lock -prune -o -printf '%P %y %s %i %T@ %C@\n' | LC_ALL=C sort
}

# expect_memo_has PATH: the live memo has an entry for PATH, so the next snapshot may trust
# it (the memo keeps no entry for a file written in the last two seconds).
expect_memo_has() {
  if grep -q "^$1 " "$LIVE_MEMO" 2>/dev/null; then ok "the live memo has an entry for $1"
  else fail "the live memo has an entry for $1" "$(show_file "$T/$LIVE_MEMO")"; fi
}

# snapshot_restores DESC: a snapshot (no commit) brings live/ back to the saved copies.
snapshot_restores() {
  local head
  head=$(git rev-parse HEAD)
  expect_exit 0 git twin snapshot
  check "$1: files.mirror reports unchanged" grep -q '^files.mirror: .*unchanged$' "$OUT"
  check "$1: system.info reports unchanged" grep -q '^system.info: .*unchanged$' "$OUT"
  check "$1: live/files.yaml has its exact text again" cmp "$TRASH/files.yaml" live/files.yaml
  check "$1: live/system.yaml has its exact text again" \
    cmp "$TRASH/system.yaml" live/system.yaml
  expect_eq "$head" "$(git rev-parse HEAD)" "$1: no commit"
  expect_clean
}

section "a snapshot of an unchanged machine"
# Past the two seconds in which neither the memo nor the stat cache keep what was written.
sleep 2.1
expect_exit 0 git twin snapshot
expect_memo_has live/files.yaml
expect_memo_has live/system.yaml
expect_clean
cp live/files.yaml "$TRASH/files.yaml"
cp live/system.yaml "$TRASH/system.yaml"
twin_listing >"$TRASH/listing.before"
check "the listing names the live memo" grep -q '^live.memo ' "$TRASH/listing.before"
head=$(git rev-parse HEAD)
expect_exit 0 git twin snapshot
check "files.mirror reports unchanged" grep -q '^files.mirror: .*unchanged$' "$OUT"
expect_not_contains "$OUT" "committed"
expect_eq "$head" "$(git rev-parse HEAD)" "no commit"
twin_listing >"$TRASH/listing.after"
check "nothing under .git/twin/ but the lock was written" \
  diff -u "$TRASH/listing.before" "$TRASH/listing.after"
check "live/files.yaml is untouched" cmp "$TRASH/files.yaml" live/files.yaml
expect_clean

section "live documents edited by hand"
echo '# x' >>live/files.yaml
# Same size, same inode, the old mtime put back: only the ctime tells.
mtime=$(stat -c %.9Y live/system.yaml)
sed 's/fakehost/fakeHOST/' live/system.yaml >"$TRASH/system.edited"
cat "$TRASH/system.edited" >live/system.yaml
touch -d "@$mtime" live/system.yaml
expect_eq "$mtime" "$(stat -c %.9Y live/system.yaml)" "live/system.yaml keeps its mtime"
expect_eq "$(stat -c %s "$TRASH/system.yaml")" "$(stat -c %s live/system.yaml)" \
  "live/system.yaml keeps its size"
check "live/system.yaml is edited" sh -c "! cmp -s '$TRASH/system.yaml' live/system.yaml"
check "live/files.yaml is edited" sh -c "! cmp -s '$TRASH/files.yaml' live/files.yaml"
check "git sees the edits" test -n "$(git status --porcelain)"
snapshot_restores "after the edits"

section "live documents deleted"
sleep 2.1
expect_exit 0 git twin snapshot
expect_memo_has live/files.yaml
rm live/files.yaml live/system.yaml
snapshot_restores "after the deletion"

finish
