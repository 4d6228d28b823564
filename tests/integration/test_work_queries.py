"""Query counts of the professionals' pages are pinned, and the same for 10 cases as for
10,000 (issue #5). The big set is made with ``bulk_create``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import figures
from cases.choices import CaseState
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
    bulk_candidate_cases,
)
from tests.integration.conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: Queries per page, the session and the user lookup included. Pinned: a
#: change here is a change in how the page scales, and must be deliberate.
PINNED = {
    # Figures counted (cache empty or stale); one of them counts the support provisions in
    # place per kind (issue #22).
    "dashboard": 10,
    "dashboard_cached": 3,  # figures from the cache
    # The session, the user, the colleagues of the case-handler filter and the rows; the
    # saved filters are cached.
    "case_list": 4,
    "case_list_deep": 4,
    # The session, the user, the page's candidates, their names and the verordening; quota,
    # places and verordening from the dashboard's figures in the cache (when those are counted
    # again, the six queries of counting them come on top, as on the dashboard).
    "waiting_list": 5,
    "waiting_list_deep": 5,
    # The session, the user, the case with its person, municipality, application, advice,
    # decision and case handler, the audit entry for viewing personal data, and one query per
    # list: terms, objections (with their appeals), support provisions, unavailability,
    # documents (with who added each; the attachments of messages among them), history,
    # refused places and messages (both conversations, with who wrote each) (this person has
    # no terms, so no query for their events), the jobs of the person's file and the person's
    # other cases in the file; for the running job, the minimum wage in force with the
    # municipality's wage subsidy method for the year (DOMAIN §6.3); no action forms. Opening
    # a conversation with new messages adds the one update that marks them read.
    "case_detail": 15,
    # At UWV: the same, and the events of its terms, without a job.
    "case_detail_before_decision": 15,
    "uwv_queue": 4,
    "uwv_queue_deep": 4,
}


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def measure(client, assessor_client, case, at_uwv) -> dict[str, int]:
    """The queries of each page in the steady state: every page is viewed once first, so what
    is cached for a while (decree days, saved filters, unread counts, the session's last
    activity) is in place, and the clock stands still while the pages are counted, so that
    nothing expires in between. Only the dashboard's figures are counted afresh first."""
    first = client.get(reverse("work:case_list"))
    cursor = first.context["page"].next_cursor
    assert cursor, "the list must have a second page"
    queue = assessor_client.get(reverse("uwv:queue"))
    queue_cursor = queue.context["page"].next_cursor
    pages = {
        "dashboard": (client, reverse("work:dashboard")),
        "dashboard_cached": (client, reverse("work:dashboard")),
        "case_list": (client, reverse("work:case_list")),
        "case_list_deep": (client, reverse("work:case_list") + f"?after={cursor}"),
        "waiting_list": (client, reverse("work:waiting_list")),
        "waiting_list_deep": (client, reverse("work:waiting_list") + "?from=51"),
        "case_detail": (client, reverse("work:case_detail", args=[case.pk])),
        "case_detail_before_decision": (client, reverse("work:case_detail", args=[at_uwv.pk])),
        "uwv_queue": (assessor_client, reverse("uwv:queue")),
        "uwv_queue_deep": (assessor_client, reverse("uwv:queue") + f"?after={queue_cursor}"),
    }
    with time_machine.travel(timezone.now(), tick=False):
        for page_client, url in pages.values():
            page_client.get(url)
        # bulk_create sends no signals: say that the figures are stale, as a save would.
        figures.changed(case.municipality_id)
        return {name: count_queries(*page) for name, page in pages.items()}


def uwv_cases(municipality, count):
    for _ in range(count):
        CaseFactory(person=PersonFactory(municipality=municipality), state=CaseState.WITH_UWV)


def test_query_counts_are_pinned_and_do_not_grow_with_the_caseload():
    from django.test import Client

    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    YearlyQuotaFactory(municipality=municipality, year=timezone.localdate().year, places=3)
    consultant = UserFactory(consultant=True, municipality=municipality)
    assessor = UserFactory(uwv_assessor=True)
    client, assessor_client = Client(), Client()
    sign_in(client, consultant)
    sign_in(assessor_client, assessor)
    case = CaseFactory(person=PersonFactory(municipality=municipality), state=CaseState.EMPLOYED)
    at_uwv = CaseFactory(person=PersonFactory(municipality=municipality), state=CaseState.WITH_UWV)
    uwv_cases(municipality, 26)
    bulk_candidate_cases(municipality, 60, actor=consultant, unavailable_every=7)

    small = measure(client, assessor_client, case, at_uwv)

    bulk_candidate_cases(
        municipality, 10_000, actor=consultant, start=60, unavailable_every=7, uwv_benefit_every=5
    )
    uwv_cases(municipality, 10)
    large = measure(client, assessor_client, case, at_uwv)

    assert small == large
    assert small == PINNED
