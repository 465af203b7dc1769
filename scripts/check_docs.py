"""Documentation gate (`make lint`): fail when any shipped piece is undocumented.

- every module in plugins/modules renders with `ansible-doc hostguard.hardening.<name>` and has
  EXAMPLES and RETURN;
- every filter and test plugin the collection provides (each name a FilterModule/TestModule
  returns, as `ansible-doc -t filter|test --list` finds them) is documented, in the plugin file or
  in plugins/<filter|test>/<name>.yml, and renders with `ansible-doc -t filter|test` (galaxy-importer
  fails on an undocumented one);
- every role has meta/argument_specs.yml (with an entry point `main` that has options)
  and a README.md.
Needs the collection reachable as hostguard.hardening (make collection-link; the Makefile
exports ANSIBLE_COLLECTIONS_PATH). Prints one line per problem; exit 1 if any.
"""
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE = "hostguard.hardening"


def ansible_doc_bin():
    here = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
    return here if os.path.exists(here) else "ansible-doc"


def env():
    out = dict(os.environ)
    out.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO, ".collections"))
    out.setdefault("ANSIBLE_CONFIG", os.path.join(REPO, "ansible.cfg"))
    return out


def render(plugin_type, name):
    """Return (ok, message)."""
    cmd = [ansible_doc_bin(), "-t", plugin_type, "--json", "%s.%s" % (NAMESPACE, name)]
    proc = subprocess.run(cmd, cwd=REPO, env=env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return False, (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["rc=%d" % proc.returncode]
    try:
        data = json.loads(proc.stdout)["%s.%s" % (NAMESPACE, name)]
    except (ValueError, KeyError) as exc:
        return False, ["unparseable ansible-doc output: %s" % exc]
    problems = []
    doc = data.get("doc") or {}
    if not doc.get("short_description"):
        problems.append("no short_description")
    if not doc.get("description"):
        problems.append("no description")
    if not (data.get("examples") or "").strip():
        problems.append("no EXAMPLES")
    if not data.get("return"):
        problems.append("no RETURN")
    # the text renderer must not fail either
    text = subprocess.run([ansible_doc_bin(), "-t", plugin_type, "%s.%s" % (NAMESPACE, name)],
                          cwd=REPO, env=env(), capture_output=True, text=True, check=False)
    if text.returncode != 0 or "ERROR" in text.stderr:
        problems.append("text rendering failed: %s" % text.stderr.strip()[-300:])
    return not problems, problems


def python_plugins(directory):
    path = os.path.join(REPO, "plugins", directory)
    if not os.path.isdir(path):
        return []
    return sorted(f[:-3] for f in os.listdir(path)
                  if f.endswith(".py") and not f.startswith("_"))


def listed_plugins(plugin_type):
    """Every filter/test name the collection provides -> its short description, or
    "UNDOCUMENTED" (ansible-doc's word for a name with no documentation)."""
    proc = subprocess.run([ansible_doc_bin(), "-t", plugin_type, "--list", "--json", NAMESPACE],
                          cwd=REPO, env=env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("check_docs: ansible-doc -t %s --list failed: %s" % (plugin_type, proc.stderr.strip()[-300:]))
    listed = json.loads(proc.stdout or "{}")
    return dict((name[len(NAMESPACE) + 1:], desc) for name, desc in listed.items()
                if name.startswith(NAMESPACE + "."))


def jinja_plugin_dirs(plugin_type):
    """True when plugins/<filter|test>/ has Python plugin files (then --list must find names)."""
    return bool(python_plugins(plugin_type))


def check_roles():
    problems = []
    roles_dir = os.path.join(REPO, "roles")
    if not os.path.isdir(roles_dir):
        return problems
    for role in sorted(os.listdir(roles_dir)):
        base = os.path.join(roles_dir, role)
        if not os.path.isdir(base):
            continue
        if not os.path.isfile(os.path.join(base, "README.md")):
            problems.append("role %s: no README.md" % role)
        spec = os.path.join(base, "meta", "argument_specs.yml")
        if not os.path.isfile(spec):
            problems.append("role %s: no meta/argument_specs.yml" % role)
            continue
        proc = subprocess.run([ansible_doc_bin(), "-t", "role", "--json", "%s.%s" % (NAMESPACE, role)],
                              cwd=REPO, env=env(), capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            problems.append("role %s: ansible-doc -t role failed: %s" % (role, proc.stderr.strip()[-300:]))
            continue
        try:
            entry = json.loads(proc.stdout)["%s.%s" % (NAMESPACE, role)]["entry_points"]["main"]
        except (ValueError, KeyError):
            problems.append("role %s: argument_specs.yml has no entry point 'main'" % role)
            continue
        if not entry.get("short_description"):
            problems.append("role %s: entry point main has no short_description" % role)
    return problems


def main():
    problems = []
    checked = 0
    for name in python_plugins("modules"):
        checked += 1
        ok, why = render("module", name)
        if not ok:
            problems.append("module %s: %s" % (name, "; ".join(why)))
    for plugin_type in ("filter", "test"):
        listed = listed_plugins(plugin_type)
        if jinja_plugin_dirs(plugin_type) and not listed:
            problems.append("%s plugins: ansible-doc --list finds none in plugins/%s" % (plugin_type, plugin_type))
        for name, desc in sorted(listed.items()):
            checked += 1
            if desc == "UNDOCUMENTED":
                problems.append("%s %s: undocumented: add plugins/%s/%s.yml (DOCUMENTATION, EXAMPLES, RETURN)"
                                % (plugin_type, name, plugin_type, name))
                continue
            ok, why = render(plugin_type, name)
            if not ok:
                problems.append("%s %s: %s" % (plugin_type, name, "; ".join(why)))
    role_problems = check_roles()
    problems.extend(role_problems)
    for line in problems:
        print("check_docs: %s" % line)
    roles = len(os.listdir(os.path.join(REPO, "roles"))) if os.path.isdir(os.path.join(REPO, "roles")) else 0
    print("check_docs: %d plugin(s) and %d role(s) checked, %d problem(s)" % (checked, roles, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
