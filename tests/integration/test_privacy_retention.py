"""Retention (AVG art. 5(1)(e)) through the daily task: what passed its period is anonymised
or deleted, on the right day and not a day earlier; nothing that still runs is touched; a
second run does nothing; the audit keeps the fact, not the data; operators read the report."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import CaseState, MessageThread, Side, TermKind
from cases.documents import files
from cases.documents.models import Document
from cases.models import ApplicationDraft, BsnEntry, Case, Objection, Person
from cases.notifications.models import Message, Notification, NotificationKind
from cases.privacy import retention
from cases.privacy.models import CorrectionRequest, RetentionRun
from cases.privacy.rules import anonymous_bsn
from cases.privacy.tasks import apply_retention
from cases.terms.models import Term
from portal.models import User
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: The case ended on 15 March 2016, 23:30 Amsterdam time (22:30 UTC): its last day of the
#: default ten years is 15 March 2026; it may go from 16 March 2026.
ENDED = dt.datetime(2016, 3, 15, 23, 30, tzinfo=AMSTERDAM)


def at(day: dt.date, hour: int = 3):
    """Travel to ``day`` at ``hour`` Amsterdam time (the run is at night)."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), AMSTERDAM), tick=False)


def ended_case(*, ended=ENDED, state=CaseState.CLOSED, person=None, **kwargs) -> Case:
    person = person or PersonFactory(
        account=UserFactory(), first_name="Sam", last_name="Jansen", email="sam@example.nl"
    )
    case = CaseFactory(person=person, state=state, **kwargs)
    Case.objects.filter(pk=case.pk).update(closed_at=ended)
    case.refresh_from_db()
    return case


def run(today: dt.date) -> RetentionRun:
    with at(today):
        apply_retention.apply()
    return RetentionRun.objects.order_by("-id").first()


def anonymised(case: Case) -> bool:
    return CaseEvent.objects.filter(case=case, action="anonymised_after_retention").exists()


def test_a_case_is_kept_its_whole_period_and_anonymised_the_day_after(
    django_capture_on_commit_callbacks,
):
    case = ended_case()
    person, account = case.person, case.person.account
    stored = uuid.uuid4().hex
    files.storage_dir().mkdir(parents=True, exist_ok=True)
    files.path_of(stored).write_bytes(b"%PDF-1.4 medical letter")
    message = Message.objects.create(
        case=case,
        thread=MessageThread.APPLICANT,
        sender_side=Side.APPLICANT,
        body="Ik heb autisme.",
        sent_by=account,
    )
    Document.objects.create(
        case=case,
        message=message,
        stored_name=stored,
        original_name="brief-huisarts.pdf",
        content_type="application/pdf",
        size=20,
        uploaded_by=account,
    )
    Notification.objects.create(
        case=case,
        kind=NotificationKind.DECISION_SENT,
        channel="email",
        term_end=dt.date(2015, 6, 1),
        recipient=account,
        recipient_key=f"user:{account.pk}",
        email="sam@example.nl",
        created_at=dt.datetime(2015, 5, 1, tzinfo=dt.UTC),
        state="sent",
    )
    CaseEvent.objects.create(case=case, action="priority_group_set", details={"reason": "ziek"})
    Objection.objects.create(
        case=case,
        filed_on=dt.date(2015, 4, 1),
        grounds="Oneens.",
        in_time=True,
        outcome=Objection.Outcome.GRANTED,
        decided_on=dt.date(2015, 5, 1),
        deviation_reason="Het advies zag de autisme-diagnose over het hoofd.",
    )

    first = run(dt.date(2026, 3, 15))

    assert first.done["case"] == 0 and not anonymised(case)
    person.refresh_from_db()
    assert person.last_name == "Jansen"

    with django_capture_on_commit_callbacks(execute=True):
        second = run(dt.date(2026, 3, 16))

    assert second.done["case"] == 1 and second.done["person"] == 1 and second.failed == 0
    person.refresh_from_db()
    assert person.bsn == anonymous_bsn(person.pk) and person.first_name == ""
    assert person.last_name == "Geanonimiseerd" and person.email == "" and person.account is None
    assert person.birth_date == dt.date(2000, 1, 1)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.decision.sent_on  # the dates stay
    assert case.application.support_needed == ""
    assert case.advice.reasons == "Geanonimiseerd na de bewaartermijn"
    assert Objection.objects.get(case=case).deviation_reason == "Geanonimiseerd na de bewaartermijn"
    assert not Message.objects.filter(case=case).exists()
    assert not Document.objects.filter(case=case).exists()
    assert not files.path_of(stored).exists()
    assert not Notification.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case).exclude(details={}).exists()
    facts = AuditEntry.objects.filter(action="anonymise_after_retention", result="ok")
    assert {(e.object_type, e.object_id) for e in facts} == {
        ("case", str(case.pk)),
        ("person", str(person.pk)),
    }
    assert all(e.actor is None and e.message == "" for e in facts)


@pytest.mark.parametrize(
    "still_running",
    ["term", "objection", "employment", "correction_request", "other_case"],
)
def test_nothing_that_still_runs_is_touched(still_running):
    case = ended_case()
    if still_running == "term":
        Term.objects.create(
            case=case,
            kind=TermKind.OBJECTION,
            starts_on=dt.date(2026, 5, 1),
            weeks=6,
            end_on=dt.date(2026, 6, 12),
        )
    elif still_running == "objection":
        Objection.objects.create(
            case=case, filed_on=dt.date(2016, 3, 1), grounds="Oneens.", in_time=True
        )
    elif still_running == "employment":
        case.refresh_from_db()
        from tests.factories import EmploymentFactory

        EmploymentFactory(case=case, start_on=dt.date(2015, 1, 1))
    elif still_running == "correction_request":
        CorrectionRequest.objects.create(
            case=case,
            requested_by=case.person.account,
            received_on=dt.date(2026, 3, 1),
            due_on=dt.date(2026, 4, 1),
            what_is_wrong="a",
            what_it_should_be="b",
        )
    else:  # the person has a newer case that is still open: their file is kept
        CaseFactory(person=case.person, state=CaseState.EMPLOYED)

    report = run(dt.date(2026, 6, 1))

    assert report.done["case"] == 0 and not anonymised(case)
    assert sum(report.held_back.values()) == 1
    case.person.refresh_from_db()
    assert case.person.last_name == "Jansen"


def test_open_cases_are_never_touched_however_old():
    old = CaseFactory(state=CaseState.EMPLOYED)
    Case.objects.filter(pk=old.pk).update(state_since=ENDED, submitted_at=ENDED)

    report = run(dt.date(2040, 1, 1))

    assert report.done["case"] == 0 and report.held_back == {}
    old.person.refresh_from_db()
    assert old.person.last_name.startswith("Persoon")


def test_a_file_of_two_cases_goes_with_its_last_case_and_a_second_run_does_nothing():
    first = ended_case(ended=dt.datetime(2014, 1, 10, 12, tzinfo=dt.UTC))
    last = ended_case(person=first.person)

    assert run(dt.date(2026, 3, 1)).held_back == {"case.file_still_kept": 1}
    assert not anonymised(first)

    report = run(dt.date(2026, 3, 16))

    assert report.done["case"] == 2 and report.done["person"] == 1
    assert anonymised(first) and anonymised(last)
    again = run(dt.date(2026, 3, 16))
    assert again.done["case"] == 0 and again.done["person"] == 0 and again.held_back == {}
    assert CaseEvent.objects.filter(action="anonymised_after_retention").count() == 2


def test_drafts_never_sent_go_after_six_months_to_the_day():
    owner = UserFactory()
    kept = ApplicationDraft.objects.create(owner=owner, answers={"person": {"bsn": "x"}})
    gone = ApplicationDraft.objects.create(owner=owner, answers={"person": {"bsn": "y"}})
    sent = ApplicationDraft.objects.create(
        owner=owner, submitted_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    ApplicationDraft.objects.filter(pk=kept.pk).update(
        updated_at=dt.datetime(2025, 9, 30, 12, tzinfo=AMSTERDAM)
    )
    ApplicationDraft.objects.filter(pk__in=[gone.pk, sent.pk]).update(
        updated_at=dt.datetime(2025, 9, 29, 23, 59, tzinfo=AMSTERDAM)
    )

    report = run(dt.date(2026, 3, 30))

    assert report.done["draft"] == 1
    assert set(ApplicationDraft.objects.values_list("pk", flat=True)) == {kept.pk, sent.pk}
    assert AuditEntry.objects.filter(
        action="delete_after_retention", object_type="application_draft", object_id=str(gone.pk)
    ).exists()


def test_old_notifications_of_ended_cases_go_those_of_open_cases_stay():
    ended = ended_case(ended=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
    open_case = CaseFactory(state=CaseState.AWAITING_PLACEMENT)
    for case in (ended, open_case):
        Notification.objects.create(
            case=case,
            kind=NotificationKind.DECISION_SENT,
            channel="email",
            term_end=dt.date(2023, 1, 1),
            recipient_key="iemand@example.nl",
            email="iemand@example.nl",
            created_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
            state="sent",
        )

    report = run(dt.date(2025, 6, 1))

    assert report.done["notification"] == 1 and report.done["case"] == 0
    assert list(Notification.objects.values_list("case_id", flat=True)) == [open_case.pk]


def test_audit_entries_go_after_their_period_but_the_facts_of_retention_stay():
    with at(dt.date(2019, 1, 2)):
        AuditEntry.objects.create(
            actor_label="1:consultant",
            action="view_personal_data",
            object_type="case",
            object_id="1",
            result="ok",
        )
        AuditEntry.objects.create(
            actor_label="system",
            action="anonymise_after_retention",
            object_type="case",
            object_id="2",
            result="ok",
        )

    report = run(dt.date(2026, 1, 1))

    assert report.done["audit"] == 1
    assert not AuditEntry.objects.filter(action="view_personal_data").exists()
    assert AuditEntry.objects.filter(action="anonymise_after_retention", object_id="2").exists()


def test_an_account_with_nothing_left_is_anonymised_and_cannot_sign_in(client):
    with at(dt.date(2023, 1, 1)):
        idle = UserFactory(email="weg@example.nl", first_name="Ida")
        active_person = UserFactory(email="blijft@example.nl")
        PersonFactory(account=active_person)
        BsnEntry.objects.create(account=idle, day=dt.date(2023, 1, 1), digest="a" * 64)

    report = run(dt.date(2025, 1, 2))

    assert report.done["account"] == 1 and report.done["bsn_entry"] == 1
    idle.refresh_from_db()
    assert idle.email == f"anonymised-{idle.pk}@invalid" and idle.first_name == ""
    assert not idle.is_active and not idle.has_usable_password()
    assert User.objects.get(pk=active_person.pk).email == "blijft@example.nl"
    assert not client.login(email="weg@example.nl", password="Demo-wachtwoord-2026")


def test_one_failing_case_is_reported_and_the_others_go_on(monkeypatch):
    broken, fine = ended_case(), ended_case()
    real = retention._scrub_case

    def scrub(case):
        if case.pk == broken.pk:
            raise RuntimeError("disk full")
        return real(case)

    monkeypatch.setattr(retention, "_scrub_case", scrub)

    report = run(dt.date(2026, 3, 16))

    assert report.failed == 1 and report.done["case"] == 1
    assert anonymised(fine) and not anonymised(broken)
    broken.person.refresh_from_db()
    assert broken.person.last_name == "Jansen"  # its transaction rolled back whole
    assert AuditEntry.objects.filter(
        action="anonymise_after_retention", object_id=str(broken.pk), result="failed"
    ).exists()


def test_operators_read_the_report_in_the_admin(client):
    ended_case()
    report = run(dt.date(2026, 3, 16))
    operator = UserFactory(operator=True)
    sign_in(client, operator)

    listing = client.get(reverse("admin:cases_retentionrun_changelist"))
    detail = client.get(reverse("admin:cases_retentionrun_change", args=[report.pk]))

    assert listing.status_code == 200 and detail.status_code == 200
    assert "Dossier (geanonimiseerd): 1" in listing.content.decode()
    assert Person.objects.filter(last_name="Geanonimiseerd").count() == 1
