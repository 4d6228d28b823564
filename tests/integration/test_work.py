"""The consultant's pages (issue #5): scoping, actions with their refusals, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from cases import rules, selectors, services, views
from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import ApplicantKind, CandidateSource, CaseState, TermKind
from cases.models import Advice, Case, Decision, Objection, Person, SavedFilter
from cases.placement.models import Employment
from cases.terms.models import Term
from portal.permissions import can_see_application_content
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
    valid_bsn,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_consultant():
    return UserFactory(consultant=True)


def case_in(municipality, state, **kwargs):
    person = PersonFactory(municipality=municipality, **kwargs.pop("person", {}))
    return CaseFactory(person=person, state=state, **kwargs)


def search(client, url, term: str) -> str:
    """Search through the POST form; the term is kept in the session, never in the URL."""
    response = client.post(url, {"q": term})
    assert response.status_code == 302
    assert term not in response["Location"]
    return client.get(response["Location"]).content.decode()


def post_action(client, case, action, data):
    return client.post(
        views.action_url(case.pk, action),
        {f"{action}-{key}": value for key, value in data.items()},
    )


# -- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["work:dashboard", "work:case_list", "work:waiting_list", "work:application_create"]
)
def test_pages_need_a_municipal_role(client, name):
    sign_in(client, UserFactory(uwv_assessor=True))
    assert client.get(reverse(name)).status_code == 403
    citizen = UserFactory()
    client.force_login(citizen)
    assert client.get(reverse(name)).status_code == 403


def test_every_case_url_of_another_municipality_answers_404(client, municipality, other_consultant):
    from cases.urls import urlpatterns

    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    sign_in(client, other_consultant)
    case_patterns = [p for p in urlpatterns if "pk" in p.pattern.converters]
    assert len(case_patterns) >= 13  # the case page, its letter, documents and every action
    for pattern in case_patterns:
        kwargs = {"pk": case.pk}
        if "document_pk" in pattern.pattern.converters:
            kwargs["document_pk"] = 1
        url = reverse(f"work:{pattern.name}", kwargs=kwargs)
        assert client.get(url).status_code == 404, url
    response = post_action(client, case, "unavailable", {"reason": "illness"})
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT


def test_lists_and_exports_hold_only_the_own_municipality(client, municipality, other_consultant):
    own = case_in(municipality, CaseState.ADVICE_ISSUED)
    sign_in(client, other_consultant)
    foreign = case_in(other_consultant.municipality, CaseState.ADVICE_ISSUED)
    page = client.get(reverse("work:case_list")).content.decode()
    assert foreign.reference in page and own.reference not in page
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("work:export", args=[fmt]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert own.reference.encode() not in body
    csv_body = b"".join(client.get(reverse("work:export", args=["csv"])).streaming_content)
    assert foreign.reference.encode() in csv_body
    waiting = client.get(reverse("work:waiting_list")).content.decode()
    assert own.reference not in waiting


# -- work list ------------------------------------------------------------------------------


def test_work_list_filters_and_searches(signed_in, municipality, consultant):
    at_uwv = case_in(municipality, CaseState.WITH_UWV)
    decide = case_in(municipality, CaseState.ADVICE_ISSUED, person={"last_name": "Jansen"})
    decide.assignee = consultant
    decide.save(update_fields=["assignee"])
    url = reverse("work:case_list")

    page = signed_in.get(url, {"state": "at_uwv"}).content.decode()
    assert at_uwv.reference in page and decide.reference not in page
    page = search(signed_in, url, "jansen")
    assert decide.reference in page and at_uwv.reference not in page
    page = search(signed_in, url, decide.person.bsn)
    assert decide.reference in page and at_uwv.reference not in page
    page = search(signed_in, url, at_uwv.reference)
    assert at_uwv.reference in page and decide.reference not in page
    page = signed_in.get(url, {"assignee": "me"}).content.decode()
    assert decide.reference in page and at_uwv.reference not in page
    page = signed_in.get(url, {"term_state": "overdue"}).content.decode()
    # The factory's UWV term started 20 weeks ago: overdue; the decision term too.
    assert at_uwv.reference in page


@pytest.mark.parametrize("sort", ["oldest", "newest"])
def test_work_list_keyset_pages_cover_every_case_once(signed_in, municipality, sort):
    cases = [case_in(municipality, CaseState.AWAITING_PLACEMENT) for _ in range(60)]
    # Many cases changed status at the same moment: a page boundary falls among them.
    Case.objects.filter(pk__in=[c.pk for c in cases[10:50]]).update(
        state_since=timezone.now() - dt.timedelta(days=3)
    )
    seen, url, params = [], reverse("work:case_list"), {"sort": sort}
    for _page in range(5):
        response = signed_in.get(url, params)
        rows = response.context["page"].rows
        seen += [row.pk for row in rows]
        if not response.context["page"].next_cursor:
            break
        params = {"sort": sort, "after": response.context["page"].next_cursor}
    assert sorted(seen) == sorted(c.pk for c in cases)
    assert len(seen) == len(set(seen)) == 60
    ordered = Case.objects.filter(pk__in=seen).order_by(
        *(("-state_since", "-id") if sort == "newest" else ("state_since", "id"))
    )
    assert seen == list(ordered.values_list("pk", flat=True))


def test_work_list_rows_show_name_status_term_and_case_handler(signed_in, municipality):
    named = UserFactory(
        consultant=True, municipality=municipality, first_name="Anna", last_name="de Wit"
    )
    unnamed = UserFactory(consultant=True, municipality=municipality, first_name="", last_name="")
    with_uwv = case_in(
        municipality, CaseState.WITH_UWV, assignee=named, person={"first_name": "Piet"}
    )
    waiting = case_in(municipality, CaseState.AWAITING_PLACEMENT, assignee=unnamed)
    nobody = case_in(municipality, CaseState.ADVICE_ISSUED)
    end_on = Term.objects.get(case=with_uwv, kind=TermKind.UWV_ADVICE).end_on

    html = signed_in.get(reverse("work:case_list")).content.decode()

    def row(case) -> str:
        return re.search(rf"<tr>\s*<td[^>]*><a [^>]*>{case.reference}</a>.*?</tr>", html, re.S)[0]

    rows = {case.reference: row(case) for case in (with_uwv, waiting, nobody)}
    assert f'href="{reverse("work:case_detail", args=[with_uwv.pk])}"' in rows[with_uwv.reference]
    assert f"Piet {with_uwv.person.last_name}" in rows[with_uwv.reference]
    assert "In onderzoek bij UWV" in rows[with_uwv.reference]
    with translation.override("nl"):
        assert date_filter(end_on, "j F Y") in rows[with_uwv.reference]
    assert "Anna de Wit" in rows[with_uwv.reference]
    assert unnamed.email in rows[waiting.reference]  # no name: the e-mail address
    assert re.search(r"<td>–</td>\s*</tr>$", rows[nobody.reference])


def test_work_list_rows_show_since_when_and_the_terms_state(signed_in, municipality):
    case = case_in(municipality, CaseState.WITH_UWV)  # its UWV term ended weeks ago
    since = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    Case.objects.filter(pk=case.pk).update(state_since=since)
    html = signed_in.get(reverse("work:case_list")).content.decode()
    row = re.search(rf"<tr>\s*<td[^>]*><a [^>]*>{case.reference}</a>.*?</tr>", html, re.S)[0]
    assert "<td>2 maart 2026</td>" in row  # local time: already the next day
    assert 'class="term-status term-status--overdue"' in row and "(verlopen)" in row


def test_the_work_list_follows_the_language_and_its_links_the_filter(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    filtered = signed_in.get(reverse("work:case_list"), {"state": "employed"}).content.decode()
    assert case.reference not in filtered
    assert reverse("work:export", args=["csv"]) + "?state=employed" in filtered
    signed_in.cookies["django_language"] = "en"
    english = signed_in.get(reverse("work:case_list")).content.decode()
    assert "Download this list as CSV" in english and case.reference in english


def test_saved_filter_is_kept_per_consultant(signed_in, consultant):
    # The list is cached before the filter exists: saving it must show it at once.
    assert "Te beslissen" not in signed_in.get(reverse("work:case_list")).content.decode()
    response = signed_in.post(
        reverse("work:save_filter"), {"name": "Te beslissen", "query": "state=advice_issued"}
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(owner=consultant)
    assert saved.query == "state=advice_issued"
    page = signed_in.get(reverse("work:case_list")).content.decode()
    assert "Te beslissen" in page and "?state=advice_issued" in page
    # Changed or deleted anywhere (here: not through a page), the list follows.
    saved.query = "state=employed"
    saved.save()
    assert "?state=employed" in signed_in.get(reverse("work:case_list")).content.decode()
    saved.delete()
    assert "Te beslissen" not in signed_in.get(reverse("work:case_list")).content.decode()


def test_saved_filters_are_not_shown_to_a_colleague(signed_in, consultant, municipality):
    from django.test import Client

    SavedFilter.objects.create(owner=consultant, name="Alleen van mij", query="state=employed")
    colleague = Client()
    sign_in(colleague, UserFactory(consultant=True, municipality=municipality))
    page = colleague.get(reverse("work:case_list")).content.decode()
    assert "Alleen van mij" not in page


def test_export_neutralises_formulas(signed_in, municipality):
    case_in(
        municipality,
        CaseState.ADVICE_ISSUED,
        person={"first_name": "=HYPERLINK(1)", "last_name": "@SUM"},
    )
    response = signed_in.get(reverse("work:export", args=["csv"]))
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[1][1] == "'=HYPERLINK(1) @SUM"

    from openpyxl import load_workbook

    response = signed_in.get(reverse("work:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "'=HYPERLINK(1) @SUM"
    assert sheet.cell(row=2, column=2).data_type == "s"


# -- case page: direct applications ---------------------------------------------------------


def test_content_rule_for_direct_applications():
    consultant = UserFactory.build(role="consultant")
    consultant.is_active = True
    assert not can_see_application_content(consultant, is_direct=True, advice_issued=False)
    assert can_see_application_content(consultant, is_direct=True, advice_issued=True)
    assert can_see_application_content(consultant, is_direct=False, advice_issued=False)
    assessor = UserFactory.build(role="uwv_assessor")
    assert can_see_application_content(assessor, is_direct=True, advice_issued=False)
    citizen = UserFactory.build(role="citizen")
    assert not can_see_application_content(citizen, is_direct=False, advice_issued=True)


def test_case_page_hides_the_content_of_a_direct_application_until_the_advice(
    signed_in, municipality
):
    case = case_in(municipality, CaseState.WITH_UWV)
    assert case.application.applicant_kind == ApplicantKind.PERSON
    page = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert "Begeleiding op de werkvloer." not in page
    assert 'data-testid="content-hidden"' in page

    advised = case_in(municipality, CaseState.ADVICE_ISSUED)
    page = signed_in.get(reverse("work:case_detail", args=[advised.pk])).content.decode()
    assert "Begeleiding op de werkvloer." in page


def test_the_source_of_a_direct_application_waits_for_the_advice_too(signed_in, municipality):
    """The candidate source (a care or mental-health organisation, say) is the application's
    content: not on the page, in the filters or in the export before UWV advised."""
    waiting = case_in(municipality, CaseState.WITH_UWV)
    advised = case_in(municipality, CaseState.ADVICE_ISSUED)
    by_college = case_in(municipality, CaseState.WITH_UWV)
    by_college.application.applicant_kind = ApplicantKind.MUNICIPALITY
    by_college.application.preselection_done_on = timezone.localdate() - dt.timedelta(days=30)
    by_college.application.save()
    for case in (waiting, advised, by_college):
        case.application.source = CandidateSource.CARE
        case.application.save()
    label = "GGZ- of zorginstelling"

    def page(case):
        return signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()

    assert label not in page(waiting)
    assert label in page(advised) and label in page(by_college)
    listed = signed_in.get(reverse("work:case_list") + "?source=care").content.decode()
    assert advised.reference in listed and by_college.reference in listed
    assert waiting.reference not in listed
    body = b"".join(signed_in.get(reverse("work:export", args=["csv"])).streaming_content)
    rows = {row[0]: row for row in csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")}
    assert rows[waiting.reference][5] == ""
    assert rows[advised.reference][5] == rows[by_college.reference][5] == label
    # the rule on one case and as a condition on cases say the same
    for case in (waiting, advised, by_college):
        case = Case.objects.get(pk=case.pk)
        in_query = Case.objects.filter(selectors.municipality_sees_content_q(), pk=case.pk)
        assert selectors.municipality_sees_content(case) == in_query.exists()


# -- case page: actions ---------------------------------------------------------------------


def test_decision_follows_the_advice_and_a_second_is_refused(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    Advice.objects.filter(case=case).update(outcome="positive", needs_supervision=True)
    response = post_action(signed_in, case, "decide", {"positive": "yes"})
    assert response.status_code == 302
    decision = Decision.objects.get(case=case)
    assert decision.positive and decision.follows_advice
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT
    assert AuditEntry.objects.filter(
        action="record_decision", object_id=str(case.pk), result="ok"
    ).exists()

    response = post_action(signed_in, case, "decide", {"positive": "yes"})
    assert response.status_code == 400
    assert "Er is al een besluit" in response.content.decode()
    assert Decision.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.filter(
        action="record_decision", object_id=str(case.pk), result="refused"
    ).exists()


def test_deviation_without_reason_is_refused_in_dutch(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)  # negative advice
    assert case.advice.outcome == "negative"
    response = post_action(signed_in, case, "decide", {"positive": "yes", "deviation_reason": " "})
    assert response.status_code == 400
    assert "wijkt af van het advies" in response.content.decode()
    assert not Decision.objects.filter(case=case).exists()

    response = post_action(
        signed_in, case, "decide", {"positive": "yes", "deviation_reason": "Advies onzorgvuldig."}
    )
    assert response.status_code == 302
    assert not Decision.objects.get(case=case).follows_advice


def placement(**overrides):
    data = {
        "employer_name": "SOB De Werkplaats",
        "workplace_kind": "social_enterprise",
        "hours_per_week": "25",
        "start_on": timezone.localdate().isoformat(),
        "contract_kind": "indefinite",
        "agreed_wage": "2600",
        "agreed_wage_per_hour": "month",
        "wage_value_pct": "40",
    }
    return data | overrides


@pytest.mark.parametrize("hours", ["0", "-3", "60.5", "61"])
def test_placement_hours_out_of_range_are_refused(signed_in, municipality, hours):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    response = post_action(signed_in, case, "place", placement(hours_per_week=hours))
    assert response.status_code == 400
    assert "meer dan 0 en hoogstens 60 uur" in response.content.decode()
    assert not Employment.objects.filter(case=case).exists()


def test_a_job_of_42_hours_is_placed_from_the_page(signed_in, municipality):
    """Kennisdocument vraag 15: no maximum size of the contract; the page says the bound."""
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    page = signed_in.get(reverse("work:case_place", args=[case.pk])).content.decode()
    assert "hoogstens 60, het maximum van de Arbeidstijdenwet" in page
    response = post_action(
        signed_in, case, "place", placement(hours_per_week="42", agreed_wage="3000")
    )
    assert response.status_code == 302, response.content.decode()
    assert Employment.objects.get(case=case).hours_per_week == Decimal(42)


def test_place_and_end_the_employment(signed_in, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    response = post_action(signed_in, case, "place", placement())
    assert response.status_code == 302
    job = Employment.objects.get(case=case)
    assert job.hours_per_week == Decimal(25)
    assert job.max_monthly_subsidy is not None  # wage value 40% -> 60% of WML
    assert Case.objects.get(pk=case.pk).state == CaseState.EMPLOYED

    before = (job.start_on - dt.timedelta(days=1)).isoformat()
    response = post_action(signed_in, case, "end_employment", {"end_on": before, "reason": "x"})
    assert response.status_code == 400
    assert "einddatum kan niet voor de begindatum" in response.content.decode()
    assert Employment.objects.get(pk=job.pk).end_on is None

    response = post_action(
        signed_in,
        case,
        "end_employment",
        {"end_on": job.start_on.isoformat(), "reason": "Contract afgelopen"},
    )
    assert response.status_code == 302
    assert Employment.objects.get(pk=job.pk).end_on == job.start_on
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT


def test_placement_beyond_capacity_is_blocked(signed_in, municipality):
    municipality.quotas.update(places=1)
    case_in(municipality, CaseState.EMPLOYED)  # 31 hours = 1 place: the quota is full
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    response = post_action(signed_in, case, "place", placement())
    assert response.status_code == 400
    assert "Er is geen plek meer" in response.content.decode()
    assert not Employment.objects.filter(case=case).exists()


def test_unavailable_and_available_again(signed_in, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    assert (
        post_action(
            signed_in,
            case,
            "unavailable",
            {"reason": "illness", "from_on": timezone.localdate().isoformat()},
        ).status_code
        == 302
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.UNAVAILABLE
    assert (
        post_action(
            signed_in, case, "available", {"on": timezone.localdate().isoformat()}
        ).status_code
        == 302
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT


def test_a_job_still_to_start_can_be_called_off_from_the_case_page(signed_in, municipality):
    case = case_in(municipality, CaseState.EMPLOYED)
    job = Employment.objects.get(case=case)
    page_url = reverse("work:case_detail", args=[case.pk])
    cancel_url = reverse("work:case_cancel_employment", args=[case.pk])
    # a job that has started is ended, not called off
    Employment.objects.filter(pk=job.pk).update(start_on=timezone.localdate())
    assert cancel_url not in signed_in.get(page_url).content.decode()
    assert signed_in.get(cancel_url).status_code == 404
    assert (
        post_action(signed_in, case, "cancel_employment", {"reason": "Toch niet."}).status_code
        == 400
    )
    assert Employment.objects.filter(pk=job.pk).exists()

    Employment.objects.filter(pk=job.pk).update(start_on=timezone.localdate() + dt.timedelta(30))
    assert cancel_url in signed_in.get(page_url).content.decode()
    assert post_action(signed_in, case, "cancel_employment", {"reason": ""}).status_code == 400
    response = post_action(
        signed_in, case, "cancel_employment", {"reason": "De werkgever trekt zich terug."}
    )

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT
    assert not Employment.objects.filter(pk=job.pk).exists()
    history = signed_in.get(page_url).content.decode()
    assert "Baan gaat niet door" in history and "De werkgever trekt zich terug." in history


def test_while_unavailable_the_case_pauses_and_its_placement_signal_with_it(
    signed_in, municipality
):
    """§4.4: the case pauses and keeps its turn: no "still unplaced" signal while the person
    cannot be placed; the signal date moves on by the days they were unavailable."""
    from cases.notifications import dispatch
    from cases.notifications.models import Notification, NotificationKind

    today = timezone.localdate()
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    Term.objects.create(
        case=case,
        kind=TermKind.PLACEMENT,
        starts_on=today - dt.timedelta(days=100),
        weeks=None,
        end_on=today - dt.timedelta(days=5),  # signalled 5 days ago
    )
    since = today - dt.timedelta(days=10)
    post_action(signed_in, case, "unavailable", {"reason": "illness", "from_on": since.isoformat()})

    dispatch.sweep(today)

    signals = Notification.objects.filter(case=case, kind=NotificationKind.PLACEMENT_SIGNAL)
    assert not signals.exists()
    post_action(signed_in, case, "available", {"on": today.isoformat()})
    signal = Term.objects.get(case=case, kind=TermKind.PLACEMENT)
    assert signal.suspended_since is None
    assert signal.end_on == today + dt.timedelta(days=5)  # 10 days later than before
    assert list(signal.events.values_list("kind", "on")) == [
        ("suspended", since),
        ("resumed", today),
    ]


def test_objection_and_its_outcome(signed_in, municipality):
    case = case_in(municipality, CaseState.REJECTED)
    response = post_action(
        signed_in,
        case,
        "object",
        {"filed_on": timezone.localdate().isoformat(), "grounds": "Niet eens."},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.OBJECTION
    assert case.advice.outcome == "negative"
    form = signed_in.get(views.action_url(case.pk, "decide_objection")).content.decode()
    assert 'name="decide_objection-deviation_reason"' in form
    # §3.2: upheld against a refusal on a negative advice, the person becomes eligible against
    # the advice: only with a recorded reason
    response = post_action(signed_in, case, "decide_objection", {"outcome": "granted"})
    assert response.status_code == 400
    assert "Leg de reden vast" in response.content.decode()
    assert Objection.objects.get(case=case).outcome == "pending"
    response = post_action(
        signed_in,
        case,
        "decide_objection",
        {"outcome": "granted", "deviation_reason": "Het advies is niet zorgvuldig onderzocht."},
    )
    assert response.status_code == 302
    assert Objection.objects.get(case=case).outcome == "granted"
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT
    page = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert "Het advies is niet zorgvuldig onderzocht." in page


def test_a_dismissed_objection_needs_no_reason_for_deviating(signed_in, municipality):
    case = case_in(municipality, CaseState.OBJECTION)
    response = post_action(signed_in, case, "decide_objection", {"outcome": "dismissed"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.REJECTED


def test_assign_only_to_a_colleague(signed_in, municipality, other_consultant):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    colleague = UserFactory(consultant=True, municipality=municipality)
    assert post_action(signed_in, case, "assign", {"assignee": colleague.pk}).status_code == 302
    assert Case.objects.get(pk=case.pk).assignee == colleague
    response = post_action(signed_in, case, "assign", {"assignee": other_consultant.pk})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).assignee == colleague


def test_the_case_history_dates_each_event_as_django_writes_it(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    moments = [
        dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),  # 01:30 in winter time, then summer
        dt.datetime(2026, 12, 31, 23, 5, 7, 1234, tzinfo=dt.UTC),  # already next year here
    ]
    for moment in moments:
        event = CaseEvent.objects.create(case=case, action="assigned")
        CaseEvent.objects.filter(pk=event.pk).update(at=moment)
    page = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    with translation.override("nl"):
        for moment in moments:
            local = timezone.localtime(moment)
            expected = (
                f'<time datetime="{local:%Y-%m-%dT%H:%M:%S%z}">'
                f"{date_filter(local, 'j F Y H:i')}</time>"
            )
            assert expected in page
    # HTML allows at most three digits of a second: whole seconds, never microseconds.
    stamps = re.findall(r'<time datetime="([^"]+)"', page)
    assert stamps and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", s) for s in stamps
    ), stamps


def case_handler_shown(client, case) -> str:
    page = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    return re.search(r"<dt>Behandelaar</dt><dd>(.*?)</dd>", page)[1]


def test_the_case_page_names_the_case_handler(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    assert case_handler_shown(signed_in, case) == "Niemand"
    colleague = UserFactory(
        consultant=True, municipality=municipality, first_name="Bea", last_name="Bakker"
    )
    assert post_action(signed_in, case, "assign", {"assignee": colleague.pk}).status_code == 302
    assert case_handler_shown(signed_in, case) == "Bea Bakker"
    colleague.last_name = "de Boer"
    colleague.save()
    assert case_handler_shown(signed_in, case) == "Bea de Boer"
    # No longer an active colleague (not in the cached list): still named, from the database.
    colleague.is_active = False
    colleague.save()
    assert case_handler_shown(signed_in, case) == "Bea de Boer"


def test_move_with_the_job_ending_hands_the_case_to_the_new_municipality(signed_in, municipality):
    case = case_in(municipality, CaseState.EMPLOYED)
    today = timezone.localdate()
    # a fixed-term contract: its end is watched while the job runs (§6.1)
    Term.objects.create(
        case=case,
        kind=TermKind.CONTRACT_END,
        starts_on=today - dt.timedelta(days=30),
        weeks=None,
        end_on=today + dt.timedelta(days=90),
    )
    new = MunicipalityFactory()
    response = post_action(
        signed_in,
        case,
        "move",
        {"new_municipality": new.pk, "moved_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.municipality == new and case.state == CaseState.AWAITING_PLACEMENT
    assert case.employments.get().end_on == timezone.localdate()
    open_terms = Term.objects.filter(case=case, met_on__isnull=True)
    # the new municipality is signalled for the new place, not for the old job's contract end
    assert list(open_terms.values_list("kind", flat=True)) == [TermKind.PLACEMENT]


def test_move_keeping_the_job_keeps_the_paying_municipality(signed_in, municipality):
    case = case_in(municipality, CaseState.EMPLOYED)
    new = MunicipalityFactory()
    response = post_action(
        signed_in,
        case,
        "move",
        {
            "new_municipality": new.pk,
            "moved_on": timezone.localdate().isoformat(),
            "employment_continues": "on",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.municipality == municipality and case.state == CaseState.EMPLOYED
    assert case.person.municipality == new
    assert case.employments.get().municipality == municipality


def college_application(client, bsn: str, **fields):
    """The college's application form sent for ``bsn`` (valid answers, ``fields`` changed)."""
    return client.post(
        reverse("work:application_create"),
        {
            "bsn": bsn,
            "first_name": "Noor",
            "last_name": "Visser",
            "birth_date": "2001-05-01",
            "benefit_kind": "participatiewet",
            "source": "school",
            "preselection_done_on": timezone.localdate().isoformat(),
            "preselection_notes": "Voorselectie.",
            **fields,
        },
    )


def test_college_applies_after_preselection(signed_in, municipality):
    response = college_application(
        signed_in,
        valid_bsn(4242),
        preselection_notes="Kan 4 uur per dag werken.",
        letter_street="Molenweg 3",
        letter_postcode="1234ab",
        letter_city="Testdorp",
    )
    assert response.status_code == 302
    case = Case.objects.get(person__bsn=valid_bsn(4242))
    assert case.municipality == municipality and case.state == CaseState.SUBMITTED
    assert case.application.applicant_kind == ApplicantKind.MUNICIPALITY
    assert case.application.letter_postcode == "1234 AB"  # for the decision letter
    assert Term.objects.filter(case=case, kind=TermKind.UWV_ADVICE).exists()


def test_a_college_application_does_not_tell_whether_a_bsn_is_on_file_elsewhere(
    signed_in, municipality
):
    """A file in another municipality is that municipality's data, and tells of a disability:
    the consultant gets the same answer as for a BSN nobody has. Their resident is registered
    as a possible duplicate of that person; the other file gets nothing."""
    elsewhere = PersonFactory(last_name="Op-Dossier-Elders")

    def apply(bsn):
        return college_application(signed_in, bsn)

    on_file, unknown = apply(elsewhere.bsn), apply(valid_bsn(4343))

    assert on_file.status_code == unknown.status_code == 302
    case = Case.objects.get(person__bsn=elsewhere.bsn, municipality=municipality)
    assert case.person.duplicate_of == elsewhere and case.person.municipality == municipality
    assert not Case.objects.filter(person=elsewhere).exists()
    page = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert elsewhere.last_name not in page and "Mogelijk dezelfde persoon" not in page
    # a later application for the same resident joins the same file
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    assert apply(elsewhere.bsn).status_code == 302
    assert Person.objects.filter(bsn=elsewhere.bsn, municipality=municipality).count() == 1


def test_college_application_for_a_15_year_old_is_sent_with_a_notice_in_staff_wording(
    signed_in,
):
    # 004, "Leeftijdsgrens": no age limit for applying; staff are told about school and work
    birth = timezone.localdate() - dt.timedelta(days=15 * 366)
    response = college_application(
        signed_in,
        valid_bsn(4243),
        first_name="Jip",
        last_name="Jong",
        birth_date=birth.isoformat(),
        benefit_kind="none",
    )
    case = Case.objects.get(person__bsn=valid_bsn(4243))
    assert response.status_code == 302
    assert case.state == CaseState.SUBMITTED
    html = signed_in.get(response.url).content.decode()
    assert "De persoon is jonger dan 16 jaar" in html and "beschikbaar" in html
    assert "U bent" not in html


def test_services_refuse_a_decision_without_advice(consultant, municipality):
    case = case_in(municipality, CaseState.WITH_UWV)
    with pytest.raises(Exception):  # noqa: B017 - ValidationError from the service
        services.record_decision(case_id=case.pk, positive=True, actor=consultant)
    assert not Advice.objects.filter(case=case).exists()


def test_decision_letter_downloads_as_pdf_only_for_the_own_municipality(
    signed_in, municipality, client, other_consultant
):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    response = signed_in.get(reverse("work:decision_letter", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert reverse("work:decision_letter", args=[case.pk]) in page

    sign_in(client, other_consultant)
    assert client.get(reverse("work:decision_letter", args=[case.pk])).status_code == 404


def test_no_letter_before_a_decision(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    assert signed_in.get(reverse("work:decision_letter", args=[case.pk])).status_code == 404


def test_move_form_has_its_own_page(signed_in, municipality, other_consultant, client):
    case = case_in(municipality, CaseState.EMPLOYED)
    page = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert reverse("work:case_move", args=[case.pk]) in page
    response = signed_in.get(reverse("work:case_move", args=[case.pk]))
    assert response.status_code == 200
    assert f'action="{reverse("work:case_move", args=[case.pk])}"' in (response.content.decode())
    decided = case_in(municipality, CaseState.ADVICE_ISSUED)
    assert signed_in.get(reverse("work:case_move", args=[decided.pk])).status_code == 404
    sign_in(client, other_consultant)
    assert client.get(reverse("work:case_move", args=[case.pk])).status_code == 404


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        (CaseState.ADVICE_ISSUED, ["decide", "assign"]),
        (
            CaseState.AWAITING_PLACEMENT,
            [
                "place",
                "refuse_place",
                "provision",
                "unavailable",
                "priority",
                "council_position",
                "request_advice",
                "assign",
                "move",
            ],
        ),
        (
            CaseState.UNAVAILABLE,
            [
                "available",
                "provision",
                "priority",
                "council_position",
                "request_advice",
                "assign",
                "move",
            ],
        ),
        (CaseState.EMPLOYED, ["end_employment", "provision", "request_advice", "assign", "move"]),
        (CaseState.JOBS_AGREEMENT, ["fall_back", "assign"]),
        (CaseState.CLOSED, ["request_advice"]),
    ],
)
def test_each_action_has_a_page_of_its_own_where_the_state_allows_it(
    signed_in, municipality, consultant, other_consultant, client, state, allowed
):
    case = case_in(municipality, state)
    if Decision.objects.filter(case=case).exists():
        allowed = [*allowed, "object"]  # against the decision, whatever the state
    page = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    for action in rules.CaseAction:
        url = views.action_url(case.pk, action)
        response = signed_in.get(url)
        if action in allowed:
            assert f'href="{url}"' in page, action
            assert response.status_code == 200, action
            html = response.content.decode()
            assert f'action="{url}"' in html
            assert f'name="{action}-' in html and case.person.last_name in html
        else:
            assert f'href="{url}"' not in page, action
            assert response.status_code == 404, action
    views_before = AuditEntry.objects.filter(actor=consultant, action="view_personal_data").count()
    assert views_before == 1 + len(allowed)  # the case page and each action page
    sign_in(client, other_consultant)
    for action in allowed:
        assert client.get(views.action_url(case.pk, action)).status_code == 404


def test_the_decision_page_shows_the_advice_it_decides_on(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    Advice.objects.update_or_create(
        case=case,
        defaults={
            "outcome": "positive",
            "issued_on": dt.date(2026, 3, 2),
            "reasons": "Toezicht nodig.",
            "needs_supervision": True,
            "assessor": UserFactory(uwv_assessor=True),
        },
    )
    html = signed_in.get(reverse("work:case_decide", args=[case.pk])).content.decode()
    assert "Advies van UWV" in html and "2 maart 2026" in html


def test_dashboard_counts_link_to_lists_and_show_the_key_figures(client):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        municipality = MunicipalityFactory()
        VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
        YearlyQuotaFactory(municipality=municipality, year=2026, places=3)
        sign_in(client, UserFactory(consultant=True, municipality=municipality))
        case_in(municipality, CaseState.EMPLOYED)
        case_in(municipality, CaseState.WITH_UWV)
        case_in(municipality, CaseState.ADVICE_ISSUED)
        case_in(municipality, CaseState.AWAITING_PLACEMENT)
        case_in(MunicipalityFactory(), CaseState.ADVICE_ISSUED)  # not counted: elsewhere
        response = client.get(reverse("work:dashboard"))
    counts = response.context["counts"]
    assert counts["at_uwv"] == 1 and counts["uwv_overdue"] == 1
    assert counts["decisions_due"] == 1 and counts["employed"] == 1
    summary = response.context["summary"]
    assert summary.obliged == 1 and summary.persons_employed == 1
    assert summary.realised_places == Decimal("1.00")
    # advice 14 weeks ago, job started 2 weeks ago (see the factory): 84 days.
    assert response.context["average_days"] == Decimal("84.0")
    page = response.content.decode()
    assert "?state=advice_issued" in page and "?state=at_uwv&amp;term_state=overdue" in page


def test_dashboard_figures_come_from_the_cache_until_something_changes(
    signed_in, municipality, django_assert_max_num_queries
):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    first = signed_in.get(reverse("work:dashboard"))
    assert first.context["counts"]["unavailable"] == 0
    assert first.context["summary"].obliged == 1
    with django_assert_max_num_queries(3):  # session, user, municipality name: no counting
        again = signed_in.get(reverse("work:dashboard"))
    assert again.context["computed_at"] == first.context["computed_at"]

    # A legal step through the page: the next dashboard counts again, at once.
    response = post_action(
        signed_in,
        case,
        "unavailable",
        {"reason": "illness", "from_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    after = signed_in.get(reverse("work:dashboard"))
    assert after.context["counts"]["unavailable"] == 1
    assert after.context["summary"].obliged == 0 and after.context["summary"].unavailable == 1
    assert "Stand van" in after.content.decode()

    # A new job saved elsewhere (any save, not only through a page) counts too.
    case_in(municipality, CaseState.EMPLOYED)
    assert signed_in.get(reverse("work:dashboard")).context["counts"]["employed"] == 1


def test_a_change_in_another_municipality_keeps_the_cached_figures(signed_in, municipality):
    case_in(municipality, CaseState.ADVICE_ISSUED)
    first = signed_in.get(reverse("work:dashboard"))
    case_in(MunicipalityFactory(), CaseState.ADVICE_ISSUED)
    again = signed_in.get(reverse("work:dashboard"))
    assert again.context["computed_at"] == first.context["computed_at"]
    assert again.context["counts"]["decisions_due"] == 1


def test_a_move_recounts_the_figures_of_the_municipality_left_behind(client, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    sign_in(client, UserFactory(consultant=True, municipality=municipality))
    assert client.get(reverse("work:dashboard")).context["summary"].obliged == 1
    services.record_move(
        case_id=case.pk,
        new_municipality_id=MunicipalityFactory().pk,
        moved_on=timezone.localdate(),
        actor=UserFactory(consultant=True, municipality=municipality),
        employment_continues=False,
    )
    assert client.get(reverse("work:dashboard")).context["summary"].obliged == 0


def test_work_list_shows_open_objections(signed_in, municipality):
    objection = case_in(municipality, CaseState.OBJECTION)
    other = case_in(municipality, CaseState.REJECTED)
    page = signed_in.get(reverse("work:case_list"), {"state": "objection_open"})
    assert [row.pk for row in page.context["page"].rows] == [objection.pk]
    assert other.reference not in page.content.decode()


def test_a_bsn_searched_for_never_appears_in_a_url(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    url = reverse("work:case_list") + "?state=advice_issued"
    response = signed_in.post(url, {"q": case.person.bsn})
    assert response.status_code == 302
    assert case.person.bsn not in response["Location"]
    assert "state=advice_issued" in response["Location"]
    page = signed_in.get(response["Location"])
    assert [row.pk for row in page.context["page"].rows] == [case.pk]
    html = page.content.decode()
    assert f"?{case.person.bsn}" not in html and f"={case.person.bsn}" not in html
    export = signed_in.get(reverse("work:export", args=["csv"]) + "?zoek=1")
    assert case.reference.encode() in b"".join(export.streaming_content)


def test_viewing_a_case_is_audited_without_personal_data(client):
    from cases.audit.models import AuditEntry
    from cases.choices import CaseState as _State
    from tests.factories import CaseFactory as _CaseFactory
    from tests.factories import UserFactory as _UserFactory

    case = _CaseFactory(state=_State.AWAITING_PLACEMENT)
    consultant = _UserFactory(consultant=True, municipality=case.municipality)
    client.force_login(consultant)
    session = client.session
    session["portal_staff_mfa_ok"] = True
    session.save()

    assert client.get(reverse("work:case_detail", args=[case.pk])).status_code == 200

    entry = AuditEntry.objects.get(action="view_personal_data")
    assert (entry.actor_id, entry.object_id, entry.result) == (consultant.pk, str(case.pk), "ok")
    assert case.person.bsn not in " ".join(
        str(v)
        for v in AuditEntry.objects.values_list(
            "actor_label", "object_id", "origin", "message"
        ).get(pk=entry.pk)
    )


def test_placement_offers_the_municipalitys_own_employers(signed_in, municipality):
    from municipalities.models import Employer
    from tests.factories import MunicipalityFactory

    own = Employer.objects.create(
        municipality=municipality, name="Werkbedrijf Noord", kind="social_enterprise"
    )
    foreign = Employer.objects.create(
        municipality=MunicipalityFactory(), name="Elders BV", kind="regular_direct"
    )
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)

    page = signed_in.get(reverse("work:case_place", args=[case.pk])).content.decode()
    assert "Werkbedrijf Noord" in page
    assert "Elders BV" not in page

    data = {**placement(), "employer": foreign.pk, "employer_name": "", "workplace_kind": ""}
    assert post_action(signed_in, case, "place", data).status_code == 400
    assert not Employment.objects.filter(case=case).exists()

    data = {**placement(), "employer": own.pk, "employer_name": "", "workplace_kind": ""}
    assert post_action(signed_in, case, "place", data).status_code == 302
    job = Employment.objects.get(case=case)
    assert (job.employer_name, job.workplace_kind) == ("Werkbedrijf Noord", "social_enterprise")


def test_placement_without_any_employer_is_refused_in_dutch(signed_in, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)

    data = {**placement(), "employer_name": "", "workplace_kind": ""}
    response = post_action(signed_in, case, "place", data)

    assert response.status_code == 400
    assert "Kies een werkgever uit de lijst" in response.content.decode()
    assert not Employment.objects.filter(case=case).exists()


# -- the forms of the work list and the action pages ------------------------------------------


def selected_option(html: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)[0]
    match = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return match[1] if match else None


def test_a_new_colleague_is_in_the_work_list_filter_at_once(signed_in, municipality):
    first = signed_in.get(reverse("work:case_list")).content.decode()
    signed_in.get(reverse("work:case_list"))  # from the cache now
    colleague = UserFactory(
        consultant=True, municipality=municipality, first_name="Nieuwe", last_name="Collega"
    )
    page = signed_in.get(reverse("work:case_list")).content.decode()
    assert "Nieuwe Collega" not in first
    assert f'<option value="{colleague.pk}">Nieuwe Collega</option>' in page


def test_a_renamed_or_departed_colleague_changes_the_filter_at_once(signed_in, municipality):
    colleague = UserFactory(
        consultant=True, municipality=municipality, first_name="Oude", last_name="Naam"
    )
    assert "Oude Naam" in signed_in.get(reverse("work:case_list")).content.decode()
    colleague.first_name = "Nieuwe"
    colleague.save()
    page = signed_in.get(reverse("work:case_list")).content.decode()
    assert "Nieuwe Naam" in page and "Oude Naam" not in page
    colleague.is_active = False
    colleague.save()
    assert "Nieuwe Naam" not in signed_in.get(reverse("work:case_list")).content.decode()


def test_the_filter_shows_what_was_asked_for(signed_in):
    plain = signed_in.get(reverse("work:case_list")).content.decode()
    employed = signed_in.get(reverse("work:case_list"), {"state": "employed"}).content.decode()
    again = signed_in.get(reverse("work:case_list")).content.decode()
    assert selected_option(plain, "state") == ""
    assert selected_option(employed, "state") == "employed"
    assert selected_option(again, "state") == ""


def test_the_assign_page_shows_the_current_case_handler(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    url = reverse("work:case_assign", args=[case.pk])
    assert selected_option(signed_in.get(url).content.decode(), "assign-assignee") == ""
    colleague = UserFactory(consultant=True, municipality=municipality)
    assert post_action(signed_in, case, "assign", {"assignee": colleague.pk}).status_code == 302
    page = signed_in.get(url).content.decode()
    assert selected_option(page, "assign-assignee") == str(colleague.pk)


def test_a_search_term_is_shown_in_its_form(signed_in, municipality):
    case = case_in(municipality, CaseState.ADVICE_ISSUED)
    html = search(signed_in, reverse("work:case_list"), case.person.bsn)
    assert f'value="{case.person.bsn}"' in html and case.reference in html
    assert case.person.bsn not in signed_in.get(reverse("work:case_list")).content.decode()


def test_a_refused_form_shows_what_was_typed(signed_in, municipality):
    case = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    assert post_action(signed_in, case, "place", placement()).status_code == 302
    start_on = case.employments.get().start_on
    typed = "Eigen tekst van de consulent 4711"
    response = post_action(
        signed_in,
        case,
        "end_employment",
        {"end_on": (start_on - dt.timedelta(days=1)).isoformat(), "reason": typed},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert typed in page and "einddatum kan niet voor de begindatum" in page
    # The next, unbound form is empty again.
    url = reverse("work:case_end_employment", args=[case.pk])
    page = signed_in.get(url).content.decode()
    assert typed not in page and 'name="end_employment-reason"' in page


# -- the next term the municipality must meet (issue #21) ----------------------------------


def open_term(case, kind, end_on):
    return Term.objects.create(
        case=case, kind=kind, starts_on=end_on - dt.timedelta(weeks=6), end_on=end_on
    )


def test_the_work_list_shows_the_municipalitys_next_term_not_the_persons_lapsed_one(
    signed_in, municipality
):
    today = timezone.localdate()
    lapsed = today - dt.timedelta(days=30)
    at_work = case_in(municipality, CaseState.EMPLOYED)
    refused = case_in(municipality, CaseState.REJECTED)
    waiting = case_in(municipality, CaseState.AWAITING_PLACEMENT)
    for case in (at_work, refused, waiting):
        open_term(case, TermKind.OBJECTION, lapsed)
    signal = open_term(waiting, TermKind.PLACEMENT, today + dt.timedelta(days=40))

    html = signed_in.get(reverse("work:case_list")).content.decode()

    def row(case) -> str:
        return re.search(rf"<tr>\s*<td[^>]*><a [^>]*>{case.reference}</a>.*?</tr>", html, re.S)[0]

    assert "verlopen" not in html and "term-status--overdue" not in html
    for case in (at_work, refused):
        assert "term-status" not in row(case)
    with translation.override("nl"):
        assert f"Signaal plaatsing: tot en met {date_filter(signal.end_on, 'j F Y')}" in row(
            waiting
        )
    overdue = signed_in.get(reverse("work:case_list"), {"term_state": "overdue"}).content.decode()
    assert not any(case.reference in overdue for case in (at_work, refused, waiting))


def test_a_lapsed_objection_term_has_ended_on_the_case_page_not_overdue(signed_in, municipality):
    case = case_in(municipality, CaseState.REJECTED)
    open_term(case, TermKind.OBJECTION, timezone.localdate() - dt.timedelta(days=3))
    html = signed_in.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert "Bezwaartermijn: tot en met" in html and "(afgelopen)" in html
    assert "verlopen" not in html and "term-status--overdue" not in html
