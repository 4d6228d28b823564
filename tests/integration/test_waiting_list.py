"""The consultant's waiting list reads one page of candidates from the database
(``capacity.candidate_page``), with the positions and categories ``capacity`` computes over
all of them. Every expectation here is ``capacity()``'s own answer, not a hard-coded list."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import views
from cases.choices import Category, OrderingRule, Responsible
from cases.placement.capacity import CapacityHeader, candidate_page, capacity
from tests.factories import (
    EmploymentFactory,
    MunicipalityFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
    bulk_candidate_cases,
)

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 15)
YEAR = ON.year


def municipality_with(*, year: int, rule=OrderingRule.POSITIVE_ADVICE_DATE):
    """A municipality that has reached its quota of 4, with 3 additional places: its
    candidates are additional, waiting or unavailable."""
    municipality = MunicipalityFactory()
    YearlyQuotaFactory(municipality=municipality, year=year, places=4)
    for _ in range(4):
        EmploymentFactory(case__person__municipality=municipality, start_on=dt.date(year, 1, 1))
    VerordeningFactory(
        municipality=municipality,
        in_force_from=dt.date(2020, 1, 1),
        ordering_rule=rule,
        offers_additional_places=True,
        additional_places_per_year=3,
    )
    return municipality


def candidates(municipality, count: int, *, start: int = 0) -> None:
    actor = UserFactory(uwv_assessor=True)
    bulk_candidate_cases(
        municipality,
        count,
        actor=actor,
        start=start,
        unavailable_every=4,
        priority_every=5,
        uwv_benefit_every=3,
    )


def signed_in_consultant(municipality) -> Client:
    client = Client()
    client.force_login(UserFactory(consultant=True, municipality=municipality))
    session = client.session
    session["portal_staff_mfa_ok"] = True
    session.save()
    return client


def shown(response) -> list:
    assert response.status_code == 200
    return [row for row, _name in response.context["rows"]]


def positions_in_html(response) -> list[int]:
    return [int(p) for p in re.findall(r"<tr>\s*<td>(\d+)</td>", response.content.decode())]


# -- the page ---------------------------------------------------------------------------


def test_waiting_list_second_page_shows_the_positions_capacity_gives():
    municipality = municipality_with(year=timezone.localdate().year)
    candidates(municipality, 120)
    client = signed_in_consultant(municipality)
    today = timezone.localdate()
    everyone = capacity(municipality.pk, today.year, on=today).candidates
    assert views.WAITING_PAGE_SIZE == 50

    response = client.get(reverse("work:waiting_list") + "?from=51")

    rows = shown(response)
    assert rows == everyone[50:100]
    assert [row.position for row in rows] == list(range(51, 101))
    assert positions_in_html(response) == [row.position for row in everyone[50:100]]
    assert response.context["next_from"] == 101
    assert response.context["is_deep"] is True
    # The first page holds the additional candidates; page two only the rest.
    assert {row.category for row in everyone[:50]} >= {Category.ADDITIONAL, Category.WAITING}
    assert {row.category for row in rows} <= {Category.WAITING, Category.UNAVAILABLE}


def test_waiting_list_pages_together_are_capacitys_list(monkeypatch):
    municipality = municipality_with(
        year=timezone.localdate().year, rule=OrderingRule.PRIORITY_THEN_ADVICE_DATE
    )
    candidates(municipality, 23)
    monkeypatch.setattr(views, "WAITING_PAGE_SIZE", 5)
    client = signed_in_consultant(municipality)
    today = timezone.localdate()
    everyone = capacity(municipality.pk, today.year, on=today).candidates

    seen, starts, start = [], [], 1
    while start is not None:
        starts.append(start)
        response = client.get(reverse("work:waiting_list") + f"?from={start}")
        seen += shown(response)
        start = response.context["next_from"]

    assert seen == everyone
    assert starts == [1, 6, 11, 16, 21]
    assert {row.responsible for row in seen} == {Responsible.MUNICIPALITY, Responsible.UWV}


@pytest.mark.parametrize("value", ["abc", "0", "-3", ""])
def test_waiting_list_an_invalid_from_shows_the_first_page(value):
    municipality = municipality_with(year=timezone.localdate().year)
    candidates(municipality, 60)
    client = signed_in_consultant(municipality)
    today = timezone.localdate()
    everyone = capacity(municipality.pk, today.year, on=today).candidates

    response = client.get(reverse("work:waiting_list"), {"from": value})

    assert shown(response) == everyone[:50]
    assert response.context["next_from"] == 51
    assert response.context["is_deep"] is False


@pytest.mark.parametrize("start", [61, 1_000, 10**30])
def test_waiting_list_from_beyond_the_end_shows_the_empty_list(start):
    municipality = municipality_with(year=timezone.localdate().year)
    candidates(municipality, 60)
    client = signed_in_consultant(municipality)

    response = client.get(reverse("work:waiting_list") + f"?from={start}")

    assert shown(response) == []
    assert response.context["next_from"] is None
    assert response.context["is_deep"] is True
    assert "Niemand wacht op een plek." in response.content.decode()


# -- candidate_page ---------------------------------------------------------------------


@pytest.mark.parametrize("rule", list(OrderingRule))
@pytest.mark.parametrize("uwv_agreement", [False, True])
def test_candidate_page_rows_are_capacitys_rows(rule, uwv_agreement):
    municipality = municipality_with(year=YEAR, rule=rule)
    candidates(municipality, 37)
    everyone = capacity(municipality.pk, YEAR, on=ON, uwv_agreement=uwv_agreement).candidates

    for start in range(1, 40):
        page = candidate_page(
            municipality.pk, YEAR, on=ON, from_position=start, limit=6, uwv_agreement=uwv_agreement
        )
        assert page.rows == everyone[start - 1 : start + 5], start
        assert page.has_more == (len(everyone) > start + 5), start


def test_candidate_page_has_no_next_page_when_exactly_limit_candidates_are_left():
    municipality = municipality_with(year=YEAR)
    candidates(municipality, 30)
    full = capacity(municipality.pk, YEAR, on=ON)
    assert len(full.candidates) == 30

    last = candidate_page(municipality.pk, YEAR, on=ON, from_position=21, limit=10)
    one_more = candidate_page(municipality.pk, YEAR, on=ON, from_position=20, limit=10)
    everything = candidate_page(municipality.pk, YEAR, on=ON, from_position=1, limit=30)

    assert (last.rows, last.has_more, last.next_from) == (full.candidates[20:], False, None)
    assert (one_more.rows, one_more.has_more, one_more.next_from) == (
        full.candidates[19:29],
        True,
        30,
    )
    assert (everything.rows, everything.has_more) == (full.candidates, False)


def test_candidate_page_carries_capacitys_figures():
    municipality = municipality_with(year=YEAR)
    candidates(municipality, 12)
    full = capacity(municipality.pk, YEAR, on=ON)

    page = candidate_page(municipality.pk, YEAR, on=ON, from_position=3, limit=4)

    for field in fields(CapacityHeader):
        assert getattr(page, field.name) == getattr(full, field.name), field.name
    assert (page.from_position, page.limit) == (3, 4)


@pytest.mark.parametrize("kwargs", [{"from_position": 0}, {"limit": 0}])
def test_candidate_page_refuses_a_page_before_position_1_or_of_no_rows(kwargs):
    municipality = municipality_with(year=YEAR)
    with pytest.raises(ValueError):
        candidate_page(municipality.pk, YEAR, on=ON, **kwargs)


def test_candidate_page_uses_two_queries_for_few_and_many_candidates(django_assert_num_queries):
    few, many = municipality_with(year=YEAR), municipality_with(year=YEAR)
    candidates(few, 8)
    candidates(many, 3_000, start=100)

    with django_assert_num_queries(2):
        small = candidate_page(few.pk, YEAR, on=ON, from_position=1, limit=50)
    with django_assert_num_queries(2):
        large = candidate_page(many.pk, YEAR, on=ON, from_position=2_001, limit=50)

    assert (len(small.rows), small.has_more) == (8, False)
    assert (len(large.rows), large.has_more) == (50, True)
    assert large.rows == capacity(many.pk, YEAR, on=ON).candidates[2_000:2_050]


def test_before_the_new_years_quota_is_entered_the_pages_say_which_one_counts():
    today = timezone.localdate()
    municipality = MunicipalityFactory()
    YearlyQuotaFactory(municipality=municipality, year=today.year - 1, places=3)
    candidates(municipality, 2)
    client = signed_in_consultant(municipality)

    for name in ("work:waiting_list", "work:dashboard"):
        page = client.get(reverse(name)).content.decode()
        assert f"Er is nog geen taakstelling voor {today.year}" in page, name
        assert f"telt de taakstelling van {today.year - 1}: 3" in page, name
    listed = client.get(reverse("work:waiting_list")).context["rows"]
    assert {row.category for row, _name in listed} <= {Category.OBLIGED, Category.UNAVAILABLE}


def test_the_waiting_list_names_the_places_of_jobs_agreed_to_start_later_this_year():
    today = timezone.localdate()
    municipality = municipality_with(year=today.year)
    if today.month == 12 and today.day == 31:
        pytest.skip("no later day this year")
    EmploymentFactory(case__person__municipality=municipality, start_on=dt.date(today.year, 12, 31))
    client = signed_in_consultant(municipality)

    response = client.get(reverse("work:waiting_list"))

    assert "Banen die later dit jaar beginnen, nemen ook 1 plekken in." in (
        response.content.decode()
    )
    assert response.context["capacity"].additional_in_use == 1
