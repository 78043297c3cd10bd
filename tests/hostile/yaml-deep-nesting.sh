# Attacks: YAML nested 100,000 levels deep ([[[[...), to overflow the reader's stack.
# Must: be refused with state/packages.yaml:1:COL, exit 1, no crash.
# run: validate commit plan apply
# expect: * state/packages.yaml:1:
{ printf 'packages: '; head -c 100000 /dev/zero | tr '\0' '['; echo; } >state/packages.yaml
