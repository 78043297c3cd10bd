# Promise: state/ merges like code. An edit on GitHub and an edit on the machine to
# different resources of one fragment merge cleanly through the twin-yaml driver, even
# where git's line merge would conflict (both appended to the list), with `git pull` and
# with `git pull --rebase`; the same field changed differently on both sides is a conflict
# of that one resource, written as git writes conflicts; `git twin validate` and the
# pre-commit hook refuse the file until a person keeps one side and deletes the markers.
source "$TWIN_TEST_LIB"

R=$TRASH/root
A=$TRASH/twin
B=$TRASH/github
REMOTE=$TRASH/remote.git
make_fake_root "$R"
git twin init "$A" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$A" || exit 1

# The driver as init configures it; set here only while init does not yet.
if [ -z "$(git config merge.twin-yaml.driver)" ]; then
  git config merge.twin-yaml.name "git-twin structural merge of state/"
  git config merge.twin-yaml.driver "git twin merge-driver %O %A %B %P"
  git config merge.twin-crypt.name "git-twin merge of encrypted files"
  git config merge.twin-crypt.driver "git twin merge-driver --secret %O %A %B %P"
fi
if [ "$(git check-attr merge -- state/packages.yaml | sed 's/.*: //')" != twin-yaml ]; then
  echo 'state/*.yaml merge=twin-yaml' >>.gitattributes
  git add .gitattributes
fi
cat >state/packages.yaml <<'YAML'
# what this machine needs
packages:
  - name: curl
    ensure: present
  - name: vim
    ensure: present
    version: "2:9.0.1378-2"
YAML
git add state/packages.yaml && git commit -q -m "packages" 2>/dev/null || fail "commit packages"
expect_eq twin-yaml "$(git check-attr merge -- state/packages.yaml | sed 's/.*: //')" \
  "state/packages.yaml has merge=twin-yaml"

if ! { git clone -q --bare "$A" "$REMOTE" && git remote add origin "$REMOTE" &&
        git push -q -u origin main 2>/dev/null; }; then
  fail "set up the remote"; finish
fi
git clone -q "$REMOTE" "$B" || { fail "clone the GitHub side"; finish; }

# on_github CMD...: runs CMD in the other clone, as an edit on GitHub would be.
on_github() { (cd "$B" && "$@"); }
# github_commit MSG: commits and pushes everything changed in the other clone.
github_commit() { on_github git commit -q -am "$1" && on_github git push -q; }

# yaml_entry_field FILE NAME FIELD: FIELD of the list item "- name: NAME" (unquoted).
yaml_entry_field() {
  awk -v n="$2" -v f="$3" '
    /^ *- / { inside = 0 }
    /^ *- name: / { x = $0; sub(/^ *- name: /, "", x); inside = (x == n) }
    inside { y = $0; sub(/^ *(- )?/, "", y)
             if (index(y, f ": ") == 1) { y = substr(y, length(f) + 3); gsub(/"/, "", y); print y } }
  ' "$1"
}

# packages_list: the names in A's state/packages.yaml, one line, in order.
packages_list() {
  sed -n 's/^ *- name: *//p' state/packages.yaml | tr '\n' ' ' | sed 's/ $//'
}

section "edits of different packages merge with git pull"
on_github sh -c 'printf "  - name: jq\n    ensure: present\n" >>state/packages.yaml'
github_commit "GitHub: add jq" || fail "GitHub pushes jq"
printf '  - name: tmux\n    ensure: present\n' >>state/packages.yaml
sed -i '/name: curl/{n;s/ensure: present/ensure: absent/}' state/packages.yaml
git commit -q -am "machine: tmux, no curl" 2>/dev/null || fail "commit on the machine"
expect_exit 0 git pull --no-rebase --no-edit
expect_eq "curl vim tmux jq" "$(packages_list)" "both additions, ours first"
expect_eq "absent" "$(yaml_entry_field state/packages.yaml curl ensure)" "the machine's edit is kept"
check "no conflict markers" sh -c '! grep -q "^[<=>|]\{7\}" state/packages.yaml'
expect_eq 1 "$(git rev-list --count --merges HEAD)" "a merge commit"
expect_exit 0 git twin validate
expect_clean
check "the merge is pushed" git push -q

section "a field changed differently on both sides is a conflict"
on_github git pull -q --ff-only || fail "GitHub pulls"
on_github sh -c 'sed -i "s/2:9.0.1378-2/2:9.1.0016-1/" state/packages.yaml'
github_commit "GitHub: vim 9.1" || fail "GitHub pushes vim"
sed -i 's/2:9.0.1378-2/2:9.0.1378-3/' state/packages.yaml
printf '  - name: htop\n    ensure: present\n' >>state/packages.yaml
git commit -q -am "machine: vim -3, htop" 2>/dev/null || fail "commit on the machine"
expect_exit 1 git pull --no-rebase --no-edit
expect_contains "$OUT" "CONFLICT (content): Merge conflict in state/packages.yaml"
expect_contains "$ERR" "git-twin: state/packages.yaml: conflict in packages: vim"
expect_line state/packages.yaml "<<<<<<< ours"
expect_line state/packages.yaml "======="
expect_eq 1 "$(sed -n '/^<<<<<<< /,/^=======$/p' state/packages.yaml | grep -c '9.0.1378-3')" \
  "ours' vim is on the ours side"
expect_eq 1 "$(sed -n '/^=======$/,/^>>>>>>> /p' state/packages.yaml | grep -c '9.1.0016-1')" \
  "GitHub's vim is on the theirs side"
expect_line state/packages.yaml ">>>>>>> theirs"
expect_line state/packages.yaml "  - name: htop"
line=$(grep -n '^<<<<<<<' state/packages.yaml | cut -d: -f1)
expect_exit 1 git twin validate
expect_contains "$ERR" "state/packages.yaml:$line: unresolved merge conflict (<<<<<<<): keep one side and delete the markers"
git add state/packages.yaml
expect_exit 1 git commit --no-edit
expect_contains "$ERR" "state/packages.yaml:$line: unresolved merge conflict"

section "keep one side, delete the markers, commit"
# Keep theirs: drop the marker lines and everything from "<<<<<<<" to "=======".
sed -i '/^<<<<<<< /,/^=======$/d; /^>>>>>>> /d' state/packages.yaml
expect_exit 0 git twin validate
expect_eq "2:9.1.0016-1" "$(yaml_entry_field state/packages.yaml vim version)" "GitHub's vim"
git add state/packages.yaml
expect_exit 0 git commit --no-edit
expect_eq 2 "$(git rev-list --count --merges HEAD)" "the merge is committed"
expect_clean
check "the resolution is pushed" git push -q

section "git pull --rebase replays through the driver"
on_github git pull -q --ff-only || fail "GitHub pulls"
on_github sh -c 'printf "  - name: git\n    ensure: present\n" >>state/packages.yaml'
github_commit "GitHub: add git" || fail "GitHub pushes git"
printf '  - name: make\n    ensure: present\n' >>state/packages.yaml
git commit -q -am "machine: make" 2>/dev/null || fail "commit on the machine"
expect_exit 0 git pull --rebase
expect_eq "$(git --git-dir="$REMOTE" rev-parse main)" "$(git rev-parse HEAD~1)" \
  "the machine's commit is replayed on GitHub's"
expect_eq "curl vim tmux jq htop git make" "$(packages_list)" "both additions survive the rebase"
expect_exit 0 git twin validate
expect_clean

section "plumbing"
expect_exit 129 git twin merge-driver a b c
printf 'a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n' >"$TRASH/o"
printf 'a: 1\nb: 2\nc: 3\nd: 4\ne: [\n' >"$TRASH/bad"
printf 'a: 0\nb: 2\nc: 3\nd: 4\ne: 5\n' >"$TRASH/b"
expect_exit 0 git twin merge-driver "$TRASH/o" "$TRASH/bad" "$TRASH/b" state/packages.yaml
expect_contains "$ERR" "merged as text"
expect_eq "a: 0 e: [" "$(sed -n '1p;5p' "$TRASH/bad" | tr '\n' ' ' | sed 's/ $//')" "the text merge"

finish
