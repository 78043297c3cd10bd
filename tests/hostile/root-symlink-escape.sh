# Attacks: on the machine, /etc/esc is a relative symlink that climbs above the root
#   (../../outside); desired state asks for /etc/esc/secret, which would overwrite a file
#   outside the root.
# Must: apply fails that action naming the path and 'symlink'; $OUTSIDE is untouched.
# run: plan=0 apply
# expect: apply /etc/esc/secret
# expect: apply symlink
ln -s ../../outside "$R/etc/esc"
mkdir -p filesystem/etc/esc
echo "overwritten" >filesystem/etc/esc/secret
printf 'files:\n  - path: /etc/esc/secret\n    type: file\n    twin_path: filesystem/etc/esc/secret\n' \
  >state/files.yaml
