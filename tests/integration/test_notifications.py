"""Notifications: who is told what, exactly once (database key), the outbox, delivery states,
e-mail preferences, and the in-app inbox with its unread count."""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from cases import services
from cases.choices import ApplicantKind, CaseState, TermKind
from cases.notifications import dispatch
from cases.notifications.models import (
    DeliveryState,
    Notification,
    NotificationChannel,
    NotificationKind,
    OutboxMessage,
)
from cases.terms.models import TermEvent
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

K = NotificationKind
AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def staff_login(client, user):
    client.force_login(user)
    session = client.session
    session["portal_staff_mfa_ok"] = True
    session.save()


@pytest.fixture
def municipality():
    return MunicipalityFactory(
        letterhead="Gemeente Testdam\nPostbus 1",
        contact_email="werk@testdam.nl",
        contact_phone="14 020",
        contact_text="Bel ons op werkdagen van 9 tot 17 uur.",
    )


@pytest.fixture
def citizen():
    return UserFactory(email="inwoner@example.nl")


def submitted_case(municipality, citizen, applicant_kind=ApplicantKind.PERSON):
    person = PersonFactory(municipality=municipality, account=citizen, email="")
    case = CaseFactory(person=person, state=CaseState.DRAFT)
    application = case.application
    application.applicant_kind = applicant_kind
    if applicant_kind == ApplicantKind.MUNICIPALITY:
        application.preselection_done_on = timezone.localdate()
    application.save()
    return services.submit_application(case_id=case.pk, actor=citizen)


def test_submitting_tells_the_citizen_and_the_team_once(municipality, citizen):
    team = UserFactory.create_batch(2, consultant=True, municipality=municipality)
    UserFactory(consultant=True)  # another municipality's consultant hears nothing

    case = submitted_case(municipality, citizen)

    rows = Notification.objects.filter(case=case)
    received = rows.filter(kind=K.APPLICATION_RECEIVED)
    assert {(n.channel, n.recipient_id) for n in received} == {
        ("inbox", citizen.pk),
        ("email", citizen.pk),
    }
    term_end = case.terms.get().end_on
    assert {n.term_end for n in received} == {term_end}
    new = rows.filter(kind=K.NEW_APPLICATION)
    assert {n.recipient_id for n in new} == {u.pk for u in team}
    assert new.count() == 4  # two consultants, inbox and e-mail each
    emails = rows.filter(channel=NotificationChannel.EMAIL)
    assert set(OutboxMessage.objects.values_list("notification_id", flat=True)) == set(
        emails.values_list("pk", flat=True)
    )
    assert not rows.filter(channel=NotificationChannel.INBOX).exclude(state="sent").exists()

    # A rerun of the hook (a retried request, a second worker) creates nothing new.
    assert dispatch.notify_case_event(case, K.APPLICATION_RECEIVED, on=term_end) == 0
    assert Notification.objects.filter(case=case).count() == rows.count()


def test_the_database_enforces_the_unique_key(municipality, citizen):
    case = submitted_case(municipality, citizen)
    existing = Notification.objects.filter(case=case, channel="email").first()
    existing.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        existing.save()


def test_the_assignee_alone_is_told_when_there_is_one(municipality, citizen):
    assignee, _other = UserFactory.create_batch(2, consultant=True, municipality=municipality)
    case = CaseFactory(person=PersonFactory(municipality=municipality), state=CaseState.UNAVAILABLE)
    case.assignee = assignee
    case.save(update_fields=["assignee"])

    services.mark_available(case_id=case.pk, actor=assignee)

    assert set(
        Notification.objects.filter(case=case, kind=K.AVAILABLE_AGAIN).values_list(
            "recipient_id", flat=True
        )
    ) == {assignee.pk}


def test_the_team_is_told_when_the_handler_cannot_work_the_case_any_more(municipality):
    """A handler switched off, or moved to another municipality (Django admin), who still has
    the case: the team hears of it, the handler does not."""
    team = UserFactory.create_batch(2, consultant=True, municipality=municipality)
    switched_off = UserFactory(consultant=True, municipality=municipality, is_active=False)
    moved = UserFactory(consultant=True, municipality=MunicipalityFactory())
    told = {}
    for handler in (switched_off, moved):
        case = CaseFactory(
            person=PersonFactory(municipality=municipality), state=CaseState.UNAVAILABLE
        )
        case.assignee = handler
        case.save(update_fields=["assignee"])

        services.mark_available(case_id=case.pk, actor=team[0])

        told[handler] = set(
            Notification.objects.filter(case=case, kind=K.AVAILABLE_AGAIN).values_list(
                "recipient_id", flat=True
            )
        )
    assert told == {switched_off: {u.pk for u in team}, moved: {u.pk for u in team}}


def test_an_application_by_the_college_carries_no_direct_note(municipality, citizen):
    UserFactory(consultant=True, municipality=municipality)
    case = submitted_case(municipality, citizen, ApplicantKind.MUNICIPALITY)
    notification = Notification.objects.get(case=case, kind=K.NEW_APPLICATION, channel="email")

    assert "rechtstreeks bij UWV" not in build(notification).body


def test_a_direct_application_tells_the_municipality_nothing_about_its_content(
    municipality, citizen
):
    UserFactory(consultant=True, municipality=municipality)
    case = submitted_case(municipality, citizen)
    notification = Notification.objects.get(case=case, kind=K.NEW_APPLICATION, channel="email")

    message = build(notification)

    body = message.body
    assert "rechtstreeks bij UWV" in body
    person = case.person
    for secret in (person.first_name, person.last_name, person.bsn):
        assert secret not in body
        assert secret not in message.alternatives[0][0]


def build(notification):
    notification = Notification.objects.select_related(
        "case__municipality", "case__application"
    ).get(pk=notification.pk)
    return dispatch.build_email(notification)


def test_the_mail_is_dutch_plain_text_and_html_with_the_municipality_contact_texts(
    municipality, citizen
):
    case = submitted_case(municipality, citizen)
    notification = Notification.objects.get(case=case, kind=K.APPLICATION_RECEIVED, channel="email")

    message = build(notification)

    end = case.terms.get().end_on
    with translation.override("nl"):
        written = date_format(end, "j F Y")  # as on the pages: "1 februari 2027"
    assert message.subject.startswith("We hebben uw aanvraag ontvangen")
    assert written in message.body and end.strftime("%d-%m-%Y") not in message.body
    assert "Bel ons op werkdagen van 9 tot 17 uur." in message.body
    assert "14 020" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="nl">' in html
    assert "werk@testdam.nl" in html
    assert message.reply_to == ["werk@testdam.nl"]
    assert (
        message.extra_headers["Message-ID"]
        == f"<notification-{notification.pk}@beschutwerk.portal>"
    )


def test_staff_may_switch_off_email_per_kind_but_not_legal_mail(municipality, citizen):
    consultant = UserFactory(consultant=True, municipality=municipality)
    dispatch.set_email_preference(user=consultant, kind=K.NEW_APPLICATION, email=False)
    with pytest.raises(ValueError):
        dispatch.set_email_preference(user=citizen, kind=K.APPLICATION_RECEIVED, email=False)

    case = submitted_case(municipality, citizen)

    assert list(
        Notification.objects.filter(case=case, kind=K.NEW_APPLICATION).values_list(
            "channel", flat=True
        )
    ) == ["inbox"]
    assert Notification.objects.filter(
        case=case, kind=K.APPLICATION_RECEIVED, channel="email"
    ).exists()


def test_the_service_hooks_tell_the_right_people(municipality, citizen):
    from tests.factories import VerordeningFactory, YearlyQuotaFactory

    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    YearlyQuotaFactory(municipality=municipality, year=timezone.localdate().year)
    consultant = UserFactory(consultant=True, municipality=municipality)
    assessor = UserFactory(uwv_assessor=True)
    case = submitted_case(municipality, citizen)
    today = timezone.localdate()

    services.suspend_term(case_id=case.pk, kind="uwv_advice", on=today, reason="x", actor=assessor)
    from cases.rules import WorkCapacity

    services.resume_term(case_id=case.pk, kind="uwv_advice", on=today, actor=assessor)
    services.record_advice(
        case_id=case.pk,
        outcome="negative",
        reasons="Onderzocht.",
        actor=assessor,
        work_capacity=WorkCapacity(True, True, 2, 6),
    )
    services.record_decision(case_id=case.pk, positive=False, actor=consultant)
    services.file_objection(case_id=case.pk, grounds="Niet eens.", actor=consultant)

    kinds = {
        (n.kind, n.recipient_id) for n in Notification.objects.filter(case=case, channel="inbox")
    }
    assert (K.TERM_MOVED, citizen.pk) in kinds
    assert (K.ADVICE_ISSUED, citizen.pk) in kinds
    assert (K.ADVICE_FOR_MUNICIPALITY, consultant.pk) in kinds
    assert (K.DECISION_SENT, citizen.pk) in kinds
    assert (K.OBJECTION_RECEIVED, citizen.pk) in kinds
    assert (K.OBJECTION_FILED, consultant.pk) in kinds
    decision = Notification.objects.get(case=case, kind=K.DECISION_SENT, channel="email")
    assert decision.term_end == case.terms.get(kind="objection").end_on
    # any term that stops or moves: said as such, the dates where they stay right
    moved = Notification.objects.filter(case=case, kind=K.TERM_MOVED, channel="email").first()
    with translation.override("nl"):
        told = dispatch.text_of(moved)
    assert told.subject == "Een datum in uw zaak is veranderd"
    assert "advies" not in told.subject and "staat even stil, loopt weer" in told.body


def test_the_citizen_is_told_of_every_suspension_and_resumption(municipality, citizen):
    """A suspension leaves the end date as it was: each suspension and resumption still gets
    its own notice, and the same event told twice (a retried hook) gets one."""
    assessor = UserFactory(uwv_assessor=True)
    start = dt.date(2026, 6, 1)  # a Monday

    def at(days):
        day = start + dt.timedelta(days=days)
        return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=AMS))

    def term_change(action, days, **kwargs):
        with at(days):
            action(
                case_id=case.pk,
                kind=TermKind.UWV_ADVICE,
                on=start + dt.timedelta(days=days),
                actor=assessor,
                **kwargs,
            )

    with at(0):
        case = submitted_case(municipality, citizen)
    term_change(services.suspend_term, 7, reason="Wacht op stukken")
    term_change(services.resume_term, 10)
    term_change(services.suspend_term, 14, reason="Wacht op nog een stuk")  # same end date
    term_change(services.resume_term, 14)  # and resumed the same day

    events = TermEvent.objects.filter(term__case=case)
    mails = Notification.objects.filter(case=case, kind=K.TERM_MOVED, channel="email")
    assert events.count() == 4
    assert sorted(mails.values_list("term_event", flat=True)) == sorted(
        events.values_list("pk", flat=True)
    )
    last = events.last()
    assert dispatch.notify_case_event(case, K.TERM_MOVED, on=start, term_event=last) == 0
    assert mails.count() == 4


# -- delivery -------------------------------------------------------------------------------
# -- delivery -------------------------------------------------------------------------------


@pytest.fixture
def email_notification(municipality, citizen):
    case = submitted_case(municipality, citizen)
    return Notification.objects.get(case=case, kind=K.APPLICATION_RECEIVED, channel="email")


def test_deliver_sends_once_and_clears_the_outbox(email_notification):
    assert dispatch.deliver(email_notification.pk) == "sent"
    assert dispatch.deliver(email_notification.pk) == "skipped"

    assert len(mail.outbox) == 1
    email_notification.refresh_from_db()
    assert email_notification.state == DeliveryState.SENT
    assert email_notification.attempts == 1
    assert not OutboxMessage.objects.filter(notification=email_notification).exists()


def test_a_send_interrupted_by_a_dead_worker_is_sent_again_with_the_same_message_id(
    email_notification, settings
):
    claimed = dispatch.claim(email_notification.pk)
    assert claimed.state == DeliveryState.SENDING
    # The worker dies here. While its lease runs, nobody else touches the notification.
    assert dispatch.deliver(email_notification.pk) == "skipped"
    assert mail.outbox == []

    later = timezone.now() + dt.timedelta(seconds=settings.NOTIFICATION_SEND_LEASE + 1)
    with time_machine.travel(later, tick=False):
        assert dispatch.deliver(email_notification.pk) == "sent"

    email_notification.refresh_from_db()
    assert email_notification.state == DeliveryState.SENT
    assert email_notification.attempts == 2
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        dispatch.message_id(email_notification)
    ]
    assert email_notification not in dispatch.delivery_problems()


def test_a_mail_whose_workers_keep_dying_fails_visibly_after_the_last_attempt(
    email_notification, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    now = timezone.now()
    for attempt in range(2):
        moment = now + dt.timedelta(seconds=attempt * (settings.NOTIFICATION_SEND_LEASE + 1))
        assert dispatch.claim(email_notification.pk, now=moment) is not None

    after_lease = now + dt.timedelta(seconds=3 * (settings.NOTIFICATION_SEND_LEASE + 1))
    assert dispatch.claim(email_notification.pk, now=after_lease) is None

    email_notification.refresh_from_db()
    assert email_notification.state == DeliveryState.FAILED
    assert email_notification in dispatch.delivery_problems()


def test_an_unknown_error_during_the_send_is_tried_again(email_notification, monkeypatch):
    def cut(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection closed during DATA")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", cut)
    with pytest.raises(dispatch.TemporaryDeliveryError):
        dispatch.deliver(email_notification.pk)

    email_notification.refresh_from_db()
    assert email_notification.state == DeliveryState.PENDING
    monkeypatch.undo()
    assert dispatch.deliver(email_notification.pk) == "sent"


def test_operators_send_failed_mails_again(client, email_notification):
    Notification.objects.filter(pk=email_notification.pk).update(
        state=DeliveryState.FAILED, attempts=6, last_error="SMTP 554"
    )
    OutboxMessage.objects.filter(notification=email_notification).delete()
    operator = UserFactory(operator=True)
    staff_login(client, operator)

    response = client.post(
        "/admin/cases/notification/",
        {"action": "send_again", "_selected_action": [email_notification.pk]},
    )

    assert response.status_code == 302
    email_notification.refresh_from_db()
    assert email_notification.state == DeliveryState.PENDING
    assert email_notification.attempts == 0
    assert OutboxMessage.objects.filter(notification=email_notification).exists()
    assert dispatch.deliver(email_notification.pk) == "sent"


def test_smtp_trouble_is_retried_then_marked_failed(email_notification, settings, monkeypatch):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no server")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(dispatch.TemporaryDeliveryError):
        dispatch.deliver(email_notification.pk)
    email_notification.refresh_from_db()
    assert email_notification.state == DeliveryState.PENDING
    assert "no server" in email_notification.last_error

    assert dispatch.deliver(email_notification.pk) == "failed"
    email_notification.refresh_from_db()
    assert email_notification.state == DeliveryState.FAILED
    assert not OutboxMessage.objects.filter(notification=email_notification).exists()


def test_a_permanent_smtp_refusal_fails_at_once(email_notification, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPDataError(554, b"rejected")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)

    assert dispatch.deliver(email_notification.pk) == "failed"


def test_the_outbox_is_claimed_once_until_it_is_stale(email_notification, settings):
    first = dispatch.claim_outbox()
    assert email_notification.pk in first
    assert dispatch.claim_outbox() == []

    later = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER + 1)
    assert email_notification.pk in dispatch.claim_outbox(now=later)


def test_a_mail_the_server_did_not_take_waits_for_its_moment_in_the_outbox(
    email_notification, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("relay restarting")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert dispatch.claim_outbox() == [email_notification.pk]
    with pytest.raises(dispatch.TemporaryDeliveryError):
        dispatch.deliver(email_notification.pk)

    # not taken again by the next drains, not even as "enqueued long ago"
    now = timezone.now()
    assert dispatch.claim_outbox(now=now + dt.timedelta(seconds=50)) == []
    assert dispatch.claim_outbox(now=now + dt.timedelta(seconds=61)) == [email_notification.pk]


def test_a_relay_away_for_two_hours_delays_the_mail_but_does_not_fail_it(
    email_notification, monkeypatch
):
    """The production schedule: a drain every 10 s enqueues what is due, each send tries
    once; the mail server refuses every connection for the first two hours."""
    start = timezone.now()
    clock = {"now": start}
    real_send = mail.EmailMultiAlternatives.send

    def send(self, *args, **kwargs):
        if clock["now"] < start + dt.timedelta(hours=2):
            raise ConnectionRefusedError("relay away")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", send)
    for tick in range(0, 3 * 3600, 10):
        clock["now"] = start + dt.timedelta(seconds=tick)
        with time_machine.travel(clock["now"], tick=False):
            for notification_id in dispatch.claim_outbox(now=clock["now"]):
                with contextlib.suppress(dispatch.TemporaryDeliveryError):
                    dispatch.deliver(notification_id)

    email_notification.refresh_from_db()
    assert email_notification.state == DeliveryState.SENT
    assert len(mail.outbox) == 1
    # 1, 2, 4 ... minutes apart: a handful of attempts, not one per drain
    assert 7 <= email_notification.attempts <= 10


def test_the_drain_task_enqueues_each_outbox_row(email_notification, monkeypatch):
    from cases.notifications import tasks

    sent = []
    monkeypatch.setattr(tasks.send_notification, "delay", lambda pk: sent.append(pk))

    count = tasks.drain_outbox()

    assert email_notification.pk in sent
    assert count == len(sent)


def test_the_web_request_never_talks_to_the_broker(
    municipality, citizen, monkeypatch, django_capture_on_commit_callbacks
):
    from cases.notifications import tasks

    def broker(*args, **kwargs):
        raise AssertionError("the broker was called")

    monkeypatch.setattr(tasks.send_notification, "delay", broker)
    monkeypatch.setattr(tasks.send_notification, "apply_async", broker)
    monkeypatch.setattr(tasks.drain_outbox, "delay", broker)

    with django_capture_on_commit_callbacks(execute=True):
        submitted_case(municipality, citizen)

    assert OutboxMessage.objects.exists()


# -- the inbox ------------------------------------------------------------------------------


def test_the_inbox_lists_own_messages_with_a_pinned_query_count(
    client, municipality, citizen, django_assert_num_queries
):
    for _ in range(3):
        submitted_case(municipality, citizen)
    other = UserFactory()
    submitted_case(municipality, other)
    client.force_login(citizen)

    # The session, the user, notifications with their cases and
    # applications: the header's unread count comes from the cache (warmed at sign-in), so
    # it costs no query.
    with django_assert_num_queries(3):
        response = client.get("/meldingen/")

    assert response.status_code == 200
    items = response.context["items"]
    assert len(items) == 3
    assert {n.recipient_id for n, _message in items} == {citizen.pk}
    content = response.content.decode()
    assert "We hebben uw aanvraag ontvangen" in content
    assert "3 ongelezen" in content


def test_marking_read_updates_the_count_and_others_messages_are_not_found(
    client, municipality, citizen
):
    submitted_case(municipality, citizen)
    submitted_case(municipality, citizen)
    other = UserFactory()
    submitted_case(municipality, other)
    mine = Notification.objects.filter(recipient=citizen, channel="inbox").first()
    theirs = Notification.objects.filter(recipient=other, channel="inbox").first()
    client.force_login(citizen)

    assert client.post(f"/meldingen/{theirs.pk}/gelezen/").status_code == 404
    response = client.post(f"/meldingen/{mine.pk}/gelezen/")
    assert response.status_code == 302
    assert "1 ongelezen" in client.get("/").content.decode()

    client.post("/meldingen/gelezen/")
    assert "ongelezen" not in client.get("/").content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_new_message_raises_the_cached_count_without_a_query(
    client, municipality, citizen, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    assert "ongelezen" not in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        submitted_case(municipality, citizen)

    assert "1 ongelezen" in client.get("/").content.decode()


def test_the_inbox_leaves_out_a_case_that_moved_to_another_municipality(
    client, municipality, django_capture_on_commit_callbacks
):
    """The old team can no longer open the case: its notices leave their inbox and their
    unread count, which the header shows from the cache."""
    consultant = UserFactory(consultant=True, municipality=municipality)
    moving, staying = (
        CaseFactory(person=PersonFactory(municipality=municipality), state=CaseState.UNAVAILABLE)
        for _ in range(2)
    )
    for case in (moving, staying):
        services.mark_available(case_id=case.pk, actor=consultant)
    staff_login(client, consultant)
    assert "2 ongelezen" in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.record_move(
            case_id=moving.pk,
            new_municipality_id=MunicipalityFactory().pk,
            moved_on=timezone.localdate(),
            actor=consultant,
            employment_continues=False,
        )

    page = client.get("/meldingen/")
    assert [n.case_id for n, _message in page.context["items"]] == [staying.pk]
    assert page.context["unread"] == 1
    assert "1 ongelezen" in client.get("/").content.decode()
    # Nor can it be marked read: it is not theirs to see any more.
    gone = Notification.objects.get(case=moving, recipient=consultant, channel="inbox")
    assert client.post(f"/meldingen/{gone.pk}/gelezen/").status_code == 404


def test_a_staff_member_moved_to_another_municipality_sees_only_its_notices(
    client, municipality, django_capture_on_commit_callbacks
):
    from municipalities import services as municipal_services

    consultant = UserFactory(consultant=True, municipality=municipality)
    case = CaseFactory(person=PersonFactory(municipality=municipality), state=CaseState.UNAVAILABLE)
    services.mark_available(case_id=case.pk, actor=consultant)
    staff_login(client, consultant)
    assert "1 ongelezen" in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        municipal_services.update_staff_from_idp(
            user_id=consultant.pk,
            role=consultant.role,
            municipality=MunicipalityFactory(),
            actor=consultant,
        )

    assert client.get("/meldingen/").context["items"] == []
    assert "ongelezen" not in client.get("/").content.decode()


def test_staff_switch_email_off_on_the_inbox_page(client, municipality):
    consultant = UserFactory(consultant=True, municipality=municipality)
    staff_login(client, consultant)

    page = client.get("/meldingen/")
    assert page.status_code == 200
    data = {kind: "on" for kind in dispatch.STAFF_KINDS if kind != K.NEW_APPLICATION}
    response = client.post("/meldingen/", data)

    assert response.status_code == 302
    assert consultant.notification_preferences.get(kind=K.NEW_APPLICATION).email is False
    assert consultant.notification_preferences.get(kind=K.UWV_TERM_DUE).email is True


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/meldingen/")

    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_operators_see_failed_and_uncertain_deliveries_in_the_admin(client, email_notification):
    Notification.objects.filter(pk=email_notification.pk).update(
        state=DeliveryState.FAILED, last_error="SMTP 554"
    )
    operator = UserFactory(operator=True)
    staff_login(client, operator)

    response = client.get("/admin/cases/notification/?state__exact=failed")

    assert response.status_code == 200
    content = response.content.decode()
    assert email_notification.case.reference in content
    assert "SMTP 554" in content
    assert client.get("/admin/cases/notification/add/").status_code == 403
