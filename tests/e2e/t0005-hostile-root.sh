# Promise: a hostile root cannot make the twin read outside it or corrupt the repository:
# symlinks are recorded, never followed; odd file names are mirrored as they are, or left
# out with a warning when YAML cannot carry them; the
# root's own .git, .gitignore and .gitattributes do not change what git stores.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
ln -s ../../../../ "$R/etc/escape"
ln -s / "$R/etc/abs"
ln -s /etc "$R/etc/link.d"
echo "spaces" >"$R/etc/with space.conf"
echo "newline" >"$R/etc/new
line.conf"
echo "dash" >"$R/etc/-dash.conf"
echo "latin-1" >"$R/etc/caf$(printf '\351').conf"     # not valid UTF-8
mkdir -p "$R/etc/.git/objects"
echo "ETCKEEPER-MARKER" >"$R/etc/.git/HEAD"
echo "ETCKEEPER-MARKER" >"$R/etc/.git/config"
echo '*' >"$R/etc/.gitignore"
mkdir -p "$R/etc/sub"
printf '* filter=evil\n* -text\n' >"$R/etc/sub/.gitattributes"
echo "in sub" >"$R/etc/sub/file.conf"

git twin init "$T" --root "$R" >"$TRASH/init.out" 2>"$TRASH/init.err"
expect_eq 0 "$?" "init exits 0"
cd "$T" || exit 1

section "symlinks are recorded, never followed"
for link in escape abs link.d; do
  yaml_entry live/files.yaml "/etc/$link" >"$TRASH/$link.yaml"
  expect_contains "$TRASH/$link.yaml" "type: symlink"
  expect_no_file "live/filesystem/etc/$link"
  expect_no_file "filesystem/etc/$link"
done
expect_contains "$TRASH/escape.yaml" "target: ../../../../"
expect_contains "$TRASH/abs.yaml" "target: /"
expect_contains "$TRASH/link.d.yaml" "target: /etc"
check_not "nothing recorded below the links" \
  grep -Eq 'path: "?/etc/(escape|abs|link\.d)/' live/files.yaml state/files.yaml
expect_eq "" "$(find live filesystem -name debian_version -o -name passwd -path '*/link.d/*')" \
  "no host file copied"
expect_eq "" "$(git ls-files | grep -E 'etc/(escape|abs|link\.d)')" "no link path in git"

section "odd file names"
expect_eq "spaces" "$(cat "live/filesystem/etc/with space.conf")" "space: live copy"
expect_eq "spaces" "$(cat "filesystem/etc/with space.conf")" "space: desired copy"
yaml_entry state/files.yaml "/etc/with space.conf" >"$TRASH/space.yaml"
check "space: path recorded" grep -qF 'path: /etc/with space.conf' "$TRASH/space.yaml"
expect_contains "$TRASH/space.yaml" "twin_path: filesystem/etc/with space.conf"
expect_eq "dash" "$(cat live/filesystem/etc/-dash.conf)" "dash: live copy"
expect_eq "dash" "$(cat filesystem/etc/-dash.conf)" "dash: desired copy"
yaml_entry state/files.yaml /etc/-dash.conf >"$TRASH/dash.yaml"
expect_contains "$TRASH/dash.yaml" "twin_path: filesystem/etc/-dash.conf"
# Names that YAML cannot carry faithfully (a control character, bytes that are not UTF-8)
# are left out with a warning that names them escaped, and the documents stay valid UTF-8.
check_not "newline name not recorded" grep -q 'new.nline.conf' live/files.yaml state/files.yaml
expect_no_file "live/filesystem/etc/new
line.conf"
expect_contains "$TRASH/init.err" "'/etc/new\\nline.conf' is not valid UTF-8 or holds a control character"
expect_contains "$TRASH/init.err" "'/etc/caf"
is_utf8() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null; }
check "live/files.yaml is valid UTF-8" is_utf8 live/files.yaml
check "state/files.yaml is valid UTF-8" is_utf8 state/files.yaml
check "space: committed" git cat-file -e "HEAD:filesystem/etc/with space.conf"
check "dash: committed" git cat-file -e HEAD:filesystem/etc/-dash.conf

section "the root's .git is not mirrored"
expect_no_file live/filesystem/etc/.git
expect_no_file filesystem/etc/.git
check_not "no /etc/.git entry" grep -Eq 'path: /etc/\.git(/|$)' live/files.yaml state/files.yaml
expect_nowhere_in_repo "$T" "ETCKEEPER-MARKER"
expect_eq "" "$(git ls-files | grep 'etc/\.git/')" "nothing below etc/.git in git"

section "the root's .gitignore hides nothing"
expect_eq "" "$(git status --porcelain --ignored)" "nothing ignored or left over"
check "motd committed" git cat-file -e HEAD:live/filesystem/etc/motd
check "desired motd committed" git cat-file -e HEAD:filesystem/etc/motd
echo "added later" >"$R/etc/later.conf"
expect_exit 0 git twin snapshot
check "a file added later is committed (live)" git cat-file -e HEAD:live/filesystem/etc/later.conf
check "a file added later is committed (desired)" git cat-file -e HEAD:filesystem/etc/later.conf
expect_eq "" "$(git status --porcelain --ignored)" "nothing ignored or left over"

section "the root's .gitattributes is not mirrored"
expect_no_file live/filesystem/etc/sub/.gitattributes
expect_no_file filesystem/etc/sub/.gitattributes
expect_eq "in sub" "$(cat live/filesystem/etc/sub/file.conf)" "its neighbour is mirrored"
expect_eq "live/filesystem/etc/sub/file.conf: filter: unspecified" \
  "$(git check-attr filter live/filesystem/etc/sub/file.conf)" "no filter attribute applies"

finish
