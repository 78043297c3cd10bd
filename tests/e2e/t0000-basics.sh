# Promise: `git twin` behaves like a git command: a version, a usage listing the commands,
# usage errors exit 129 with a message, and --help opens the manual.
source "$TWIN_TEST_LIB"

section "version"
expect_exit 0 git twin --version
check "prints 'git-twin version X.Y.Z'" grep -Eq '^git-twin version [0-9]+\.[0-9]+\.[0-9]+' "$OUT"
expect_exit 0 git-twin --version

section "no arguments"
expect_exit 129 git twin
expect_contains "$ERR" "usage: git twin"
for cmd in init snapshot validate; do
  check "usage lists '$cmd'" grep -Eq "^ +$cmd +" "$ERR"
done

section "unknown command"
expect_exit 129 git twin frobnicate
expect_contains "$ERR" "'frobnicate' is not a git twin command"
expect_eq "" "$(cat "$OUT")" "nothing on stdout"

section "unknown option"
expect_exit 129 git twin --frobnicate
expect_contains "$ERR" "--frobnicate"
expect_exit 129 git twin snapshot --frobnicate
expect_contains "$ERR" "unknown option '--frobnicate'"
expect_exit 129 git twin init --root
expect_contains "$ERR" "requires a value"
expect_exit 129 git twin init "$TRASH/a" "$TRASH/b"
expect_no_file "$TRASH/a"
expect_no_file "$TRASH/b"

section "outside a twin"
mkdir "$TRASH/plain"
run in_twin "$TRASH/plain" git twin snapshot
expect_eq 1 "$RC" "snapshot outside a twin exits 1"
expect_contains "$ERR" "not a git-twin repository"

section "--help opens the manual"
page=$TWIN_TEST_PREFIX/share/man/man1/git-twin.1
if ! command -v man >/dev/null 2>&1; then
  echo "# skipped: man is not installed"
elif [ ! -f "$page" ]; then
  # The man pages are not written yet: nothing to assert about their content.
  echo "# skipped: no man page installed at $page"
else
  export MANPATH=$TWIN_TEST_PREFIX/share/man MANPAGER=cat PAGER=cat GIT_PAGER=cat MANWIDTH=80
  expect_exit 0 git twin --help
  check "the page is git-twin(1)" grep -qi "git-twin" "$OUT"
  expect_exit 0 git-twin --help
  check "the page is git-twin(1)" grep -qi "git-twin" "$OUT"
fi

section "README's test command is what CI runs"
top=$(cd "$TWIN_FIXTURES_DIR/../.." && pwd)
readme_test=$(awk '/^```sh$/ {n++; next} /^```$/ {next} n == 2 {print; exit}' "$top/README.md")
expect_eq "$readme_test" "$(tail -n 1 "$top/.ci/run")" ".ci/run's last line is README's second command"

finish
