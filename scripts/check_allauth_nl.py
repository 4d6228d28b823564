#!/usr/bin/env python
"""Check the formal Dutch allauth catalogue in locale_allauth/ against installed allauth.

Run after upgrading django-allauth:

    .venv/bin/python scripts/check_allauth_nl.py

It extracts every msgid of the installed allauth (account, mfa, usersessions, shared
templates) with ``makemessages`` on a temporary copy of the package and reports:

* msgids that allauth uses but locale_allauth/nl/LC_MESSAGES/django.po lacks,
* entries in that .po without a translation (or marked fuzzy),
* translations that use informal Dutch (je/jij/jouw/jou).

Exits with status 1 when any of these is found. Needs GNU gettext (xgettext, msgfmt).
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PO_FILE = BASE_DIR / "locale_allauth" / "nl" / "LC_MESSAGES" / "django.po"

# Source locations (relative to the allauth package) whose strings must be translated.
INCLUDED = (
    "account/",
    "mfa/",
    "usersessions/",
    "core/",
    "templates/account/",
    "templates/mfa/",
    "templates/usersessions/",
    "templates/allauth/",
)
INFORMAL = re.compile(r"\b(je|jij|jouw|jou|jezelf)\b", re.IGNORECASE)


def _unquote(text):
    text = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse_po(path):
    """Minimal .po parser: a list of dicts with refs, flags, msgctxt, msgid, msgstr..."""
    entries, cur, key = [], {"refs": [], "flags": []}, None
    lines = path.read_text(encoding="utf-8").splitlines() + [""]
    for line in lines:
        if not line.strip():
            if "msgid" in cur:
                entries.append(cur)
            cur, key = {"refs": [], "flags": []}, None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#:"):
            cur["refs"] += line[2:].split()
        elif line.startswith("#,"):
            cur["flags"] += [f.strip() for f in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        else:
            m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if m:
                key = m.group(1)
                cur[key] = _unquote(m.group(2))
            elif key:
                cur[key] += _unquote(line)
    return entries


def allauth_msgids():
    import allauth

    src = Path(allauth.__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "allauth"
        shutil.copytree(src, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
        (copy / "locale").mkdir()
        django_admin = Path(sys.executable).parent / "django-admin"
        subprocess.run(
            [str(django_admin), "makemessages", "-l", "nl", "--no-wrap"],
            cwd=copy,
            check=True,
            capture_output=True,
        )
        entries = parse_po(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    wanted = set()
    for e in entries:
        if not e["msgid"]:
            continue
        paths = [r.rsplit(":", 1)[0] for r in e["refs"]]
        if any(p.startswith(INCLUDED) or "/" not in p for p in paths):
            wanted.add((e.get("msgctxt"), e["msgid"]))
    return wanted


def main():
    ours = [e for e in parse_po(PO_FILE) if e["msgid"]]
    have = {(e.get("msgctxt"), e["msgid"]) for e in ours}
    problems = 0
    for ctx, msgid in sorted(allauth_msgids() - have, key=lambda k: k[1]):
        problems += 1
        print(f"MISSING     {ctx + ' | ' if ctx else ''}{msgid!r}")
    for e in ours:
        strs = [v for k, v in e.items() if k.startswith("msgstr")]
        if "fuzzy" in e["flags"] or not all(strs):
            problems += 1
            print(f"UNTRANSLATED {e['msgid']!r}")
        if any(INFORMAL.search(s) for s in strs):
            problems += 1
            print(f"INFORMAL    {e['msgid']!r}: {strs}")
    print(f"{len(ours)} entries in {PO_FILE.relative_to(BASE_DIR)}, {problems} problem(s).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
