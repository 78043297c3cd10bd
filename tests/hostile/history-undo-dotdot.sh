# Attacks: a committed apply record edited so that undo's path climbs out of /etc with '..'
#   (/etc/../root/.profile), which a prefix check of filesystem_roots would let through.
# Must: undo refuses the record naming the path; nothing changes.
# run: undo
# expect: undo /etc/../root/.profile
mkdir -p "$R/root"
echo "root's own" >"$R/root/.profile"
rec=$(ls plan/history/*.yaml | tail -1)
sed -i 's|/etc/motd|/etc/../root/.profile|g' "$rec"
grep -q /etc/../root/.profile "$rec"
git commit -qam "edited record" --no-verify
