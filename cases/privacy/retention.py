"""Retention (AVG art. 5(1)(e)): what has been kept for its period (``settings.RETENTION_MONTHS``,
with the legal basis of each in ``docs/privacy.md``) is anonymised or deleted, once a day.

- A **case** that ended (closed or withdrawn) longer ago than its period is anonymised, one
  case per transaction under its row lock, and only when nothing about it still runs: no
  running term, objection, appeal, employment or unanswered correction request, and no other
  case of the same person that is still kept (the person's file ends with its last case).
  Its dates, states, outcomes and hours stay, for the figures of past years; names, the BSN,
  contact details, free texts, messages, documents and notifications go. The **person** is
  anonymised with the last of their cases.
- An application **draft** never sent is deleted, with its documents.
- **Notifications** of ended cases, **audit entries** and the **BSN entries** of the daily
  limit are deleted; a **citizen account** with nothing left to follow is anonymised.

Every run leaves a ``RetentionRun`` with its counts (for operators, in the admin), and the
audit log keeps the fact of each anonymisation or deletion, never the data. Safe to run twice
or on two workers at once: each record is locked and checked again, and an ``Anonymised`` row
records what was done.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases.audit.models import AuditEntry, CaseEvent
from cases.audit.trail import write_entry
from cases.choices import AppealOutcome, ApplicantKind, CaseState
from cases.documents import files
from cases.documents.models import Document
from cases.models import (
    Advice,
    Appeal,
    Application,
    ApplicationDraft,
    BsnEntry,
    Case,
    Decision,
    Objection,
    Person,
)
from cases.notifications.models import DeliveryState, Message, Notification
from cases.placement.models import Employment, PlaceRefusal
from cases.provisions.models import SupportProvision
from cases.terms.models import Term, TermEvent
from portal.models import Role, User

from . import rules
from .models import Anonymised, CorrectionRequest, RetentionKind, RetentionRun

logger = logging.getLogger(__name__)

K = RetentionKind
ENDED_STATES = (CaseState.CLOSED, CaseState.WITHDRAWN)
#: The audit entries that record what retention did: they hold no personal data and stay.
RETENTION_ACTIONS = ("anonymise_after_retention", "delete_after_retention")
BATCH = 1000


def _start_of(day: date) -> datetime:
    """The first moment of ``day`` in the portal's time zone: a moment before it falls on an
    earlier local day."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _marker() -> str:
    """What an anonymised free text says instead, in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Anonymised after the retention period")


def _anonymised(kind: str):
    return Anonymised.objects.filter(kind=kind, object_id=OuterRef("pk"))


def apply_retention(*, today: date | None = None) -> RetentionRun:
    """Anonymise or delete everything whose retention period has passed on ``today``."""
    today = today or timezone.localdate()
    months = settings.RETENTION_MONTHS
    run = RetentionRun.objects.create(today=today)
    done: Counter[str] = Counter()
    held: Counter[str] = Counter()
    failed = 0

    case_cutoff = _start_of(rules.retention_cutoff(today, months["case"]))
    for case_id in _expired_case_ids(case_cutoff):
        try:
            outcome = anonymise_case(case_id=case_id, run=run, today=today, cutoff=case_cutoff)
        except Exception:
            logger.exception("retention: case %s could not be anonymised", case_id)
            write_entry(
                action="anonymise_after_retention",
                actor=None,
                object_type="case",
                object_id=case_id,
                result=AuditEntry.Result.FAILED,
                origin="system",
            )
            failed += 1
            continue
        if outcome.case:
            done[K.CASE] += 1
            done[K.PERSON] += outcome.person
        elif outcome.held_back:
            held[f"{K.CASE}.{outcome.held_back}"] += 1

    done[K.DRAFT] = _delete_drafts(_start_of(rules.retention_cutoff(today, months["draft"])))
    done[K.NOTIFICATION] = _delete_notifications(
        _start_of(rules.retention_cutoff(today, months["notification"]))
    )
    done[K.BSN_ENTRY] = _delete_bsn_entries(rules.retention_cutoff(today, months["bsn_entry"]))
    account_cutoff = _start_of(rules.retention_cutoff(today, months["account"]))
    for user_id in _expired_account_ids(account_cutoff):
        done[K.ACCOUNT] += anonymise_account(user_id=user_id, run=run, cutoff=account_cutoff)
    # Last, so that the entries this run wrote about the others are never among them.
    done[K.AUDIT] = _delete_audit_entries(_start_of(rules.retention_cutoff(today, months["audit"])))

    run.done = {kind: done[kind] for kind in K.values}
    run.held_back = dict(sorted(held.items()))
    run.failed = failed
    run.finished_at = timezone.now()
    run.save(update_fields=["done", "held_back", "failed", "finished_at"])
    logger.info("retention %s: done %s, held back %s, failed %s", today, run.done, held, failed)
    return run


# -- cases and persons ----------------------------------------------------------------------


def _expired_case_ids(cutoff: datetime) -> list[int]:
    """Cases that ended before ``cutoff`` and are not anonymised yet (checked again, one by
    one, under their lock)."""
    return list(
        Case.objects.filter(state__in=ENDED_STATES, closed_at__lt=cutoff)
        .exclude(Exists(_anonymised(K.CASE)))
        .order_by("id")
        .values_list("pk", flat=True)
    )


class Outcome:
    def __init__(self, *, case: bool = False, person: bool = False, held_back: str = ""):
        self.case, self.person, self.held_back = case, person, held_back


def _hold_back_reason(case: Case, *, today: date, cutoff: datetime) -> str:
    """Why a case whose period passed must still be kept ("": it need not be)."""
    if case.state not in ENDED_STATES or case.closed_at is None or case.closed_at >= cutoff:
        return "not_expired"
    if (
        Term.objects.filter(case=case, met_on__isnull=True)
        .filter(Q(end_on__gte=today) | Q(suspended_since__isnull=False))
        .exists()
    ):
        return "running_term"
    if (
        Objection.objects.filter(case=case, outcome=Objection.Outcome.PENDING).exists()
        or Appeal.objects.filter(objection__case=case, outcome=AppealOutcome.PENDING).exists()
    ):
        return "objection_or_appeal"
    if Employment.objects.filter(case=case, end_on__isnull=True).exists():
        return "running_employment"
    if CorrectionRequest.objects.filter(case=case, state=CorrectionRequest.State.OPEN).exists():
        return "open_correction_request"
    if Person.objects.filter(duplicate_of=case.person_id).exists():
        return "possible_duplicate"
    # The person's file ends with its last case: every other case of the person must have
    # ended before the cutoff as well (or be anonymised already).
    if (
        Case.objects.filter(person=case.person_id)
        .exclude(pk=case.pk)
        .exclude(Exists(_anonymised(K.CASE)))
        .exclude(state__in=ENDED_STATES, closed_at__lt=cutoff)
        .exists()
    ):
        return "file_still_kept"
    return ""


def anonymise_case(*, case_id: int, run: RetentionRun, today: date, cutoff: datetime) -> Outcome:
    """Anonymise one ended case whose period passed, in one transaction under its row lock,
    and its person with the last of their cases; held back (nothing changed) when anything
    about it still runs."""
    removed_files: list[str] = []
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or Anonymised.objects.filter(kind=K.CASE, object_id=case_id).exists():
            return Outcome()
        reason = _hold_back_reason(case, today=today, cutoff=cutoff)
        if reason:
            return Outcome(held_back="" if reason == "not_expired" else reason)
        removed_files = _scrub_case(case)
        Anonymised.objects.create(kind=K.CASE, object_id=case.pk, run=run)
        CaseEvent.objects.create(case=case, actor=None, action="anonymised_after_retention")
        person_done = False
        person = Person.objects.select_for_update().get(pk=case.person_id)
        if not (
            Case.objects.filter(person=person).exclude(Exists(_anonymised(K.CASE))).exists()
            or Anonymised.objects.filter(kind=K.PERSON, object_id=person.pk).exists()
        ):
            _scrub_person(person)
            Anonymised.objects.create(kind=K.PERSON, object_id=person.pk, run=run)
            person_done = True
        transaction.on_commit(lambda: [files.remove(name) for name in removed_files])
    _audit("anonymise_after_retention", "case", case_id)
    if person_done:
        _audit("anonymise_after_retention", "person", person.pk)
    return Outcome(case=True, person=person_done)


def _scrub_case(case: Case) -> list[str]:
    """Remove what identifies the person from the case; the stored names of the files to
    remove once the transaction commits."""
    marker = _marker()
    applications = Application.objects.filter(case=case)
    applications.filter(applicant_kind=ApplicantKind.REPRESENTATIVE).update(
        representative_name=marker, representative_relationship=marker
    )
    applications.exclude(applicant_kind=ApplicantKind.REPRESENTATIVE).update(
        representative_name="", representative_relationship=""
    )
    applications.update(
        letter_street="",
        letter_postcode="",
        letter_city="",
        changed_circumstances="",
        support_needed="",
        preselection_notes="",
    )
    Advice.objects.filter(case=case).update(reasons=marker)
    Decision.objects.filter(case=case).exclude(deviation_reason="").update(deviation_reason=marker)
    Objection.objects.filter(case=case).update(grounds=marker)
    Objection.objects.filter(case=case).exclude(deviation_reason="").update(deviation_reason=marker)
    Employment.objects.filter(case=case).update(ended_reason="", out_of_turn_reason="")
    PlaceRefusal.objects.filter(case=case).update(reason=marker)
    SupportProvision.objects.filter(case=case).update(description="")
    TermEvent.objects.filter(term__case=case).update(reason="")
    CaseEvent.objects.filter(case=case).update(details={})
    CorrectionRequest.objects.filter(case=case).delete()
    drafts = ApplicationDraft.objects.filter(case=case)
    documents = Document.objects.filter(Q(case=case) | Q(draft__in=drafts))
    names = list(documents.values_list("stored_name", flat=True))
    documents.delete()
    Notification.objects.filter(case=case).delete()
    Message.objects.filter(case=case).delete()
    drafts.delete()
    return names


def _scrub_person(person: Person) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("Anonymised")
    person.bsn = rules.anonymous_bsn(person.pk)
    person.first_name = ""
    person.last_name = name
    person.birth_date = date(person.birth_date.year, 1, 1)
    person.email = ""
    person.phone = ""
    person.account = None
    person.save(
        update_fields=[
            "bsn",
            "first_name",
            "last_name",
            "birth_date",
            "email",
            "phone",
            "account",
        ]
    )


# -- accounts -------------------------------------------------------------------------------


def _expired_account_ids(cutoff: datetime) -> list[int]:
    """Citizen accounts nobody signed in to since ``cutoff``, with no person whose file is
    kept and no application being written."""
    return list(
        User.objects.filter(role=Role.CITIZEN)
        .annotate(last_seen=Coalesce(F("last_login"), F("date_joined")))
        .filter(last_seen__lt=cutoff)
        .exclude(Exists(_anonymised(K.ACCOUNT)))
        .exclude(Exists(Person.objects.filter(account=OuterRef("pk"))))
        .exclude(
            Exists(ApplicationDraft.objects.filter(owner=OuterRef("pk"), submitted_at__isnull=True))
        )
        .order_by("id")
        .values_list("pk", flat=True)
    )


def anonymise_account(*, user_id: int, run: RetentionRun, cutoff: datetime) -> int:
    """Anonymise one citizen account: it can no longer sign in and holds no address or name.
    The row stays, as the actor of what it once did."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, role=Role.CITIZEN).first()
        if (
            user is None
            or (user.last_login or user.date_joined) >= cutoff
            or Anonymised.objects.filter(kind=K.ACCOUNT, object_id=user_id).exists()
            or Person.objects.filter(account=user).exists()
            or ApplicationDraft.objects.filter(owner=user, submitted_at__isnull=True).exists()
        ):
            return 0
        user.email = f"anonymised-{user.pk}@invalid"
        user.first_name = user.last_name = user.phone = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(
            update_fields=["email", "first_name", "last_name", "phone", "is_active", "password"]
        )
        EmailAddress.objects.filter(user=user).delete()
        Notification.objects.filter(recipient=user).delete()
        BsnEntry.objects.filter(account=user).delete()
        Anonymised.objects.create(kind=K.ACCOUNT, object_id=user.pk, run=run)
    _audit("anonymise_after_retention", "user", user_id)
    return 1


# -- deletions ------------------------------------------------------------------------------


def _delete_drafts(cutoff: datetime) -> int:
    """Applications never sent and not saved since ``cutoff``, with their documents."""
    count = 0
    ids = list(
        ApplicationDraft.objects.filter(submitted_at__isnull=True, updated_at__lt=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    for draft_id in ids:
        with transaction.atomic():
            draft = (
                ApplicationDraft.objects.select_for_update()
                .filter(pk=draft_id, submitted_at__isnull=True, updated_at__lt=cutoff)
                .first()
            )
            if draft is None:
                continue
            documents = Document.objects.filter(draft=draft, case__isnull=True)
            names = list(documents.values_list("stored_name", flat=True))
            documents.delete()
            draft.delete()
            transaction.on_commit(lambda names=names: [files.remove(name) for name in names])
        _audit("delete_after_retention", "application_draft", draft_id)
        count += 1
    return count


def _delete_in_batches(queryset) -> int:
    """Delete the rows of ``queryset`` a batch at a time (short transactions)."""
    total = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        queryset.model.objects.filter(pk__in=ids).delete()
        total += len(ids)


def _delete_notifications(cutoff: datetime) -> int:
    """Notifications made before ``cutoff`` about cases that ended, once delivered (or given
    up); those of open cases stay with the case, as proof of what it was told."""
    count = _delete_in_batches(
        Notification.objects.filter(created_at__lt=cutoff, case__state__in=ENDED_STATES).exclude(
            state__in=[DeliveryState.PENDING, DeliveryState.SENDING]
        )
    )
    if count:
        _audit("delete_after_retention", "notification", "", message=f"{count}")
    return count


def _delete_audit_entries(cutoff: datetime) -> int:
    count = _delete_in_batches(
        AuditEntry.objects.filter(at__lt=cutoff).exclude(action__in=RETENTION_ACTIONS)
    )
    if count:
        _audit("delete_after_retention", "audit_entry", "", message=f"{count}")
    return count


def _delete_bsn_entries(cutoff: date) -> int:
    count = _delete_in_batches(BsnEntry.objects.filter(day__lt=cutoff))
    if count:
        _audit("delete_after_retention", "bsn_entry", "", message=f"{count}")
    return count


def _audit(action: str, object_type: str, object_id, *, message: str = "") -> None:
    write_entry(
        action=action,
        actor=None,
        object_type=object_type,
        object_id=object_id,
        result=AuditEntry.Result.OK,
        origin="system",
        message=message,
    )
