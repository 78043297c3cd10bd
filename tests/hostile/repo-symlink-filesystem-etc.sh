# Attacks: filesystem/etc in the repository is a symlink to a directory outside it (here
#   $OUTSIDE/etc, standing in for the host's /etc), so desired contents are read from
#   outside the twin and, by snapshot or adopt, written there.
# Must: plan and apply refuse with the twin_path and 'symlink'; nothing read from outside
#   reaches the root or the repository.
# run: plan apply
# expect: * filesystem/etc/motd
# expect: * symlink
mkdir -p "$OUTSIDE/etc"
echo "OUTSIDE-SECRET-MARKER motd" >"$OUTSIDE/etc/motd"
rm -rf filesystem/etc
ln -s "$OUTSIDE/etc" filesystem/etc
printf 'files:\n  - path: /etc/motd\n    type: file\n    twin_path: filesystem/etc/motd\n' \
  >state/files.yaml
