"""Every write with business meaning. Each service runs in one transaction, locks what it
must, applies ``rules``, saves with ``update_fields``, appends to the case history and writes
an audit entry naming the real actor (after the transaction, so refusals are audited too).

Services raise ``django.core.exceptions.ValidationError`` with a Dutch, user-facing message
when the law or the state of the case does not allow the action; nothing is changed then.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality

from . import figures, rules, selectors
from .audit.models import AuditEntry, CaseEvent
from .audit.trail import audited, write_entry
from .choices import (
    AdviceOutcome,
    AppealOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    ContractKind,
    ContractOutcome,
    ProvisionKind,
    Responsible,
    TermKind,
    WorkplaceKind,
)
from .documents import letters
from .models import Advice, Appeal, Application, Case, Decision, Objection, Person
from .notifications import dispatch
from .placement.capacity import format_euro, format_places, turn_for_additional_place
from .placement.models import AvailabilityPeriod, Employment, PassedOver, PlaceRefusal
from .provisions.models import SupportProvision
from .terms.lifecycle import (
    decree_days,
    forget_decree_days,
    meet_term,
    open_term,
    pause_signal,
    recompute_term,
    record_resumption,
    record_suspension,
    resume_signal,
    start_term,
)
from .terms.models import Term


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _from_rule(violation: rules.RuleViolation) -> ValidationError:
    return ValidationError(violation.message, code=violation.code, params=violation.params or None)


def _lock_case(case_id: int) -> Case:
    try:
        return Case.objects.select_for_update().select_related("person").get(pk=case_id)
    except Case.DoesNotExist:
        raise _refuse(_("This case does not exist."), "case_not_found") from None


def _lock_employment(employment_id: int) -> tuple[Case, Employment]:
    """A job and its case, both locked: the case first, then its job, the order every service
    locks them in (so two of them never wait for each other)."""
    case = _lock_case(Employment.objects.values_list("case_id", flat=True).get(pk=employment_id))
    return case, Employment.objects.select_for_update().get(pk=employment_id)


def _today() -> date:
    return timezone.localdate()


# -- lifecycle ----------------------------------------------------------------------------


def transition(case: Case, to_state: CaseState, *, actor, action: str, details=None) -> Case:
    """The only way a case changes state. The caller holds the case's row lock.

    Checks ``rules.TRANSITIONS``, sets the matching timestamps and appends a history event.
    """
    try:
        rules.check_transition(CaseState(case.state), to_state)
    except rules.RuleViolation as violation:
        raise _from_rule(violation) from None
    now = timezone.now()
    from_state = case.state
    case.state = to_state
    case.state_since = now
    fields = ["state", "state_since"]
    if to_state == CaseState.SUBMITTED and case.submitted_at is None:
        case.submitted_at = now
        fields.append("submitted_at")
    if to_state in (CaseState.WITHDRAWN, CaseState.CLOSED):
        case.closed_at = now
        fields.append("closed_at")
    case.save(update_fields=fields)
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        details=details or {},
    )
    return case


def _event(case: Case, *, actor, action: str, details=None) -> None:
    CaseEvent.objects.create(case=case, actor=actor, action=action, details=details or {})


# -- terms --------------------------------------------------------------------------------


def suspend_term(
    *, case_id: int, kind: TermKind, on: date, reason: str, actor, origin: str = ""
) -> Term:
    """Suspend a running term (e.g. UWV waits for documents). The days are added to its end."""
    with (
        audited("suspend_term", actor=actor, object_type="case", object_id=case_id, origin=origin),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        term = open_term(case, kind)
        if term is None:
            raise _refuse(_("There is no running term to suspend."), "no_running_term")
        if term.suspended_since is not None:
            raise _refuse(_("This term is already suspended."), "already_suspended")
        if on < term.starts_on or on > _today():
            raise _refuse(
                _("The suspension must start between the start of the term and today."),
                "suspension_date",
            )
        suspension = record_suspension(term, on=on, reason=reason, actor=actor)
        _event(
            case, actor=actor, action="term_suspended", details={"term": kind, "on": on.isoformat()}
        )
        dispatch.notify_term_moved(case, term, event=suspension)
        return term


#: How far after a decree day the end of a term it carried on may lie (a long weekend, a
#: holiday next to it): the running terms ending in this window are derived again.
DECREE_DAY_REACH = timedelta(days=14)


def decree_days_changed(*, days, actor, origin: str = "") -> int:
    """An operator added, moved or removed days equated with general holidays by decree
    (§0, art. 3(3) Atw). Every running statutory term that ends on or shortly after one of
    ``days`` gets its end derived again; a term whose end moves gets an event in its case's
    history and its people a notice. A suspended term is derived again when it resumes.
    Returns the number of terms that moved."""
    days = sorted(set(days))
    if not days:
        return 0
    with (
        audited(
            "decree_days_changed",
            actor=actor,
            object_type="decree_day",
            object_id=",".join(day.isoformat() for day in days),
            origin=origin,
        ),
        transaction.atomic(),
    ):
        forget_decree_days()
        window = Q()
        for day in days:
            window |= Q(end_on__range=(day, day + DECREE_DAY_REACH))
        running = (
            Term.objects.filter(window, met_on__isnull=True, suspended_since__isnull=True)
            .exclude(weeks__isnull=True)  # signal dates, not statutory terms: no Atw
            .select_related("case")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        moved = 0
        for term in running:
            before = term.end_on
            recompute_term(term)
            if term.end_on == before:
                continue
            moved += 1
            _event(
                term.case,
                actor=actor,
                action="term_end_moved",
                details={
                    "term": term.kind,
                    "from": before.isoformat(),
                    "end_on": term.end_on.isoformat(),
                },
            )
            dispatch.notify_term_moved(term.case, term)
        return moved


def resume_term(*, case_id: int, kind: TermKind, on: date, actor, origin: str = "") -> Term:
    with (
        audited("resume_term", actor=actor, object_type="case", object_id=case_id, origin=origin),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        term = open_term(case, kind)
        if term is None or term.suspended_since is None:
            raise _refuse(_("This term is not suspended."), "not_suspended")
        if on < term.suspended_since or on > _today():
            raise _refuse(
                _("The term can only be resumed between the day it was suspended and today."),
                "resume_date",
            )
        resumption = record_resumption(term, on=on, actor=actor)
        _event(
            case,
            actor=actor,
            action="term_resumed",
            details={"term": kind, "on": on.isoformat(), "end_on": term.end_on.isoformat()},
        )
        dispatch.notify_term_moved(case, term, event=resumption)
        return term


# -- application (DOMAIN §1) ----------------------------------------------------------------


def create_application(
    *,
    person: Person,
    applicant_kind: ApplicantKind,
    source: str,
    actor,
    origin: str = "",
    **application_fields,
) -> Case:
    """Open a case in draft for ``person`` in their municipality."""
    with (
        audited("create_application", actor=actor, object_type="case", origin=origin) as record,
        transaction.atomic(),
    ):
        now = timezone.now()
        case = Case.objects.create(
            # A placeholder within max_length=20 until the pk is known (PostgreSQL checks it).
            reference=f"tmp-{uuid.uuid4().hex[:16]}",
            person=person,
            municipality_id=person.municipality_id,
            state=CaseState.DRAFT,
            state_since=now,
        )
        case.reference = f"BW-{now:%Y}-{case.pk:06d}"
        # A new application for a person already on file here belongs to that file (§2.6).
        earlier = (
            Case.objects.filter(person=person, municipality_id=person.municipality_id)
            .exclude(pk=case.pk)
            .order_by("-created_at", "-id")
            .first()
        )
        case.previous_case = earlier
        case.save(update_fields=["reference", "previous_case"])
        if earlier is not None:
            _event(
                earlier, actor=actor, action="new_application_in_file", details={"case": case.pk}
            )
        Application.objects.create(
            case=case,
            applicant_kind=applicant_kind,
            source=source,
            submitted_by=actor,
            **application_fields,
        )
        _event(case, actor=actor, action="application_created")
        record.object_id = str(case.pk)
        return case


def submit_application(*, case_id: int, actor, origin: str = "") -> Case:
    """Send the application to UWV: the 8-week term starts on the day of receipt (§2.1)."""
    with (
        audited(
            "submit_application", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if case.state != CaseState.DRAFT:
            raise _refuse(_("This application has already been sent."), "already_submitted")
        today = _today()
        age = rules.age_check(case.person.birth_date, today, selectors.aow_ages())
        application = case.application
        if age.blocking:
            own = application.applicant_kind == ApplicantKind.PERSON
            raise _refuse(age.notice if own else age.notice_about_person, f"age_{age.value}")
        outcome = rules.twelve_month_rule(
            ApplicantKind(application.applicant_kind),
            today,
            selectors.last_advice_date(case.person, exclude_case_id=case.pk),
            bool(application.changed_circumstances.strip()),
        )
        application.received_on = today
        application.save(update_fields=["received_on"])
        end = rules.uwv_term_end(today, extra_days=decree_days())
        start_term(
            case, TermKind.UWV_ADVICE, starts_on=today, weeks=rules.UWV_TERM_WEEKS, end_on=end
        )
        transition(
            case,
            CaseState.SUBMITTED,
            actor=actor,
            action="application_submitted",
            details={"twelve_month_rule": outcome.value, "uwv_term_end": end.isoformat()},
        )
        dispatch.notify_submitted(case, uwv_term_end=end)
        return case


def start_investigation(*, case_id: int, actor, origin: str = "") -> Case:
    with (
        audited(
            "start_investigation", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        return transition(case, CaseState.WITH_UWV, actor=actor, action="investigation_started")


def withdraw_application(*, case_id: int, actor, origin: str = "") -> Case:
    with (
        audited(
            "withdraw_application",
            actor=actor,
            object_type="case",
            object_id=case_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        transition(case, CaseState.WITHDRAWN, actor=actor, action="application_withdrawn")
        Term.objects.filter(case=case, met_on__isnull=True).update(met_on=_today())
        return case


# -- advice (DOMAIN §2) ---------------------------------------------------------------------


def record_advice(
    *,
    case_id: int,
    outcome: AdviceOutcome,
    reasons: str,
    actor,
    needs_adaptations: bool = False,
    needs_supervision: bool = False,
    work_capacity: rules.WorkCapacity | None = None,
    circumstances_changed: bool = False,
    origin: str = "",
) -> Advice:
    """UWV issues its advice. A valid Wsw indication decides without investigation (§2.4),
    unless the application says, or UWV finds (``circumstances_changed``), that the
    circumstances have changed; otherwise the outcome must follow the criteria of
    §2.2–§2.3."""
    with (
        audited("record_advice", actor=actor, object_type="case", object_id=case_id, origin=origin),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if case.state not in (CaseState.SUBMITTED, CaseState.WITH_UWV):
            raise _refuse(_("An advice can only be given on an application at UWV."), "not_at_uwv")
        if not reasons.strip():
            raise _refuse(_("Give the reasons for the advice."), "reasons_required")
        person, application = case.person, case.application
        changed = bool(application.changed_circumstances.strip())
        shortcut = rules.wsw_shortcut(
            person.wsw_indication_end,
            person.wsw_supported_employment,
            application.received_on,
            changed or circumstances_changed,
        )
        without_investigation = shortcut is not None
        once_a_year = False
        if shortcut is not None:
            expected = shortcut
        else:
            # §1.2: applied again within 12 months without changed circumstances: a negative
            # advice, without assessing the criteria (findings are optional then).
            once_a_year = (
                rules.twelve_month_rule(
                    ApplicantKind(application.applicant_kind),
                    application.received_on,
                    selectors.last_advice_date(person, exclude_case_id=case.pk),
                    changed or circumstances_changed,
                )
                == rules.TwelveMonthOutcome.NEGATIVE_UNLESS_CHANGED
            )
            if work_capacity is None and not once_a_year:
                raise _refuse(_("Record the findings on work capacity."), "work_capacity_required")
            expected = (
                AdviceOutcome.NEGATIVE
                if once_a_year
                else rules.advice_outcome(work_capacity, needs_adaptations, needs_supervision)
            )
        if AdviceOutcome(outcome) != expected:
            raise _refuse(
                _("This advice does not match the findings: by the rules it is %(expected)s."),
                "outcome_mismatch",
                expected=expected.label,
            )
        wc = work_capacity or rules.WorkCapacity(False, False, Decimal(0), Decimal(0))
        today = _today()
        advice = Advice.objects.create(
            case=case,
            outcome=outcome,
            needs_adaptations=needs_adaptations,
            needs_supervision=needs_supervision,
            can_perform_task=wc.can_perform_task,
            basic_employee_skills=wc.basic_employee_skills,
            hours_at_a_stretch=wc.hours_at_a_stretch,
            hours_per_day=wc.hours_per_day,
            without_investigation=without_investigation,
            once_a_year_rule=once_a_year,
            reasons=reasons,
            issued_on=today,
            assessor=actor,
        )
        if rules.leaves_jobs_register(AdviceOutcome(outcome)) and person.in_jobs_register:
            person.in_jobs_register = False
            person.save(update_fields=["in_jobs_register"])
        meet_term(case, TermKind.UWV_ADVICE, today)
        _newer_advice_in_file(case, advice, actor=actor)
        verordening = selectors.verordening_in_force(case.municipality_id, today)
        weeks = verordening.decision_term_weeks if verordening else 8
        start_term(
            case,
            TermKind.DECISION,
            starts_on=today,
            weeks=weeks,
            end_on=rules.decision_term_end(today, weeks, decree_days()),
        )
        transition(
            case,
            CaseState.ADVICE_ISSUED,
            actor=actor,
            action="advice_issued",
            details={"outcome": outcome, "without_investigation": without_investigation},
        )
        dispatch.notify_advice(case)
        return advice


def _newer_advice_in_file(case: Case, advice: Advice, *, actor) -> None:
    """§2.6: the new advice is the one in force for the person. Their earlier cases in this
    municipality keep their own advice in the history, told that a newer one exists; a review
    date they were waiting for is met by it."""
    earlier = list(
        Case.objects.filter(person_id=case.person_id, municipality_id=case.municipality_id)
        .exclude(pk=case.pk)
        .filter(advice__isnull=False)
        .values_list("pk", flat=True)
    )
    Term.objects.filter(
        case_id__in=earlier, kind=TermKind.ADVICE_REVIEW, met_on__isnull=True
    ).update(met_on=advice.issued_on)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case_id=pk,
                actor=actor,
                action="newer_advice",
                details={"case": case.pk, "outcome": advice.outcome},
            )
            for pk in earlier
        ]
    )


# -- decision and objection (DOMAIN §3) ---------------------------------------------------


def record_decision(
    *, case_id: int, positive: bool, actor, deviation_reason: str = "", origin: str = ""
) -> Decision:
    """The college decides after the advice; bound to it unless it records why it deviates."""
    with (
        audited(
            "record_decision", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if Decision.objects.filter(case=case).exists():
            raise _refuse(
                _("A decision on this advice has already been recorded."), "already_decided"
            )
        deemed = case.deemed_refusal_on is not None
        # After a deemed refusal the college can still decide, also while an objection
        # against not deciding is pending (§3.1).
        if case.state != CaseState.ADVICE_ISSUED and not (
            deemed and case.state == CaseState.OBJECTION
        ):
            raise _refuse(_("A decision can only follow an advice."), "no_advice")
        advice = case.advice
        try:
            rules.check_decision(AdviceOutcome(advice.outcome), positive, deviation_reason)
        except rules.RuleViolation as violation:
            raise _from_rule(violation) from None
        today = _today()
        verordening = selectors.verordening_in_force(case.municipality_id, today)
        if verordening is None:
            raise _refuse(_("The municipality has no verordening in force yet."), "no_verordening")
        if case.municipality.missing_letterhead_fields:
            raise letters.LetterheadIncomplete(case.municipality)
        decision = Decision.objects.create(
            case=case,
            positive=positive,
            follows_advice=rules.decision_follows_advice(AdviceOutcome(advice.outcome), positive),
            deviation_reason=deviation_reason.strip(),
            sent_on=today,
            verordening=verordening,
            decided_by=actor,
        )
        meet_term(case, TermKind.DECISION, today)
        # A late decision replaces the deemed refusal: the objection term against not deciding
        # ends, and a new one runs against the decision (§3.1).
        meet_term(case, TermKind.OBJECTION, today)
        start_term(
            case,
            TermKind.OBJECTION,
            starts_on=today,
            weeks=rules.OBJECTION_TERM_WEEKS,
            end_on=rules.objection_term_end(today, decree_days()),
        )
        works = selectors.person_works(case.person_id, exclude_case_id=case.pk)
        next_state = rules.decision_next_state(positive, works)
        if next_state == CaseState.AWAITING_PLACEMENT:
            _become_candidate(case, today, advice=advice)
        details = {
            "positive": positive,
            "follows_advice": decision.follows_advice,
            "verordening": verordening.pk,
            "late": deemed,
        }
        if case.state == CaseState.OBJECTION and next_state == CaseState.REJECTED:
            # The pending objection against not deciding now counts against this refusal.
            _event(case, actor=actor, action="decision_recorded", details=details)
        else:
            transition(case, next_state, actor=actor, action="decision_recorded", details=details)
        _earlier_cases_give_way(case, actor=actor, today=today)
        dispatch.notify_decision(case)
        return decision


def _earlier_cases_give_way(case: Case, *, actor, today: date) -> None:
    """§2.6: the decision on the newer advice replaces the earlier decision of the person's
    file in this municipality (``rules.earlier_case_after_new_decision``)."""
    earlier = (
        Case.objects.select_for_update()
        .filter(person_id=case.person_id, municipality_id=case.municipality_id)
        .exclude(pk=case.pk)
        .order_by("pk")
    )
    for other in earlier:
        next_state = rules.earlier_case_after_new_decision(CaseState(other.state))
        if next_state is None:
            continue
        transition(other, next_state, actor=actor, action="superseded", details={"case": case.pk})
        Term.objects.filter(case=other, met_on__isnull=True).update(met_on=today)


def record_deemed_refusal(*, case_id: int, today: date) -> bool:
    """§3.1: the decision term has passed without a decision: that counts as a refusal. The
    citizen is told and may object, within 6 weeks from the day after the term ended. Once
    per case (False when there is nothing (more) to do); the case stays open for the
    college's decision."""
    with (
        audited(
            "record_deemed_refusal",
            actor=None,
            object_type="case",
            object_id=case_id,
            origin="sweep",
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        term = (
            Term.objects.filter(case=case, kind=TermKind.DECISION, met_on__isnull=True)
            .order_by("-id")
            .first()
        )
        if (
            case.state != CaseState.ADVICE_ISSUED
            or case.deemed_refusal_on is not None
            or term is None
            or term.suspended_since is not None
            or Decision.objects.filter(case=case).exists()
            or not rules.deemed_refusal(False, term.end_on, today)
        ):
            return False
        case.deemed_refusal_on = rules.deemed_refusal_on(term.end_on)
        case.save(update_fields=["deemed_refusal_on"])
        objection_end = rules.deemed_refusal_objection_term_end(term.end_on, decree_days())
        start_term(
            case,
            TermKind.OBJECTION,
            starts_on=term.end_on,
            weeks=rules.OBJECTION_TERM_WEEKS,
            end_on=objection_end,
        )
        _event(
            case,
            actor=None,
            action="deemed_refusal",
            details={
                "decision_due_on": term.end_on.isoformat(),
                "objection_until": objection_end.isoformat(),
            },
        )
        dispatch.notify_case_event(case, dispatch.K.DEEMED_REFUSAL, on=objection_end)
        return True


def close_candidates_past_aow_age(*, today: date) -> int:
    """The sweep's part for §1.3: beschut werk is not for people who have reached the AOW age.
    A candidate (waiting for a place, or unavailable) who has reached it leaves the list: the
    case closes, with its placement signal, and the municipality is told. Safe to run twice;
    nothing happens in a year whose AOW age the law has not set yet."""
    table = selectors.aow_ages()
    try:
        rules.aow_age(today.year, table)
    except ValueError:
        return 0
    youngest_aow_age = min(row.years for row in table)
    born_by = rules.add_months(today, -12 * youngest_aow_age)
    candidates = Case.objects.filter(
        state__in=[CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE],
        person__birth_date__lte=born_by,
    ).values_list("pk", flat=True)
    closed = 0
    for case_id in list(candidates):
        with transaction.atomic():
            case = _lock_case(case_id)
            if case.state not in (CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE):
                continue
            if not rules.aow_reached(case.person.birth_date, today, table):
                continue
            transition(case, CaseState.CLOSED, actor=None, action="aow_age_reached")
            # Nothing of the case runs on: its terms, and a period of unavailability.
            Term.objects.filter(case=case, met_on__isnull=True).update(met_on=today)
            AvailabilityPeriod.objects.filter(case=case, available_again_on__isnull=True).update(
                available_again_on=today
            )
            dispatch.notify_case_event(case, dispatch.K.AOW_AGE_REACHED, on=today)
            dispatch.notify_case_event(case, dispatch.K.YOUR_AOW_AGE_REACHED, on=today)
            closed += 1
    return closed


def record_deemed_refusals(*, today: date) -> int:
    """The sweep's part for §3.1: every case whose decision term passed without a decision
    and that has not been marked yet. Safe to run twice."""
    due = Term.objects.filter(
        kind=TermKind.DECISION,
        met_on__isnull=True,
        suspended_since__isnull=True,
        end_on__lt=today,
        case__state=CaseState.ADVICE_ISSUED,
        case__deemed_refusal_on__isnull=True,
    ).values_list("case_id", flat=True)
    return sum(record_deemed_refusal(case_id=case_id, today=today) for case_id in list(due))


def _become_candidate(case: Case, on: date, *, advice: Advice | None) -> None:
    """The case waits for a place from ``on`` (the positive decision, or the objection's
    outcome that made it positive); in the verordening's order it counts by the date of the
    advice the decision rests on, whatever date it became positive (§4.5). The placement
    signal counts three months from the positive advice (§4.8); a positive decision that
    deviates from a negative advice has none, so there it counts from ``on``."""
    advice_on = advice.issued_on if advice is not None else None
    case.positive_decision_on = on
    case.positive_advice_on = advice_on
    case.save(update_fields=["positive_decision_on", "positive_advice_on"])
    positive = advice is not None and advice.outcome == AdviceOutcome.POSITIVE
    counts_from = advice_on if positive and advice_on is not None else on
    signal = rules.placement_signal_date(counts_from)
    start_term(case, TermKind.PLACEMENT, starts_on=counts_from, weeks=None, end_on=signal)


def file_objection(
    *,
    case_id: int,
    grounds: str,
    actor,
    filed_on: date | None = None,
    posted_on: date | None = None,
    origin: str = "",
) -> Objection:
    """Register a bezwaar against the decision (§3.3), noting whether it came in time: received
    by the end of the term, or posted by then (``posted_on``, the postmark) and received at
    most a week later (Awb 6:9, ``rules.objection_in_time``)."""
    with (
        audited(
            "file_objection", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        decision = Decision.objects.filter(case=case).first()
        if decision is not None:
            sent_on = decision.sent_on
        elif case.deemed_refusal_on is not None:
            # Against not deciding in time (§3.1): as if refused on the term's last day.
            sent_on = case.deemed_refusal_on - timedelta(days=1)
        else:
            raise _refuse(_("There is no decision to object to yet."), "no_decision")
        if not grounds.strip():
            raise _refuse(_("Say why you do not agree with the decision."), "grounds_required")
        if case.objections.filter(outcome=Objection.Outcome.PENDING).exists():
            raise _refuse(
                _("An objection against this decision is already being handled."),
                "objection_pending",
            )
        filed_on = filed_on or _today()
        if posted_on is not None and posted_on > filed_on:
            raise _refuse(
                _("The objection cannot have been posted after it was received."), "posted_on"
            )
        in_time = rules.objection_in_time(
            sent_on, filed_on, posted_on=posted_on, extra_days=decree_days()
        )
        objection = Objection.objects.create(
            case=case, filed_on=filed_on, posted_on=posted_on, grounds=grounds, in_time=in_time
        )
        meet_term(case, TermKind.OBJECTION, filed_on)
        if case.state == CaseState.REJECTED or (
            decision is None and case.state == CaseState.ADVICE_ISSUED
        ):
            transition(
                case,
                CaseState.OBJECTION,
                actor=actor,
                action="objection_filed",
                details={"in_time": in_time},
            )
        else:
            _event(case, actor=actor, action="objection_filed", details={"in_time": in_time})
        dispatch.notify_objection(case, filed_on)
        return objection


def decide_objection(
    *, objection_id: int, outcome: str, actor, deviation_reason: str = "", origin: str = ""
) -> Objection:
    """The college's decision on an objection (§3.3). Upheld against a refusal, the person
    becomes a candidate for a place; where that refusal followed a negative advice, it deviates
    from the advice and needs a recorded reason (§3.2, ``rules.check_decision``)."""
    with (
        audited(
            "decide_objection",
            actor=actor,
            object_type="objection",
            object_id=objection_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        objection = Objection.objects.select_for_update().get(pk=objection_id)
        case = _lock_case(objection.case_id)
        if objection.outcome != Objection.Outcome.PENDING:
            raise _refuse(_("This objection has already been decided."), "objection_decided")
        if outcome not in Objection.Outcome.values or outcome == Objection.Outcome.PENDING:
            raise _refuse(_("Choose the outcome of the objection."), "objection_outcome")
        makes_eligible = case.state == CaseState.OBJECTION and outcome == Objection.Outcome.GRANTED
        advice = Advice.objects.filter(case=case).first() if makes_eligible else None
        follows_advice = True
        if advice is not None:
            try:
                rules.check_decision(AdviceOutcome(advice.outcome), True, deviation_reason)
            except rules.RuleViolation as violation:
                raise _from_rule(violation) from None
            follows_advice = rules.decision_follows_advice(AdviceOutcome(advice.outcome), True)
        today = _today()
        objection.outcome, objection.decided_on = outcome, today
        objection.deviation_reason = "" if follows_advice else deviation_reason.strip()
        objection.save(update_fields=["outcome", "decided_on", "deviation_reason"])
        if case.state == CaseState.OBJECTION:
            if makes_eligible:
                _become_candidate(case, today, advice=advice)
                transition(
                    case,
                    CaseState.AWAITING_PLACEMENT,
                    actor=actor,
                    action="objection_granted",
                    details={"follows_advice": follows_advice},
                )
            else:
                transition(
                    case,
                    CaseState.REJECTED,
                    actor=actor,
                    action="objection_decided",
                    details={"outcome": outcome},
                )
        else:
            _event(case, actor=actor, action="objection_decided", details={"outcome": outcome})
        return objection


def file_appeal(
    *, objection_id: int, filed_on: date, court: str, actor, origin: str = ""
) -> Appeal:
    """The person appealed (*beroep*) to the court against the decision on their objection
    (§3.3): possible once the objection is decided (``rules.appeal_possible``), once per
    objection. Kept in the history; the case keeps its state until the judgment."""
    with (
        audited(
            "file_appeal",
            actor=actor,
            object_type="objection",
            object_id=objection_id,
            origin=origin,
        ) as record,
        transaction.atomic(),
    ):
        objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None:
            raise _refuse(_("There is no decided objection to appeal against."), "no_objection")
        case = _lock_case(objection.case_id)
        _check_own_case(case, actor)
        if not rules.appeal_possible(objection.outcome):
            raise _refuse(
                _("An appeal is possible only after the decision on the objection."),
                "objection_not_decided",
            )
        if Appeal.objects.filter(objection=objection).exists():
            raise _refuse(
                _("An appeal against this decision has already been recorded."), "appeal_exists"
            )
        if not court.strip():
            raise _refuse(_("Fill in the court."), "court_required")
        if filed_on > _today() or filed_on < objection.decided_on:
            raise _refuse(
                _("The date must lie between the decision on the objection and today."),
                "appeal_date",
            )
        appeal = Appeal.objects.create(
            objection=objection, filed_on=filed_on, court=court.strip(), recorded_by=actor
        )
        record.extra["appeal"] = appeal.pk
        _event(
            case,
            actor=actor,
            action="appeal_filed",
            details={"appeal": appeal.pk, "court": appeal.court, "on": filed_on.isoformat()},
        )
        return appeal


def decide_appeal(
    *, appeal_id: int, outcome: AppealOutcome, decided_on: date, actor, origin: str = ""
) -> Appeal:
    """The court's judgment on an appeal (or its withdrawal), with its date. What follows an
    upheld appeal (a new decision on the objection) the consultant records as usual."""
    with (
        audited(
            "decide_appeal", actor=actor, object_type="appeal", object_id=appeal_id, origin=origin
        ),
        transaction.atomic(),
    ):
        appeal = (
            Appeal.objects.select_for_update().select_related("objection").filter(pk=appeal_id)
        ).first()
        if appeal is None:
            raise _refuse(_("This appeal does not exist."), "appeal_not_found")
        case = _lock_case(appeal.objection.case_id)
        _check_own_case(case, actor)
        if appeal.outcome != AppealOutcome.PENDING:
            raise _refuse(_("The outcome of this appeal has already been recorded."), "decided")
        if outcome not in AppealOutcome.values or outcome == AppealOutcome.PENDING:
            raise _refuse(_("Choose the outcome of the appeal."), "appeal_outcome")
        if decided_on > _today() or decided_on < appeal.filed_on:
            raise _refuse(_("The date must lie between the appeal and today."), "appeal_decided_on")
        appeal.outcome, appeal.decided_on = outcome, decided_on
        appeal.save(update_fields=["outcome", "decided_on"])
        _event(
            case,
            actor=actor,
            action="appeal_decided",
            details={"appeal": appeal.pk, "outcome": str(outcome)},
        )
        return appeal


# -- availability, placement, employment (DOMAIN §4, §6) ----------------------------------


def mark_unavailable(
    *, case_id: int, reason: str, actor, from_on: date | None = None, origin: str = ""
) -> Case:
    """The person is temporarily unavailable; the case pauses and keeps its turn (§4.4)."""
    with (
        audited(
            "mark_unavailable", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if from_on is not None and from_on > _today():
            # The case would pause today: until that day the person keeps their place (§4.4).
            raise _refuse(
                _(
                    "The date cannot be in the future. Record it on the day the person "
                    "becomes unavailable: until then they keep their place."
                ),
                "unavailable_future",
            )
        transition(
            case,
            CaseState.UNAVAILABLE,
            actor=actor,
            action="marked_unavailable",
            details={"reason": reason},
        )
        AvailabilityPeriod.objects.create(
            case=case, reason=reason, unavailable_from=from_on or _today()
        )
        # The case pauses: no "still unplaced" signal while the person cannot be placed.
        signal = open_term(case, TermKind.PLACEMENT)
        if signal is not None and signal.suspended_since is None:
            with translation.override(settings.LANGUAGE_CODE):  # history in the house language
                label = str(dict(AvailabilityPeriod.Reason.choices).get(reason, reason))
            pause_signal(
                signal, on=max(from_on or _today(), signal.starts_on), reason=label, actor=actor
            )
        return case


def mark_available(*, case_id: int, actor, on: date | None = None, origin: str = "") -> Case:
    with (
        audited(
            "mark_available", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if case.state != CaseState.UNAVAILABLE:
            raise _refuse(_("This person is not marked as unavailable."), "not_unavailable")
        on = on or _today()
        if on > _today():
            raise _refuse(
                _(
                    "The date cannot be in the future. Record it on the day the person is "
                    "available again."
                ),
                "available_future",
            )
        period = AvailabilityPeriod.objects.filter(
            case=case, available_again_on__isnull=True
        ).first()
        if period is not None and on < period.unavailable_from:
            raise _refuse(
                _(
                    "The person cannot be available again before %(date)s, the day they "
                    "became unavailable."
                ),
                "available_before_unavailable",
                date=date_format(period.unavailable_from, "j F Y"),
            )
        transition(case, CaseState.AWAITING_PLACEMENT, actor=actor, action="available_again")
        AvailabilityPeriod.objects.filter(case=case, available_again_on__isnull=True).update(
            available_again_on=on
        )
        signal = open_term(case, TermKind.PLACEMENT)
        if signal is not None and signal.suspended_since is not None:
            resume_signal(signal, on=max(on, signal.suspended_since), actor=actor)
        dispatch.notify_case_event(case, dispatch.K.AVAILABLE_AGAIN, on=_today())
        return case


def _places_of_the_year(municipality_id: int, on: date) -> tuple[Decimal, int, Decimal]:
    """The quota that binds in ``on``'s year (the year's, an earlier year's until it is
    entered, or the law's minimum of one place), the additional places of the verordening in
    force on ``on`` and the places taken on ``on`` (§4.1-§4.5), as the waiting list counts
    them."""
    quota = selectors.quota_for(municipality_id, on.year)
    verordening = selectors.verordening_in_force(municipality_id, on)
    additional = (
        verordening.additional_places_per_year
        if verordening and verordening.offers_additional_places
        else 0
    )
    return (
        rules.MIN_QUOTA_PLACES if quota is None else quota.places,
        additional,
        selectors.committed_places(municipality_id, from_on=on),
    )


def _check_place_left(quota_places: Decimal, additional: int, committed: Decimal) -> None:
    if not rules.place_left(quota_places, additional, committed):
        raise _refuse(
            _(
                "No place is left: %(realised)s of %(capacity)s places are filled and "
                "the verordening offers no more. The person stays on the waiting list."
            ),
            "no_place_left",
            realised=format_places(committed),
            capacity=format_places(quota_places + additional),
        )


def _aow_reached(person, on: date) -> bool:
    """§1.3: whether ``person`` has reached the AOW age on ``on``; False when the law has not
    set the age of that year yet (the table ends five years ahead: nothing to refuse on)."""
    try:
        return rules.aow_reached(person.birth_date, on, selectors.aow_ages())
    except ValueError:
        return False


def place_person(
    *,
    case_id: int,
    employer_name: str,
    workplace_kind: WorkplaceKind,
    hours_per_week: Decimal,
    start_on: date,
    contract_kind: ContractKind,
    actor,
    agreed_wage: Decimal | None = None,
    agreed_wage_per_hour: bool = False,
    wage_value_pct: Decimal | None = None,
    wajong_wage_subsidy: bool = False,
    out_of_turn_reason: str = "",
    contract_ends_on: date | None = None,
    origin: str = "",
) -> Employment:
    """Place a person on a sheltered job (§4, §6).

    Locks the municipality row first (the serialisation point of every placement in the
    municipality), then the case, then the year's quota row, then counts the places taken
    and works out whose turn it is, so two consultants placing at once cannot both take the
    last place, nor take an additional place out of turn unnoticed.

    Within the quota anyone with a positive decision can be placed, in no order (§4.3). An
    additional place (§4.5) goes to a person whose turn it is under the verordening in force
    on the start date; someone else only with ``out_of_turn_reason``: the placement then
    records it and the candidates whose turn it was (``PassedOver``), and the history of the
    case says why.

    The job pays at least the minimum wage for its hours on the start date (§6.1): the
    ``agreed_wage`` is gross per month, or per hour with ``agreed_wage_per_hour``. A Wajong
    recipient gets UWV's wage dispensation and may earn less, unless the municipality and the
    employer chose a wage subsidy instead (``wajong_wage_subsidy``, §6.3). The wage subsidy
    follows the method the municipality set for the start year: the wage value
    (``wage_value_pct``) or the flat rate.
    """
    with (
        audited(
            "place_person", actor=actor, object_type="case", object_id=case_id, origin=origin
        ) as record,
        transaction.atomic(),
    ):
        # The serialisation point for every placement in this municipality, whatever the year:
        # the municipality row, locked *before* the case, so that a placement that records
        # others as passed over (a key-share lock on their case rows) never waits for a
        # placement that holds one of those cases while it waits for the municipality.
        municipality_id = (
            Case.objects.filter(pk=case_id).values_list("municipality_id", flat=True).first()
        )
        if municipality_id is None:
            raise _refuse(_("This case does not exist."), "case_not_found")
        Municipality.objects.select_for_update(of=("self",)).get(pk=municipality_id)
        case = _lock_case(case_id)
        if case.municipality_id != municipality_id:  # moved meanwhile: the other's quota
            raise _refuse(_("This case does not exist."), "case_not_found")
        if case.state != CaseState.AWAITING_PLACEMENT:
            raise _refuse(
                _("This person cannot be placed now: the case is “%(state)s”."),
                "not_placeable",
                state=case.get_state_display(),
            )
        try:
            new_places = rules.places(Decimal(hours_per_week), Decimal(settings.HOURS_PER_PLACE))
            rules.check_fixed_term(contract_kind, start_on, contract_ends_on)
        except rules.RuleViolation as violation:
            raise _from_rule(violation) from None
        if _aow_reached(case.person, start_on):
            raise _refuse(
                _(
                    "On the start date the person has reached the AOW (state pension) age. "
                    "Sheltered work is then no longer possible."
                ),
                "aow_reached",
            )
        # The places of the start's year, as the waiting list has them (the municipality's
        # row, locked above, serialises the placements); and of every later year in which a
        # job is agreed to start, as this job runs on into it.
        quota_places, additional, committed = _places_of_the_year(case.municipality_id, start_on)
        _check_place_left(quota_places, additional, committed)
        last_start = Employment.objects.filter(
            municipality_id=case.municipality_id, start_on__gt=date(start_on.year, 12, 31)
        ).aggregate(last=Max("start_on"))["last"]
        for year in range(start_on.year + 1, last_start.year + 1 if last_start else 0):
            _check_place_left(*_places_of_the_year(case.municipality_id, date(year, 1, 1)))
        turn = None
        if rules.quota_reached(quota_places, committed):
            turn = turn_for_additional_place(
                case.municipality_id, on=start_on, committed_places=committed
            )
        try:
            out_of_turn = rules.check_placement_turn(
                quota_places=quota_places,
                committed_places=committed,
                in_turn=turn is None or turn.includes(case.pk),
                out_of_turn_reason=out_of_turn_reason,
            )
        except rules.RuleViolation as violation:
            first = turn.rows[0] if turn and turn.rows else None
            if first is None:
                raise _from_rule(violation) from None
            raise _refuse(
                _(
                    "It is not this person's turn for an additional place: it is the turn of "
                    "%(reference)s (number %(position)s on the waiting list). If you place this "
                    "person first, record why."
                ),
                violation.code,
                reference=first[1],
                position=first[2],
            ) from None
        funding = _wage_funding(
            case,
            hours_per_week=Decimal(hours_per_week),
            start_on=start_on,
            agreed_wage=agreed_wage,
            agreed_wage_per_hour=agreed_wage_per_hour,
            wage_value_pct=wage_value_pct,
            wajong_wage_subsidy=wajong_wage_subsidy,
        )
        try:
            with transaction.atomic():
                employment = Employment.objects.create(
                    case=case,
                    municipality_id=case.municipality_id,
                    employer_name=employer_name,
                    workplace_kind=workplace_kind,
                    hours_per_week=hours_per_week,
                    start_on=start_on,
                    contract_kind=contract_kind,
                    contract_ends_on=contract_ends_on,
                    funding_kind=funding.kind,
                    max_monthly_subsidy=funding.max_monthly_subsidy,
                    agreed_wage=agreed_wage,
                    agreed_wage_per_hour=agreed_wage_per_hour,
                    wage_value_pct=wage_value_pct
                    if funding.basis
                    in (rules.FundingBasis.WAGE_VALUE_GAP, rules.FundingBasis.WAGE_VALUE_GAP_CAPPED)
                    else None,
                    out_of_turn_reason=out_of_turn_reason.strip() if out_of_turn else "",
                )
        except IntegrityError:
            raise _refuse(_("This person already has a job."), "already_employed") from None
        details = {"employment": employment.pk, "places": str(new_places)}
        if case.person.benefit_kind == BenefitKind.WAJONG:
            details["funding"] = funding.kind  # §6.3: a wage subsidy chosen instead, or not
        if out_of_turn:
            passed_over = [row for row in turn.rows if row[0] != case.pk]
            PassedOver.objects.bulk_create(
                PassedOver(employment=employment, case_id=row[0]) for row in passed_over
            )
            details |= {
                "out_of_turn": True,
                "reason": employment.out_of_turn_reason,
                "passed_over": [row[1] for row in passed_over],
            }
            record.extra["out_of_turn"] = True
        meet_term(case, TermKind.PLACEMENT, start_on)
        verordening = selectors.verordening_in_force(case.municipality_id, start_on)
        review_on = rules.advice_review_date(
            start_on,
            verordening.advice_review_months if verordening else rules.ADVICE_REVIEW_MONTHS,
        )
        if review_on is not None:
            meet_term(case, TermKind.ADVICE_REVIEW, start_on)
            start_term(
                case, TermKind.ADVICE_REVIEW, starts_on=start_on, weeks=None, end_on=review_on
            )
        if contract_ends_on is not None:
            _start_contract_term(case, employment)
        transition(case, CaseState.EMPLOYED, actor=actor, action="placed", details=details)
        record.extra["employment"] = employment.pk
        dispatch.notify_case_event(case, dispatch.K.EMPLOYMENT_OFFERED, on=start_on)
        return employment


def _wage_funding(
    case: Case,
    *,
    hours_per_week: Decimal,
    start_on: date,
    agreed_wage: Decimal | None,
    agreed_wage_per_hour: bool,
    wage_value_pct: Decimal | None,
    wajong_wage_subsidy: bool,
) -> rules.Funding:
    """§6.1, §6.3: the funding of a new job, after checking its wage against the minimum wage
    in force on the start date for the person's age and the job's hours."""
    if agreed_wage is None or agreed_wage <= 0:
        raise _refuse(_("Enter the agreed gross wage."), "agreed_wage_required")
    wage = selectors.minimum_wage_on(start_on)
    if wage is None:
        raise _refuse(
            _("No minimum wage is known for %(date)s. Ask the administrator of the portal."),
            "minimum_wage_unknown",
            date=date_format(start_on, "j F Y"),
        )
    wml_hourly = rules.minimum_wage_hourly(
        wage.hourly, rules.age_on(case.person.birth_date, start_on)
    )
    flat_rate = selectors.flat_rate_in(case.municipality_id, start_on.year)
    try:
        funding = rules.funding(
            case.person.benefit_kind,
            rules.monthly_for_hours(wml_hourly, hours_per_week),
            wage_value_pct,
            flat_rate,
            wajong_wage_subsidy=wajong_wage_subsidy,
        )
    except ValueError:
        raise _refuse(
            _("Enter the wage value (loonwaarde) as a percentage from 0 to 100."),
            "wage_value_required",
        ) from None
    try:
        rules.check_minimum_wage(
            agreed_wage, agreed_wage_per_hour, hours_per_week, wml_hourly, funding.kind
        )
    except rules.RuleViolation as violation:
        raise _refuse(
            violation.message,
            violation.code,
            wml_hourly=format_euro(violation.params["wml_hourly"]),
            wml_monthly=format_euro(violation.params["wml_monthly"]),
            hours=format_places(violation.params["hours"]),
        ) from None
    return funding


def set_priority_group(
    *, case_id: int, priority_group: bool, reason: str, actor, origin: str = ""
) -> Case:
    """Put a candidate in a priority group of the verordening (such as school leavers), or
    take them out, with the reason (§4.5). Counts where the verordening orders "priority
    groups first"."""
    with (
        audited(
            "set_priority_group", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        _check_candidate(case, actor)
        if not reason.strip():
            raise _refuse(_("Record the reason."), "reason_required")
        if case.priority_group == priority_group:
            raise _refuse(
                _("This person is already in a priority group.")
                if priority_group
                else _("This person is not in a priority group."),
                "priority_unchanged",
            )
        case.priority_group = priority_group
        case.save(update_fields=["priority_group"])
        _event(
            case,
            actor=actor,
            action="priority_group_set" if priority_group else "priority_group_unset",
            details={"reason": reason.strip()},
        )
        return case


def set_council_position(
    *, case_id: int, position: int | None, reason: str, actor, origin: str = ""
) -> Case:
    """Give a candidate a position in the municipality's own order (§4.5), or take it away
    (``None``), with the reason. Counts where the verordening orders by the municipality's
    own order: the lowest position first, then those without one."""
    with (
        audited(
            "set_council_position",
            actor=actor,
            object_type="case",
            object_id=case_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        _check_candidate(case, actor)
        if not reason.strip():
            raise _refuse(_("Record the reason."), "reason_required")
        if position is not None and not 1 <= position <= rules.MAX_COUNCIL_POSITION:
            raise _refuse(
                _("A position is a number from 1 to %(max)s."),
                "position_invalid",
                max=rules.MAX_COUNCIL_POSITION,
            )
        previous = case.council_position
        case.council_position = position
        case.save(update_fields=["council_position"])
        _event(
            case,
            actor=actor,
            action="council_position_set",
            details={"position": position, "previous": previous, "reason": reason.strip()},
        )
        return case


def _check_candidate(case: Case, actor) -> None:
    """The case is one of the actor's municipality and waits for a place (or is temporarily
    unavailable): only then does its place in the order matter."""
    if getattr(actor, "municipality_id", None) != case.municipality_id:
        raise _refuse(_("This case does not exist."), "case_not_found")
    if case.state not in (CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE):
        raise _refuse(
            _("Only a person waiting for a place has a place in the order."), "not_a_candidate"
        )


def end_employment(
    *,
    employment_id: int,
    end_on: date,
    reason: str,
    actor,
    to_jobs_agreement: bool = False,
    origin: str = "",
) -> Employment:
    """The job ended. The advice in force (the person's latest) still stands: the person waits
    for a new place (§6.4). Someone who leaves for a job under the jobs agreement is followed
    there, in case they fall back (§6.6)."""
    with (
        audited(
            "end_employment",
            actor=actor,
            object_type="employment",
            object_id=employment_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        case, employment = _lock_employment(employment_id)
        _end_job(
            case,
            employment,
            end_on=end_on,
            reason=reason,
            to_jobs_agreement=to_jobs_agreement,
            actor=actor,
        )
        return employment


def cancel_employment(*, employment_id: int, reason: str, actor, origin: str = "") -> Case:
    """A job agreed but not started yet falls through (§4.3): it is taken off the case, so it
    takes no place of any year's quota, and the person waits for a place again, with the
    placement signal and advice review as they were before the placement. The case history
    keeps what was agreed and why it does not go ahead. A job that has started is ended
    instead (``end_employment``)."""
    with (
        audited(
            "cancel_employment",
            actor=actor,
            object_type="employment",
            object_id=employment_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        case, employment = _lock_employment(employment_id)
        if employment.end_on is not None or employment.start_on <= _today():
            raise _refuse(
                _("This job has started: end it with its last working day instead."),
                "job_started",
            )
        if not reason.strip():
            raise _refuse(_("Record why the job does not go ahead."), "reason_required")
        start_on = employment.start_on
        details = {
            "employment": employment.pk,
            "employer": employment.employer_name,
            "start_on": start_on.isoformat(),
            "hours_per_week": str(employment.hours_per_week),
            "reason": reason.strip(),
        }
        employment.delete()  # with whom it passed over: the placement did not happen
        # What the placement started goes, what it met on the start date runs again.
        Term.objects.filter(
            case=case,
            kind__in=[TermKind.CONTRACT_END, TermKind.ADVICE_REVIEW],
            starts_on=start_on,
            met_on__isnull=True,
        ).delete()
        Term.objects.filter(
            case=case, kind__in=[TermKind.PLACEMENT, TermKind.ADVICE_REVIEW], met_on=start_on
        ).update(met_on=None)
        transition(
            case,
            CaseState.AWAITING_PLACEMENT,
            actor=actor,
            action="employment_cancelled",
            details=details,
        )
        _hand_over_after_move(case, on=_today(), actor=actor)
        # The person was told of the job (``EMPLOYMENT_OFFERED``): they are told it is off.
        dispatch.notify_case_event(case, dispatch.K.EMPLOYMENT_CALLED_OFF, on=start_on)
        return case


def _end_job(
    case: Case,
    employment: Employment,
    *,
    end_on: date,
    reason: str,
    to_jobs_agreement: bool,
    actor,
    details=None,
    hand_over: bool = True,
) -> None:
    """End ``employment`` of ``case`` (both locked by the caller): §6.4, §6.6.

    §6.5: a person who moved and kept working stayed with the old municipality; when the job
    ends and they wait for a place again, the municipality they live in now must realise it:
    the case goes there (``hand_over``; ``record_move`` moves the case itself)."""
    if employment.end_on is not None:
        raise _refuse(_("This job has already ended."), "already_ended")
    if end_on < employment.start_on:
        raise _refuse(_("The end date cannot be before the start date."), "end_before_start")
    employment.end_on, employment.ended_reason = end_on, reason
    employment.to_jobs_agreement = to_jobs_agreement
    employment.save(update_fields=["end_on", "ended_reason", "to_jobs_agreement"])
    if to_jobs_agreement and not case.person.in_jobs_register:
        # The switch goes through the jobs-agreement register (a new indication, §6.6).
        case.person.in_jobs_register = True
        case.person.save(update_fields=["in_jobs_register"])
    advice = selectors.advice_in_force(case.person_id)
    positive = advice is not None and advice.outcome == AdviceOutcome.POSITIVE
    next_state = rules.after_employment_end(positive, to_jobs_agreement)
    meet_term(case, TermKind.ADVICE_REVIEW, end_on)
    meet_term(case, TermKind.CONTRACT_END, _today())
    transition(
        case,
        next_state,
        actor=actor,
        action="employment_ended",
        details={"employment": employment.pk, "to_jobs_agreement": to_jobs_agreement}
        | (details or {}),
    )
    if next_state == CaseState.AWAITING_PLACEMENT:
        start_term(
            case,
            TermKind.PLACEMENT,
            starts_on=end_on,
            weeks=None,
            end_on=rules.placement_signal_date(end_on),
        )
        if hand_over:
            _hand_over_after_move(case, on=end_on, actor=actor)


def _hand_over_after_move(case: Case, *, on: date, actor) -> None:
    """§6.5: a person who moved and kept (or was to start) their job stayed with the old
    municipality; now that they wait for a place again, the municipality they live in must
    realise it: the case goes there, without the old one's handler and own order."""
    lives_in = case.person.municipality_id
    if lives_in == case.municipality_id:
        return
    previous = case.municipality_id
    case.municipality_id, case.assignee = lives_in, None
    case.council_position, case.priority_group = None, False
    case.save(update_fields=["municipality", "assignee", "council_position", "priority_group"])
    dispatch.recount_unread_about(case)
    figures.changed(previous)
    figures.changed(lives_in)
    _event(
        case,
        actor=actor,
        action="handed_over_after_move",
        details={"from": previous, "to": lives_in, "on": on.isoformat()},
    )


def record_fallback(*, case_id: int, on: date, actor, origin: str = "") -> Case:
    """The person fell back from a jobs-agreement job (§6.6). Under the verordening in force
    on ``on``: with revival on, the positive advice revives and the person is a candidate for
    a place again, without a new advice; with it off, this case closes and a new advice is
    needed (``request_new_advice``)."""
    with (
        audited(
            "record_fallback", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if case.state != CaseState.JOBS_AGREEMENT:
            raise _refuse(
                _("This person is not recorded as working in a jobs-agreement job."),
                "not_in_jobs_agreement",
            )
        switch = (
            Employment.objects.filter(case=case, end_on__isnull=False)
            .order_by("-end_on", "-id")
            .first()
        )
        if on > _today() or (switch is not None and on < switch.end_on):
            raise _refuse(
                _("The date must lie between the end of the sheltered job and today."),
                "fallback_date",
            )
        verordening = selectors.verordening_in_force(case.municipality_id, on)
        revival = bool(verordening and verordening.advice_revives_on_fallback)
        advice = selectors.advice_in_force(case.person_id)
        positive = advice is not None and advice.outcome == AdviceOutcome.POSITIVE
        planned = switch is not None and switch.to_jobs_agreement
        next_state = rules.after_fallback(revival, planned, positive)
        revived = next_state == CaseState.AWAITING_PLACEMENT
        transition(
            case,
            next_state,
            actor=actor,
            action="fell_back",
            details={
                "on": on.isoformat(),
                "revived": revived,
                "verordening": verordening.pk if verordening else None,
            },
        )
        if revived:
            person = case.person
            if person.in_jobs_register and rules.leaves_jobs_register(AdviceOutcome.POSITIVE):
                person.in_jobs_register = False
                person.save(update_fields=["in_jobs_register"])
            start_term(
                case,
                TermKind.PLACEMENT,
                starts_on=on,
                weeks=None,
                end_on=rules.placement_signal_date(on),
            )
        return case


def record_place_refusal(
    *,
    case_id: int,
    refused_on: date,
    employer_name: str,
    job: str,
    reason: str,
    actor,
    origin: str = "",
) -> PlaceRefusal:
    """The person refused a suitable place (§3.4). Recorded with the place and the reason; the
    person is told what it means. The case stays a candidate and keeps its turn; another
    place can be offered. A benefit reduction is decided outside the portal."""
    with (
        audited(
            "record_place_refusal",
            actor=actor,
            object_type="case",
            object_id=case_id,
            origin=origin,
        ) as record,
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if case.state != CaseState.AWAITING_PLACEMENT:
            raise _refuse(
                _("A refused place can only be recorded for a person waiting for a place."),
                "not_candidate",
            )
        if not (employer_name.strip() and job.strip() and reason.strip()):
            raise _refuse(
                _("Fill in the employer, the job and the reason the person gave."),
                "refusal_incomplete",
            )
        if refused_on > _today() or (
            case.positive_decision_on is not None and refused_on < case.positive_decision_on
        ):
            raise _refuse(
                _("The date must lie between the positive decision and today."),
                "refusal_date",
            )
        decision = Decision.objects.select_for_update().filter(case=case).first()
        must_accept = rules.must_accept_place(
            case.person.benefit_kind, decision.positive if decision else True
        )
        refusal = PlaceRefusal.objects.create(
            case=case,
            refused_on=refused_on,
            employer_name=employer_name.strip(),
            job=job.strip(),
            reason=reason.strip(),
            must_accept=must_accept,
            recorded_by=actor,
        )
        if decision is not None:
            decision.place_refused_on = refused_on
            decision.save(update_fields=["place_refused_on"])
        _event(
            case,
            actor=actor,
            action="place_refused",
            details={
                "refusal": refusal.pk,
                "on": refused_on.isoformat(),
                "must_accept": must_accept,
            },
        )
        record.extra["refusal"] = refusal.pk
        dispatch.notify_case_event(case, dispatch.K.PLACE_REFUSED, on=refused_on)
        return refusal


# -- fixed-term contracts followed (DOMAIN §6.1) --------------------------------------------


def _start_contract_term(case: Case, employment: Employment) -> Term:
    """The end of a fixed-term contract as a key date: the sweep tells the consultant two
    months ahead, on a working day (``rules.contract_end_signal_date``)."""
    ends_on = employment.contract_ends_on
    return start_term(
        case,
        TermKind.CONTRACT_END,
        starts_on=min(employment.start_on, ends_on),
        weeks=None,
        end_on=ends_on,
        signal_on=rules.contract_end_signal_date(ends_on, decree_days()),
    )


def _check_own_case(case: Case, actor) -> None:
    """A consultant or administrator works only their own municipality's cases."""
    if getattr(actor, "municipality_id", None) != case.municipality_id:
        raise _refuse(_("This case does not exist."), "case_not_found")


def record_contract_outcome(
    *,
    case_id: int,
    outcome: ContractOutcome,
    actor,
    new_end_on: date | None = None,
    origin: str = "",
) -> Employment:
    """What follows a fixed-term contract (§6.1): continued with a new last day (a new signal
    two months before it), continued for an indefinite term, or not continued: the job ends on
    the contract's last day and the person waits for a new place (§6.4). Kept in the history
    with the old and the new end."""
    with (
        audited(
            "record_contract_outcome",
            actor=actor,
            object_type="case",
            object_id=case_id,
            origin=origin,
        ) as record,
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        _check_own_case(case, actor)
        employment = (
            Employment.objects.select_for_update()
            .filter(case=case, end_on__isnull=True, contract_kind=ContractKind.FIXED)
            .exclude(contract_ends_on__isnull=True)
            .first()
        )
        if case.state != CaseState.EMPLOYED or employment is None:
            raise _refuse(
                _("This person has no running fixed-term contract."), "no_fixed_term_contract"
            )
        if outcome not in ContractOutcome.values:
            raise _refuse(_("Choose what happens with the contract."), "contract_outcome")
        ends_on = employment.contract_ends_on
        try:
            rules.check_contract_outcome(ContractOutcome(outcome), ends_on, new_end_on)
        except rules.RuleViolation as violation:
            raise _from_rule(violation) from None
        record.extra["employment"] = employment.pk
        details = {
            "employment": employment.pk,
            "outcome": str(outcome),
            "ended_on": ends_on.isoformat(),
        }
        if outcome == ContractOutcome.NEW_PLACE:
            with translation.override(settings.LANGUAGE_CODE):
                reason = str(_("The fixed-term contract was not continued."))
            _end_job(
                case,
                employment,
                end_on=ends_on,
                reason=reason,
                to_jobs_agreement=False,
                actor=actor,
                details=details,
            )
            return employment
        meet_term(case, TermKind.CONTRACT_END, _today())
        if outcome == ContractOutcome.CONTINUED_FIXED:
            employment.contract_ends_on = new_end_on
            details["new_end_on"] = new_end_on.isoformat()
        else:
            employment.contract_kind = ContractKind.INDEFINITE
            employment.contract_ends_on = None
        employment.save(update_fields=["contract_kind", "contract_ends_on"])
        if employment.contract_ends_on is not None:
            _start_contract_term(case, employment)
        _event(case, actor=actor, action="contract_continued", details=details)
        return employment


# -- support provisions (DOMAIN §5, §6.3) ---------------------------------------------------

#: States in which a person has (or is about to have) provisions in place: waiting for a
#: place (§4.7), temporarily unavailable, or in work (§6.3).
PROVISION_STATES = (CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE, CaseState.EMPLOYED)


def record_provision(
    *,
    case_id: int,
    kind: ProvisionKind,
    starts_on: date,
    provider: str,
    payer: Responsible,
    actor,
    ends_on: date | None = None,
    monthly_cost: Decimal | None = None,
    description: str = "",
    origin: str = "",
) -> SupportProvision:
    """A provision in place for the person (§5, §6.3): the municipality pays only the kinds
    its verordening in force on the start date offers; UWV supplies a Wajong recipient's
    (``rules.check_provision``). Kept in the history; counted in the dashboard's figures."""
    with (
        audited(
            "record_provision", actor=actor, object_type="case", object_id=case_id, origin=origin
        ) as record,
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        _check_own_case(case, actor)
        if case.state not in PROVISION_STATES:
            raise _refuse(
                _(
                    "Provisions can be recorded for a person waiting for a place or in a "
                    "sheltered job."
                ),
                "not_provision_state",
            )
        if kind not in ProvisionKind.values or payer not in Responsible.values:
            raise _refuse(_("Choose the provision and who pays it."), "provision_choice")
        if not provider.strip():
            raise _refuse(_("Fill in who provides it."), "provider_required")
        verordening = selectors.verordening_in_force(case.municipality_id, starts_on)
        try:
            rules.check_provision(
                kind=ProvisionKind(kind),
                offered_kinds=verordening.provision_kinds if verordening else (),
                payer=Responsible(payer),
                starts_on=starts_on,
                ends_on=ends_on,
                monthly_cost=monthly_cost,
            )
        except rules.RuleViolation as violation:
            raise _from_rule(violation) from None
        provision = SupportProvision.objects.create(
            case=case,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            provider=provider.strip(),
            payer=payer,
            monthly_cost=monthly_cost,
            description=description.strip(),
            recorded_by=actor,
        )
        record.extra["provision"] = provision.pk
        _event(
            case,
            actor=actor,
            action="provision_recorded",
            details={
                "provision": provision.pk,
                "kind": str(kind),
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        )
        return provision


def end_provision(*, provision_id: int, ends_on: date, actor, origin: str = "") -> SupportProvision:
    """A provision stops on ``ends_on`` (on or after its start). The provision stays in the
    person's record with its dates."""
    with (
        audited(
            "end_provision",
            actor=actor,
            object_type="provision",
            object_id=provision_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        provision = SupportProvision.objects.select_for_update().filter(pk=provision_id).first()
        if provision is None:
            raise _refuse(_("This provision does not exist."), "provision_not_found")
        case = _lock_case(provision.case_id)
        _check_own_case(case, actor)
        if provision.ends_on is not None and provision.ends_on <= _today():
            raise _refuse(_("This provision has already ended."), "provision_ended")
        if ends_on < provision.starts_on:
            raise _refuse(
                _("The end date cannot be before the start date."), "provision_end_before_start"
            )
        previous = provision.ends_on
        provision.ends_on = ends_on
        provision.save(update_fields=["ends_on"])
        _event(
            case,
            actor=actor,
            action="provision_ended",
            details={
                "provision": provision.pk,
                "kind": provision.kind,
                "ends_on": ends_on.isoformat(),
                "previous": previous.isoformat() if previous else None,
            },
        )
        return provision


#: States of a case still on its way to a decision: a new advice is already being asked.
IN_PROGRESS_STATES = (
    CaseState.DRAFT,
    CaseState.SUBMITTED,
    CaseState.WITH_UWV,
    CaseState.ADVICE_ISSUED,
)


def request_new_advice(
    *,
    case_id: int,
    preselection_done_on: date,
    preselection_notes: str,
    actor,
    origin: str = "",
) -> Case:
    """The college asks UWV for a new advice on the person of this case (§2.6: their
    possibilities grew or shrank, or a fallback needs one, §6.6). The application is sent at
    once and belongs to the person's file; the college may apply at any time (§1.2)."""
    with (
        audited(
            "request_new_advice", actor=actor, object_type="case", object_id=case_id, origin=origin
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        decided = Decision.objects.filter(case=case).exists()
        if rules.CaseAction.REQUEST_ADVICE not in rules.allowed_actions(
            case.state, decided=decided, objection_pending=False
        ):
            raise _refuse(
                _("A new advice cannot be requested from this case now."), "advice_not_requestable"
            )
        if case.person.municipality_id != case.municipality_id:
            raise _refuse(
                _("This person now lives in another municipality. That municipality applies."),
                "person_other_municipality",
            )
        if not preselection_notes.strip():
            raise _refuse(_("Record the outcome of the pre-selection."), "preselection_required")
        if preselection_done_on > _today():
            raise _refuse(_("The pre-selection cannot be in the future."), "preselection_future")
        running = (
            Case.objects.filter(person_id=case.person_id, state__in=IN_PROGRESS_STATES)
            .exclude(pk=case.pk)
            .first()
        )
        if running is not None:
            raise _refuse(
                _("An application for this person is already in progress (%(reference)s)."),
                "application_in_progress",
                reference=running.reference,
            )
        application = getattr(case, "application", None)
        new_case = create_application(
            person=case.person,
            applicant_kind=ApplicantKind.MUNICIPALITY,
            source=application.source if application else CandidateSource.BENEFIT_FILES,
            actor=actor,
            origin=origin,
            preselection_done_on=preselection_done_on,
            preselection_notes=preselection_notes.strip(),
        )
        return submit_application(case_id=new_case.pk, actor=actor, origin=origin)


# -- professionals (issue #5): assignment, applying for the college, moving house --------


def assign_case(*, case_id: int, assignee, actor, origin: str = "") -> Case:
    """Give a case to a colleague of the same municipality (or to nobody: ``None``)."""
    with (
        audited("assign_case", actor=actor, object_type="case", object_id=case_id, origin=origin),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if assignee is not None and (
            assignee.municipality_id != case.municipality_id or not assignee.is_active
        ):
            raise _refuse(
                _("You can only assign a case to a colleague of this municipality."),
                "assignee_other_municipality",
            )
        case.assignee = assignee
        case.save(update_fields=["assignee"])
        _event(
            case,
            actor=actor,
            action="assigned",
            details={"assignee": assignee.pk if assignee else None},
        )
        return case


#: Why cases were given back to the team (``CaseEvent.details["reason"]`` of ``assigned``).
HANDLER_SWITCHED_OFF = "handler_switched_off"
HANDLER_LEFT_MUNICIPALITY = "handler_left_municipality"


def release_cases_of(user, *, actor, reason: str, keep_municipality_id: int | None = None) -> int:
    """Give the cases ``user`` handles back to their municipality's team: the handler's account
    was switched off, or they now work for another municipality (``keep_municipality_id``:
    their cases there stay theirs). Each case gets an ``assigned`` event, as when a colleague
    reassigns it. Call inside the caller's transaction; returns the number of cases."""
    cases = Case.objects.select_for_update().filter(assignee=user).order_by("pk")
    if keep_municipality_id is not None:
        cases = cases.exclude(municipality_id=keep_municipality_id)
    ids = list(cases.values_list("pk", flat=True))
    if not ids:
        return 0
    Case.objects.filter(pk__in=ids).update(assignee=None)
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=pk,
            actor=actor,
            action="assigned",
            details={"assignee": None, "previous": user.pk, "reason": reason},
        )
        for pk in ids
    )
    return len(ids)


def apply_on_behalf_of_college(
    *,
    bsn: str,
    first_name: str,
    last_name: str,
    birth_date: date,
    benefit_kind: str,
    source: str,
    preselection_done_on: date,
    preselection_notes: str,
    actor,
    support_needed: str = "",
    needs_adaptations: bool = False,
    needs_supervision: bool = False,
    letter_street: str = "",
    letter_postcode: str = "",
    letter_city: str = "",
    origin: str = "",
) -> Case:
    """The college requests an advice after its own pre-selection (DOMAIN §1.1) and sends it
    to UWV at once. The college may apply at any time (no 12-month rule, §1.2). A person not
    yet known is registered in the actor's municipality; one on file in another municipality
    too, as a possible duplicate, without saying so."""
    municipality_id = getattr(actor, "municipality_id", None)
    with (
        audited(
            "apply_on_behalf_of_college", actor=actor, object_type="case", origin=origin
        ) as record,
        transaction.atomic(),
    ):
        if not preselection_notes.strip():
            raise _refuse(_("Record the outcome of the pre-selection."), "preselection_required")
        if preselection_done_on > _today():
            raise _refuse(_("The pre-selection cannot be in the future."), "preselection_future")
        typed = {
            "first_name": first_name,
            "last_name": last_name,
            "birth_date": birth_date,
            "benefit_kind": benefit_kind,
            "municipality_id": municipality_id,
        }
        person, _created = Person.objects.get_or_create(
            bsn=bsn, duplicate_of__isnull=True, defaults=typed
        )
        if person.municipality_id != municipality_id:
            # On file in another municipality: that is its data (and tells of a disability),
            # so the answer is the same as for a BSN nobody has. The college applies for its
            # resident as a possible duplicate of that person (``Person.duplicate_of``).
            person, _created = Person.objects.get_or_create(
                bsn=bsn, duplicate_of=person, municipality_id=municipality_id, defaults=typed
            )
        case = create_application(
            person=person,
            applicant_kind=ApplicantKind.MUNICIPALITY,
            source=source,
            actor=actor,
            origin=origin,
            preselection_done_on=preselection_done_on,
            preselection_notes=preselection_notes.strip(),
            support_needed=support_needed,
            needs_adaptations=needs_adaptations,
            needs_supervision=needs_supervision,
            letter_street=letter_street.strip(),
            letter_postcode=letter_postcode,
            letter_city=letter_city.strip(),
        )
        record.object_id = str(case.pk)
        return submit_application(case_id=case.pk, actor=actor, origin=origin)


def record_move(
    *,
    case_id: int,
    new_municipality_id: int,
    moved_on: date,
    actor,
    employment_continues: bool,
    origin: str = "",
) -> Case:
    """The person moved to another municipality (DOMAIN §6.5, ``rules.responsible_after_move``).

    Keeps working: the original municipality keeps paying; the employment and the case stay
    where they are. Otherwise (the job ends on the day of the move, or there was none) the new
    municipality must realise a new place: the case moves to it.
    """
    with (
        audited("record_move", actor=actor, object_type="case", object_id=case_id, origin=origin),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if new_municipality_id == case.municipality_id:
            raise _refuse(_("Choose the municipality the person moved to."), "same_municipality")
        if moved_on > _today():
            raise _refuse(_("The date of the move cannot be in the future."), "move_future")
        running = (
            Employment.objects.select_for_update().filter(case=case, end_on__isnull=True).first()
        )
        if employment_continues and running is None:
            raise _refuse(_("This person has no job that continues."), "no_running_job")
        paying, new_place_by = rules.responsible_after_move(
            employment_continues, case.municipality_id, new_municipality_id
        )
        person = case.person
        old_municipality_id = case.municipality_id
        person.municipality_id = new_municipality_id
        person.save(update_fields=["municipality"])
        if new_place_by is not None:
            # The old municipality's placement signal ends with the move; the new one's starts.
            Term.objects.filter(case=case, kind=TermKind.PLACEMENT, met_on__isnull=True).update(
                met_on=moved_on
            )
            if running is not None:
                # As any job that ends (§6.4): its contract-end date is no longer watched.
                _end_job(
                    case,
                    running,
                    end_on=moved_on,
                    reason="moved",
                    to_jobs_agreement=False,
                    actor=actor,
                    hand_over=False,  # the case moves below, with the move's own event
                )
            elif case.state == CaseState.AWAITING_PLACEMENT:
                start_term(
                    case,
                    TermKind.PLACEMENT,
                    starts_on=moved_on,
                    weeks=None,
                    end_on=rules.placement_signal_date(moved_on),
                )
            case.municipality_id = new_place_by
            case.assignee = None
            # The old municipality's own order does not carry over (§4.5): the new one's
            # verordening and council decide where the person stands.
            case.council_position, case.priority_group = None, False
            case.save(
                update_fields=["municipality", "assignee", "council_position", "priority_group"]
            )
            # The old municipality's staff no longer see the case, nor their notices about it.
            dispatch.recount_unread_about(case)
        figures.changed(old_municipality_id)  # the receivers see only the new one
        _event(
            case,
            actor=actor,
            action="moved",
            details={
                "from": old_municipality_id,
                "to": new_municipality_id,
                "paying": paying,
                "on": moved_on.isoformat(),
            },
        )
        return case


def save_filter(*, owner, name: str, query: str) -> None:
    """Keep a consultant's work-list filter under a name (replaces one with the same name)."""
    from .models import SavedFilter

    SavedFilter.objects.update_or_create(
        owner=owner, name=name.strip()[:80], defaults={"query": query[:500]}
    )


# -- citizens (issue #4): the application draft, documents, contact details, messages -------


def save_draft_answers(*, draft, step: str, data: dict, actor):
    """Store the answers of one step as typed (raw form data), so nothing typed is lost."""
    from .models import ApplicationDraft

    if draft.owner_id != actor.pk or draft.submitted_at is not None:
        raise _refuse(_("This application can no longer be changed."), "draft_closed")
    answers = dict(draft.answers)
    answers[step] = data
    ApplicationDraft.objects.filter(pk=draft.pk).update(answers=answers, updated_at=timezone.now())
    draft.answers = answers
    return draft


def start_draft(*, actor, origin: str = ""):
    """A new application draft for the signed-in citizen."""
    from .models import ApplicationDraft

    with audited(
        "start_draft", actor=actor, object_type="application_draft", origin=origin
    ) as record:
        draft = ApplicationDraft.objects.create(owner=actor)
        record.object_id = str(draft.pk)
        return draft


def add_document(*, upload, actor, draft=None, case=None, origin: str = ""):
    """Check and store a supporting document (DOMAIN §1.6, issue #18): its type by content,
    its size and content (``files.inspect``: active PDF content, bombs, a virus scanner
    if configured), then, under the row lock of the draft or case, the caps per case, so
    that parallel uploads cannot pass them together."""
    from .documents import files
    from .documents.models import Document
    from .models import ApplicationDraft

    with audited("add_document", actor=actor, object_type="document", origin=origin) as record:
        checked = files.inspect(upload)  # the slow part, before any lock is taken
        with transaction.atomic():
            if draft is not None:
                draft = ApplicationDraft.objects.select_for_update().get(pk=draft.pk)
                if draft.owner_id != actor.pk or draft.submitted_at is not None:
                    raise _refuse(_("This application can no longer be changed."), "draft_closed")
                siblings = Document.objects.filter(draft=draft, case__isnull=True)
            else:
                case = _lock_case(case.pk)
                siblings = Document.objects.filter(case=case)
            document = files.store_document(
                upload, checked, siblings=siblings, draft=draft, case=case, uploaded_by=actor
            )
        record.object_id = str(document.pk)
        return document


def remove_draft_document(*, document, actor, origin: str = "") -> None:
    from .documents import files

    with audited(
        "remove_document", actor=actor, object_type="document", object_id=document.pk, origin=origin
    ):
        if document.case_id is not None:
            raise _refuse(_("A document of a sent application cannot be removed."), "document_sent")
        stored_name = document.stored_name
        document.delete()
        transaction.on_commit(lambda: files.remove(stored_name))


def submit_draft(
    *, draft_id: int, actor, person_data: dict, application_data: dict, origin: str = ""
) -> Case:
    """Send a citizen's draft: one case, however often this is called (double click, back
    button, two tabs). The first call claims the draft; later calls return its case.

    ``person_data``: bsn, first_name, last_name, birth_date, municipality, benefit_kind,
    wsw_indication_end, wsw_supported_employment, email, phone. ``application_data``:
    applicant_kind, source and the Application fields the citizen answered.
    """
    from .documents.models import Document
    from .models import ApplicationDraft

    with (
        audited(
            "submit_draft",
            actor=actor,
            object_type="application_draft",
            object_id=draft_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        claimed = ApplicationDraft.objects.filter(
            pk=draft_id, owner=actor, submitted_at__isnull=True
        ).update(submitted_at=timezone.now())
        draft = ApplicationDraft.objects.select_for_update().get(pk=draft_id, owner=actor)
        if not claimed:
            if draft.case_id is None:
                raise _refuse(_("This application is already being sent."), "draft_busy")
            return draft.case
        person = _person_for_submission(person_data, actor)
        case = create_application(person=person, actor=actor, origin=origin, **application_data)
        if selectors.possible_duplicate_of(case) is not None:
            _event(case, actor=actor, action="possible_duplicate_person")
        Document.objects.filter(draft=draft, case__isnull=True).update(case=case)
        submit_application(case_id=case.pk, actor=actor, origin=origin)
        draft.case = case
        draft.save(update_fields=["case"])
        return Case.objects.get(pk=case.pk)


def _person_for_submission(person_data: dict, actor) -> Person:
    """The person a citizen's application is about, saved with what the citizen typed: their
    own record under this BSN, else a new one. If the BSN is already on file for another
    account or a person the municipality registered, the new record is a *possible
    duplicate* of that person (issue #18): the citizen is not told and gets no access to the
    other file; staff verify identity and link them (``link_duplicate_person``)."""
    bsn = person_data["bsn"]
    person = (
        Person.objects.select_for_update().filter(bsn=bsn, account=actor).order_by("id").first()
    )
    if person is None:
        existing = (
            Person.objects.select_for_update().filter(bsn=bsn, duplicate_of__isnull=True).first()
        )
        person = Person(account=actor, duplicate_of=existing)
    for field, value in person_data.items():
        setattr(person, field, value)
    # Uniqueness is the database's: a person registered at the same moment makes this one
    # a possible duplicate, never an error that would tell the citizen the BSN is on file.
    person.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        if person.pk is not None or person.duplicate_of_id is not None:
            raise
        person.duplicate_of = Person.objects.get(bsn=bsn, duplicate_of__isnull=True)
        person.save()
    return person


def link_account_by_bsn(*, bsn: str, actor, origin: str = "") -> Person | None:
    """A citizen signed in with DigiD, whose broker vouched for ``bsn``: their account is
    linked to the person on file under that BSN (one a municipality registered, or one that
    had no account yet), so they follow their cases without an e-mail sign-up (issue 24).

    Returns the person now linked to ``actor``, or None when nobody is on file under the BSN.
    A person whose file belongs to another account (an e-mail account of the person or of a
    representative) stays with it: refused with ``person_other_account``, and staff settle it.
    Possible duplicates (``duplicate_of``) are never linked here. Safe to run at every sign-in.
    """
    with (
        audited("link_account_by_bsn", actor=actor, object_type="person", origin=origin) as record,
        transaction.atomic(),
    ):
        person = (
            Person.objects.select_for_update()
            .filter(bsn=bsn, duplicate_of__isnull=True)
            .order_by("id")
            .first()
        )
        if person is None:
            return None
        record.object_id = str(person.pk)
        if person.account_id == actor.pk:
            return person
        if person.account_id is not None:
            raise _refuse(
                _(
                    "Your file is linked to another account in the portal, for instance one "
                    "with an e-mail address. Contact your municipality to see it with DigiD."
                ),
                "person_other_account",
            )
        person.account = actor
        person.save(update_fields=["account"])
        for case in Case.objects.filter(person=person):
            _event(case, actor=actor, action="account_linked_by_digid")
        return person


def record_bsn_entry(*, actor, bsn: str, on: date | None = None) -> None:
    """Count a BSN a citizen entered in the application (issue #18): at most
    ``CITIZEN_BSNS_PER_DAY`` different BSNs per account a day. The same BSN again is free.
    Only a keyed hash of the BSN is stored; entries of earlier days are dropped."""
    from django.utils.crypto import salted_hmac

    from .models import BsnEntry

    today = on or _today()
    digest = salted_hmac("cases.BsnEntry", bsn, secret=settings.BSN_HASH_KEY).hexdigest()
    with transaction.atomic():
        entries = BsnEntry.objects.filter(account=actor)
        entries.filter(day__lt=today).delete()
        known = set(entries.filter(day=today).values_list("digest", flat=True))
        allowed = digest in known or len(known) < settings.CITIZEN_BSNS_PER_DAY
        if allowed and digest not in known:
            BsnEntry.objects.get_or_create(account=actor, day=today, digest=digest)
    if not allowed:
        write_entry(
            action="enter_bsn",
            actor=actor,
            object_type="user",
            object_id=actor.pk,
            result=AuditEntry.Result.REFUSED,
            message="bsn_rate_limited",
        )
        raise _refuse(
            _(
                "You have entered too many different citizen service numbers today. "
                "Please try again tomorrow, or contact your municipality."
            ),
            "bsn_rate_limited",
        )


def link_duplicate_person(*, case_id: int, actor, origin: str = "") -> Person:
    """Staff verified that the person of a citizen's application (a possible duplicate) is
    the person already on file under the same BSN: the applications of the duplicate move to
    that person's file. If that person had no account (registered by the municipality), the
    citizen's account is attached to it, so they follow their cases themselves (DOMAIN §1.1);
    if it has an account of its own, that stays, and the account that sent the application no
    longer sees it."""
    with (
        audited(
            "link_duplicate_person",
            actor=actor,
            object_type="case",
            object_id=case_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        case = _lock_case(case_id)
        if getattr(actor, "municipality_id", None) != case.municipality_id:
            raise _refuse(_("This case does not exist."), "case_not_found")
        duplicate = Person.objects.select_for_update().get(pk=case.person_id)
        if duplicate.duplicate_of_id is None:
            raise _refuse(
                _("This person is not marked as a possible duplicate."), "not_a_duplicate"
            )
        person = Person.objects.select_for_update().get(pk=duplicate.duplicate_of_id)
        if person.municipality_id != case.municipality_id:
            raise _refuse(
                _(
                    "The person on file lives in another municipality. Contact that "
                    "municipality to link them."
                ),
                "person_other_municipality",
            )
        account_attached = person.account_id is None and duplicate.account_id is not None
        if account_attached:
            person.account_id = duplicate.account_id
            person.email = person.email or duplicate.email
            person.phone = person.phone or duplicate.phone
            person.save(update_fields=["account", "email", "phone"])
        moved = list(Case.objects.select_for_update().filter(person=duplicate))
        Case.objects.filter(person=duplicate).update(person=person)
        earlier = (
            Case.objects.filter(person=person, municipality_id=case.municipality_id)
            .exclude(pk__in=[moved_case.pk for moved_case in moved])
            .order_by("-created_at", "-id")
            .first()
        )
        if earlier is not None:  # the moved applications join the person's file (§2.6)
            Case.objects.filter(
                pk__in=[moved_case.pk for moved_case in moved], previous_case__isnull=True
            ).update(previous_case=earlier)
        for moved_case in moved:
            _event(
                moved_case,
                actor=actor,
                action="person_linked",
                details={"account_attached": account_attached},
            )
        Person.objects.filter(pk=duplicate.pk).delete()
        return person


def update_contact_details(
    *, person_id: int, email: str, phone: str, actor, origin: str = ""
) -> Person:
    """The citizen changes the e-mail address and phone number used to reach them."""
    with (
        audited(
            "update_contact_details",
            actor=actor,
            object_type="person",
            object_id=person_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        person = Person.objects.select_for_update().get(pk=person_id)
        if person.account_id != actor.pk:
            raise _refuse(_("This case does not exist."), "case_not_found")
        person.email, person.phone = email.strip(), phone.strip()
        person.save(update_fields=["email", "phone"])
        return person


def delete_draft(*, draft, actor, origin: str = "") -> None:
    """The citizen throws away an application they had not sent, with its documents."""
    from .documents import files

    with (
        audited(
            "delete_draft",
            actor=actor,
            object_type="application_draft",
            object_id=draft.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        if draft.owner_id != actor.pk or draft.submitted_at is not None:
            raise _refuse(_("This application can no longer be changed."), "draft_closed")
        names = list(
            draft.documents.filter(case__isnull=True).values_list("stored_name", flat=True)
        )
        draft.documents.filter(case__isnull=True).delete()
        draft.delete()
        transaction.on_commit(lambda: [files.remove(name) for name in names])
