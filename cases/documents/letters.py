"""Letters as PDF, rendered from HTML templates with WeasyPrint.

``decision_letter_pdf(decision)`` is used by the citizen pages and the consultant pages:
keep its signature.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases import rules
from cases.choices import TermKind
from cases.terms.lifecycle import decree_days


def objection_end_date(decision):
    """The last day to object: the end of the case's OBJECTION term (which records
    suspensions and holidays); computed from the sending date if the term row is missing."""
    term = decision.case.terms.filter(kind=TermKind.OBJECTION).order_by("-starts_on", "-id").first()
    if term is not None:
        return term.end_on
    return rules.objection_term_end(decision.sent_on, decree_days())


def decision_letter_context(decision) -> dict:
    case = decision.case
    return {
        "decision": decision,
        "case": case,
        "person": case.person,
        "municipality": case.municipality,
        "advice": getattr(case, "advice", None),
        "objection_end_on": objection_end_date(decision),
        "printed_on": timezone.localdate(),
    }


def decision_letter_html(decision) -> str:
    with translation.override("nl"):
        return render_to_string("cases/letters/decision.html", decision_letter_context(decision))


def decision_letter_pdf(decision) -> bytes:
    """The college's decision (DOMAIN §3) as a PDF letter: letterhead, the decision, the legal
    grounds (Participatiewet art. 10b) and the objection clause with the exact end date."""
    from weasyprint import HTML

    return HTML(string=decision_letter_html(decision)).write_pdf()
