# Promise: packages.debian plans and applies state/packages.yaml through apt-get. init
# seeds the manually installed packages; status counts the rest as unmanaged; an edit to
# state/ plans installs (a pinned version as name=version) before removals; apply runs one
# apt-get call per kind with "--" before the names, pointed at the root, and reports each
# package; a removal that would take unnamed packages with it is refused before anything is
# removed; a package installed by hand is adopted by the next snapshot; hostile names are
# refused with file:line and never reach apt-get.
#
# apt-get is tests/e2e/fakes/apt-get, first on PATH: it logs argv, refuses anything
# unexpected, and edits the fake root's dpkg database as apt would.
source "$TWIN_TEST_LIB"

R=$TRASH/root
T=$TRASH/twin
make_fake_root "$R"
mkdir -p "$R/var/lib/dpkg" "$R/var/lib/apt" "$R/var/lib/fake-apt" "$TRASH/bin"
pkg() { # name version status [depends]
  printf 'Package: %s\nStatus: %s\nArchitecture: amd64\nVersion: %s\n' "$1" "$3" "$2"
  [ -n "${4:-}" ] && printf 'Depends: %s\n' "$4"
  printf '\n'
}
{
  pkg base-files 12.4+deb12u5 "install ok installed"
  pkg nano 7.2-1 "install ok installed"
  pkg vim 2:9.0.1378-2 "install ok installed"
  pkg vim-addons 0.5-1 "install ok installed" vim
  pkg libgpm2 1.20.7-10+b1 "install ok installed"
} >"$R/var/lib/dpkg/status"
printf 'Package: libgpm2\nArchitecture: amd64\nAuto-Installed: 1\n' \
  >"$R/var/lib/apt/extended_states"
{
  printf 'Package: htop\nVersion: 3.2.2-2\nDepends: libnl-3-200\n\n'
  printf 'Package: libnl-3-200\nVersion: 3.7.0-0.2+b1\n\n'
  printf 'Package: nginx\nVersion: 1.22.1-9\n\n'
  printf 'Package: nginx\nVersion: 1.22.1-9+deb12u1\n\n'
} >"$R/var/lib/fake-apt/available"
cp "$(dirname "$TWIN_TEST_LIB")/fakes/apt-get" "$TRASH/bin/apt-get"
export PATH=$TRASH/bin:$PATH
export FAKE_APT_LOG=$TRASH/apt.log
: >"$FAKE_APT_LOG"

git twin init "$T" --root "$R" >/dev/null 2>&1 || { fail "init"; finish; }
cd "$T" || exit 1

section "init seeds the manually installed packages"
expect_contains state/packages.yaml "name: nano"
expect_contains state/packages.yaml "name: vim-addons"
expect_not_contains state/packages.yaml "libgpm2"
expect_exit 0 git twin status
expect_line "$OUT" "packages: in sync (1 unmanaged)"

section "plan: installs (a pin as name=version) before removals"
cat >>state/packages.yaml <<'EOF2'
  - name: htop
    ensure: present
  - name: nginx
    version: 1.22.1-9
EOF2
# set_absent NAME: the seeded item "- name: NAME / ensure: present" becomes absent.
set_absent() {
  perl -0pi -e "s/  - name: \Q$1\E\n    ensure: present\n/  - name: $1\n    ensure: absent\n/" \
    state/packages.yaml
}
# yaml_block FILE NAME: the item of a packages list whose name is NAME.
yaml_block() { awk -v n="  - name: $2" '$0==n{p=1;print;next} p&&/^  - /{p=0} p' "$1"; }
set_absent nano
yaml_block state/packages.yaml nano >"$TRASH/nano.yaml"
expect_contains "$TRASH/nano.yaml" "ensure: absent"
check "the edited state is valid" git twin validate
git add state/packages.yaml && git commit -qm "want htop and nginx, not nano"
expect_exit 0 git twin plan
expect_line "$OUT" "+ packages.debian: install htop"
expect_line "$OUT" "+ packages.debian: install nginx=1.22.1-9"
expect_line "$OUT" "- packages.debian: remove nano"
order=$(grep -n "packages.debian" "$OUT" | cut -d: -f1 | tr '\n' ' ')
last_install=$(grep -n "install" "$OUT" | tail -1 | cut -d: -f1)
first_remove=$(grep -n "remove nano" "$OUT" | cut -d: -f1)
check "installs come before the removal ($order)" test "$last_install" -lt "$first_remove"
expect_eq "" "$(cat "$FAKE_APT_LOG")" "planning runs no apt-get"

section "apply: one apt-get call per kind, each package reported"
expect_exit 0 git twin apply --yes
expect_eq 4 "$(wc -l <"$FAKE_APT_LOG")" "four apt-get calls: each kind simulated, then run"
rootopts="-o RootDir=$R -o Dpkg::Options::=--root=$R"
opts="-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
opts="$opts -o APT::Get::Purge=false -o APT::Get::AutomaticRemove=false $rootopts"
expect_line "$FAKE_APT_LOG" "-y -q -s $opts --no-remove install -- htop nginx=1.22.1-9"
expect_line "$FAKE_APT_LOG" "-y -q $opts --no-remove install -- htop nginx=1.22.1-9"
expect_line "$FAKE_APT_LOG" "-y -q -s $opts remove -- nano"
expect_line "$FAKE_APT_LOG" "-y -q $opts remove -- nano"
expect_contains "$R/var/lib/dpkg/status" "Package: htop"
grep -A3 "^Package: nginx" "$R/var/lib/dpkg/status" >"$TRASH/nginx.status"
expect_contains "$TRASH/nginx.status" "Version: 1.22.1-9"
expect_not_contains "$TRASH/nginx.status" "deb12u1"
grep -A1 "^Package: nano" "$R/var/lib/dpkg/status" >"$TRASH/nano.status"
expect_contains "$TRASH/nano.status" "Status: deinstall ok config-files"
expect_exit 0 git twin status
expect_line "$OUT" "packages: in sync (2 unmanaged)"
yaml_block live/packages.yaml libnl-3-200 >"$TRASH/libnl.yaml"
expect_contains "$TRASH/libnl.yaml" "manual: false"
check "the apply record names each package" grep -q "packages.debian/install/htop" plan/history/*.yaml

section "a removal that takes unnamed packages with it is refused"
: >"$FAKE_APT_LOG"
set_absent vim
git commit -qam "no vim"
expect_exit 0 git twin plan
expect_line "$OUT" "- packages.debian: remove vim"
expect_exit 1 git twin apply --yes
expect_contains "$OUT" "would also remove vim-addons"
expect_eq 1 "$(wc -l <"$FAKE_APT_LOG")" "only the simulation ran"
grep -A1 "^Package: vim$" "$R/var/lib/dpkg/status" >"$TRASH/vim.status"
expect_contains "$TRASH/vim.status" "install ok installed"
perl -0pi -e 's/  - name: vim\n    ensure: absent\n/  - name: vim\n    ensure: present\n/' \
  state/packages.yaml
git commit -qam "keep vim after all"

section "a name apt would read as a regex is refused before anything is installed"
: >"$FAKE_APT_LOG"
before=$(root_fingerprint "$R")
printf '  - name: ngin.+\n' >>state/packages.yaml
check "policy allows the name" git twin validate
git commit -qam "a name that is a regex to apt"
expect_exit 0 git twin plan
expect_line "$OUT" "+ packages.debian: install ngin.+"
expect_exit 1 git twin apply --yes
expect_contains "$OUT" "apt would choose packages that were not named"
expect_eq 1 "$(wc -l <"$FAKE_APT_LOG")" "only the simulation ran"
check "the record says why" grep -q "for regex 'ngin.+'" plan/history/*.yaml
expect_eq "$before" "$(root_fingerprint "$R")" "the root is unchanged"
sed -i '/^  - name: ngin\.+$/d' state/packages.yaml
git commit -qam "no regex"

section "a package installed by hand is adopted by the next snapshot"
pkg tree 2.1.0-1 "install ok installed" >>"$R/var/lib/dpkg/status"
expect_exit 0 git twin status
expect_contains "$OUT" "packages: 1 local change to adopt"
expect_exit 0 git twin snapshot
expect_contains state/packages.yaml "name: tree"
expect_exit 0 git twin status
expect_line "$OUT" "packages: in sync (2 unmanaged)"

section "hostile names never reach apt-get"
: >"$FAKE_APT_LOG"
before=$(root_fingerprint "$R")
cp state/packages.yaml "$TRASH/packages.good"
cat >>state/packages.yaml <<'EOF2'
  - name: --allow-remove-essential
  - name: htop;id
  - name: curl
    version: 1.0 -o APT::Get::Trivial-Only=1
EOF2
n=$(grep -n -- "--allow-remove-essential" state/packages.yaml | cut -d: -f1)
expect_exit 1 git twin validate
expect_contains "$ERR" "state/packages.yaml:$n:"
expect_contains "$ERR" "/name: '--allow-remove-essential' is not a package name"
expect_contains "$ERR" "'htop;id' is not a package name"
expect_contains "$ERR" "is not a Debian version"
expect_exit 1 git twin plan
expect_exit 1 git twin apply --yes
expect_eq "" "$(cat "$FAKE_APT_LOG")" "apt-get never ran"
expect_eq "$before" "$(root_fingerprint "$R")" "the root is unchanged"
cp "$TRASH/packages.good" state/packages.yaml

finish
