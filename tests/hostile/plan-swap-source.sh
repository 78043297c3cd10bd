# Attacks: plan/latest.yaml edited to make an existing write take its content from the
#   repository's encryption key (from: .git/twin/crypt.key) instead of filesystem/etc/motd.
# Must: apply refuses the plan; /etc/motd keeps its content; the key is nowhere on the root.
# run: apply
# expect: apply plan/latest.yaml
echo "motd v9" >filesystem/etc/motd
git commit -qam "motd v9"
git twin plan >/dev/null 2>&1
sed -i 's|from: filesystem/etc/motd|from: .git/twin/crypt.key|' plan/latest.yaml
grep -q 'from: .git/twin/crypt.key' plan/latest.yaml
