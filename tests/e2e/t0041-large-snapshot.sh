# Promise: a snapshot that writes thousands of files (a first snapshot, a big change on the
# machine) stores exactly what `git add` would: the index it leaves is the one git add makes
# of the same files, with their stat data (git status and git diff-files are clean without
# hashing anything again), secret files stay encrypted, and fsck finds nothing wrong. With
# more than 1,000 new files a snapshot stages them ahead on several git processes at once
# (core/prestage.hpp); this test drives that path through init and through snapshot.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
for d in 0 1 2 3 4 5 6 7 8 9; do
  mkdir -p "$R/etc/many/d$d"
  for i in $(seq 0 129); do echo "setting $d.$i = on" >"$R/etc/many/d$d/f$i.conf"; done
done
printf '%s\n' "-----BEGIN PRIVATE KEY-----" "MANY-KEY-MARKER" "-----END PRIVATE KEY-----" \
  >"$R/etc/many/d3/site.key"

# index_matches_git_add DESC: the index is the one `git add` makes of the same work tree.
index_matches_git_add() {
  local ours theirs
  ours=$(git ls-files -s)
  git rm -q -r --cached live filesystem
  git add -A -f live filesystem
  theirs=$(git ls-files -s)
  if [ "$ours" = "$theirs" ]; then ok "$1: the index is the one git add makes"
  else
    fail "$1: the index is the one git add makes" \
      "$(diff <(echo "$ours") <(echo "$theirs") | head -20)"
  fi
}

section "init of a root with 1,300 files"
expect_exit 0 git twin init "$T" --root "$R"
cd "$T" || exit 1
export GIT_TWIN_ROOT=$R
expect_clean
expect_eq "" "$(git diff-files --name-only)" "the index has the files' stat data"
expect_eq "1301" "$(git ls-files live/filesystem/etc/many | grep -c -v gitattributes)" \
  "every copy in live/ is staged"
expect_eq "1301" "$(git ls-files filesystem/etc/many | grep -c -v gitattributes)" \
  "every copy in filesystem/ is staged"
expect_encrypted_blob "$T" HEAD:live/filesystem/etc/many/d3/site.key
expect_encrypted_blob "$T" HEAD:filesystem/etc/many/d3/site.key
expect_not_in_objects "$T" MANY-KEY-MARKER
check "git fsck finds nothing wrong" git fsck --no-dangling --no-progress
index_matches_git_add "after init"
expect_clean

section "a snapshot after 1,100 files changed on the machine"
for d in 0 1 2 3 4 5 6 7; do
  for i in $(seq 0 129); do echo "setting $d.$i = off" >"$R/etc/many/d$d/f$i.conf"; done
done
printf '%s\n' "-----BEGIN PRIVATE KEY-----" "MANY-NEW-KEY-MARKER" "-----END PRIVATE KEY-----" \
  >"$R/etc/many/d3/site.key"
head=$(git rev-parse HEAD)
expect_exit 0 git twin snapshot
expect_ne "$head" "$(git rev-parse HEAD)" "the snapshot committed"
expect_clean
expect_eq "" "$(git diff-files --name-only)" "the index has the files' stat data"
expect_eq "setting 5.7 = off" "$(git show HEAD:filesystem/etc/many/d5/f7.conf)" \
  "a change was adopted"
expect_eq "setting 5.7 = off" "$(git show HEAD:live/filesystem/etc/many/d5/f7.conf)" \
  "and observed"
expect_encrypted_blob "$T" HEAD:filesystem/etc/many/d3/site.key
expect_not_in_objects "$T" MANY-NEW-KEY-MARKER
check "git fsck finds nothing wrong" git fsck --no-dangling --no-progress
index_matches_git_add "after the snapshot"
expect_exit 0 git twin status --exit-code

finish
