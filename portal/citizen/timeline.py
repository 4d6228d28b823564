"""The status timeline of a citizen's case: each step done with its date, the step now
running with its term end and whether it is suspended, and what comes next.

Built only from rows the case page already loaded (no queries per event)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.choices import AdviceOutcome, CaseState, TermKind, TermState

from .standing import about, you_or_them

DONE, CURRENT, NEXT = "done", "current", "next"


@dataclass
class TimelineStep:
    title: str
    status: str  # done | current | next
    on: date | None = None
    text: str = ""
    term_kind: TermKind | None = None
    term_end: date | None = None
    term_state: TermState | None = None
    suspended_since: date | None = None
    extra: list = field(default_factory=list)


def open_term(case, kind: TermKind):
    """The open (not met) term of ``kind`` among the prefetched terms, else the latest."""
    terms = [t for t in case.terms.all() if t.kind == kind]
    for term in terms:
        if term.met_on is None:
            return term
    return terms[-1] if terms else None


def _term_fields(term, today: date) -> dict:
    if term is None:
        return {}
    return {
        "term_kind": term.kind,
        "term_end": term.end_on,
        "term_state": rules.term_state(
            term.end_on, today, term.met_on, term.suspended_since is not None, term.kind
        ),
        "suspended_since": term.suspended_since,
    }


DEEMED_REFUSAL_TEXT = _(
    "The municipality has not decided in time. That counts as a refusal. You can object to "
    "it. The municipality can still decide; you then get a letter and a new chance to object."
)


def _objection_step(steps: list, case, objection_term, *, today: date) -> None:
    """The objection, or the chance to object while its term runs (§3.3): a step of now,
    beside the search for a place after a positive decision; gone once the term has ended."""
    objections = list(case.objections.all())
    if objections:
        latest = objections[-1]
        steps.append(
            TimelineStep(
                _("Objection"),
                DONE if latest.decided_on else CURRENT,
                latest.filed_on,
                latest.get_outcome_display(),
            )
        )
    elif objection_term is not None and objection_term.met_on is None:
        fields = _term_fields(objection_term, today)
        if fields["term_state"] == TermState.ENDED:
            return
        steps.append(
            TimelineStep(
                _("Objection possible"),
                CURRENT,
                text=_("Do you disagree with the decision? You can object until the date below."),
                **fields,
            )
        )


def build(case, today: date) -> list[TimelineStep]:
    steps: list[TimelineStep] = []
    name = about(case)
    application = getattr(case, "application", None)
    advice = getattr(case, "advice", None)
    decision = getattr(case, "decision", None)
    state = CaseState(case.state)
    received = application.received_on if application else None

    steps.append(TimelineStep(_("Application sent"), DONE if received else CURRENT, received))

    uwv = open_term(case, TermKind.UWV_ADVICE)
    if advice is not None:
        text = (
            _("UWV advises positively.")
            if advice.outcome == AdviceOutcome.POSITIVE
            else _("UWV advises negatively.")
        )
        steps.append(TimelineStep(_("UWV gives an advice"), DONE, advice.issued_on, text))
    elif state == CaseState.WITHDRAWN:
        steps.append(
            TimelineStep(
                _("Application withdrawn"),
                DONE,
                timezone.localdate(case.closed_at) if case.closed_at else None,
            )
        )
        return steps
    else:
        steps.append(
            TimelineStep(
                _("UWV gives an advice"),
                CURRENT if received else NEXT,
                text=you_or_them(
                    name,
                    _(
                        "UWV looks into whether sheltered work suits you. UWV must give its "
                        "advice no later than the date below."
                    ),
                    _(
                        "UWV looks into whether sheltered work suits %(name)s. UWV must give "
                        "its advice no later than the date below."
                    ),
                ),
                **_term_fields(uwv, today),
            )
        )

    if decision is not None:
        text = (
            you_or_them(
                name,
                _("You are eligible for sheltered work."),
                _("%(name)s is eligible for sheltered work."),
            )
            if decision.positive
            else you_or_them(
                name,
                _("You are not eligible for sheltered work."),
                _("%(name)s is not eligible for sheltered work."),
            )
        )
        steps.append(TimelineStep(_("The municipality decides"), DONE, decision.sent_on, text))
    elif case.deemed_refusal_on is not None:
        # §3.1: not deciding in time counts as a refusal, open to objection.
        steps.append(
            TimelineStep(
                _("The municipality decides"),
                CURRENT,
                case.deemed_refusal_on,
                DEEMED_REFUSAL_TEXT,
            )
        )
        _objection_step(steps, case, open_term(case, TermKind.OBJECTION), today=today)
        return steps
    else:
        status = CURRENT if advice is not None else NEXT
        steps.append(
            TimelineStep(
                _("The municipality decides"),
                status,
                text=_("After the advice, the municipality decides and sends you a letter."),
                **_term_fields(open_term(case, TermKind.DECISION), today),
            )
        )
        return steps

    _objection_step(steps, case, open_term(case, TermKind.OBJECTION), today=today)

    if decision.positive or state in (CaseState.AWAITING_PLACEMENT, CaseState.EMPLOYED):
        if state == CaseState.EMPLOYED:
            steps.append(
                TimelineStep(
                    you_or_them(
                        name, _("You have a place to work"), _("%(name)s has a place to work")
                    ),
                    DONE,
                )
            )
        elif state == CaseState.JOBS_AGREEMENT:
            steps.append(
                TimelineStep(
                    you_or_them(
                        name,
                        _("You work in a job through the jobs agreement"),
                        _("%(name)s works in a job through the jobs agreement"),
                    ),
                    CURRENT,
                    text=_(
                        "Does that job stop? Then tell the municipality. It will tell you "
                        "what happens next."
                    ),
                )
            )
        elif state == CaseState.UNAVAILABLE:
            steps.append(
                TimelineStep(
                    _("Finding a place to work"),
                    CURRENT,
                    text=you_or_them(
                        name,
                        _("You are temporarily unavailable. You keep your turn."),
                        _("%(name)s is temporarily unavailable and keeps their turn."),
                    ),
                )
            )
        elif state in (CaseState.CLOSED, CaseState.WITHDRAWN):
            steps.append(
                TimelineStep(
                    _("Case closed"),
                    DONE,
                    timezone.localdate(case.closed_at) if case.closed_at else None,
                )
            )
        else:
            steps.append(
                TimelineStep(
                    _("Finding a place to work"),
                    CURRENT,
                    text=you_or_them(
                        name,
                        _("The municipality looks for a suitable place for you."),
                        _("The municipality looks for a suitable place for %(name)s."),
                    ),
                )
            )
    return steps
