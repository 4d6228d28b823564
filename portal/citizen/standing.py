"""Where a citizen with a positive decision stands (DOMAIN §4, §5): whether the municipality
must place them now, offers them an additional place, or has them on the waiting list; who is
responsible for them while they wait; what the verordening offers meanwhile; the order and
their place in it, and what changes it.

The category, position and responsibility come from the capacity computation of the
municipality (``cases.placement.capacity.candidate_standing``), the provisions from the
verordening in force. Only the person's own row is read: nothing of other people is shown, not
even how many wait.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from cases import selectors
from cases.choices import ApplicantKind, BenefitKind, Category, OrderingRule, Responsible
from cases.models import CANDIDATE_STATES
from cases.placement import capacity


@dataclass(frozen=True)
class Standing:
    """What the citizen's case page says about their turn, as ready sentences."""

    category: Category
    responsible: Responsible
    #: Place on the waiting list (1 = next), only for someone on it.
    waiting_place: int | None
    #: The person's name when a representative reads the page; None when it is the person.
    about: str | None
    status: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    responsibility: list[str] = field(default_factory=list)
    provisions_until_employment: str = ""
    provisions_while_waiting: str = ""
    #: Whether a verordening is in force (else the provisions are unknown).
    has_verordening: bool = False


def is_candidate(case) -> bool:
    return case.state in CANDIDATE_STATES


def own_row(case, on: date) -> capacity.CandidateRow | None:
    """The case's own row in its municipality's capacity on ``on`` (None if it is not a
    candidate): two queries, only this row read."""
    if not is_candidate(case):
        return None
    return capacity.candidate_standing(case.pk, on=on)


def own_rows(cases, on: date) -> dict[int, capacity.CandidateRow]:
    """``own_row`` of each of ``cases`` that is a candidate, by case id: two queries for the
    cases of one municipality, however many there are."""
    return capacity.candidate_standings([c.pk for c in cases if is_candidate(c)], on=on)


def short_line(row: capacity.CandidateRow) -> str:
    """One line for the overview of the citizen's applications."""
    if row.category == Category.OBLIGED:
        return _("The municipality must offer a place now.")
    if row.category == Category.ADDITIONAL:
        return _("The municipality offers an additional place.")
    if row.category == Category.WAITING:
        return _("On the waiting list: number %(place)s.") % {"place": row.waiting_place}
    return _("Temporarily unavailable. The turn is kept.")


def about(case) -> str | None:
    """The person's name when a representative applied for them and reads their pages (which
    then speak about the person); None when the person applied themselves."""
    application = getattr(case, "application", None)
    if application is not None and application.applicant_kind == ApplicantKind.REPRESENTATIVE:
        return f"{case.person.first_name} {case.person.last_name}"
    return None


def you_or_them(about: str | None, you: str, them: str, **values) -> str:
    """The sentence for the person themselves (``you``) or about them (``them``, with
    ``%(name)s``) when a representative reads it (``about``)."""
    if about is None:
        return you % values if values else you
    return them % {"name": about, **values}


def _order_rule_text(rule: OrderingRule) -> str:
    if rule == OrderingRule.POSITIVE_ADVICE_DATE:
        return _("Whoever received the positive advice from UWV first, gets a place first.")
    if rule == OrderingRule.APPLICATION_DATE:
        return _("Whoever applied first, gets a place first.")
    if rule == OrderingRule.PRIORITY_THEN_ADVICE_DATE:
        return _(
            "First come the people in a priority group, such as school leavers. After them: "
            "whoever received the positive advice from UWV first, gets a place first."
        )
    # OrderingRule.COUNCIL_ORDER
    return _(
        "The municipality decides the order itself: it gives each person a number, and the "
        "lowest number gets a place first."
    )


def _benefit_text(kind: BenefitKind) -> str:
    if kind == BenefitKind.PARTICIPATIEWET:
        return _("The benefit (social assistance) is paid by the municipality, as before.")
    if kind == BenefitKind.SURVIVOR:
        return _("The survivor's benefit (Anw) is paid by the SVB, as before.")
    if kind in (BenefitKind.WAJONG, BenefitKind.WIA_WAO, BenefitKind.WW):
        return _("The benefit (%(benefit)s) is paid by UWV, as before.") % {
            "benefit": BenefitKind(kind).label
        }
    return ""


def build(case, on: date) -> Standing | None:
    """Where the case's person stands on ``on``; None for a case that is not waiting for a
    place (not yet decided, employed, closed). Three queries: the own row (two) and the
    verordening in force."""
    row = own_row(case, on)
    if row is None:
        return None
    name = about(case)
    place = row.waiting_place
    verordening = selectors.verordening_in_force(case.municipality_id, on)

    status: list[str] = []
    order: list[str] = []
    changes: list[str] = []
    category = row.category
    if category == Category.OBLIGED:
        status.append(
            you_or_them(
                name,
                _("The municipality must offer you a place now."),
                _("The municipality must offer %(name)s a place now."),
            )
        )
        status.append(
            _(
                "This year the municipality has not yet made the number of places the "
                "government set (the quota). Until then it must offer everyone with a "
                "positive decision a place. There is no order: everyone has the same right."
            )
        )
    elif category == Category.ADDITIONAL:
        status.append(
            you_or_them(
                name,
                _("The municipality offers you an additional place."),
                _("The municipality offers %(name)s an additional place."),
            )
        )
        status.append(
            _(
                "The municipality has made the number of places the government set for this "
                "year (the quota). Its own rules (the verordening) give extra places."
            )
        )
    elif category == Category.WAITING:
        status.append(
            you_or_them(
                name,
                _("You are number %(place)s on the waiting list."),
                _("%(name)s is number %(place)s on the waiting list."),
                place=place,
            )
        )
        status.append(
            _(
                "The municipality has made the number of places the government set for this "
                "year (the quota), and it has no extra place left."
            )
        )
    else:
        status.append(
            you_or_them(
                name,
                _("You are temporarily unavailable. You keep your turn."),
                _("%(name)s is temporarily unavailable and keeps their turn."),
            )
        )
        status.append(
            you_or_them(
                name,
                _(
                    "As soon as you are available again, you get a place at your turn. Tell "
                    "the municipality when you can start."
                ),
                _(
                    "As soon as %(name)s is available again, they get a place at their turn. "
                    "Tell the municipality when they can start."
                ),
            )
        )

    if category != Category.OBLIGED:
        order.append(
            _("The rules of the municipality (the verordening) say who gets a place first.")
        )
        order.append(_order_rule_text(row.ordering_rule))
    if category in (Category.WAITING, Category.UNAVAILABLE):
        changes.append(
            _(
                "Every year the government sets a higher number of places. From 1 January "
                "%(year)s the municipality may again have to offer places to people with a "
                "positive decision."
            )
            % {"year": on.year + 1}
        )
        changes.append(
            _(
                "Someone who is temporarily unavailable, for example because of illness, keeps "
                "their turn. When they are available again, they get their place back in the "
                "order."
            )
        )
        changes.append(
            you_or_them(
                name,
                _("The municipality tells you when it has a place for you."),
                _("The municipality tells you when it has a place for %(name)s."),
            )
        )

    responsibility: list[str] = []
    if row.responsible == Responsible.UWV:
        responsibility.append(
            you_or_them(
                name,
                _("UWV is responsible for you while you wait."),
                _("UWV is responsible for %(name)s while waiting."),
            )
        )
        responsibility.append(
            _(
                "You talk to UWV about work and support, such as a job coach. UWV decides on "
                "that support and pays for it. This is because the municipality has made its "
                "quota, has no extra place left, and the benefit comes from UWV."
            )
        )
    else:
        responsibility.append(
            you_or_them(
                name,
                _("Your municipality is responsible for you while you wait."),
                _("The municipality is responsible for %(name)s while waiting."),
            )
        )
        responsibility.append(
            _(
                "You talk to the consultant of the municipality about work and support. The "
                "municipality decides on that support and pays for it."
            )
        )
    benefit = _benefit_text(BenefitKind(case.person.benefit_kind))
    if benefit:
        responsibility.append(benefit)

    return Standing(
        category=category,
        responsible=row.responsible,
        waiting_place=place,
        about=name,
        status=status,
        order=order,
        changes=changes,
        responsibility=responsibility,
        provisions_until_employment=verordening.provisions_until_employment if verordening else "",
        provisions_while_waiting=(
            verordening.provisions_while_waiting
            if verordening and category in (Category.WAITING, Category.UNAVAILABLE)
            else ""
        ),
        has_verordening=verordening is not None,
    )
