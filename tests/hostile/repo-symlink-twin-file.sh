# Attacks: a desired file in the repository that is a symlink to a secret outside it
#   (filesystem/etc/motd -> $OUTSIDE/secret), to copy that secret onto the machine.
# Must: plan and apply refuse with the twin_path ("not a regular file"); /etc/motd is kept.
# run: plan apply
# expect: * filesystem/etc/motd
# expect: * not a regular file
rm -f filesystem/etc/motd
ln -s "$OUTSIDE/secret" filesystem/etc/motd
