# Promise: the observed root is chosen as --root, else GIT_TWIN_ROOT, else config.yaml's
# root; init records the chosen root (absolute) in config.yaml.
source "$TWIN_TEST_LIB"

A=$TRASH/rootA
B=$TRASH/rootB
make_fake_root "$A"
make_fake_root "$B"
echo "host-a" >"$A/etc/hostname"
echo "host-b" >"$B/etc/hostname"
T=$TRASH/twin

observed_host() { sed -n 's/^hostname: //p' live/system.yaml; }
# reset_twin: forget what a --no-commit snapshot left in the work tree.
reset_twin() { git checkout -q -- . && git clean -fdq; }

section "init --root A"
expect_exit 0 git twin init "$T" --root "$A"
cd "$T" || exit 1
expect_eq "$A" "$(sed -n 's/^root: //p' config.yaml)" "config.yaml root is A"
expect_eq host-a "$(observed_host)" "init observed A"

section "GIT_TWIN_ROOT beats config.yaml"
export GIT_TWIN_ROOT=$B
expect_exit 0 git twin snapshot --no-commit
expect_eq host-b "$(observed_host)" "observed B"
expect_eq host-b "$(cat live/filesystem/etc/hostname)" "files.mirror observed B too"
expect_eq "$A" "$(sed -n 's/^root: //p' config.yaml)" "config.yaml still says A"
reset_twin

section "--root beats GIT_TWIN_ROOT"
expect_exit 0 git twin snapshot --no-commit --root "$A"
expect_eq host-a "$(observed_host)" "observed A"
expect_eq host-a "$(cat live/filesystem/etc/hostname)" "files.mirror observed A too"
check "nothing changed on A" grep -q '^files.mirror: .*unchanged$' "$OUT"
reset_twin
unset GIT_TWIN_ROOT

section "config.yaml root when neither is given"
expect_exit 0 git twin snapshot --no-commit
expect_eq host-a "$(observed_host)" "observed A (from config.yaml)"
reset_twin
sed -i "s|^root: .*|root: $B|" config.yaml
git commit -qam "point the twin at B"
expect_exit 0 git twin snapshot --no-commit
expect_eq host-b "$(observed_host)" "observed B after config.yaml changed"
reset_twin
export GIT_TWIN_ROOT=$A
expect_exit 0 git twin snapshot --no-commit
expect_eq host-a "$(observed_host)" "GIT_TWIN_ROOT=A beats config.yaml's B"
reset_twin
unset GIT_TWIN_ROOT

section "init takes GIT_TWIN_ROOT, and makes a relative --root absolute"
GIT_TWIN_ROOT=$B git twin init "$TRASH/twin2" >/dev/null 2>&1
expect_eq "$B" "$(sed -n 's/^root: //p' "$TRASH/twin2/config.yaml")" "config.yaml root is B"
expect_contains "$TRASH/twin2/live/system.yaml" "hostname: host-b"
(cd "$TRASH" && git twin init twin3 --root rootA >/dev/null 2>&1)
expect_eq "$A" "$(sed -n 's/^root: //p' "$TRASH/twin3/config.yaml")" "relative --root stored absolute"

section "a root that does not exist"
expect_exit 1 git twin snapshot --no-commit --root "$TRASH/nowhere"
expect_contains "$ERR" "nowhere"
expect_eq "" "$(git status --porcelain)" "nothing written"

finish
