"""Personal data is never kept by a browser or proxy (issue #18): every response to a signed-in
user, and every page with a form, says ``Cache-Control: no-store``; every response carries a
``Permissions-Policy``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.documents.files import storage_dir
from cases.documents.models import Document
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


def assert_no_store(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert "no-store" in directives, response.get("Cache-Control")
    assert "private" in directives


@pytest.fixture
def citizen_case(municipality):
    citizen = UserFactory()
    case = CaseFactory(
        person=PersonFactory(account=citizen, municipality=municipality), submitted=True
    )
    (storage_dir() / "0123abcd.pdf").write_bytes(b"%PDF-1.4 test")
    document = Document.objects.create(
        case=case,
        stored_name="0123abcd.pdf",
        original_name="verslag.pdf",
        content_type="application/pdf",
        size=13,
        uploaded_by=citizen,
    )
    return citizen, case, document


def test_citizen_pages_and_document_downloads_are_not_stored(client, citizen_case):
    citizen, case, document = citizen_case
    client.force_login(citizen)

    for url in (
        reverse("citizen:case_list"),
        reverse("citizen:case_detail", args=[case.pk]),
        reverse("citizen:document_download", args=[case.pk, document.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_store(response)


def test_the_consultants_pages_and_exports_are_not_stored(signed_in, citizen_case):
    _citizen, case, _document = citizen_case

    for url in (
        reverse("work:dashboard"),
        reverse("work:case_list"),
        reverse("work:case_detail", args=[case.pk]),
        reverse("work:waiting_list"),
        reverse("work:export", args=["csv"]),
        reverse("work:export", args=["xlsx"]),
    ):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert_no_store(response)


def test_the_municipal_administration_is_not_stored(client, municipality):
    sign_in(client, UserFactory(municipal_admin=True, municipality=municipality))

    for url in (
        reverse("manage:municipality", args=[municipality.pk]),
        reverse("manage:staff_list", args=[municipality.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_store(response)


def test_the_sign_in_page_with_its_form_is_not_stored(client):
    assert_no_store(client.get("/account/login/"))


def test_a_public_page_without_cookies_may_be_cached(client):
    response = client.get("/")

    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/", "/healthz", "/account/login/"])
def test_every_response_carries_a_permissions_policy(client, url):
    policy = client.get(url)["Permissions-Policy"]

    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_a_signed_in_page_carries_a_permissions_policy_too(signed_in):
    assert "camera=()" in signed_in.get(reverse("work:case_list"))["Permissions-Policy"]
