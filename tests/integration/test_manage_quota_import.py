"""Quota import (issue 6): per-row Dutch errors, all or nothing, preview, idempotent
re-import, administrators only for their own municipality, operators for all."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from municipalities import services
from municipalities.models import QuotaChange, YearlyQuota
from tests.factories import MunicipalityFactory, UserFactory, YearlyQuotaFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


IMPORT = reverse("manage:quota_import")
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "quota-2026.csv"


@pytest.fixture
def towns():
    return [
        MunicipalityFactory(cbs_code="GM0363", name="Amsterdam"),
        MunicipalityFactory(cbs_code="GM0599", name="Rotterdam"),
        MunicipalityFactory(cbs_code="GM0344", name="Utrecht"),
    ]


@pytest.fixture
def operator(db):
    return UserFactory(operator=True, totp=False)


@pytest.fixture
def operator_client(client, operator):
    return sign_in(client, operator)


def upload(client, text: str, year: int = 2027):
    return client.post(
        IMPORT,
        {
            "year": str(year),
            "file": SimpleUploadedFile("quota.csv", text.encode(), content_type="text/csv"),
        },
    )


def confirm(client, response):
    form = response.context["confirm"]
    return client.post(
        IMPORT, {"confirm": "1", "year": form.initial["year"], "content": form.initial["content"]}
    )


GOOD = "CBS-code;Gemeente;Aantal plekken\nGM0363;Amsterdam;750\nGM0599;Rotterdam;640,5\n"


def test_file_with_errors_is_refused_with_a_dutch_message_per_row(operator_client, towns):
    text = (
        "CBS-code;Gemeente;Aantal plekken\n"
        "GM0363;Amsterdam;750\n"
        "GM9999;Nergenshuizen;10\n"
        "GM0599;Rotterdam;veel\n"
        "GM0363;Amsterdam;751\n"
        "GM0344;Utrecht;-3\n"
    )
    with translation.override("nl"):
        response = upload(operator_client, text)

    parsed = response.context["parsed"]
    assert not parsed.valid
    errors = {row.line: row.errors for row in parsed.error_rows}
    assert errors == {
        3: ["Onbekende CBS-code “GM9999”."],
        4: ["“veel” is geen getal."],
        5: ["Dubbele regel: GM0363 staat al op regel 2."],
        6: ["Het aantal plekken kan niet negatief zijn."],
    }
    assert "confirm" not in response.context
    content = response.content.decode()
    for message in ("Onbekende CBS-code", "is geen getal", "Dubbele regel", "niet negatief"):
        assert message in content
    assert not YearlyQuota.objects.exists()
    assert not QuotaChange.objects.exists()


def test_a_decimal_comma_in_a_comma_separated_file_is_a_row_error(operator_client, towns):
    """640,5 without quotes is two cells, 640 and 5: the row is refused, not read as 640."""
    text = "CBS-code,Gemeente,Aantal plekken\nGM0363,Amsterdam,750\nGM0599,Rotterdam,640,5\n"

    response = upload(operator_client, text)

    parsed = response.context["parsed"]
    assert [row.line for row in parsed.error_rows] == [3]
    assert "puntkomma" in parsed.error_rows[0].errors[0]
    assert "confirm" not in response.context
    assert not YearlyQuota.objects.exists()


def test_a_decimal_comma_in_quotes_and_empty_cells_at_the_end_are_read(operator_client, towns):
    text = 'CBS-code,Gemeente,Aantal plekken\nGM0363,Amsterdam,"640,5"\nGM0599,Rotterdam,12,,\n'

    response = upload(operator_client, text)

    assert response.context["parsed"].valid
    confirm(operator_client, response)
    assert dict(YearlyQuota.objects.values_list("municipality__cbs_code", "places")) == {
        "GM0363": Decimal("640.5"),
        "GM0599": Decimal("12"),
    }


@pytest.mark.parametrize("places", ["1000000", "100000,01", "99999999999999999999"])
def test_a_number_of_places_beyond_any_quota_is_a_row_error(operator_client, towns, places):
    text = f"CBS-code;Gemeente;Aantal plekken\nGM0363;Amsterdam;{places}\n"

    response = upload(operator_client, text)

    parsed = response.context["parsed"]
    assert parsed.error_rows[0].errors == [
        "Een taakstelling is hoogstens 100000 plekken. Kijk het getal na."
    ]
    # A confirmation sent anyway is checked again and writes nothing.
    response = operator_client.post(IMPORT, {"confirm": "1", "year": "2027", "content": text})
    assert response["Location"] == IMPORT
    assert not YearlyQuota.objects.exists()


def test_a_cell_too_long_to_read_is_a_file_error(operator_client, towns):
    text = f"CBS-code;Gemeente;Aantal plekken\nGM0363;{'x' * 200_000};5\n"

    response = upload(operator_client, text)

    assert response.status_code == 200
    assert response.context["parsed"].file_errors == [
        "Regel 2 van het bestand kan niet worden gelezen: een cel is te lang, of er ontbreekt "
        "een aanhalingsteken. Sla het bestand opnieuw op als CSV."
    ]
    confirmed = operator_client.post(IMPORT, {"confirm": "1", "year": "2027", "content": text})
    assert confirmed["Location"] == IMPORT
    assert not YearlyQuota.objects.exists()


def test_a_correct_file_is_previewed_then_applied(operator_client, towns):
    YearlyQuotaFactory(municipality=towns[0], year=2027, places=700)

    response = upload(operator_client, GOOD)

    assert response.context["parsed"].valid
    preview = {item["row"].cbs_code: item["current"] for item in response.context["preview"]}
    assert preview == {"GM0363": Decimal("700"), "GM0599": None}
    assert YearlyQuota.objects.get(municipality=towns[0], year=2027).places == 700  # not yet

    response = confirm(operator_client, response)

    assert response["Location"] == IMPORT
    quotas = dict(
        YearlyQuota.objects.filter(year=2027).values_list("municipality__cbs_code", "places")
    )
    assert quotas == {"GM0363": Decimal("750"), "GM0599": Decimal("640.5")}
    changes = QuotaChange.objects.filter(source=QuotaChange.Source.IMPORT).order_by("municipality")
    assert [(c.old_places, c.new_places) for c in changes] == [
        (Decimal("700"), Decimal("750")),
        (None, Decimal("640.5")),
    ]


def test_reimporting_the_same_file_changes_nothing(operator, towns):
    first = services.import_quota(text=GOOD, year=2027, actor=operator)
    second = services.import_quota(text=GOOD, year=2027, actor=operator)

    assert (first.rows, first.changed) == (2, 2)
    assert (second.rows, second.changed) == (2, 0)
    assert QuotaChange.objects.count() == 2
    assert YearlyQuota.objects.count() == 2


def test_a_tampered_confirmation_is_checked_again_and_writes_nothing(operator_client, towns):
    response = operator_client.post(
        IMPORT,
        {"confirm": "1", "year": "2027", "content": "CBS-code;Gemeente;Aantal\nGM0363;A;-1\n"},
    )
    assert response["Location"] == IMPORT
    assert not YearlyQuota.objects.exists()


def test_administrator_applies_only_their_own_row_of_the_national_file(client, towns):
    admin = UserFactory(municipal_admin=True, municipality=towns[0], totp=False)
    sign_in(client, admin)

    response = upload(client, GOOD)
    assert [item["row"].cbs_code for item in response.context["preview"]] == ["GM0363"]
    assert len(response.context["parsed"].skipped_rows) == 1
    confirm(client, response)

    assert list(YearlyQuota.objects.values_list("municipality__cbs_code", "places")) == [
        ("GM0363", Decimal("750"))
    ]


def test_administrator_file_without_their_row_is_refused(client, towns):
    admin = UserFactory(municipal_admin=True, municipality=towns[2], totp=False)
    sign_in(client, admin)

    response = upload(client, GOOD)

    assert not response.context["parsed"].valid
    assert response.context["parsed"].file_errors
    assert not YearlyQuota.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a;b;c\nGM0363;Amsterdam;1\n",
        "CBS-code;Gemeente;Aantal plekken\n",
    ],
    ids=["empty", "wrong-header", "no-rows"],
)
def test_unusable_files_get_a_file_error(operator_client, towns, text):
    response = (
        upload(operator_client, text)
        if text
        else operator_client.post(
            IMPORT,
            {"year": "2027", "file": SimpleUploadedFile("q.csv", b"", content_type="text/csv")},
        )
    )
    if text:
        assert response.context["parsed"].file_errors
    else:
        assert response.context["form"].errors  # Django refuses an empty upload itself
    assert not YearlyQuota.objects.exists()


def test_comma_separated_english_header_and_bom_are_accepted(operator_client, towns):
    text = "\ufeffCBS code,Municipality,Number of places\nGM0344,Utrecht,300\n"
    response = upload(operator_client, text)
    assert response.context["parsed"].valid
    confirm(operator_client, response)
    assert YearlyQuota.objects.get(municipality=towns[2]).places == 300


def test_the_sample_file_in_the_repository_is_valid(operator_client):
    for code, name in [
        ("GM0363", "Amsterdam"),
        ("GM0599", "Rotterdam"),
        ("GM0344", "Utrecht"),
        ("GM0014", "Groningen"),
    ]:
        MunicipalityFactory(cbs_code=code, name=name)

    response = upload(operator_client, SAMPLE.read_text(encoding="utf-8"), year=2026)

    assert response.context["parsed"].valid
    assert len(response.context["preview"]) == 4


def test_import_page_query_count(operator_client, towns, django_assert_num_queries):
    upload(operator_client, GOOD)  # warm-up: per-user caches of the page chrome fill once
    # session, user, then: all CBS codes, current quotas of the rows
    with django_assert_num_queries(4):
        response = upload(operator_client, GOOD)
    assert len(response.context["preview"]) == 2
