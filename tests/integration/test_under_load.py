"""What keeps the staff pages fast under a real load (issue #19): the dashboard's figures are
counted again by one request at a time, a change they do not count leaves them current, and
a search by part of a name is served by the trigram index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import figures
from cases.choices import CaseState
from tests.factories import CaseFactory, EmploymentFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

DASHBOARD = "work:dashboard"


def case_in(municipality, state, **person):
    return CaseFactory(person=PersonFactory(municipality=municipality, **person), state=state)


def test_while_one_request_counts_the_figures_another_shows_the_figures_from_before(
    signed_in, municipality, monkeypatch
):
    case_in(municipality, CaseState.ADVICE_ISSUED)
    before = signed_in.get(reverse(DASHBOARD))
    assert before.context["counts"]["decisions_due"] == 1
    case_in(municipality, CaseState.ADVICE_ISSUED)  # the figures are no longer current

    colleague = Client()
    sign_in(colleague, UserFactory(consultant=True, municipality=municipality))
    counted, during = [], []
    count_now = figures.count_figures

    def counting(user, today):
        counted.append(user.pk)
        if len(counted) == 1:  # a colleague opens the dashboard while this request counts
            during.append(colleague.get(reverse(DASHBOARD)))
        return count_now(user, today)

    monkeypatch.setattr(figures, "count_figures", counting)
    after = signed_in.get(reverse(DASHBOARD))

    assert len(counted) == 1  # one recount, not one per request
    (meanwhile,) = during
    assert meanwhile.status_code == 200
    assert meanwhile.context["counts"]["decisions_due"] == 1  # the figures from before...
    assert meanwhile.context["computed_at"] == before.context["computed_at"]  # ...and their time
    assert after.status_code == 200
    # Counted once, the new figures are current for everyone.
    for client in (signed_in, colleague):
        again = client.get(reverse(DASHBOARD))
        assert again.context["counts"]["decisions_due"] == 2
        assert again.context["computed_at"] > before.context["computed_at"]
    assert len(counted) == 1


def test_assigning_a_case_leaves_the_figures_current(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    colleague = UserFactory(consultant=True, municipality=municipality)
    before = signed_in.get(reverse(DASHBOARD))
    response = signed_in.post(
        reverse("work:case_assign", args=[case.pk]), {"assign-assignee": colleague.pk}
    )
    assert response.status_code == 302
    after = signed_in.get(reverse(DASHBOARD))
    assert after.context["computed_at"] == before.context["computed_at"]
    # A change the figures count still makes them counted again.
    case_in(municipality, CaseState.ADVICE_ISSUED)
    recounted = signed_in.get(reverse(DASHBOARD))
    assert recounted.context["counts"]["decisions_due"] == 2


def test_the_waiting_list_shows_the_quota_of_the_current_figures(signed_in, municipality):
    from municipalities.models import YearlyQuota

    case_in(municipality, CaseState.AWAITING_PLACEMENT)
    case_in(municipality, CaseState.AWAITING_PLACEMENT)
    EmploymentFactory(
        case__person__municipality=municipality,
        start_on=timezone.localdate().replace(month=1, day=1),
    )
    first = signed_in.get(reverse("work:waiting_list"))
    assert first.context["capacity"].quota_places == 5
    assert [row.category.value for row, _name in first.context["rows"]] == ["obliged"] * 2
    quota = YearlyQuota.objects.get(municipality=municipality, year=timezone.localdate().year)
    quota.places = 1  # now reached by the one job
    quota.save()
    again = signed_in.get(reverse("work:waiting_list"))
    assert again.context["capacity"].quota_places == 1
    categories = [row.category.value for row, _name in again.context["rows"]]
    assert len(categories) == 2 and "obliged" not in categories


def search(client, term: str) -> str:
    response = client.post(reverse("work:case_list"), {"q": term})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_a_search_finds_a_person_by_any_part_of_the_name(signed_in, municipality):
    case_in(municipality, CaseState.ADVICE_ISSUED, first_name="Fatima", last_name="Verhoeven")
    case_in(municipality, CaseState.ADVICE_ISSUED, first_name="Jan", last_name="Jansen")
    for term in ("hoev", "VERHOEVEN", "tim", "fatima verh"):
        page = search(signed_in, term)
        assert "Verhoeven" in page and "Jansen" not in page, term
    assert "Jansen" in search(signed_in, "anse") and "Verhoeven" not in search(signed_in, "anse")


def test_a_search_by_part_of_a_name_is_served_by_the_trigram_indexes(municipality):
    from cases.models import Person

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    PersonFactory(municipality=municipality, first_name="Fatima", last_name="Verhoeven")
    with connection.cursor() as cursor:  # as on a large table: no scan of every row
        cursor.execute("SET LOCAL enable_seqscan = off")
    for column in ("first_name", "last_name"):
        persons = Person.objects.filter(**{f"{column}__icontains": "hoev"})
        assert f"person_{column}_trgm" in persons.explain(), column
