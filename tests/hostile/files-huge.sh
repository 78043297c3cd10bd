# Attacks: an enormous desired file (3 MB, over snapshot.max_file_size_mb: 1) that would be
#   read whole into memory and written to the machine.
# Must: be refused by plan and apply with state/files.yaml:LINE, the twin_path and
#   max_file_size_mb; nothing written.
# run: plan apply
# expect: * state/files.yaml:4:16: /files/0/twin_path
# expect: * max_file_size_mb
head -c 3145728 /dev/zero | tr '\0' 'H' >filesystem/etc/huge.bin
printf 'files:\n  - path: /etc/huge.bin\n    type: file\n    twin_path: filesystem/etc/huge.bin\n' \
  >state/files.yaml
