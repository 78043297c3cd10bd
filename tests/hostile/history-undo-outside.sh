# Attacks: a committed apply record (plan/history/*.yaml) edited so that `git twin undo`
#   would restore or remove /root/.profile, outside filesystem_roots.
# Must: undo refuses the whole record, naming the path and filesystem_roots; nothing changes.
# run: undo
# expect: undo /root/.profile
# expect: undo filesystem_roots
mkdir -p "$R/root"
echo "root's own" >"$R/root/.profile"
rec=$(ls plan/history/*.yaml | tail -1)
sed -i 's|/etc/motd|/root/.profile|g' "$rec"
grep -q /root/.profile "$rec"
git commit -qam "edited record" --no-verify
