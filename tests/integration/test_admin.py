"""The Django admin for operators: every registered model opens, history is read-only,
a BSN is never listed, and the case list costs the same queries for 5 or 50 cases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.audit.models import AuditEntry, CaseEvent
from cases.audit.trail import write_entry
from cases.choices import CaseState
from cases.models import Appeal, Case, Objection
from cases.placement.models import AvailabilityPeriod, Employment
from cases.provisions.models import SupportProvision
from cases.terms.models import DecreeHoliday, Term, TermEvent
from municipalities.models import (
    ChainAgreement,
    Employer,
    QuotaChange,
    Verordening,
    YearlyQuota,
)
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

#: Records nobody may add, change or delete in the admin.
VIEW_ONLY = [
    CaseEvent,
    TermEvent,
    AuditEntry,
    Objection,
    AvailabilityPeriod,
    Employment,
    Term,
    QuotaChange,
]
HISTORY = [CaseEvent, TermEvent, AuditEntry, QuotaChange]


@pytest.fixture
def operator():
    return UserFactory(operator=True)


@pytest.fixture
def operator_client(client, operator):
    return sign_in(client, operator)


@pytest.fixture
def data(operator):
    """At least one row of every model the admin shows."""
    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=date(2020, 1, 1))
    YearlyQuotaFactory(municipality=municipality, year=2026)
    actor = UserFactory(uwv_assessor=True)
    cases = {
        state: CaseFactory(person__municipality=municipality, state=state, lifecycle__actor=actor)
        for state in CaseState
    }
    submitted = cases[CaseState.SUBMITTED]
    term = Term.objects.get(case=submitted)
    TermEvent.objects.create(
        term=term, kind=TermEvent.Kind.SUSPENDED, on=term.starts_on, actor=actor
    )
    CaseEvent.objects.create(
        case=submitted, actor=actor, action="application_submitted", to_state="submitted"
    )
    write_entry(
        action="submit_application",
        actor=actor,
        object_type="case",
        object_id=submitted.pk,
        result="ok",
    )
    QuotaChange.objects.create(
        municipality=municipality, year=2026, new_places=Decimal(10), source="manual"
    )
    Employer.objects.create(municipality=municipality, name="SW-bedrijf", kind="social_enterprise")
    ChainAgreement.objects.create(municipality=municipality, title="Ketenafspraak")
    SupportProvision.objects.create(
        case=cases[CaseState.EMPLOYED],
        kind="job_coach",
        starts_on=date(2026, 1, 5),
        provider="Jobcoach Noord",
        payer="municipality",
        recorded_by=actor,
    )
    objection = Objection.objects.get(case=cases[CaseState.OBJECTION])
    Appeal.objects.create(
        objection=objection, filed_on=objection.filed_on, court="Rechtbank", recorded_by=actor
    )
    return cases


def registered():
    return [
        pytest.param(model, id=f"{model._meta.app_label}.{model._meta.model_name}")
        for model in admin.site._registry
    ]


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", registered())
def test_an_operator_opens_every_registered_model(operator_client, data, model, rf, operator):
    request = rf.get("/")
    request.user = operator
    model_admin = admin.site._registry[model]

    assert operator_client.get(url(model, "changelist")).status_code == 200
    add = operator_client.get(url(model, "add")).status_code
    assert add == (200 if model_admin.has_add_permission(request) else 403)
    obj = model._default_manager.first()
    if obj is not None:
        assert operator_client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    "model", [pytest.param(m, id=m._meta.model_name) for m in [*VIEW_ONLY, Case]]
)
def test_read_only_models_refuse_add_and_change_posts(operator_client, data, model):
    obj = model._default_manager.first()
    before = model._default_manager.count()

    assert operator_client.post(url(model, "add"), {}).status_code == 403
    if model is not Case:
        assert operator_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert model._default_manager.count() == before


@pytest.mark.parametrize("model", [pytest.param(m, id=m._meta.model_name) for m in HISTORY])
def test_history_cannot_be_deleted(operator_client, data, model):
    obj = model._default_manager.first()

    response = operator_client.post(url(model, "delete", obj.pk), {"post": "yes"})

    assert response.status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()
    bulk = operator_client.post(
        url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_the_case_page_changes_only_the_assignee_never_the_state_or_the_order(
    operator_client, data, operator
):
    case = data[CaseState.AWAITING_PLACEMENT]
    page = operator_client.get(url(Case, "change", case.pk))
    assert page.status_code == 200
    # The inlines are shown, read-only.
    assert page.context["inline_admin_formsets"]
    for inline in page.context["inline_admin_formsets"]:
        assert not inline.has_change_permission
        assert not inline.has_add_permission

    response = operator_client.post(
        url(Case, "change", case.pk),
        {"priority_group": "on", "state": CaseState.CLOSED, "assignee": "", **_inline_management()},
    )

    assert response.status_code == 302, response.context and response.context.get("errors")
    case.refresh_from_db()
    # A priority group is set on the consultant's case page, with a reason (DOMAIN §4.5).
    assert not case.priority_group
    assert case.state == CaseState.AWAITING_PLACEMENT


def _inline_management():
    """Management forms of the (read-only) inlines on the case page."""
    data = {}
    for prefix in ("application", "advice", "decision", "employments", "terms"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "0",
            }
        )
    return data


def test_the_person_list_never_shows_a_bsn_but_finds_a_person_by_it(operator_client):
    person = PersonFactory(first_name="Bram", last_name="Bakker")
    other = PersonFactory(first_name="Cor", last_name="Cornelissen")

    listing = operator_client.get(url(person, "changelist"))
    found = operator_client.get(url(person, "changelist"), {"q": person.bsn})

    assert listing.status_code == 200
    assert "Bakker" in listing.content.decode()
    assert person.bsn not in listing.content.decode()
    assert other.bsn not in listing.content.decode()
    assert list(found.context["cl"].result_list) == [person]
    assert "bsn" not in found.context["cl"].list_display
    html = found.content.decode()
    start = html.index("<tbody>", html.index('id="result_list"'))
    results = html[start : html.index("</tbody>", start)]  # the rows, not the echoed search
    assert "Bakker" in results
    assert person.bsn not in results


def test_a_verordening_in_force_is_read_only_and_a_future_one_can_be_changed(operator_client):
    municipality = MunicipalityFactory()
    in_force = VerordeningFactory(municipality=municipality, in_force_from=date(2020, 1, 1))
    future = VerordeningFactory(
        municipality=municipality, in_force_from=timezone.localdate() + timedelta(days=30)
    )

    assert operator_client.post(url(Verordening, "change", in_force.pk), {}).status_code == 403
    assert (
        operator_client.post(url(Verordening, "delete", in_force.pk), {"post": "yes"}).status_code
        == 403
    )
    changing = operator_client.get(url(Verordening, "change", future.pk))
    assert changing.status_code == 200
    assert 'name="municipality"' not in changing.content.decode()  # it stays with its own
    response = operator_client.post(url(Verordening, "delete", future.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Verordening.objects.filter(pk=future.pk).exists()
    assert Verordening.objects.filter(pk=in_force.pk).exists()


def test_a_verordening_added_in_the_admin_is_held_to_the_same_rules_and_audited(
    operator_client,
):
    """§5: not in force in the past once there is a version (it would change how earlier
    cases were judged), discussed with the target group first: as on the municipality's own
    pages, through the same service."""
    import json

    from municipalities.models import default_provision_kinds

    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=date(2020, 1, 1))
    today = timezone.localdate()

    def add(in_force_from, discussed_on, version=None):
        return operator_client.post(
            url(Verordening, "change", version.pk) if version else url(Verordening, "add"),
            {
                "municipality": municipality.pk,
                "in_force_from": in_force_from.isoformat(),
                "discussed_with_target_group_on": discussed_on.isoformat(),
                "provisions": "Jobcoach en aangepaste werkplek.",
                "provisions_until_employment": "Training.",
                "provisions_while_waiting": "Dagbesteding.",
                "provision_kinds": json.dumps(default_provision_kinds()),
                "additional_places_per_year": 0,
                "ordering_rule": "positive_advice_date",
                "decision_term_weeks": 8,
                "advice_review_months": 24,
            },
        )

    past = add(today - timedelta(days=10), today - timedelta(days=40))
    late_talk = add(today + timedelta(days=30), today + timedelta(days=31))

    assert past.status_code == late_talk.status_code == 200
    assert "kan niet in het verleden ingaan" in past.content.decode()
    assert "met de doelgroep besproken zijn" in late_talk.content.decode()
    assert Verordening.objects.filter(municipality=municipality).count() == 1

    added = add(today + timedelta(days=30), today - timedelta(days=5))

    assert added.status_code == 302
    version = Verordening.objects.get(municipality=municipality, in_force_from__gt=today)
    entry = AuditEntry.objects.get(action="create_verordening", object_id=str(version.pk))
    assert entry.origin == "admin"
    moved = add(today + timedelta(days=40), today - timedelta(days=5), version=version)
    assert moved.status_code == 302
    version.refresh_from_db()
    assert version.in_force_from == today + timedelta(days=40)
    assert AuditEntry.objects.filter(
        action="update_verordening", object_id=str(version.pk), origin="admin"
    ).exists()


def test_a_quota_changed_in_the_admin_keeps_its_history_and_is_audited(operator_client, operator):
    municipality = MunicipalityFactory()

    response = operator_client.post(
        url(YearlyQuota, "add"), {"municipality": municipality.pk, "year": 2027, "places": "12"}
    )
    assert response.status_code == 302
    quota = YearlyQuota.objects.get(municipality=municipality, year=2027)
    response = operator_client.post(url(YearlyQuota, "change", quota.pk), {"places": "14.5"})
    assert response.status_code == 302
    refused = operator_client.post(url(YearlyQuota, "change", quota.pk), {"places": "0.5"})
    assert refused.status_code == 200  # the form shows the error: at least 1 place
    too_many = operator_client.post(url(YearlyQuota, "change", quota.pk), {"places": "500000"})
    assert too_many.status_code == 200  # the form shows the error: at most 100000 places
    assert too_many.context["adminform"].form.errors["places"]

    quota.refresh_from_db()
    assert quota.places == Decimal("14.50")
    assert list(
        QuotaChange.objects.filter(municipality=municipality)
        .order_by("changed_at", "pk")
        .values_list("old_places", "new_places", "changed_by")
    ) == [(None, Decimal(12), operator.pk), (Decimal(12), Decimal("14.5"), operator.pk)]
    assert AuditEntry.objects.filter(action="set_quota", actor=operator, result="ok").count() == 2


def test_the_case_list_costs_the_same_number_of_queries_for_5_and_50_cases(operator_client):
    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=date(2020, 1, 1))
    actor = UserFactory(uwv_assessor=True)
    assignee = UserFactory(consultant=True, municipality=municipality)
    states = list(CaseState)

    def make(n):
        for i in range(n):
            CaseFactory(
                person__municipality=municipality,
                state=states[i % len(states)],
                assignee=assignee if i % 2 else None,
                lifecycle=False,
            )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = operator_client.get(url(Case, "changelist"))
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    make(5)
    five, shown_five = count_queries()
    make(45)
    fifty, shown_fifty = count_queries()

    assert (shown_five, shown_fifty) == (5, 50)
    assert five == fifty == CASE_CHANGELIST_QUERIES
    assert actor  # a second staff user exists, as in production


#: The session, the user, the municipalities for the list filter, the
#: count for the paginator and the page of cases with person, municipality and assignee
#: joined in. No second count of all rows: ``show_full_result_count`` is off.
CASE_CHANGELIST_QUERIES = 5


def test_a_decree_day_added_or_removed_moves_the_running_terms_it_touches(
    operator_client, operator
):
    """§0: the operator adds the days of a new royal decree; a running term that ended on such a
    day now ends on the next working day (and back when the day is removed), told in the case's
    history and to the person. A term ending the day after is left alone."""
    from cases import rules
    from cases.choices import TermKind
    from cases.notifications.models import Notification, NotificationKind

    start = timezone.localdate() + timedelta(days=1 - timezone.localdate().weekday())  # a Tuesday
    while any(rules.is_non_working_day(start + timedelta(weeks=8, days=n)) for n in (0, 1)):
        start += timedelta(weeks=1)
    end = start + timedelta(weeks=8)
    citizen = UserFactory()
    touched = CaseFactory(state=CaseState.WITH_UWV, person=PersonFactory(account=citizen))
    untouched = CaseFactory(state=CaseState.WITH_UWV)
    for case, day in ((touched, start), (untouched, start + timedelta(days=1))):
        Term.objects.filter(case=case, kind=TermKind.UWV_ADVICE).update(
            starts_on=day, end_on=day + timedelta(weeks=8)
        )

    def ends():
        return {
            case: Term.objects.get(case=case, kind=TermKind.UWV_ADVICE).end_on
            for case in (touched, untouched)
        }

    added = operator_client.post(
        reverse("admin:cases_decreeholiday_add"),
        {"day": end.isoformat(), "description": "Bij besluit gelijkgesteld"},
        follow=True,
    )

    assert added.status_code == 200
    assert "Het einde van 1 lopende termijn is verschoven." in added.content.decode()
    assert ends() == {touched: end + timedelta(days=1), untouched: end + timedelta(days=1)}
    event = CaseEvent.objects.get(case=touched, action="term_end_moved")
    assert event.actor == operator and event.details["end_on"] == (end + timedelta(1)).isoformat()
    assert not CaseEvent.objects.filter(case=untouched, action="term_end_moved").exists()
    assert Notification.objects.filter(
        case=touched, kind=NotificationKind.TERM_MOVED, recipient=citizen
    ).exists()

    day = DecreeHoliday.objects.get(day=end)
    removed = operator_client.post(
        reverse("admin:cases_decreeholiday_delete", args=[day.pk]), {"post": "yes"}
    )

    assert removed.status_code == 302
    assert ends() == {touched: end, untouched: end + timedelta(days=1)}
