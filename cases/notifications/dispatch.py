"""Notifications: who is told what about a case, exactly once, and how it is delivered.

Three parts:

- ``notify_case_event``: called by ``services`` inside their transaction. It writes the
  notifications and, for e-mail, an outbox row, in that same transaction. Nothing talks to
  the broker here, so the portal keeps accepting applications while Redis is down.
- ``sweep``: the periodic, set-based pass over all open terms. A fixed number of
  ``INSERT … SELECT … ON CONFLICT DO NOTHING`` statements, whatever the number of cases; a
  rerun inserts nothing because every notification has a unique key enforced by the database
  (case, kind, term end date, recipient, channel).
- ``drain_outbox`` and ``deliver``: the outbox is drained by a task that enqueues one send
  task per message after commit; ``deliver`` claims a notification, sends it and records the
  outcome. Delivery is at least once: a send cut by a dying worker or a broker outage is
  made again with the same ``Message-ID``, so the rare duplicate folds in the mail client.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.audit.models import CaseEvent
from cases.choices import CaseState, TermKind
from cases.models import Case
from cases.terms.models import Term, TermEvent
from municipalities import themes
from municipalities.models import Theme
from portal import cache as versions
from portal.links import absolute_url, portal_url
from portal.models import MUNICIPAL_ROLES, ApiClient, Role, User
from portal.permissions import role_of, scope_to_user

from .models import (
    DeliveryState,
    Message,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    SweepMark,
)

logger = logging.getLogger(__name__)

K = NotificationKind

#: Mail to citizens the law requires (receipt, moved terms, advice, decision, objection,
#: the job offer): it cannot be switched off. Staff may switch off e-mail per kind.
CITIZEN_KINDS = frozenset(
    {
        K.APPLICATION_RECEIVED,
        K.TERM_MOVED,
        K.ADVICE_ISSUED,
        K.DECISION_SENT,
        K.OBJECTION_RECEIVED,
        K.EMPLOYMENT_OFFERED,
        K.EMPLOYMENT_CALLED_OFF,
        K.YOUR_AOW_AGE_REACHED,
        K.DEEMED_REFUSAL,
        K.PLACE_REFUSED,
        K.MESSAGE_FOR_APPLICANT,
        K.CORRECTION_ANSWERED,
    }
)
LEGALLY_REQUIRED = CITIZEN_KINDS
STAFF_KINDS = frozenset(set(K) - CITIZEN_KINDS)

FINAL_STATES = (DeliveryState.SENT, DeliveryState.UNCERTAIN, DeliveryState.FAILED)

# -- texts ----------------------------------------------------------------------------------

#: (subject, body) per kind. Staff texts hold the case reference only, never personal or
#: medical content: the mail leaves the portal. ``%(date)s`` is the term end date.
TEXTS: dict[str, tuple] = {
    K.APPLICATION_RECEIVED: (
        _("We have received your application"),
        _(
            "We have received your application for an advice on sheltered work. UWV will "
            "give its advice no later than %(date)s."
        ),
    ),
    # Sent when any term of the case stops, runs again or moves (a day equated with a
    # holiday): which one and its end are on the case page, where they stay right.
    K.TERM_MOVED: (
        _("A date in your case has changed"),
        _(
            "A term in your case has stopped for a while, runs again or ends on another day. "
            "Log in to the portal to see the dates on the page of your application."
        ),
    ),
    K.ADVICE_ISSUED: (
        _("UWV has given its advice"),
        _(
            "UWV has given its advice on your application. Your municipality will now take "
            "a decision, no later than %(date)s."
        ),
    ),
    K.DECISION_SENT: (
        _("Your municipality has taken a decision"),
        _(
            "Your municipality has taken a decision on your application. Do you disagree? "
            "Then you can object until %(date)s."
        ),
    ),
    K.OBJECTION_RECEIVED: (
        _("We have received your objection"),
        _("We have received your objection. We will let you know what we decide."),
    ),
    K.EMPLOYMENT_OFFERED: (
        _("You have been offered a job"),
        _("Good news: you have been offered a sheltered job. You start on %(date)s."),
    ),
    K.YOUR_AOW_AGE_REACHED: (
        _("News about your application"),
        _(
            "You have reached the AOW (state pension) age. Sheltered work is then no longer "
            "possible, so you no longer wait for a place: your case has been closed. Do you "
            "have questions? Please contact your municipality."
        ),
    ),
    K.EMPLOYMENT_CALLED_OFF: (
        _("Your job does not go ahead"),
        _(
            "The job that would start on %(date)s does not go ahead. You are waiting for a "
            "place again. Log in to read more, or ask your municipality."
        ),
    ),
    # Mail to the citizen says there is news and where to read it: never why, nor any
    # health content (the mail leaves the portal).
    K.DEEMED_REFUSAL: (
        _("News about your application"),
        _(
            "The municipality has not decided on your application in time. That counts as a "
            "refusal. You can object to it until %(date)s. Log in to read what this means "
            "for you."
        ),
    ),
    K.PLACE_REFUSED: (
        _("News about your application"),
        _(
            "The municipality has recorded that you said no to a place to work. Log in to "
            "read what this means for you."
        ),
    ),
    K.NEW_APPLICATION: (
        _("New application"),
        _(
            "A new application for an advice on sheltered work has been made. The UWV term "
            "ends on %(date)s."
        ),
    ),
    K.UWV_TERM_DUE_SOON: (
        _("UWV term ends in two weeks"),
        _("The UWV advice term of this case ends on %(date)s."),
    ),
    K.UWV_TERM_DUE: (
        _("UWV term ends in three days"),
        _("The UWV advice term of this case ends on %(date)s."),
    ),
    K.UWV_TERM_OVERDUE: (
        _("UWV term overdue"),
        _("The UWV advice term of this case ended on %(date)s and no advice was recorded."),
    ),
    K.DECISION_DUE_SOON: (
        _("Decision due in two weeks"),
        _("The decision on this case must be taken no later than %(date)s."),
    ),
    K.DECISION_DUE: (
        _("Decision due in three days"),
        _("The decision on this case must be taken no later than %(date)s."),
    ),
    K.DECISION_OVERDUE: (
        _("Decision term overdue"),
        _("The decision term of this case ended on %(date)s. Not deciding counts as a refusal."),
    ),
    K.OBJECTION_TERM_ENDED: (
        _("Objection term ended"),
        _("The objection term of this case ended on %(date)s."),
    ),
    K.PLACEMENT_SIGNAL: (
        _("Not placed after three months"),
        _(
            "This person still has no job on %(date)s, three months after the positive "
            "advice (or after their last job ended)."
        ),
    ),
    K.ADVICE_REVIEW_DUE: (
        _("Time to review the advice"),
        _(
            "The person of this case has worked since the job started and the review date "
            "(%(date)s) has come. Consider whether to request a new advice from UWV."
        ),
    ),
    K.CONTRACT_END_DUE: (
        _("Fixed-term contract ends in two months"),
        _(
            "The fixed-term contract of the person of this case ends on %(date)s. Record "
            "whether it continues or the person needs a new place."
        ),
    ),
    K.ADVICE_FOR_MUNICIPALITY: (
        _("UWV has issued an advice"),
        _("UWV has issued its advice on this case. Decide no later than %(date)s."),
    ),
    K.OBJECTION_FILED: (
        _("Objection received"),
        _("An objection has been filed against the decision on this case."),
    ),
    K.AVAILABLE_AGAIN: (
        _("Person available again"),
        _("The person of this case is available again and is waiting for a place."),
    ),
    K.AOW_AGE_REACHED: (
        _("AOW age reached: case closed"),
        _(
            "The person of this case has reached the AOW (state pension) age. Sheltered work "
            "is then no longer possible: the case has been closed and the person no longer "
            "waits for a place."
        ),
    ),
    # A new message: that there is one, never what it says (the mail leaves the portal).
    K.MESSAGE_FOR_APPLICANT: (
        _("New message about your application"),
        _(
            "There is a new message for you about your application. Log in to the portal to "
            "read it on the page of your application."
        ),
    ),
    K.MESSAGE_FOR_MUNICIPALITY: (
        _("New message on a case"),
        _("There is a new message on this case. Log in to the portal to read it."),
    ),
    K.MESSAGE_FOR_UWV: (
        _("New message on an advice request"),
        _("There is a new message on this advice request. Log in to the portal to read it."),
    ),
    # A correction request (AVG art. 16): that there is one and its term, never what it says.
    K.CORRECTION_REQUESTED: (
        _("Request to correct data"),
        _(
            "The applicant of this case asks to correct their data. Answer no later than "
            "%(date)s (AVG article 12)."
        ),
    ),
    K.CORRECTION_ANSWERED: (
        _("Answer to your request to correct data"),
        _(
            "The municipality has answered your request to correct your data. Log in to the "
            "portal to read the answer on the page My data."
        ),
    ),
}

#: Added to the staff text of a direct application: the municipality learns only that it
#: exists (DOMAIN, actors; 004 §5).
DIRECT_NOTE = _(
    "The person applied directly to UWV. You will see the content once UWV has issued its advice."
)


#: Added to the job offer of a person with a positive advice (DOMAIN §6.1, no-riskpolis).
NO_RISK_NOTE = _(
    "If you fall ill, UWV pays your employer for your sick pay (the no-risk policy). So "
    "illness costs your employer nothing extra."
)


@dataclass(frozen=True)
class NotificationText:
    """What a notification says, in the active language: the same in the inbox and the mail."""

    subject: str
    body: str


def text_of(notification: Notification) -> NotificationText:
    """The subject and body of a notification, in the active language."""
    subject, body = TEXTS[notification.kind]
    text = body % {"date": date_format(notification.term_end, "j F Y")}
    if notification.kind == K.NEW_APPLICATION and _is_direct(notification.case):
        text = f"{text} {DIRECT_NOTE}"
    if notification.kind == K.EMPLOYMENT_OFFERED and _no_risk_policy(notification.case):
        text = f"{text} {NO_RISK_NOTE}"
    return NotificationText(subject=str(subject), body=str(text))


def _no_risk_policy(case: Case) -> bool:
    advice = getattr(case, "advice", None)
    return rules.no_risk_policy_applies(advice.outcome if advice else None, employed=True)


def _is_direct(case: Case) -> bool:
    application = getattr(case, "application", None)
    return application is None or application.is_direct


# -- recipients -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    user_id: int | None
    email: str

    @property
    def key(self) -> str:
        return f"user:{self.user_id}" if self.user_id else self.email.lower()


def _citizen_recipients(case: Case) -> list[Recipient]:
    person = case.person
    if person.account_id:
        account = User.objects.only("email").get(pk=person.account_id)
        return [Recipient(person.account_id, person.email or account.email)]
    if person.email:
        return [Recipient(None, person.email)]
    return []


def _consultant_recipients(case: Case) -> list[Recipient]:
    """The case's handler, else the municipality's consultants (its team); never the account
    of an API client.

    The handler counts only while they may still work the case: an active consultant or
    administrator of the case's municipality. A handler switched off or moved to another
    municipality keeps the case until someone reassigns it; until then the team is told, so
    that nothing about the case goes unheard (or to someone who may no longer see it)."""
    users = User.objects.filter(
        is_active=True, api_client__isnull=True, municipality_id=case.municipality_id
    )
    if case.assignee_id:
        handler = list(
            users.filter(pk=case.assignee_id, role__in=sorted(MUNICIPAL_ROLES)).values_list(
                "pk", "email"
            )
        )
        if handler:
            return [Recipient(pk, email) for pk, email in handler]
    team = users.filter(role=Role.CONSULTANT)
    return [Recipient(pk, email) for pk, email in team.values_list("pk", "email")]


def _uwv_recipients(case: Case) -> list[Recipient]:
    """The assessors who worked on the case (wrote in its conversation or recorded a step),
    else every active assessor: someone at UWV must learn of the message. Never the account of
    an API client (a UWV system that recorded the advice)."""
    users = User.objects.filter(is_active=True, role=Role.UWV_ASSESSOR, api_client__isnull=True)
    worked = users.filter(
        Q(pk__in=Message.objects.filter(case=case).values("sent_by"))
        | Q(pk__in=CaseEvent.objects.filter(case=case).values("actor"))
    )
    rows = list(worked.values_list("pk", "email")) or list(users.values_list("pk", "email"))
    return [Recipient(pk, email) for pk, email in rows]


AUDIENCE = {
    K.APPLICATION_RECEIVED: "citizen",
    K.TERM_MOVED: "citizen",
    K.ADVICE_ISSUED: "citizen",
    K.DECISION_SENT: "citizen",
    K.OBJECTION_RECEIVED: "citizen",
    K.EMPLOYMENT_OFFERED: "citizen",
    K.EMPLOYMENT_CALLED_OFF: "citizen",
    K.YOUR_AOW_AGE_REACHED: "citizen",
    K.DEEMED_REFUSAL: "citizen",
    K.PLACE_REFUSED: "citizen",
    K.NEW_APPLICATION: "consultants",
    K.ADVICE_FOR_MUNICIPALITY: "consultants",
    K.OBJECTION_FILED: "consultants",
    K.AVAILABLE_AGAIN: "consultants",
    K.AOW_AGE_REACHED: "consultants",
    K.MESSAGE_FOR_APPLICANT: "citizen",
    K.MESSAGE_FOR_MUNICIPALITY: "consultants",
    K.MESSAGE_FOR_UWV: "uwv",
    K.CORRECTION_REQUESTED: "consultants",
    K.CORRECTION_ANSWERED: "citizen",
}


RECIPIENTS = {
    "citizen": _citizen_recipients,
    "consultants": _consultant_recipients,
    "uwv": _uwv_recipients,
}


def notify_case_event(
    case: Case,
    kind: NotificationKind,
    *,
    on: date,
    message: Message | None = None,
    term_event: TermEvent | None = None,
) -> int:
    """Tell the people concerned about ``kind`` on ``case``; ``on`` is the term end date the
    message is about (or the day of the event); ``message``: the new message it is about
    (then one notification per message instead of per date); ``term_event``: likewise, the
    suspension or resumption it is about. Call inside the service's transaction.

    Returns the number of notifications created (0 on a rerun: the unique key holds).
    """
    recipients = RECIPIENTS[AUDIENCE[kind]](case)
    if not recipients:
        return 0
    now = timezone.now()
    muted = _muted(kind, [r.user_id for r in recipients if r.user_id])
    rows = []
    for recipient in recipients:
        if recipient.user_id:
            rows.append(
                Notification(
                    case=case,
                    kind=kind,
                    channel=NotificationChannel.INBOX,
                    term_end=on,
                    recipient_id=recipient.user_id,
                    recipient_key=recipient.key,
                    message=message,
                    term_event=term_event,
                    created_at=now,
                    state=DeliveryState.SENT,
                    sent_at=now,
                )
            )
        if recipient.email and recipient.user_id not in muted:
            rows.append(
                Notification(
                    case=case,
                    kind=kind,
                    channel=NotificationChannel.EMAIL,
                    term_end=on,
                    recipient_id=recipient.user_id,
                    recipient_key=recipient.key,
                    message=message,
                    term_event=term_event,
                    email=recipient.email,
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(case=case, kind=kind, term_end=on, created_at=now).values_list(
            "pk", "channel", "recipient_id"
        )
    )
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(notification_id=pk, created_at=now)
            for pk, channel, _user in created
            if channel == NotificationChannel.EMAIL
        ],
        ignore_conflicts=True,
    )
    inbox_users = [user for _pk, channel, user in created if channel == NotificationChannel.INBOX]
    transaction.on_commit(lambda: _count_new(inbox_users))
    return len(created)


def _muted(kind: str, user_ids: list[int]) -> set[int]:
    """Staff who switched e-mail off for ``kind``. Citizens' legal mail is never muted."""
    if kind in LEGALLY_REQUIRED or not user_ids:
        return set()
    return set(
        NotificationPreference.objects.filter(
            user_id__in=user_ids, kind=kind, email=False
        ).values_list("user_id", flat=True)
    )


def set_email_preference(*, user: User, kind: NotificationKind, email: bool) -> None:
    """A staff member switches e-mail on or off for one kind (never citizens' legal mail)."""
    if kind in LEGALLY_REQUIRED:
        raise ValueError("legally required mail cannot be switched off")
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})


# -- the sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """Notify ``kind`` for open, running terms of ``term_kind`` whose days left until the end
    lie in ``(after, up_to]`` (``after=None``: no lower bound, i.e. overdue). ``column`` is
    the date the days count to: the end, or the day a key date is signalled ahead
    (``signal_on``)."""

    term_kind: str
    kind: str
    after: int | None
    up_to: int
    audiences: tuple[str, ...]
    column: str = "end_on"


STAGES: tuple[Stage, ...] = (
    Stage(TermKind.UWV_ADVICE, K.UWV_TERM_DUE_SOON, 3, 14, ("assignee", "team", "uwv")),
    Stage(TermKind.UWV_ADVICE, K.UWV_TERM_DUE, -1, 3, ("assignee", "team", "uwv")),
    Stage(TermKind.UWV_ADVICE, K.UWV_TERM_OVERDUE, None, -1, ("assignee", "team", "uwv")),
    Stage(TermKind.DECISION, K.DECISION_DUE_SOON, 3, 14, ("assignee", "team")),
    Stage(TermKind.DECISION, K.DECISION_DUE, -1, 3, ("assignee", "team")),
    Stage(TermKind.DECISION, K.DECISION_OVERDUE, None, -1, ("assignee", "team")),
    Stage(TermKind.OBJECTION, K.OBJECTION_TERM_ENDED, None, -1, ("assignee", "team")),
    Stage(TermKind.PLACEMENT, K.PLACEMENT_SIGNAL, None, 0, ("assignee", "team")),
    Stage(TermKind.ADVICE_REVIEW, K.ADVICE_REVIEW_DUE, None, 0, ("assignee", "team")),
    # §6.1: on the working day two months before a fixed-term contract ends.
    Stage(TermKind.CONTRACT_END, K.CONTRACT_END_DUE, None, 0, ("assignee", "team"), "signal_on"),
)


def _api_account(alias: str) -> str:
    """The user ``alias`` is the account of a machine client of the API: never told."""
    return f"EXISTS (SELECT 1 FROM {{api_client}} x WHERE x.account_id = {alias}.id)"  # noqa: S608


def _handles(alias: str) -> str:
    """The user ``alias`` is the case's handler and may still work it: an active consultant
    or administrator of the case's municipality, not an API client (as
    ``_consultant_recipients``)."""
    roles = ", ".join(f"'{role.value}'" for role in sorted(MUNICIPAL_ROLES))
    return (
        f"{alias}.id = c.assignee_id AND {alias}.is_active "
        f"AND {alias}.municipality_id = c.municipality_id AND {alias}.role IN ({roles}) "
        f"AND NOT {_api_account(alias)}"
    )


_RECIPIENT_JOIN = {
    "assignee": "JOIN {user} u ON " + _handles("u"),
    # No handler, or one switched off or gone to another municipality: the team.
    "team": (
        # Only table names and constant fragments are put together here.
        "JOIN {user} u ON u.municipality_id = c.municipality_id AND u.role = 'consultant' "  # noqa: S608
        "AND NOT EXISTS (SELECT 1 FROM {user} a WHERE " + _handles("a") + ")"
    ),
    "uwv": "JOIN {user} u ON u.role = 'uwv_assessor'",
}

#: Term and event ids this far below the last high mark are looked at again, so a term whose
#: transaction committed after a sweep had read a higher id is not missed.
ID_OVERLAP = 200


def _tables() -> dict[str, str]:
    return {
        "notification": Notification._meta.db_table,
        "term": Term._meta.db_table,
        "event": TermEvent._meta.db_table,
        "case": Case._meta.db_table,
        "user": User._meta.db_table,
        "api_client": ApiClient._meta.db_table,
        "preference": NotificationPreference._meta.db_table,
        "outbox": OutboxMessage._meta.db_table,
    }


def _candidates_sql(stage: Stage, mark: SweepMark | None, today: date) -> str:
    """The open, running terms in the stage's window; after a first run only those that
    entered the window since the last run, are new, or moved (an event since)."""
    day = f"t.{stage.column}"  # a column name of the stage, never input
    window = (
        "t.kind = %(term_kind)s AND t.met_on IS NULL AND t.suspended_since IS NULL "
        f"AND {day} <= %(upper)s" + ("" if stage.after is None else f" AND {day} > %(lower)s")
    )
    select = "SELECT t.id, t.case_id, t.end_on FROM {term} t WHERE " + window  # noqa: S608
    if mark is None or mark.through > today:
        return select
    return (
        f"{select} AND {day} > %(entered_after)s "  # noqa: S608 - constant fragments
        f"UNION {select} AND t.id > %(term_high)s "
        f"UNION {select} AND t.id IN (SELECT e.term_id FROM {{event}} e "
        "WHERE e.id > %(event_high)s)"
    )


def _stage_sql(stage: Stage, audience: str, mark: SweepMark | None, today: date) -> str:
    insert = (
        # Only table names and constant fragments are interpolated; values are parameters.
        "INSERT INTO {notification} (case_id, kind, channel, term_end, recipient_id, "  # noqa: S608
        "recipient_key, email, created_at, read_at, state, attempts, lease_until, sent_at, "
        "last_error) "
        "SELECT t.case_id, %(kind)s, ch.channel, t.end_on, u.id, 'user:' || u.id, "
        "CASE WHEN ch.channel = 'email' THEN u.email ELSE '' END, %(now)s, NULL, "
        "CASE WHEN ch.channel = 'email' THEN 'pending' ELSE 'sent' END, 0, NULL, "
        "CASE WHEN ch.channel = 'email' THEN NULL ELSE %(now)s END, '' "
        "FROM (" + _candidates_sql(stage, mark, today) + ") t "
        "JOIN {case} c ON c.id = t.case_id "
        + _RECIPIENT_JOIN[audience]
        + " CROSS JOIN (SELECT 'inbox' AS channel UNION ALL SELECT 'email') ch "
        "WHERE u.is_active AND NOT " + _api_account("u") + " "
        "AND (ch.channel = 'inbox' OR (u.email <> '' AND NOT EXISTS (SELECT 1 FROM "
        "{preference} p WHERE p.user_id = u.id AND p.kind = %(kind)s AND NOT p.email))) "
        "ON CONFLICT DO NOTHING"
    )
    if connection.vendor == "postgresql":
        # One statement: the new e-mails go to the outbox straight from RETURNING.
        insert = (
            "WITH ins AS (" + insert + " RETURNING id, channel), "  # noqa: S608
            "ob AS (INSERT INTO {outbox} (notification_id, created_at, enqueued_at) "
            "SELECT id, %(now)s, NULL FROM ins WHERE channel = 'email') "
            "SELECT count(*) FROM ins"
        )
    return insert.format(**_tables())


def _outbox_sql() -> str:
    """SQLite (the embedded default) has no INSERT in a WITH: add the outbox rows after."""
    return (  # noqa: S608 - only table names are interpolated
        "INSERT INTO {outbox} (notification_id, created_at, enqueued_at) "
        "SELECT n.id, %(now)s, NULL FROM {notification} n "
        "WHERE n.created_at = %(now)s AND n.channel = 'email' AND n.state = 'pending' "
        "ON CONFLICT DO NOTHING"
    ).format(**_tables())


@dataclass
class SweepResult:
    created: int = 0
    queries: int = 0


def sweep(today: date, *, now: datetime | None = None) -> SweepResult:
    """Create every notification that is due on ``today`` (the local date) over all open
    terms, and the outbox rows for the new e-mails, in one transaction.

    Set-based: one statement per (stage, audience) plus a few for the marks, whatever the
    number of cases. Suspended and met terms are skipped. A term that moved (suspension)
    has a new end date and therefore new reminders; one that did not move gets nothing new.
    A rerun looks only at what changed since the last run (``SweepMark``), and the unique
    key makes any overlap harmless.
    """
    now = now or timezone.now()
    ops = connection.ops
    result = SweepResult()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(id) FROM {Term._meta.db_table}), "  # noqa: S608
            f"(SELECT max(id) FROM {TermEvent._meta.db_table})"
        )
        term_high, event_high = (value or 0 for value in cursor.fetchone())
        marks = {mark.kind: mark for mark in SweepMark.objects.all()}
        result.queries += 2
        for stage in STAGES:
            mark = marks.get(stage.kind)
            params = {
                "kind": stage.kind,
                "term_kind": stage.term_kind,
                "now": ops.adapt_datetimefield_value(now),
                "upper": ops.adapt_datefield_value(today + timedelta(days=stage.up_to)),
                "lower": ops.adapt_datefield_value(
                    today + timedelta(days=stage.after if stage.after is not None else 0)
                ),
            }
            if mark is not None:
                params.update(
                    entered_after=ops.adapt_datefield_value(
                        mark.through + timedelta(days=stage.up_to)
                    ),
                    term_high=max(mark.term_id_high - ID_OVERLAP, 0),
                    event_high=max(mark.event_id_high - ID_OVERLAP, 0),
                )
            for audience in stage.audiences:
                cursor.execute(_stage_sql(stage, audience, mark, today), params)
                created = cursor.fetchone()[0] if postgres else cursor.rowcount
                result.created += max(created, 0)
                result.queries += 1
        if not postgres:
            cursor.execute(_outbox_sql(), {"now": ops.adapt_datetimefield_value(now)})
            result.queries += 1
        SweepMark.objects.bulk_create(
            [
                SweepMark(
                    kind=stage.kind,
                    through=max(today, marks[stage.kind].through) if stage.kind in marks else today,
                    term_id_high=term_high,
                    event_id_high=event_high,
                )
                for stage in STAGES
            ],
            update_conflicts=True,
            unique_fields=["kind"],
            update_fields=["through", "term_id_high", "event_id_high"],
        )
        result.queries += 1
        if result.created:
            transaction.on_commit(forget_unread_counts)
    return result


# -- delivery -------------------------------------------------------------------------------


class TemporaryDeliveryError(Exception):
    """The mail server could not be reached or asked to try later: the outbox tries again."""


def build_email(notification: Notification) -> EmailMultiAlternatives:
    """Dutch plain text and HTML: what happened (never the content of the case), a link to
    the page it is about, signed by the municipality's team with its contact details."""
    case = notification.case
    municipality = case.municipality
    with translation.override(settings.LANGUAGE_CODE):
        message = text_of(notification)
        context = {
            "message": message,
            "notification": notification,
            "case": case,
            "municipality": municipality,
            "for_citizen": notification.kind in CITIZEN_KINDS,
            "page_url": _page_url(notification),
            "portal_url": absolute_url("/"),
            "theme": mail_theme(municipality.pk),
        }
        text = render_to_string("cases/email/notification.txt", context)
        html = render_to_string("cases/email/notification.html", context)
        subject = f"{message.subject} ({case.reference})"
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[notification.email],
        reply_to=[municipality.contact_email] if municipality.contact_email else None,
        headers={"Message-ID": message_id(notification)},
    )
    mail.attach_alternative(html, "text/html")
    return mail


def mail_theme(municipality_id: int) -> dict:
    """The municipality's theme for the HTML part of a mail (or the neutral one): its colours,
    its font as a CSS font stack and the address of its logo on the portal."""
    theme = Theme.objects.filter(municipality_id=municipality_id).defer("logo").first()
    tokens = theme.tokens if theme is not None else dict(themes.NEUTRAL)
    logo_url = ""
    if theme is not None and theme.logo_content_type:
        logo_url = absolute_url(
            reverse("theme_logo", args=[municipality_id]) + f"?v={theme.version}"
        )
    return {
        **tokens,
        "font_stack": themes.font_stack(tokens["font"]),
        "logo_url": logo_url,
        # Shown 48 pixels high in the mail's top bar.
        "logo_width": round(48 * theme.logo_width / theme.logo_height) if logo_url else None,
        "logo_height": 48,
    }


def _page_url(notification: Notification) -> str:
    """The page the mail is about, for its recipient: the citizen's case page, the case
    page of the work list or of the UWV queue (at the message, for a new message); the
    portal's start page for a person without an account."""
    role = (
        User.objects.filter(pk=notification.recipient_id).values_list("role", flat=True).first()
        if notification.recipient_id
        else None
    )
    # A new message: straight to it on that page.
    anchor = f"#bericht-{notification.message_id}" if notification.message_id else ""
    # A correction request: the list of requests, for whoever answers or asked it.
    if role == Role.CITIZEN and notification.kind == K.CORRECTION_ANSWERED:
        return portal_url("citizen:my_data")
    if role == Role.CONSULTANT and notification.kind == K.CORRECTION_REQUESTED:
        return portal_url("work:correction_list")
    if role == Role.CITIZEN:
        return portal_url("citizen:case_detail", notification.case_id) + anchor
    if role == Role.CONSULTANT:
        return portal_url("work:case_detail", notification.case_id) + anchor
    if role == Role.UWV_ASSESSOR:
        return portal_url("uwv:case_detail", notification.case_id) + anchor
    return absolute_url("/")


def message_id(notification: Notification) -> str:
    """Stable per notification, so a receiving server (and the tests) can spot a duplicate."""
    return f"<notification-{notification.pk}@beschutwerk.portal>"


def claim(notification_id: int, now: datetime | None = None) -> Notification | None:
    """Take a notification for sending, or ``None`` if there is nothing to send.

    A notification found *sending* with an expired lease belonged to a worker that died
    during the send. Legal mail is delivered at least once: it is sent again, with the same
    ``Message-ID``, so that a mail client folds the rare duplicate of a send the death cut.
    """
    now = now or timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, channel=NotificationChannel.EMAIL)
            .first()
        )
        if notification is None or notification.state in FINAL_STATES:
            OutboxMessage.objects.filter(notification_id=notification_id).delete()
            return None
        if notification.state == DeliveryState.SENDING:
            if notification.lease_until and notification.lease_until > now:
                return None  # another worker is sending it right now
            logger.warning("notification %s: its worker stopped while sending", notification_id)
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.state = DeliveryState.FAILED
                notification.last_error = "worker stopped while sending, too often"
                notification.lease_until = None
                notification.save(update_fields=["state", "last_error", "lease_until"])
                OutboxMessage.objects.filter(notification_id=notification_id).delete()
                return None
        notification.state = DeliveryState.SENDING
        notification.attempts += 1
        notification.lease_until = now + timedelta(seconds=settings.NOTIFICATION_SEND_LEASE)
        notification.save(update_fields=["state", "attempts", "lease_until"])
    return notification


def _finish(notification: Notification, state: DeliveryState, error: str = "") -> None:
    with transaction.atomic():
        fields = {"state": state, "lease_until": None, "last_error": error[:300]}
        if state == DeliveryState.SENT:
            fields["sent_at"] = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(**fields)
        if state in FINAL_STATES:
            OutboxMessage.objects.filter(notification_id=notification.pk).delete()


def deliver(notification_id: int) -> str:
    """Send one e-mail notification. Raises ``TemporaryDeliveryError`` when the mail server
    did not take it: the notification is pending again and its outbox row waits for
    ``retry_delay`` before a drain enqueues it again.

    At least once: any error short of a permanent refusal by the mail server is tried again,
    up to ``NOTIFICATION_MAX_ATTEMPTS``, and then shown to operators as failed.
    """
    notification = claim(notification_id)
    if notification is None:
        return "skipped"
    notification = Notification.objects.select_related(
        "case__municipality", "case__application", "case__advice"
    ).get(pk=notification.pk)
    try:
        build_email(notification).send()
    except smtplib.SMTPResponseException as error:
        permanent = error.smtp_code >= 500
        return _retry_or_fail(notification, f"SMTP {error.smtp_code}", error, permanent)
    except Exception as error:  # noqa: BLE001 - not refused: worth another try
        return _retry_or_fail(notification, f"{type(error).__name__}: {error}", error, False)
    _finish(notification, DeliveryState.SENT)
    return "sent"


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next attempt after ``attempts`` sends the server did not take:
    1, 2, 4 ... minutes, at most ``NOTIFICATION_RETRY_MAX_DELAY`` seconds."""
    seconds = 60 * 2 ** min(max(attempts - 1, 0), 16)
    return timedelta(seconds=min(seconds, settings.NOTIFICATION_RETRY_MAX_DELAY))


def _retry_or_fail(notification: Notification, reason: str, error: Exception, permanent: bool):
    if permanent or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        _finish(notification, DeliveryState.FAILED, reason)
        logger.error("notification %s failed: %s", notification.pk, reason)
        return "failed"
    with transaction.atomic():
        _finish(notification, DeliveryState.PENDING, reason)
        # The outbox owns the retries (one path, so a drain never starts a second chain): the
        # row waits until its moment, then a drain enqueues it again.
        OutboxMessage.objects.filter(notification_id=notification.pk).update(
            enqueued_at=None, not_before=timezone.now() + retry_delay(notification.attempts)
        )
    raise TemporaryDeliveryError(reason) from error


def claim_outbox(limit: int = 500, now: datetime | None = None) -> list[int]:
    """Mark up to ``limit`` outbox rows as enqueued and return their notification ids: new
    rows, rows whose wait after a failed send is over, and rows enqueued long ago (a lost
    message, a killed worker)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER)
    due = Q(enqueued_at__isnull=True) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(due | Q(enqueued_at__lt=stale))
            .order_by("id")
            .values_list("id", "notification_id")[:limit]
        )
        OutboxMessage.objects.filter(pk__in=[pk for pk, _ in rows]).update(enqueued_at=now)
    return [notification_id for _, notification_id in rows]


def release_outbox(notification_ids: list[int]) -> None:
    """Publishing failed: let the next drain take these at once."""
    OutboxMessage.objects.filter(notification_id__in=notification_ids).update(enqueued_at=None)


# -- reads for the inbox and operators ------------------------------------------------------

UNREAD_VERSION_KEY = "notifications:unread-version"


def _unread_key(user_id: int) -> str:
    """Holds ``(version, count)``: the count is good while the version is the current one."""
    return f"notifications:unread:{user_id}"


def _count_new(user_ids: list[int]) -> None:
    """New inbox messages (after the commit): their recipients' counts are counted again."""
    cache.delete_many([_unread_key(user_id) for user_id in user_ids])


def forget_unread_counts() -> None:
    """After a sweep: every cached unread count is stale."""
    versions.bump(UNREAD_VERSION_KEY)


def _store_unread_count(user, version: int) -> int:
    count = unread_count(user)
    cache.set(_unread_key(user.pk), (version, count), timeout=3600)
    return count


def cached_unread_count(user) -> int:
    """The header's unread count: one cache read on every page (the version and the count
    together); counted (one query) only when it is missing or of an older version."""
    return versions.versioned(
        _unread_key(user.pk), UNREAD_VERSION_KEY, lambda: unread_count(user), 3600
    )


def _inbox(user) -> QuerySet[Notification]:
    """The user's inbox: their notifications about the cases they may still see, in the
    scopes of the pages (``selectors.case_in_scope``). A case that moved to another
    municipality, or a staff member who did, leaves its notices behind: their case page would
    not be found. The list, the unread count and marking as read all read through this."""
    rows = Notification.objects.filter(recipient=user, channel=NotificationChannel.INBOX)
    role = role_of(user)
    if role is Role.CITIZEN:
        return rows.filter(case__person__account=user)
    if role is Role.UWV_ASSESSOR:
        return rows.filter(case__submitted_at__isnull=False).exclude(case__state=CaseState.DRAFT)
    return scope_to_user(rows, user, municipality_field="case__municipality")


def inbox_for(user) -> list[Notification]:
    return list(
        _inbox(user)
        .select_related("case__application", "case__advice")
        .order_by("-created_at", "-id")[:200]
    )


def unread_count(user) -> int:
    return _inbox(user).filter(read_at__isnull=True).count()


def is_own(user, notification_id: int) -> bool:
    return _inbox(user).filter(pk=notification_id).exists()


def recount_unread_of(user_ids: list[int]) -> None:
    """What these users may see changed (they, or a case they were told about, moved to
    another municipality): their unread counts are counted again after the commit."""
    transaction.on_commit(lambda: _count_new(list(user_ids)))


def recount_unread_about(case: Case) -> None:
    """``case`` left the scope of some who were told about it: ``recount_unread_of`` them."""
    recount_unread_of(
        list(
            Notification.objects.filter(
                case=case, channel=NotificationChannel.INBOX, read_at__isnull=True
            )
            .values_list("recipient_id", flat=True)
            .distinct()
        )
    )


def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or all) of the user's own inbox notifications as read."""
    qs = _inbox(user).filter(read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    changed = qs.update(read_at=timezone.now())
    cache.delete(_unread_key(user.pk))
    return changed


def send_again(notification_ids: list[int]) -> int:
    """An operator has the failed (or, from before at-least-once delivery, uncertain) e-mails
    ``notification_ids`` sent again: pending, with a fresh count of attempts."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update()
            .filter(
                pk__in=notification_ids,
                channel=NotificationChannel.EMAIL,
                state__in=[DeliveryState.FAILED, DeliveryState.UNCERTAIN],
            )
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(
            state=DeliveryState.PENDING, attempts=0, lease_until=None, last_error=""
        )
        OutboxMessage.objects.bulk_create(
            [OutboxMessage(notification_id=pk, created_at=now) for pk in ids],
            ignore_conflicts=True,
        )
    return len(ids)


def delivery_problems():
    """Failed and uncertain e-mails, for operators (admin)."""
    return Notification.objects.filter(
        state__in=[DeliveryState.FAILED, DeliveryState.UNCERTAIN]
    ).select_related("case")


def _warm_unread_count(sender, request, user, **kwargs) -> None:
    """Count once at sign-in, so pages read the header's count from the cache."""
    try:
        _store_unread_count(user, versions.current([UNREAD_VERSION_KEY])[0])
    except Exception:  # noqa: BLE001 - a cache outage must not block signing in
        logger.warning("could not cache the unread count at sign-in")


user_logged_in.connect(_warm_unread_count, dispatch_uid="notifications-warm-unread")


# -- the hooks the services call (inside their transaction) ---------------------------------


def _open_term_end(case: Case, kind: str) -> date | None:
    return (
        Term.objects.filter(case=case, kind=kind, met_on__isnull=True)
        .values_list("end_on", flat=True)
        .first()
    )


def notify_submitted(case: Case, *, uwv_term_end: date) -> None:
    """Citizen: received, with the latest advice date. Consultants: a new application
    (content-free when the person applied directly)."""
    notify_case_event(case, K.APPLICATION_RECEIVED, on=uwv_term_end)
    notify_case_event(case, K.NEW_APPLICATION, on=uwv_term_end)


def notify_advice(case: Case) -> None:
    """Citizen and municipality: the advice is issued; the decision term runs."""
    due = _open_term_end(case, TermKind.DECISION) or timezone.localdate()
    notify_case_event(case, K.ADVICE_ISSUED, on=due)
    notify_case_event(case, K.ADVICE_FOR_MUNICIPALITY, on=due)


def notify_decision(case: Case) -> None:
    """Citizen: the decision, with the last day to object."""
    due = _open_term_end(case, TermKind.OBJECTION) or timezone.localdate()
    notify_case_event(case, K.DECISION_SENT, on=due)


def notify_message(case: Case, kind: NotificationKind, *, message) -> None:
    """A new message on ``case`` for the side ``kind`` names: that there is one."""
    notify_case_event(case, kind, on=timezone.localdate(), message=message)


def notify_term_moved(case: Case, term: Term, *, event: TermEvent | None = None) -> None:
    """Citizen: a term of the case stopped, runs again (``event``, the suspension or
    resumption: one notice each, although a suspension leaves the end date as it was) or
    ends on another day (no event: one notice per new end date)."""
    notify_case_event(case, K.TERM_MOVED, on=term.end_on, term_event=event)


def notify_correction_requested(case: Case, *, due_on: date) -> None:
    """Consultants: a correction request to answer by ``due_on`` (AVG art. 12(3))."""
    notify_case_event(case, K.CORRECTION_REQUESTED, on=due_on)


def notify_correction_answered(case: Case) -> None:
    """Citizen: their correction request has been answered."""
    notify_case_event(case, K.CORRECTION_ANSWERED, on=timezone.localdate())


def notify_objection(case: Case, filed_on: date) -> None:
    """Citizen: objection received. Consultants: an objection to handle."""
    notify_case_event(case, K.OBJECTION_RECEIVED, on=filed_on)
    notify_case_event(case, K.OBJECTION_FILED, on=filed_on)
