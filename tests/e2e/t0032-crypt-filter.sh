# Promise: with `filter=twin-crypt` in .gitattributes and git configured to run
# `git twin filter-process` (required) and `git twin textconv`, secret files are plaintext
# in the work tree and ciphertext in every object git stores; diffs show them decrypted;
# every everyday git operation (status, checkout, stash, rebase, cherry-pick, clone) works
# through the filter; a clone without the key is locked (ciphertext, and no plaintext can be
# added); a tampered blob fails loudly at checkout.
#
# A plain git repository, not a twin: the filter is git plumbing that works anywhere.
source "$TWIN_TEST_LIB"

R=$TRASH/repo
MARK=HUNTER2-PLAINTEXT-MARKER
NEWMARK=NEW-PLAINTEXT-MARKER

# configure_filter DIR: the git config that git twin init will write.
configure_filter() {
  git -C "$1" config filter.twin-crypt.process "git twin filter-process"
  git -C "$1" config filter.twin-crypt.required true
  git -C "$1" config diff.twin-crypt.textconv "git twin textconv"
}

# make_key GIT_DIR: a random key in GIT_DIR/twin/crypt.key (mode 0600).
make_key() {
  mkdir -p "$1/twin"
  (umask 077 && printf 'git-twin-key 1 %s\n' \
    "$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$1/twin/crypt.key")
}

# is_ciphertext FILE: FILE starts with the twin-crypt header.
is_ciphertext() { [ "$(head -c 10 "$1" | tail -c 9)" = TWINCRYPT ]; }

# expect_no_plaintext_stored DIR TEXT: no object of DIR (loose or packed, reachable or not)
# and no commit's raw patch holds TEXT.
expect_no_plaintext_stored() {
  local where=""
  git -C "$1" cat-file --batch-all-objects --batch | grep -qaF -- "$2" && where="$where objects"
  git -C "$1" log -p --all --no-textconv | grep -qaF -- "$2" && where="$where log-p-raw"
  grep -rqaF -- "$2" "$1/.git/objects" && where="$where .git/objects-files"
  if [ -z "$where" ]; then ok "'$2' is stored nowhere in $(short "$1")"
  else fail "'$2' is stored nowhere in $(short "$1")" "found in:$where"; fi
}

git init -q "$R"
cd "$R" || exit 1
configure_filter .
make_key .git
printf 'secret/** filter=twin-crypt diff=twin-crypt\n' >.gitattributes
mkdir secret
printf 'user=app\npassword=%s\n' "$MARK" >secret/db.conf
printf 'token=%s-2\n' "$MARK" >secret/api.token
echo "public" >public.txt

section "add and commit"
expect_exit 0 git add -A
expect_exit 0 git commit -q -m "first"
git cat-file -p HEAD:secret/db.conf >"$TRASH/blob"
check "the stored blob is twin-crypt ciphertext" is_ciphertext "$TRASH/blob"
expect_not_contains "$TRASH/blob" "$MARK"
expect_eq "public" "$(git cat-file -p HEAD:public.txt)" "files outside secret/ are not touched"
expect_contains secret/db.conf "password=$MARK"
expect_no_plaintext_stored "$R" "$MARK"
expect_clean

section "clean of clean is clean"
expect_exit 0 git add --renormalize .
expect_clean
check "renormalize changes nothing staged" git diff --cached --quiet
touch secret/*
expect_clean

section "diff and log show plaintext through textconv"
printf 'user=app\npassword=%s\n' "$NEWMARK" >secret/db.conf
run git diff
expect_contains "$OUT" "-password=$MARK"
expect_contains "$OUT" "+password=$NEWMARK"
expect_exit 0 git commit -q -am "rotate the password"
run git log -p -1
expect_contains "$OUT" "+password=$NEWMARK"
run git show HEAD --no-textconv -- secret/db.conf
expect_not_contains "$OUT" "$NEWMARK"
expect_no_plaintext_stored "$R" "$NEWMARK"
expect_clean

section "the objects after gc"
expect_exit 0 git gc -q
check "objects are packed" test -n "$(ls .git/objects/pack/*.pack 2>/dev/null)"
expect_no_plaintext_stored "$R" "$MARK"
expect_no_plaintext_stored "$R" "$NEWMARK"

section "checkout of an older commit and back"
expect_exit 0 git checkout -q HEAD~1
expect_contains secret/db.conf "password=$MARK"
expect_exit 0 git checkout -q main
expect_contains secret/db.conf "password=$NEWMARK"
expect_clean

section "stash and stash pop"
echo "extra=1" >>secret/db.conf
expect_exit 0 git stash -q
expect_not_contains secret/db.conf "extra=1"
expect_contains secret/db.conf "password=$NEWMARK"
expect_exit 0 git stash pop -q
expect_contains secret/db.conf "extra=1"
git checkout -q -- secret/db.conf
expect_clean

section "rebase and cherry-pick of commits touching secrets"
git checkout -q -b feature
printf 'key=%s-3\n' "$MARK" >secret/feature.key
git add secret/feature.key
git commit -q -m "feature secret"
echo "api=v2" >>secret/api.token
git commit -q -am "feature changes api.token"
git checkout -q main
echo "public 2" >public.txt
git commit -q -am "main moves on"
git checkout -q feature
expect_exit 0 git rebase -q main
expect_contains secret/feature.key "key=$MARK-3"
expect_contains secret/api.token "api=v2"
expect_contains public.txt "public 2"
expect_clean
git checkout -q main
expect_exit 0 git cherry-pick feature
expect_contains secret/api.token "api=v2"
expect_no_file secret/feature.key
expect_clean
expect_no_plaintext_stored "$R" "$MARK"

section "a clone with the key sees plaintext"
git clone -q -n "$R" "$TRASH/keyed"
configure_filter "$TRASH/keyed"
mkdir -p "$TRASH/keyed/.git/twin"
cp .git/twin/crypt.key "$TRASH/keyed/.git/twin/crypt.key"
expect_exit 0 git -C "$TRASH/keyed" checkout -q main
expect_contains "$TRASH/keyed/secret/db.conf" "password=$NEWMARK"
expect_clean "$TRASH/keyed"

section "a clone without the key or the filter sees ciphertext"
git clone -q "$R" "$TRASH/bare-clone"
check "secret/db.conf is ciphertext" is_ciphertext "$TRASH/bare-clone/secret/db.conf"
expect_not_contains "$TRASH/bare-clone/secret/db.conf" "$NEWMARK"

section "a clone with the filter but no key is locked"
expect_exit 0 git clone -q -c filter.twin-crypt.process="git twin filter-process" \
  -c filter.twin-crypt.required=true -c diff.twin-crypt.textconv="git twin textconv" \
  "$R" "$TRASH/locked"
check "secret/db.conf stays ciphertext" is_ciphertext "$TRASH/locked/secret/db.conf"
expect_clean "$TRASH/locked"
run git -C "$TRASH/locked" log -p -1 -- secret/db.conf
check "git log -p shows a changed placeholder" \
  grep -qE '^\+<twin-crypt: encrypted, no key \([0-9a-f]{12}\)>$' "$OUT"
expect_not_contains "$OUT" "$NEWMARK"
printf 'password=%s-locked\n' "$MARK" >"$TRASH/locked/secret/new.conf"
run git -C "$TRASH/locked" add secret/new.conf
check "git add of a plaintext secret fails" test "$RC" -ne 0
expect_contains "$ERR" "error: twin-crypt: secret/new.conf:"
expect_not_contains "$ERR" "$MARK"
expect_no_plaintext_stored "$TRASH/locked" "$MARK-locked"

section "GIT_DIR from the environment names the repository"
# A work tree without .git: only GIT_DIR (which git exports to the filter) leads to the key.
git clone -q --bare "$R" "$TRASH/detached.git"
cp -r .git/config .git/twin "$TRASH/detached.git/"
git --git-dir="$TRASH/detached.git" config core.bare false
mkdir "$TRASH/detached"
expect_exit 0 git --git-dir="$TRASH/detached.git" --work-tree="$TRASH/detached" checkout -f main
expect_contains "$TRASH/detached/secret/db.conf" "password=$NEWMARK"
printf 'password=%s-detached\n' "$MARK" >"$TRASH/detached/secret/new.conf"
(cd "$TRASH/detached/secret" && GIT_DIR=../../detached.git GIT_WORK_TREE=.. git add new.conf)
check "git add through GIT_DIR works" test $? = 0
git --git-dir="$TRASH/detached.git" cat-file blob :secret/new.conf >"$TRASH/blob"
check "and stores ciphertext" is_ciphertext "$TRASH/blob"

section "a tampered blob fails loudly at checkout"
git checkout -q -b tampered
git cat-file blob HEAD:secret/db.conf >"$TRASH/good"
# Flip one bit of the last byte: the ciphertext no longer authenticates.
perl -0777 -pe 'substr($_, -1, 1) = chr(ord(substr($_, -1, 1)) ^ 1)' "$TRASH/good" >"$TRASH/bad"
bad=$(git hash-object -w --no-filters "$TRASH/bad")
git update-index --cacheinfo "100644,$bad,secret/db.conf"
git commit -q -m "tampered"
git checkout -q -f main
run git checkout tampered
check "checkout fails" test "$RC" -ne 0
expect_contains "$ERR" "error: twin-crypt: secret/db.conf: cannot decrypt"
expect_contains "$ERR" "does not authenticate"
expect_not_contains "$ERR" "$MARK"
git checkout -q -f main

finish
