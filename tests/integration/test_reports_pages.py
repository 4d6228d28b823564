"""The benchmark's pages (issue #23): what each role sees, downloads, query counts, and the
labour-force import."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cases.reports import build
from cases.reports.models import LabourForce
from tests.factories import CaseFactory, MunicipalityFactory, UserFactory, YearlyQuotaFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year  # noqa: DTZ011 - the figures' current year


@pytest.fixture
def small_town():
    """Three persons working (a count under 5), one named "Zeldzaam"."""
    town = MunicipalityFactory(cbs_code="GM0100", name="Kleindorp", labour_market_region="Regio A")
    big = MunicipalityFactory(cbs_code="GM0200", name="Grootstad", labour_market_region="Regio A")
    YearlyQuotaFactory(municipality=town, year=YEAR, places=4)
    for _ in range(3):
        CaseFactory(
            municipality=town,
            person__municipality=town,
            person__last_name="Zeldzaam",
            employed=True,
        )
    for _ in range(12):
        CaseFactory(municipality=big, person__municipality=big, employed=True)
    for town_ in (town, big):
        LabourForce.objects.create(municipality=town_, year=YEAR, persons=20_000)
    build.rebuild([YEAR])
    return town


def page(client, town, fmt=None):
    if fmt:
        return client.get(reverse("reports:download", args=[town.cbs_code, fmt]))
    return client.get(reverse("reports:municipality", args=[town.cbs_code]))


def test_the_home_page_links_to_the_figures(client):
    assert reverse("reports:overview") in client.get("/").content.decode()


def test_the_public_never_sees_a_count_under_5_nor_a_name(client, small_town):
    html = page(client, small_town).content.decode()

    assert "minder dan 5" in html
    assert "Zeldzaam" not in html
    assert "noindex" not in html
    # The 3 persons (and their 3 places, 93 hours) appear nowhere as a number next to them.
    assert ">3<" not in html and ">3,00<" not in html
    overview = client.get(reverse("reports:overview")).content.decode()
    assert "Kleindorp" in overview and "minder dan 5" in overview and "Zeldzaam" not in overview


def test_the_public_downloads_are_suppressed_too(client, small_town):
    csv_text = page(client, small_town, "csv").content.decode("utf-8-sig")
    assert "minder dan 5" in csv_text and "Zeldzaam" not in csv_text
    assert ";3;" not in csv_text
    assert "Definities" in csv_text

    workbook = load_workbook(io.BytesIO(page(client, small_town, "xlsx").content))
    cells = [
        str(c)
        for sheet in workbook
        for r in sheet.iter_rows(values_only=True)
        for c in r
        if c is not None
    ]
    assert "minder dan 5" in cells and "3" not in cells
    assert "Definities" in workbook.sheetnames


def test_own_staff_see_exact_counts_with_links_to_the_list(client, small_town):
    sign_in(client, UserFactory(consultant=True, municipality=small_town))

    html = page(client, small_town).content.decode()

    assert "minder dan 5" not in html.split('id="advice-heading"')[0]
    assert f'{reverse("work:case_list")}?state=employed">3</a>' in html
    assert "Zeldzaam" not in html


def test_staff_of_another_municipality_see_the_public_figures(client, small_town):
    other = MunicipalityFactory()
    sign_in(client, UserFactory(consultant=True, municipality=other))

    html = page(client, small_town).content.decode()

    assert "minder dan 5" in html
    assert "?state=employed" not in html


def test_operators_see_exact_national_counts(client, small_town):
    sign_in(client, UserFactory(operator=True))

    overview = client.get(reverse("reports:overview")).content.decode()

    assert "minder dan 5" not in overview
    assert ">3</td>" in overview


def test_unknown_municipality_or_year_is_a_404(client, small_town):
    assert client.get(reverse("reports:municipality", args=["GM9999"])).status_code == 404
    url = reverse("reports:municipality", args=[small_town.cbs_code])
    assert client.get(url + "?jaar=abc").status_code == 404
    assert client.get(url + "?jaar=1999").status_code == 404
    assert page(client, small_town, "pdf").status_code == 404


def _grow(town, n):
    for _ in range(n):
        CaseFactory(municipality=town, person__municipality=town, employed=True)
    build.rebuild()


@pytest.mark.parametrize("extra", [0, 30])
def test_the_report_page_reads_a_fixed_number_of_queries(
    client, small_town, django_assert_num_queries, extra
):
    _grow(small_town, extra)
    with django_assert_num_queries(2):
        assert page(client, small_town).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(reverse("reports:overview")).status_code == 200


# -- the labour-force import --------------------------------------------------------------------

IMPORT = reverse("reports:labour_force_import")


def upload(client, text, year=YEAR):
    return client.post(
        IMPORT,
        {
            "year": year,
            "check": "1",
            "file": SimpleUploadedFile("lf.csv", text.encode("utf-8-sig")),
        },
    )


@pytest.fixture
def operator(client):
    MunicipalityFactory(cbs_code="GM0363", name="Amsterdam")
    MunicipalityFactory(cbs_code="GM0599", name="Rotterdam")
    return sign_in(client, UserFactory(operator=True))


def test_a_cbs_file_is_previewed_then_applied_in_thousands(operator):
    text = (
        '"RegioS";"Regio\'s";"Perioden";"Beroepsbevolking (x 1 000)"\n'
        f'"NL01  ";"Nederland";"{YEAR}JJ00";"9912,0"\n'
        f'"GM0363  ";"Amsterdam";"{YEAR}JJ00";"545,2"\n'
        f'"GM0599";"Rotterdam";"{YEAR}JJ00";"340"\n'
    )
    response = upload(operator, text)
    assert response.status_code == 200
    html = response.content.decode()
    assert "545200" in html and "1 rij van een ander soort gebied" in html
    assert not LabourForce.objects.exists()

    content = response.context["confirm"].initial["content"]
    operator.post(IMPORT, {"confirm": "1", "year": YEAR, "content": content})

    assert dict(LabourForce.objects.values_list("municipality__cbs_code", "persons")) == {
        "GM0363": 545_200,
        "GM0599": 340_000,
    }


def test_row_errors_are_listed_per_line_and_nothing_is_written(operator):
    text = (
        "Gemeentecode;Gemeente;Perioden;Beroepsbevolking\n"
        f"GM0363;Amsterdam;{YEAR};12x\n"
        f"GM9999;Nergens;{YEAR};100\n"
        f"GM0599;Rotterdam;{YEAR - 1};100\n"
        f"GM0599;Rotterdam;{YEAR};0\n"
    )
    response = upload(operator, text)

    assert response.status_code == 400
    html = response.content.decode()
    assert "“12x” is geen getal." in html
    assert "Onbekende CBS-code “GM9999”." in html
    assert f"is niet het jaar {YEAR}" in html
    assert "Dubbele regel: GM0599 staat al op regel 4." in html
    assert "De beroepsbevolking moet meer dan 0 zijn." in html
    assert not LabourForce.objects.exists()


def test_a_file_without_the_columns_is_refused(operator):
    response = upload(operator, "code;aantal\nGM0363;5\n")

    assert response.status_code == 400
    assert "De eerste rij moet de kolommen noemen" in response.content.decode()


def test_administrators_see_the_labour_force_but_cannot_import(client):
    town = MunicipalityFactory(cbs_code="GM0363")
    LabourForce.objects.create(municipality=town, year=YEAR, persons=1000)
    sign_in(client, UserFactory(municipal_admin=True, municipality=town))

    assert client.get(IMPORT).status_code == 200
    assert upload(client, "RegioS;Beroepsbevolking\nGM0363;5\n").status_code == 404
    assert LabourForce.objects.get().persons == 1000
    sign_in(client, UserFactory(consultant=True, municipality=town))
    assert client.get(IMPORT).status_code == 403


def test_the_sample_file_is_a_valid_file():
    from pathlib import Path

    from cases.reports import labour_force

    sample = Path(__file__).resolve().parents[2] / "docs" / "samples" / "labour-force-2026.csv"
    codes = {"GM0363": 1, "GM0599": 2, "GM0344": 3, "GM0014": 4}
    parsed = labour_force.parse(
        sample.read_text(encoding="utf-8-sig"), year=2026, known_codes=codes
    )

    assert parsed.valid and parsed.other_regions == 1
    assert [row.persons for row in parsed.rows] == [545_000, 340_000, 210_000, 128_000]
