"""Source strings are English; users see the Dutch of locale/nl (LANGUAGE_CODE = "nl").

The catalogue must be complete (nothing untranslated or fuzzy) and the committed .mo must be
the compiled form of the committed .po.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template import loader
from django.utils import translation

from cases.choices import CaseState
from cases.models import Case
from cases.rules import AgeOutcome, RuleViolation, check_quota
from portal.models import Role

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = ["nl", "en"]
MSGFMT = shutil.which("msgfmt")

needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="GNU gettext (msgfmt) is not installed")


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.mo"


def parse_po(path: Path) -> list[dict[str, object]]:
    """A tiny .po reader: msgid, msgstr and flags of every entry but the header."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    field = None

    def finish() -> None:
        if entry.get("msgid") is not None:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)\s+"(.*)"$', line)
            if match:
                field, text = match.groups()
                entry[field] = text
            elif line.startswith('"') and field:
                entry[field] = str(entry[field]) + line[1:-1]
    finish()
    return [e for e in entries if e["msgid"] != ""]


# -- what users see -----------------------------------------------------------------------


def test_labels_are_dutch_by_default_and_english_on_request():
    assert str(CaseState.DRAFT.label) == "Concept"
    with translation.override("nl"):
        assert str(CaseState.DRAFT.label) == "Concept"
        assert str(CaseState.AWAITING_PLACEMENT.label) == "Wacht op een plek"
        assert str(Role.UWV_ASSESSOR.label) == "Beoordelaar UWV"
        assert str(Case._meta.verbose_name) == "dossier"
        assert str(Case._meta.get_field("reference").verbose_name) == "kenmerk"
    with translation.override("en"):
        assert str(CaseState.DRAFT.label) == "Draft"
        assert str(Role.UWV_ASSESSOR.label) == "UWV assessor"
        assert str(Case._meta.verbose_name) == "case"


def test_rule_messages_and_notices_are_translated():
    with translation.override("nl"):
        with pytest.raises(RuleViolation) as excinfo:
            check_quota(0)
        assert str(excinfo.value) == "De taakstelling is voor elke gemeente minstens 1 plek."
        assert str(AgeOutcome.AOW_REACHED.notice).startswith("U hebt de AOW-leeftijd bereikt.")
    with translation.override("en"):
        assert str(excinfo.value) == "Every municipality's quota is at least 1 place."


@pytest.mark.django_db
def test_home_page_is_dutch(client):
    response = client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl"' in content
    assert "Beschut werk: werken met extra hulp" in content
    assert "Sheltered work: working with extra help" not in content


@pytest.mark.django_db
def test_home_page_follows_an_english_browser(client):
    # LocaleMiddleware activates the language for the thread; put the old one back after.
    with translation.override(translation.get_language()):
        content = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in content
    assert "Sheltered work: working with extra help" in content


def test_server_error_page_renders_without_context():
    with translation.override("nl"):
        html = loader.get_template("500.html").render()
    assert '<html lang="nl"' in html
    assert "Er ging iets mis" in html


# -- the catalogues -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_exists(lang):
    assert po_path(lang).is_file()
    assert mo_path(lang).is_file()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalogue_is_complete_by_parsing(lang):
    """English is the source language and its catalogue complete too (``make messages``),
    so a missing or fuzzy entry shows in both languages alike."""
    entries = parse_po(po_path(lang))
    assert entries
    assert [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())] == []
    untranslated = [
        e["msgid"]
        for e in entries
        if not any(v for k, v in e.items() if str(k).startswith("msgstr"))
    ]
    assert untranslated == []


def test_english_catalogue_has_the_same_msgids():
    nl = {e["msgid"] for e in parse_po(po_path("nl"))}
    en = {e["msgid"] for e in parse_po(po_path("en"))}
    assert nl == en


def test_msgids_are_english():
    """A cheap guard against Dutch source strings creeping back in."""
    dutch_words = re.compile(r"\b(de|het|een|van|niet|uw|je|naar|voor|wordt|bij|zijn)\b", re.I)
    dutch = [e["msgid"] for e in parse_po(po_path("nl")) if dutch_words.search(str(e["msgid"]))]
    assert dutch == []


@needs_msgfmt
def test_dutch_catalogue_has_nothing_untranslated_or_fuzzy():
    result = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", "/dev/null", str(po_path("nl"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\d+ translated messages?\.$", result.stderr.strip()), result.stderr


@needs_msgfmt
@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_mo_is_the_compiled_po(lang, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(
        [MSGFMT, "--check", "-o", str(compiled), str(po_path(lang))], check=True, timeout=60
    )
    with compiled.open("rb") as fresh, mo_path(lang).open("rb") as committed:
        expected = gettext.GNUTranslations(fresh)._catalog
        actual = gettext.GNUTranslations(committed)._catalog
    assert actual == expected, "run: manage.py compilemessages --ignore=.venv"
