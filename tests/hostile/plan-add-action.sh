# Attacks: plan/latest.yaml edited by hand (or by a hostile hook) after `git twin plan` to
#   add an action that removes /etc/shadow.
# Must: apply refuses the whole plan ('does not match'); shadow and every other file stay.
# run: apply
# expect: apply plan/latest.yaml
# expect: apply does not match
echo "motd v9" >filesystem/etc/motd
git commit -qam "motd v9"
git twin plan >/dev/null 2>&1
python3 - plan/latest.yaml <<'PY'
import sys
p = sys.argv[1]
text = open(p).read()
extra = """    - path: /etc/shadow
      id: files.mirror/remove/etc/shadow
      change: remove
      op: remove
      resource: /etc/shadow"""
assert "\nconflicts:" in text
open(p, "w").write(text.replace("\nconflicts:", "\n" + extra + "\nconflicts:", 1))
PY
grep -q 'files.mirror/remove/etc/shadow' plan/latest.yaml
