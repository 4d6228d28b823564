"""A municipality's theme: set by its administrator in /beheer/ (contrast checked, logo checked,
audited), worn by its citizens' case pages and by no other municipality's, served as a
cacheable stylesheet, and carried by its decision letters and mails. Pages before a
municipality is known wear the neutral portal theme, vendored from the NL Design System."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from cases.audit.models import AuditEntry
from cases.choices import CaseState
from cases.documents.letters import decision_letter_html, decision_letter_pdf
from cases.notifications import dispatch
from cases.notifications.models import Notification, NotificationChannel, NotificationKind
from municipalities import services, themes
from municipalities.models import Theme
from portal.context_processors import STYLESHEETS
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in
from tests.integration.test_letters import _structure_types, decided_case
from tests.integration.test_letters import municipality as letter_municipality  # noqa: F401

pytestmark = pytest.mark.django_db

ROTTERDAM = {
    "primary_color": "#00811f",
    "primary_text_color": "#ffffff",
    "header_background_color": "#00811f",
    "header_text_color": "#ffffff",
    "link_color": "#004699",
    "heading_color": "#1a1a1a",
    "font": "arial",
    "heading_font": "verdana",
}


def png(width=60, height=20, colour="#00811f") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def upload(content: bytes, name="logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def rotterdam():
    return MunicipalityFactory(name="Rotterdam", cbs_code="GM0599")


@pytest.fixture
def admin(client, rotterdam):
    return sign_in(client, UserFactory(municipal_admin=True, municipality=rotterdam))


def themed(municipality, **values):
    actor = UserFactory(municipal_admin=True, municipality=municipality)
    return services.update_theme(municipality=municipality, actor=actor, **{**ROTTERDAM, **values})


# -- the administrator sets it ------------------------------------------------------------------


def test_a_colour_pair_with_too_little_contrast_is_refused_in_plain_dutch(admin, rotterdam):
    url = reverse("manage:theme_edit", args=[rotterdam.pk])

    response = admin.post(url, {**ROTTERDAM, "primary_text_color": "#00a020"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "De tekstkleur op de hoofdkleur is te moeilijk te lezen" in page
    assert "minstens 4,5 op 1" in page
    assert not Theme.objects.exists()
    entry = AuditEntry.objects.get(action="update_theme")
    assert entry.result == "refused" and entry.object_id == str(rotterdam.pk)


@pytest.mark.parametrize(
    ("field", "colour", "message"),
    [
        ("primary_color", "#aaaaaa", "Knoppen in de hoofdkleur zijn slecht te zien"),
        ("header_text_color", "#00a020", "De tekst in de bovenbalk is te moeilijk te lezen"),
        ("link_color", "#6fa8dc", "Links in deze kleur zijn te moeilijk te lezen"),
        ("heading_color", "#999999", "Koppen in deze kleur zijn te moeilijk te lezen"),
        ("link_color", "blauw", "Vul een kleur in als # en zes tekens"),
    ],
)
def test_each_contrast_rule_refuses_its_field(admin, rotterdam, field, colour, message):
    response = admin.post(
        reverse("manage:theme_edit", args=[rotterdam.pk]), {**ROTTERDAM, field: colour}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Theme.objects.exists()


def test_a_valid_theme_is_saved_with_its_logo_and_audited(admin, rotterdam):
    url = reverse("manage:theme_edit", args=[rotterdam.pk])

    response = admin.post(
        url, {**ROTTERDAM, "primary_color": "#00811F", "logo": upload(png(90, 30))}
    )

    assert response.status_code == 302
    theme = Theme.objects.get(municipality=rotterdam)
    assert theme.primary_color == "#00811f"  # written the one way
    assert theme.font == "arial" and theme.heading_font == "verdana"
    assert theme.logo_content_type == "image/png"
    assert (theme.logo_width, theme.logo_height) == (90, 30)
    entry = AuditEntry.objects.get(action="update_theme")
    assert entry.result == "ok" and entry.object_id == str(rotterdam.pk)
    page = admin.get(url).content.decode()
    assert "#00811f" in page and reverse("theme_logo", args=[rotterdam.pk]) in page


def test_a_logo_that_is_not_a_png_or_jpeg_is_refused(admin, rotterdam):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    response = admin.post(
        reverse("manage:theme_edit", args=[rotterdam.pk]),
        {**ROTTERDAM, "logo": SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml")},
    )

    assert response.status_code == 400
    assert "Dit bestand is geen PNG- of JPEG-afbeelding" in response.content.decode()
    assert not Theme.objects.exists()


def test_a_logo_over_the_limit_is_refused(admin, rotterdam, settings):
    settings.THEME_LOGO_MAX_BYTES = 100

    response = admin.post(
        reverse("manage:theme_edit", args=[rotterdam.pk]), {**ROTTERDAM, "logo": upload(png())}
    )

    assert response.status_code == 400
    assert "De afbeelding is groter dan 1 kB" in response.content.decode()


def test_the_logo_can_be_removed_and_the_theme_reset(admin, rotterdam):
    themed(rotterdam, logo=upload(png()))
    url = reverse("manage:theme_edit", args=[rotterdam.pk])

    admin.post(url, {**ROTTERDAM, "remove_logo": "on"})
    assert Theme.objects.get().logo_content_type == ""

    admin.post(reverse("manage:theme_reset", args=[rotterdam.pk]))
    assert not Theme.objects.exists()
    assert AuditEntry.objects.filter(action="reset_theme", result="ok").exists()


def test_another_municipality_s_theme_page_is_not_there(admin):
    other = MunicipalityFactory(name="Delft", cbs_code="GM0503")

    assert admin.get(reverse("manage:theme_edit", args=[other.pk])).status_code == 404
    assert admin.post(reverse("manage:theme_reset", args=[other.pk])).status_code == 404


# -- pages wear it ------------------------------------------------------------------------------


def test_the_citizen_s_case_pages_wear_their_municipality_s_theme_and_not_another_s(
    client, rotterdam
):
    themed(rotterdam, logo=upload(png()))
    other = MunicipalityFactory(name="Delft", cbs_code="GM0503")
    themed(other, primary_color="#7a1f5c", header_background_color="#7a1f5c")
    citizen = UserFactory()
    case = CaseFactory(person=PersonFactory(municipality=rotterdam, account=citizen))
    client.force_login(citizen)
    sheet = reverse("theme_stylesheet", args=[rotterdam.pk])

    for name in ("citizen:case_detail", "citizen:receipt", "citizen:contact_update"):
        page = client.get(reverse(name, args=[case.pk])).content.decode()
        assert f'href="{sheet}?v=' in page, name
        assert reverse("theme_stylesheet", args=[other.pk]) not in page
        assert 'alt="Logo van de gemeente Rotterdam"' in page
    listing = client.get(reverse("citizen:case_list")).content.decode()
    assert f'href="{sheet}?v=' in listing


def test_pages_before_a_municipality_is_known_wear_the_neutral_theme(client, rotterdam):
    themed(rotterdam)
    pages = [client.get(reverse("account_login")).content.decode()]
    client.force_login(UserFactory())
    pages += [client.get(url).content.decode() for url in ("/", reverse("citizen:case_list"))]

    for url, page in enumerate(pages):
        assert "/huisstijl/" not in page, url
        for name in STYLESHEETS:
            assert f"/static/{name}" in page


def test_a_citizen_with_applications_in_two_municipalities_sees_a_neutral_list(client, rotterdam):
    themed(rotterdam)
    citizen = UserFactory()
    CaseFactory(person=PersonFactory(municipality=rotterdam, account=citizen))
    CaseFactory(person=PersonFactory(municipality=MunicipalityFactory(), account=citizen))
    client.force_login(citizen)

    assert "/huisstijl/" not in client.get(reverse("citizen:case_list")).content.decode()


def test_a_citizen_of_a_municipality_without_a_theme_sees_the_neutral_one(client, rotterdam):
    citizen = UserFactory()
    case = CaseFactory(person=PersonFactory(municipality=rotterdam, account=citizen))
    client.force_login(citizen)

    page = client.get(reverse("citizen:case_detail", args=[case.pk])).content.decode()

    assert "/huisstijl/" not in page


# -- the stylesheet and the logo ---------------------------------------------------------------


def test_the_stylesheet_holds_the_theme_as_custom_properties_and_can_be_cached(client, rotterdam):
    theme = themed(rotterdam)
    url = reverse("theme_stylesheet", args=[rotterdam.pk])

    response = client.get(url, {"v": theme.version})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    css = response.content.decode()
    assert css.startswith(":root.portal-theme {")
    assert "--portal-color-primary: #00811f;" in css
    assert f"--portal-font-family: {themes.FONTS['arial']};" in css
    assert "<" not in css
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get(url)["Cache-Control"] == "public, no-cache"  # not the current address


def test_a_signed_in_user_may_cache_the_stylesheet_too(client, rotterdam):
    theme = themed(rotterdam)
    client.force_login(UserFactory())

    response = client.get(reverse("theme_stylesheet", args=[rotterdam.pk]), {"v": theme.version})

    assert "no-store" not in response["Cache-Control"]
    assert "no-store" in client.get(reverse("citizen:case_list"))["Cache-Control"]


def test_a_municipality_without_a_theme_or_logo_has_no_stylesheet_or_logo(client, rotterdam):
    assert client.get(reverse("theme_stylesheet", args=[rotterdam.pk])).status_code == 404
    themed(rotterdam)
    assert client.get(reverse("theme_logo", args=[rotterdam.pk])).status_code == 404


def test_the_logo_is_served_as_stored_after_the_checks(client, rotterdam):
    themed(rotterdam, logo=upload(png(40, 10) + b"<?php echo 1; ?>"))

    response = client.get(reverse("theme_logo", args=[rotterdam.pk]))

    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<?php" not in response.content  # re-encoded: only pixels are kept
    assert Image.open(io.BytesIO(response.content)).size == (40, 10)


# -- letters and mails carry it -----------------------------------------------------------------


def test_the_decision_letter_carries_the_logo_colours_and_font_and_stays_tagged(
    letter_municipality,  # noqa: F811
):
    themed(letter_municipality, logo=upload(png()))
    case = decided_case(letter_municipality)

    html = decision_letter_html(case.decision)
    pdf = decision_letter_pdf(case.decision)

    assert 'src="data:image/png;base64,' in html
    assert 'alt="Logo van de gemeente Testdorp"' in html
    assert "border-top: 4pt solid #00811f" in html
    assert themes.FONTS["arial"] in html
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert {"H1", "H2", "P", "Table", "Figure"} <= _structure_types(catalog["/StructTreeRoot"])


def test_a_letter_of_a_municipality_without_a_theme_is_neutral(letter_municipality):  # noqa: F811
    case = decided_case(letter_municipality)

    html = decision_letter_html(case.decision)

    assert "data:image" not in html
    assert f"border-top: 4pt solid {themes.NEUTRAL['primary_color']}" in html
    assert '"DejaVu Sans", sans-serif' in html


def test_the_mail_carries_the_municipality_s_colours_and_logo(rotterdam):
    theme = themed(rotterdam, logo=upload(png(60, 20)))
    citizen = UserFactory()
    case = CaseFactory(
        person=PersonFactory(municipality=rotterdam, account=citizen), state=CaseState.REJECTED
    )
    notification = Notification.objects.create(
        case=case,
        kind=NotificationKind.DECISION_SENT,
        channel=NotificationChannel.EMAIL,
        term_end=dt.date(2027, 2, 1),
        recipient=citizen,
        recipient_key=f"user:{citizen.pk}",
        email=citizen.email,
        created_at=timezone.now(),
    )

    html, _mimetype = dispatch.build_email(notification).alternatives[0]

    assert "background: #00811f; color: #ffffff;" in html
    assert 'style="color: #004699;"' in html
    logo = reverse("theme_logo", args=[rotterdam.pk])
    assert f'src="{settings.PORTAL_BASE_URL}{logo}?v={theme.version}"' in html
    assert 'width="144" height="48"' in html


# -- the vendored NL Design System ---------------------------------------------------------------


def test_the_vendored_nl_design_system_files_are_there_with_their_licences():
    vendor = Path(settings.BASE_DIR) / "static" / "vendor" / "nlds"
    for name in STYLESHEETS:
        assert (Path(settings.BASE_DIR) / "static" / name).stat().st_size > 0, name
    for package in ("utrecht-component-library-css", "voorbeeld-design-tokens"):
        assert "EUROPEAN UNION PUBLIC LICENCE" in (vendor / package / "LICENSE.md").read_text()
    versions = (vendor / "VERSIONS.txt").read_text()
    script = (Path(settings.BASE_DIR) / "scripts" / "vendor_nlds.sh").read_text()
    for pinned in re.findall(r'^(?:COMPONENTS|TOKENS)="(.+)"$', script, re.MULTILINE):
        assert pinned in versions  # the files are the ones the script pins


def test_the_neutral_theme_is_the_one_in_portal_css():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    for field, value in themes.css_properties(themes.NEUTRAL):
        assert f"  {field}: {value};" in css, field


def test_the_demo_municipality_s_theme_passes_the_contrast_check():
    from portal.demo import DEMO_THEME_MUNICIPALITY, seed_demo_theme

    municipality = MunicipalityFactory(cbs_code=DEMO_THEME_MUNICIPALITY)
    seed_demo_theme(municipality)
    seed_demo_theme(municipality)  # once

    theme = Theme.objects.get()
    assert themes.contrast_problems(theme.tokens) == {}
    assert Image.open(io.BytesIO(bytes(theme.logo))).size == (theme.logo_width, theme.logo_height)
