"""Correction requests (AVG art. 16): a citizen files one about the data of their case; a
consultant of the case's municipality grants or refuses it with a reason and, when granted,
may correct the person's details in the same step. Each runs in one transaction under the
case's row lock, writes the case history and an audit entry (after the transaction, so that
refusals are audited too), and notifies the other side.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.audit.models import CaseEvent
from cases.audit.trail import audited
from cases.models import Case, Person
from cases.notifications import dispatch
from cases.terms.lifecycle import decree_days

from . import rules
from .models import CorrectionRequest

#: How many unanswered requests one case may have at a time: enough for every honest need,
#: and a limit on what a script could file.
MAX_OPEN_REQUESTS = 10

#: The person's details a consultant may correct with the answer (the BSN is not among them:
#: a wrong BSN is a possible duplicate, settled by linking the person).
CORRECTABLE_FIELDS = ("first_name", "last_name", "birth_date", "email", "phone")


def _refuse(message, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _lock_case(case_id: int) -> Case:
    case = Case.objects.select_for_update().select_related("person").filter(pk=case_id).first()
    if case is None:
        raise _refuse(_("This case does not exist."), "case_not_found")
    return case


def file_correction_request(
    *, case_id: int, what_is_wrong: str, what_it_should_be: str, actor, origin: str = ""
) -> CorrectionRequest:
    """The citizen whose account the case's person has asks to correct data (AVG art. 16);
    the municipality has one month to answer (AVG art. 12(3))."""
    with (
        audited(
            "file_correction_request",
            actor=actor,
            object_type="case",
            object_id=case_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if case.person.account_id is None or case.person.account_id != actor.pk:
            raise _refuse(_("This case does not exist."), "case_not_found")
        what_is_wrong, what_it_should_be = what_is_wrong.strip(), what_it_should_be.strip()
        if not what_is_wrong or not what_it_should_be:
            raise _refuse(
                _("Write what is wrong and what it should be."), "correction_request_incomplete"
            )
        if (
            CorrectionRequest.objects.filter(case=case, state=CorrectionRequest.State.OPEN).count()
            >= MAX_OPEN_REQUESTS
        ):
            raise _refuse(
                _(
                    "You already have %(count)s requests about this application that have not "
                    "been answered. Wait for the answers first."
                )
                % {"count": MAX_OPEN_REQUESTS},
                "too_many_correction_requests",
            )
        today = timezone.localdate()
        request = CorrectionRequest.objects.create(
            case=case,
            requested_by=actor,
            received_on=today,
            due_on=rules.request_due_on(today, decree_days()),
            what_is_wrong=what_is_wrong,
            what_it_should_be=what_it_should_be,
        )
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            action="correction_requested",
            details={"request": request.pk, "due_on": request.due_on.isoformat()},
        )
        dispatch.notify_correction_requested(case, due_on=request.due_on)
        return request


def answer_correction_request(
    *,
    request_id: int,
    granted: bool,
    answer: str,
    actor,
    corrections: dict | None = None,
    origin: str = "",
) -> CorrectionRequest:
    """A consultant or administrator of the case's municipality answers a correction request:
    granted (the data are corrected: on the pages that edit them, or here, ``corrections``
    of the person's details) or refused, with the reason in ``answer``. Only the names of
    corrected fields are kept in the history and audit, never their values."""
    with (
        audited(
            "answer_correction_request",
            actor=actor,
            object_type="correction_request",
            object_id=request_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        case_id = (
            CorrectionRequest.objects.filter(pk=request_id)
            .values_list("case_id", flat=True)
            .first()
        )
        if case_id is None:
            raise _refuse(_("This request does not exist."), "correction_request_not_found")
        case = _lock_case(case_id)
        if getattr(actor, "municipality_id", None) != case.municipality_id:
            raise _refuse(_("This request does not exist."), "correction_request_not_found")
        request = CorrectionRequest.objects.select_for_update().get(pk=request_id)
        if request.state != CorrectionRequest.State.OPEN:
            raise _refuse(_("This request has already been answered."), "already_answered")
        answer = answer.strip()
        if not answer:
            raise _refuse(
                _("Write the answer: what you corrected, or why you do not correct it."),
                "answer_required",
            )
        changed = _correct_person(case.person, corrections or {}) if granted else []
        request.state = (
            CorrectionRequest.State.GRANTED if granted else CorrectionRequest.State.REFUSED
        )
        request.answer = answer
        request.answered_by = actor
        request.answered_at = timezone.now()
        request.save(update_fields=["state", "answer", "answered_by", "answered_at"])
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            action="correction_answered",
            details={"request": request.pk, "outcome": request.state, "corrected": changed},
        )
        dispatch.notify_correction_answered(case)
        return request


def _correct_person(person: Person, corrections: dict) -> list[str]:
    """Apply the consultant's corrections of the person's details; the names of the fields
    that changed."""
    changed = []
    for name in CORRECTABLE_FIELDS:
        if name not in corrections:
            continue
        value = corrections[name]
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "") and name in ("first_name", "last_name", "birth_date"):
            continue  # a required detail is corrected, never emptied
        if isinstance(value, date) and value > timezone.localdate():
            raise _refuse(_("A date of birth cannot be in the future."), "birth_date_future")
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if changed:
        person.save(update_fields=changed)
    return changed
