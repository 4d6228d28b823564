"""The work list's table is rendered once for each set of rows and kept (``cases.pages``):
its rows are fetched on every view, so whatever changes a row, by whatever path, shows at
once; a list searched for is never kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from cases import pages, services
from cases.choices import CaseState
from cases.models import Case, Person
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

TABLE = "cases/worklist_table.html"


@pytest.fixture(autouse=True)
def _no_kept_tables():
    """The kept tables live in this process's memory, across tests: an empty table of an
    earlier test has the same key as an empty one here (rightly: the same rows)."""
    caches[pages.PAGE_CACHE].clear()


def case_in(municipality, state, **person):
    return CaseFactory(person=PersonFactory(municipality=municipality, **person), state=state)


def work_list(client, query: str = ""):
    response = client.get(reverse("work:case_list") + query)
    assert response.status_code == 200
    return response


def table_of(response) -> str:
    """The table's part of the page (after the filter forms)."""
    return response.content.decode().split('class="filter-form"')[-1].split("</form>", 1)[-1]


def rendered(response) -> bool:
    return TABLE in [template.name for template in response.templates]


def test_a_second_view_of_the_same_rows_is_served_from_the_kept_table(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    first = work_list(signed_in)
    assert rendered(first)
    again = work_list(signed_in)
    assert not rendered(again)
    assert case.reference in again.content.decode()
    assert table_of(first) == table_of(again)


def test_a_row_changed_without_any_signal_shows_at_once(signed_in, municipality):
    # A bulk update sends no signal and moves no version: the row itself is the key.
    case = case_in(municipality, CaseState.ADVICE_ISSUED, last_name="Jansen")
    assert "Jansen" in work_list(signed_in).content.decode()
    Person.objects.filter(pk=case.person_id).update(last_name="Pietersen")
    page = work_list(signed_in).content.decode()
    assert "Pietersen" in page and "Jansen" not in page
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.AWAITING_PLACEMENT, state_since=timezone.now() - dt.timedelta(days=3)
    )
    assert "Wacht op een plek" in work_list(signed_in).content.decode()


def test_a_new_case_handler_shows_at_once(signed_in, municipality, consultant):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    colleague = UserFactory(
        consultant=True, municipality=municipality, first_name="Anna", last_name="de Wit"
    )
    assert "Anna de Wit" not in table_of(work_list(signed_in))
    services.assign_case(case_id=case.pk, assignee=colleague, actor=consultant)
    assert "Anna de Wit" in table_of(work_list(signed_in))


def test_the_kept_table_follows_the_language(signed_in, municipality):
    case_in(municipality, CaseState.ADVICE_ISSUED)
    assert "Download this list as CSV" not in work_list(signed_in).content.decode()
    signed_in.cookies["django_language"] = "en"
    english = work_list(signed_in)
    assert rendered(english)
    assert "Download this list as CSV" in english.content.decode()


def test_each_filter_and_page_has_its_own_table(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    work_list(signed_in)
    filtered = work_list(signed_in, "?state=employed")
    assert rendered(filtered)
    assert case.reference not in filtered.content.decode()
    # The export links carry the filter of the list they are on.
    assert "state=employed" in table_of(filtered)


def test_another_municipality_never_gets_this_ones_table(client, municipality):
    own = case_in(municipality, CaseState.ADVICE_ISSUED)
    sign_in(client, UserFactory(consultant=True, municipality=municipality))
    assert own.reference in work_list(client).content.decode()
    other = UserFactory(consultant=True)
    sign_in(client, other)
    foreign = case_in(other.municipality, CaseState.ADVICE_ISSUED)
    page = work_list(client).content.decode()
    assert foreign.reference in page and own.reference not in page


def test_a_list_searched_for_is_never_kept(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    url = reverse("work:case_list")
    for _ in range(2):
        response = signed_in.post(url, {"q": case.person.bsn})
        assert response.status_code == 302
        found = signed_in.get(response["Location"])
        assert rendered(found)
        assert case.reference in found.content.decode()
