# Promise: `git commit` never records a desired state that git-twin cannot use. The
# pre-commit hook validates what is staged (config.yaml and state/*.yaml, read from the
# index) and refuses with file:line:column errors; `--no-verify` gets past it, and then
# `git twin validate`/`status` still say what is wrong. With hooks.pre_commit_snapshot a
# commit also records the machine's current live/, except for a partial commit, where
# staging would leave a mess in the index.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1
cp state/files.yaml "$TRASH/files.yaml.good"
cp config.yaml "$TRASH/config.yaml.good"

# expect_refused: the last command was a commit that the hook refused.
expect_refused() {
  expect_eq 1 "$RC" "the commit is refused"
  expect_contains "$ERR" "git-twin: commit refused:"
  expect_eq "$head" "$(git rev-parse HEAD)" "no commit made"
}

section "invalid YAML"
head=$(git rev-parse HEAD)
printf 'files:\n  - path: /etc/motd\n    mode: [unclosed\n' >state/files.yaml
git add state/files.yaml
run git commit -m "bad yaml"
expect_refused
check "the error names state/files.yaml:LINE:COLUMN" grep -q '^error: state/files.yaml:[0-9]*:[0-9]*: ' "$ERR"
cp "$TRASH/files.yaml.good" state/files.yaml
git add state/files.yaml

section "a schema error"
state_entry_set state/files.yaml /etc/hostname mode rwxr
git add state/files.yaml
n=$(grep -n '^  - path: ' state/files.yaml | grep -n ' /etc/hostname$' | cut -d: -f1)
idx=$((n - 1))   # the entry's index in the files list
run git commit -m "bad mode"
expect_refused
check "the error names the file, line, column and /files/$idx/mode" \
  grep -q "^error: state/files.yaml:[0-9]*:[0-9]*: /files/$idx/mode: " "$ERR"
sed -i '0,/^    type: file$/s//    typo_field: 1/' state/files.yaml
git add state/files.yaml
run git commit -m "unknown field and bad mode"
expect_refused
expect_contains "$ERR" "unknown field 'typo_field'"
check "one error line per problem" test "$(grep -c '^error: state/files.yaml:' "$ERR")" -ge 2

section "a valid change is accepted"
cp "$TRASH/files.yaml.good" state/files.yaml
state_entry_set state/files.yaml /etc/hostname mode '"0600"'
git add state/files.yaml
expect_exit 0 git commit -m "hostname 0600"
expect_no_twin_output "$ERR"
expect_ne "$head" "$(git rev-parse HEAD)" "the commit is made"
expect_clean

section "the index is validated, not the work tree"
head=$(git rev-parse HEAD)
cp state/files.yaml "$TRASH/files.yaml.committed"
state_entry_set state/files.yaml /etc/hostname mode 999
git add state/files.yaml
cp "$TRASH/files.yaml.committed" state/files.yaml   # fixed in the work tree, not staged
run git commit -m "staged: bad mode"
expect_refused
expect_contains "$ERR" "/mode: "
git reset -q -- state/files.yaml
expect_clean
# The other way round: a broken, unstaged work-tree file does not block a good commit.
state_entry_set state/files.yaml /etc/hostname mode 999
echo "a first note" >notes.txt
git add notes.txt
expect_exit 0 git commit -m "notes, with state/ broken but not staged"
expect_ne "$head" "$(git rev-parse HEAD)" "the commit is made"
git checkout -q -- state/files.yaml
expect_clean

section "--no-verify gets past, git twin still reports the problem"
head=$(git rev-parse HEAD)
state_entry_set state/files.yaml /etc/hostname mode rwxr
git add state/files.yaml
expect_exit 0 git commit -q --no-verify -m "bad mode, unchecked"
expect_ne "$head" "$(git rev-parse HEAD)" "the commit is made"
expect_exit 1 git twin validate
check "validate names state/files.yaml:LINE:COLUMN" grep -q 'state/files.yaml:[0-9]*:[0-9]*: .*/mode' "$OUT" "$ERR"
expect_exit 1 git twin status
check "status says the desired state is invalid" grep -q 'state/files.yaml:[0-9]*:[0-9]*' "$ERR"
expect_exit 1 git twin plan
# The next commit that fixes it passes the hook.
state_entry_set state/files.yaml /etc/hostname mode '"0600"'
git add state/files.yaml
expect_exit 0 git commit -m "fix the mode"
expect_exit 0 git twin validate
expect_clean

section "config.yaml"
head=$(git rev-parse HEAD)
sed -i 's/^    - files.mirror$/    - files.mirror\n    - no.such.plugin/' config.yaml
expect_contains config.yaml "- no.such.plugin"
git add config.yaml
cp "$TRASH/config.yaml.good" config.yaml   # the work tree is valid again, the index is not
run git commit -m "unknown plugin, staged"
expect_refused
expect_contains "$ERR" "unknown plugin 'no.such.plugin'"
check "the error names config.yaml:LINE:COLUMN" grep -q "^error: config.yaml:[0-9]*:[0-9]*: " "$ERR"
git reset -q -- config.yaml
sed -i 's/^    - files.mirror$/    - files.mirror\n    - no.such.plugin/' config.yaml
git add config.yaml
# An invalid config.yaml in the work tree too: the staged one is still what is judged.
run git commit -m "unknown plugin, staged and in the work tree"
expect_refused
check "the error names config.yaml:LINE:COLUMN" grep -q "^error: config.yaml:[0-9]*:[0-9]*: " "$ERR"
expect_not_contains "$ERR" "hook skipped"
cp "$TRASH/config.yaml.good" config.yaml
git add config.yaml
expect_clean

section "pre_commit_snapshot: a commit records live/"
sed -i 's/^  pre_commit_snapshot: false$/  pre_commit_snapshot: true/' config.yaml
expect_contains config.yaml "pre_commit_snapshot: true"
expect_exit 0 git commit -am "snapshot on commit"
expect_clean
echo "changed by hand" >"$R/etc/motd"
echo "a note" >notes.txt
git add notes.txt
expect_exit 0 git commit -m "x"
git show --stat --format= HEAD >"$TRASH/stat"
expect_contains "$TRASH/stat" "notes.txt"
expect_contains "$TRASH/stat" "live/files.yaml"
expect_contains "$TRASH/stat" "live/filesystem/etc/motd"
expect_eq "changed by hand" "$(git show HEAD:live/filesystem/etc/motd)" "the commit has the new live motd"
expect_clean
# git commit -a commits through index.lock: live/ is included as well.
echo "changed by hand, twice" >"$R/etc/motd"
echo "another note" >>notes.txt
expect_exit 0 git commit -am "a"
git show --stat --format= HEAD >"$TRASH/stat"
expect_contains "$TRASH/stat" "notes.txt"
expect_contains "$TRASH/stat" "live/filesystem/etc/motd"
expect_clean

section "pre_commit_snapshot: a partial commit does not stage"
head=$(git rev-parse HEAD)
echo "changed by hand, three times" >"$R/etc/motd"
echo "a third note" >>notes.txt
expect_exit 0 git commit -m "y" notes.txt
expect_contains "$ERR" "partial commit"
git show --stat --format= HEAD >"$TRASH/stat"
expect_contains "$TRASH/stat" "notes.txt"
expect_not_contains "$TRASH/stat" "live/"
expect_eq "$head" "$(git rev-parse HEAD~1)" "one commit"
git status --porcelain >"$TRASH/porcelain"
expect_eq "" "$(grep -v '^ ' "$TRASH/porcelain")" "nothing staged, no staged reverts"
expect_eq "" "$(grep -v '^ M live/' "$TRASH/porcelain")" "at most unstaged live/ changes"
expect_eq "" "$(git diff --cached --name-only)" "the index equals HEAD"

finish
