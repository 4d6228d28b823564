"""What the case exchange API's endpoints answer (issue #24): the rows of each list, pages
that cover every row once, queries that do not grow with the rows, the personal data of one
case, and the API's accounts kept out of the people the pages list and notify."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.api import views
from cases.choices import ApplicantKind, CaseState
from cases.models import Advice, Application, Case
from cases.notifications.models import Notification
from cases.placement.models import Employment
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import bearer, sign_in
from tests.integration.test_api_access import POSITIVE_ADVICE, at_uwv, case_in

pytestmark = pytest.mark.django_db


def rows(municipality, count: int) -> None:
    """``count`` cases of each kind the lists show."""
    for _ in range(count):
        at_uwv(municipality)
        case_in(municipality, CaseState.AWAITING_PLACEMENT)
        case_in(municipality, CaseState.EMPLOYED)


#: The queries of each list: the token, the client and its account, the page's own reads,
#: and the audit entry; the waiting list reads the dashboard's figures (a cold cache here).
LIST_QUERIES = {
    ("uwv", "/api/v1/uwv/queue/"): 4,
    ("amsterdam", "/api/v1/cases/"): 4,
    ("amsterdam", "/api/v1/decisions/"): 4,
    ("amsterdam", "/api/v1/placements/"): 4,
    ("amsterdam", "/api/v1/waiting-list/"): 12,
}


@pytest.mark.parametrize(("who", "url"), list(LIST_QUERIES))
def test_list_queries_do_not_grow_with_the_rows(
    client, amsterdam, api_clients, django_assert_num_queries, who, url
):
    headers = bearer(client, *api_clients[who])
    rows(amsterdam, 2)
    with django_assert_num_queries(LIST_QUERIES[who, url]):
        first = client.get(url, **headers)
    rows(amsterdam, 3)
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(LIST_QUERIES[who, url]):
        more = client.get(url, **headers)
    assert first.status_code == more.status_code == 200
    assert len(more.json()["results"]) > len(first.json()["results"]) > 0


@pytest.mark.parametrize(
    ("who", "url", "key"),
    [
        ("uwv", "/api/v1/uwv/queue/", "case"),
        ("amsterdam", "/api/v1/cases/", "id"),
        ("amsterdam", "/api/v1/decisions/", "id"),
        ("amsterdam", "/api/v1/placements/", "id"),
        ("amsterdam", "/api/v1/waiting-list/", "case"),
    ],
)
def test_pages_cover_every_row_once(client, amsterdam, api_clients, monkeypatch, who, url, key):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    rows(amsterdam, 3)
    headers = bearer(client, *api_clients[who])
    seen, pages, next_url = [], 0, url
    while next_url:
        page = client.get(next_url, **headers).json()
        assert len(page["results"]) <= 2
        seen += [row[key] for row in page["results"]]
        next_url, pages = page["next"], pages + 1
    assert pages >= 2
    assert len(seen) == len(set(seen)) >= 3
    monkeypatch.setattr(views, "PAGE_SIZE", 100)
    assert len(client.get(url, **headers).json()["results"]) == len(seen)


def test_the_uwv_queue_filters_like_its_page(client, amsterdam, rotterdam, api_clients):
    ours, theirs = at_uwv(amsterdam), at_uwv(rotterdam)
    headers = bearer(client, *api_clients["uwv"])
    everything = client.get("/api/v1/uwv/queue/", **headers).json()["results"]
    assert {row["case"] for row in everything} == {ours.pk, theirs.pk}
    row = next(row for row in everything if row["case"] == ours.pk)
    assert row["municipality"] == {"code": "GM0363", "name": "Amsterdam"}
    assert row["person"] == {
        "first_name": ours.person.first_name,
        "last_name": ours.person.last_name,
        "birth_date": ours.person.birth_date.isoformat(),
    }
    assert row["term_state"] == "running"
    only_rotterdam = client.get("/api/v1/uwv/queue/?municipality=GM0599", **headers).json()
    assert [row["case"] for row in only_rotterdam["results"]] == [theirs.pk]
    nowhere = client.get("/api/v1/uwv/queue/?municipality=GM9999", **headers).json()
    assert nowhere["results"] == []
    overdue = client.get("/api/v1/uwv/queue/?term_state=overdue", **headers).json()
    assert overdue["results"] == []


def test_uwv_reads_one_case_with_the_bsn_and_the_application(client, amsterdam, api_clients):
    case = at_uwv(amsterdam)
    body = client.get(f"/api/v1/uwv/cases/{case.pk}/", **bearer(client, *api_clients["uwv"])).json()
    assert body["person"]["bsn"] == case.person.bsn
    assert body["application"]["support_needed"] == case.application.support_needed
    assert body["advice"] is None
    assert body["state"] == "with_uwv"
    # what the college did after the advice is the municipality's: to UWV it is advised
    for state in (CaseState.OBJECTION, CaseState.EMPLOYED, CaseState.CLOSED):
        later = case_in(amsterdam, state)
        seen = client.get(f"/api/v1/uwv/cases/{later.pk}/", **bearer(client, *api_clients["uwv"]))
        assert seen.json()["state"] == "advice_issued"
    draft = case_in(amsterdam, CaseState.DRAFT)
    response = client.get(f"/api/v1/uwv/cases/{draft.pk}/", **bearer(client, *api_clients["uwv"]))
    assert response.status_code == 404  # as on UWV's pages: a draft is not UWV's


def test_the_municipality_sees_a_direct_applications_content_only_after_the_advice(
    client, amsterdam, api_clients
):
    case = case_in(amsterdam, CaseState.WITH_UWV)
    Application.objects.filter(case=case).update(applicant_kind=ApplicantKind.PERSON)
    headers = bearer(client, *api_clients["amsterdam"])
    before = client.get(f"/api/v1/cases/{case.pk}/", **headers).json()
    assert before["application"]["is_direct"]
    assert "support_needed" not in before["application"]
    assert "source" not in before["application"]  # a care organisation, say: content too
    assert before["person"]["bsn"] == case.person.bsn

    advised = client.post(
        f"/api/v1/uwv/cases/{case.pk}/advice/",
        POSITIVE_ADVICE,
        content_type="application/json",
        **bearer(client, *api_clients["uwv"]),
    )
    assert advised.status_code == 201
    after = client.get(f"/api/v1/cases/{case.pk}/", **headers).json()
    assert after["application"]["support_needed"] == "Begeleiding op de werkvloer."
    assert after["application"]["source"] == case.application.source
    assert after["advice"]["outcome"] == "positive"


def test_the_case_shows_its_decision_and_placements(client, amsterdam, api_clients):
    case = case_in(amsterdam, CaseState.EMPLOYED)
    body = client.get(f"/api/v1/cases/{case.pk}/", **bearer(client, *api_clients["amsterdam"]))
    body = body.json()
    assert body["decision"]["positive"] is True
    job = Employment.objects.get(case=case)
    assert [p["id"] for p in body["placements"]] == [job.pk]
    assert Decimal(body["placements"][0]["hours_per_week"]) == job.hours_per_week


def test_the_waiting_list_is_in_the_verordenings_order_with_names(client, amsterdam, api_clients):
    amsterdam.quotas.update(places=1)
    case_in(amsterdam, CaseState.EMPLOYED)  # the one place is taken
    # Made first, but advised later: the verordening orders by the date of the advice.
    second = case_in(amsterdam, CaseState.AWAITING_PLACEMENT)
    recently = timezone.localdate() - dt.timedelta(days=3)
    Advice.objects.filter(case=second).update(issued_on=recently)
    Case.objects.filter(pk=second.pk).update(positive_advice_on=recently)
    first = case_in(amsterdam, CaseState.AWAITING_PLACEMENT)
    body = client.get("/api/v1/waiting-list/", **bearer(client, *api_clients["amsterdam"])).json()
    assert [row["case"] for row in body["results"]] == [first.pk, second.pk]
    assert [row["position"] for row in body["results"]] == [1, 2]
    assert body["results"][0]["name"] == f"{first.person.first_name} {first.person.last_name}"
    assert {row["category"] for row in body["results"]} == {"waiting"}
    assert Decimal(body["quota_places"]) == 1
    assert body["ordering_rule"] == "positive_advice_date"


def test_api_accounts_are_not_colleagues_and_get_no_notifications(client, amsterdam, api_clients):
    consultant = UserFactory(consultant=True, municipality=amsterdam)
    account = api_clients["amsterdam"][0].account
    case = at_uwv(amsterdam)
    response = client.post(
        f"/api/v1/uwv/cases/{case.pk}/advice/",
        POSITIVE_ADVICE,
        content_type="application/json",
        **bearer(client, *api_clients["uwv"]),
    )
    assert response.status_code == 201
    notified = set(Notification.objects.filter(case=case).values_list("recipient", flat=True))
    assert consultant.pk in notified
    assert account.pk not in notified
    assert api_clients["uwv"][0].account.pk not in notified

    page = sign_in(client, consultant).get(reverse("work:case_assign", args=[case.pk]))
    assert str(account) not in page.content.decode()
    staff = sign_in(client, UserFactory(municipal_admin=True, municipality=amsterdam)).get(
        reverse("manage:staff_list", args=[amsterdam.pk])
    )
    assert staff.status_code == 200
    assert account.email not in staff.content.decode()


def test_rows_of_another_municipality_never_appear(client, amsterdam, rotterdam, api_clients):
    rows(rotterdam, 2)
    headers = bearer(client, *api_clients["amsterdam"])
    for url in ("/api/v1/cases/", "/api/v1/decisions/", "/api/v1/placements/"):
        assert client.get(url, **headers).json()["results"] == []
    assert client.get("/api/v1/waiting-list/", **headers).json()["results"] == []
    other = CaseFactory(person=PersonFactory(municipality=rotterdam), state=CaseState.EMPLOYED)
    assert client.get(f"/api/v1/cases/{other.pk}/", **headers).status_code == 404
