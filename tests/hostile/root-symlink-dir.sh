# Attacks: on the machine, /etc/x is a symlink to /root (inside the root, outside
#   filesystem_roots); desired state asks for /etc/x/evil.conf, which would land in /root.
# Must: apply fails that action naming the path and 'symlink', records it as failed; nothing
#   is written below /root or anywhere else.
# run: plan=0 apply
# expect: apply /etc/x/evil.conf
# expect: apply symlink
mkdir -p "$R/root"
echo "root's own" >"$R/root/.profile"
ln -s /root "$R/etc/x"
mkdir -p filesystem/etc/x
echo "evil" >filesystem/etc/x/evil.conf
printf 'files:\n  - path: /etc/x/evil.conf\n    type: file\n    twin_path: filesystem/etc/x/evil.conf\n' \
  >state/files.yaml
