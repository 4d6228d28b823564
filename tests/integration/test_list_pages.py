"""The list pages share one table and one pager (issue #19): a table is a named, focusable
scroll region with a caption, an empty list says so in words instead, and the keyset pager
shows only the links that lead somewhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseState
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in
from tests.integration.test_waiting_list import (
    candidates,
    municipality_with,
    signed_in_consultant,
)

pytestmark = pytest.mark.django_db


def html(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_list_with_rows_is_a_named_scroll_region_with_a_caption(signed_in, municipality):
    CaseFactory(person=PersonFactory(municipality=municipality), state=CaseState.WITH_UWV)
    page = html(signed_in, reverse("work:case_list"))
    assert '<div class="table-scroll" role="region" aria-label="Zaken van uw gemeente"' in page
    assert 'tabindex="0"' in page
    assert '<caption class="visually-hidden">Zaken van uw gemeente</caption>' in page
    assert "Er zijn geen zaken" not in page


@pytest.mark.parametrize(
    ("who", "url", "empty"),
    [
        ("consultant", "work:case_list", "Er zijn geen zaken die passen bij deze filters."),
        ("assessor", "uwv:queue", "Er zijn geen adviesaanvragen die passen bij deze filters."),
        ("consultant", "work:waiting_list", "Niemand wacht op een plek."),
        ("citizen", "citizen:case_list", "U hebt nog geen aanvraag verstuurd."),
    ],
)
def test_an_empty_list_says_so_and_shows_no_table_or_pager(consultant, who, url, empty):
    client = Client()
    if who == "citizen":
        client.force_login(UserFactory())
    else:
        sign_in(client, consultant if who == "consultant" else UserFactory(uwv_assessor=True))
    page = html(client, reverse(url))
    assert f"<p>{empty}</p>" in page
    assert "<table" not in page and 'class="pagination"' not in page


def test_the_pager_links_only_where_there_is_a_page_to_go_to():
    municipality = municipality_with(year=timezone.localdate().year)
    candidates(municipality, 60)
    client = signed_in_consultant(municipality)
    url = reverse("work:waiting_list")

    first = html(client, url)
    assert '<a href="?from=51" rel="next">Volgende pagina</a>' in first
    assert "Eerste pagina" not in first

    last = html(client, url, **{"from": 51})
    assert f'<a href="{url}">Eerste pagina</a>' in last
    assert "Volgende pagina" not in last
