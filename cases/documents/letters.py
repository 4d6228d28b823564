"""Letters as PDF, rendered from HTML templates with WeasyPrint.

``decision_letter_pdf(decision)`` is used by the citizen pages and the consultant pages:
keep its signature. It refuses (``LetterheadIncomplete``) while the municipality's
letterhead lacks what a letter needs (``Municipality.missing_letterhead_fields``).
"""

from __future__ import annotations

import base64

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.choices import AdviceOutcome, ApplicantKind, TermKind
from cases.models import Objection
from cases.terms.lifecycle import decree_days
from municipalities import themes
from municipalities.models import Theme
from portal.links import portal_url

#: The letters' neutral font: the one every server has, embedded in the PDF.
LETTER_FONT = '"DejaVu Sans", sans-serif'


class LetterheadIncomplete(ValidationError):
    """No letter until the municipal administrator has filled in the letterhead."""

    def __init__(self, municipality):
        self.missing = municipality.missing_letterhead_fields
        super().__init__(
            _(
                "The letter cannot be made yet: the municipal administrator must first fill in "
                "the letterhead (%(fields)s) under Municipal administration, Letterhead and "
                "contact."
            ),
            code="letterhead_incomplete",
            params={"fields": ", ".join(self.missing)},
        )


def objection_end_date(decision):
    """The last day to object: the end of the case's OBJECTION term (which records
    suspensions and holidays); computed from the sending date if the term row is missing."""
    term = decision.case.terms.filter(kind=TermKind.OBJECTION).order_by("-starts_on", "-id").first()
    if term is not None:
        return term.end_on
    return rules.objection_term_end(decision.sent_on, decree_days())


def recipient(case) -> dict:
    """Whom the letter is addressed to: the person, or the representative who applied on
    their behalf ("namens"), at the postal address given with the application."""
    person = case.person
    application = getattr(case, "application", None)
    person_name = f"{person.first_name} {person.last_name}"
    representative = (
        application is not None
        and application.applicant_kind == ApplicantKind.REPRESENTATIVE
        and application.representative_name
    )
    address = []
    if application is not None:
        address = [
            line
            for line in (
                application.letter_street,
                f"{application.letter_postcode}  {application.letter_city}".strip(),
            )
            if line
        ]
    return {
        "name": application.representative_name if representative else person_name,
        "on_behalf_of": person_name if representative else "",
        "address": address,
    }


def letter_theme(municipality) -> dict:
    """The municipality's theme for a letter (or the neutral one): its colours, its fonts as
    CSS font stacks (trusted: they come from ``themes.FONTS``) and its logo as a data URI
    (a PDF loads nothing from elsewhere)."""
    theme = Theme.objects.filter(municipality=municipality).first()
    tokens = theme.tokens if theme is not None else dict(themes.NEUTRAL)

    def stack(key: str) -> str:
        return LETTER_FONT if key == themes.Font.SYSTEM else themes.font_stack(key)

    logo = ""
    if theme is not None and theme.logo_content_type:
        encoded = base64.b64encode(bytes(theme.logo)).decode("ascii")
        logo = f"data:{theme.logo_content_type};base64,{encoded}"
    return {
        **tokens,
        "font_stack": stack(tokens["font"]),
        "heading_font_stack": stack(tokens["heading_font"]),
        "logo": logo,
        "logo_width": theme.logo_width if theme is not None else None,
        "logo_height": theme.logo_height if theme is not None else None,
    }


def _negative_reason(advice) -> str:
    """Why UWV's advice was negative (``rules.negative_advice_reason``); "" otherwise."""
    if advice is None or advice.outcome != AdviceOutcome.NEGATIVE:
        return ""
    return rules.negative_advice_reason(
        without_investigation=advice.without_investigation,
        work_capacity=rules.WorkCapacity(
            advice.can_perform_task,
            advice.basic_employee_skills,
            advice.hours_at_a_stretch,
            advice.hours_per_day,
        ),
        needs_adaptations=advice.needs_adaptations,
        needs_supervision_or_guidance=advice.needs_supervision,
        once_a_year_rule=advice.once_a_year_rule,
    ).value


def _objection_against_not_deciding(decision):
    """A pending objection against not deciding in time (§3.1), filed before this late
    decision: it now counts against the decision too (Awb 6:20), so no new one is asked."""
    case = decision.case
    if case.deemed_refusal_on is None:
        return None
    return (
        case.objections.filter(outcome=Objection.Outcome.PENDING, filed_on__lte=decision.sent_on)
        .order_by("filed_on", "id")
        .first()
    )


def decision_letter_context(decision) -> dict:
    case = decision.case
    advice = getattr(case, "advice", None)
    return {
        "theme": letter_theme(case.municipality),
        "decision": decision,
        "case": case,
        "person": case.person,
        "person_name": f"{case.person.first_name} {case.person.last_name}",
        "recipient": recipient(case),
        "municipality": case.municipality,
        "return_address": ", ".join(
            line.strip() for line in case.municipality.postal_address.splitlines() if line.strip()
        ),
        "advice": advice,
        "negative_reason": _negative_reason(advice),
        "must_accept_place": rules.must_accept_place(case.person.benefit_kind, decision.positive),
        "pending_objection": _objection_against_not_deciding(decision),
        "objection_end_on": objection_end_date(decision),
        "objection_weeks": rules.OBJECTION_TERM_WEEKS,
        "portal_case_url": portal_url("citizen:case_detail", case.pk)
        if case.person.account_id
        else "",
        "printed_on": timezone.localdate(),
    }


def decision_letter_html(decision) -> str:
    with translation.override("nl"):
        return render_to_string("cases/letters/decision.html", decision_letter_context(decision))


def decision_letter_pdf(decision) -> bytes:
    """The college's decision (DOMAIN §3) as a tagged PDF/UA-1 letter: letterhead, recipient,
    the decision and its grounds (Participatiewet art. 10b), the objection clause with the
    exact end date and address, contact details and signature."""
    from weasyprint import HTML

    municipality = decision.case.municipality
    if municipality.missing_letterhead_fields:
        raise LetterheadIncomplete(municipality)
    return HTML(string=decision_letter_html(decision)).write_pdf(pdf_variant="pdf/ua-1")
