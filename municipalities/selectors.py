"""Reads for the municipal administration pages, every one scoped to the user.

Administrators see their own municipality only; operators see every municipality. Anything
else is simply not there, so a lookup of another municipality's object answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from cases import rules
from cases.choices import Category, OrderingRule
from cases.placement.capacity import capacity, waiting_list
from portal.models import MUNICIPAL_ROLES, Role, User
from portal.permissions import has_role, role_of, scope_to_user

from .models import (
    ChainAgreement,
    Employer,
    Municipality,
    QuotaChange,
    Theme,
    Verordening,
    WageSubsidyYear,
    YearlyQuota,
)

MANAGER_ROLES = (Role.MUNICIPAL_ADMIN, Role.OPERATOR)


def public_contacts() -> QuerySet[Municipality]:
    """The municipalities that published how to reach them (public: the contact page)."""
    return (
        Municipality.objects.exclude(contact_email="", contact_phone="")
        .only("name", "contact_email", "contact_phone", "contact_text")
        .order_by("name")
    )


def municipality_by_code(cbs_code: str) -> Municipality | None:
    """The municipality with this CBS code (``GM0363``), for a sign-in's claim; None if the
    portal does not know it."""
    return Municipality.objects.filter(cbs_code=(cbs_code or "").strip().upper()).first()


def managed_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities ``user`` may configure: their own (administrator) or all
    (operator)."""
    if not has_role(user, *MANAGER_ROLES):
        return Municipality.objects.none()
    return scope_to_user(Municipality.objects.all(), user, municipality_field=None)


def managed_municipality(user, municipality_id: int) -> Municipality:
    """One municipality the user may configure, or 404."""
    return get_object_or_404(managed_municipalities(user), pk=municipality_id)


# -- verordening ----------------------------------------------------------------------------


def verordening_versions(municipality: Municipality) -> list[Verordening]:
    """Every version, newest first (one query)."""
    return list(Verordening.objects.filter(municipality=municipality).order_by("-in_force_from"))


def version_in_force(versions: list[Verordening], on: date) -> Verordening | None:
    """The version in force on ``on`` among ``versions`` (no query)."""
    in_force = [v for v in versions if v.in_force_from <= on]
    return max(in_force, key=lambda v: v.in_force_from) if in_force else None


def verordening_version(municipality: Municipality, pk: int) -> Verordening:
    return get_object_or_404(Verordening, municipality=municipality, pk=pk)


@dataclass(frozen=True)
class PreviewRow:
    """One candidate in the order a not-yet-saved ordering rule would give (ids, no content)."""

    reference: str
    position: int
    current_position: int
    category: Category
    current_category: Category
    waiting_since: date | None
    advice_on: date | None
    applied_on: date | None
    priority_group: bool
    council_position: int | None


def ordering_preview(
    municipality: Municipality,
    *,
    ordering_rule: OrderingRule | str,
    additional_places: int,
    on: date,
) -> list[PreviewRow]:
    """Today's candidates in the order and categories a verordening with ``ordering_rule``
    and ``additional_places`` would give them, next to their current position and category.

    The candidates and the quota come from ``cases.placement.capacity`` (two queries); the new
    order is ``rules.categorise``, the reference semantics of the capacity computation.
    """
    current = capacity(municipality.pk, on.year, on=on)
    far = date.max
    by_id = {row.case_id: row for row in current.candidates}
    candidates = [
        rules.Candidate(
            case_id=row.case_id,
            positive_advice_on=row.advice_on or far,
            applied_on=row.applied_on or far,
            priority=row.priority_group,
            available=row.available,
            council_position=row.council_position,
        )
        for row in current.candidates
    ]
    placements = rules.categorise(
        candidates,
        OrderingRule(ordering_rule),
        current.quota_in_use,
        current.taken_places,
        max(0, int(additional_places)),
    )
    return [
        PreviewRow(
            reference=by_id[p.candidate.case_id].reference,
            position=p.position,
            current_position=by_id[p.candidate.case_id].position,
            category=p.category,
            current_category=by_id[p.candidate.case_id].category,
            waiting_since=by_id[p.candidate.case_id].waiting_since,
            advice_on=by_id[p.candidate.case_id].advice_on,
            applied_on=by_id[p.candidate.case_id].applied_on,
            priority_group=by_id[p.candidate.case_id].priority_group,
            council_position=by_id[p.candidate.case_id].council_position,
        )
        for p in placements
    ]


# -- quota ----------------------------------------------------------------------------------


def quotas(municipality: Municipality) -> QuerySet[YearlyQuota]:
    return YearlyQuota.objects.filter(municipality=municipality).order_by("-year")


def quota_history(municipality: Municipality, *, limit: int = 50) -> QuerySet[QuotaChange]:
    return (
        QuotaChange.objects.filter(municipality=municipality)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")[:limit]
    )


def quotas_for_year(year: int, municipality_ids: list[int], user) -> list[tuple[int, object]]:
    """(municipality id, places) of ``year`` for the given municipalities the user manages."""
    return list(
        YearlyQuota.objects.filter(
            year=year,
            municipality_id__in=municipality_ids,
            municipality__in=managed_municipalities(user),
        ).values_list("municipality_id", "places")
    )


def quota_of(municipality: Municipality, year: int) -> YearlyQuota | None:
    return YearlyQuota.objects.filter(municipality=municipality, year=year).first()


def wage_subsidy_years(municipality: Municipality) -> QuerySet[WageSubsidyYear]:
    """DOMAIN §6.3: the years for which the municipality set how it computes the wage
    subsidy, newest first."""
    return (
        WageSubsidyYear.objects.filter(municipality=municipality)
        .select_related("changed_by")
        .order_by("-year")
    )


# -- employers ------------------------------------------------------------------------------


def employers(municipality: Municipality) -> QuerySet[Employer]:
    return Employer.objects.filter(municipality=municipality).order_by("-active", "name")


def active_employers_for(user) -> QuerySet[Employer]:
    """Active employers of the user's municipality, for choosing one when placing a person
    (consultants and administrators; operators see all)."""
    return scope_to_user(Employer.objects.filter(active=True), user).order_by("name")


def employer(municipality: Municipality, pk: int) -> Employer:
    return get_object_or_404(Employer, municipality=municipality, pk=pk)


# -- staff ----------------------------------------------------------------------------------


def staff(municipality: Municipality) -> QuerySet[User]:
    """Consultants and administrators of the municipality, each with ``mfa_enabled`` (one
    query for all: an authenticator other than recovery codes, as
    ``allauth.mfa.utils.is_mfa_enabled`` counts it). Not the accounts of API clients: the
    operators manage those in the Django admin."""
    factors = Authenticator.objects.filter(user=OuterRef("pk")).exclude(
        type=Authenticator.Type.RECOVERY_CODES
    )
    return (
        User.objects.filter(
            municipality=municipality, role__in=sorted(MUNICIPAL_ROLES), api_client__isnull=True
        )
        .annotate(mfa_enabled=Exists(factors))
        .order_by("-is_active", "last_name", "first_name", "email")
    )


def staff_member(municipality: Municipality, pk: int) -> User:
    return get_object_or_404(staff(municipality), pk=pk)


# -- chain agreements -----------------------------------------------------------------------


def chain_agreements(municipality: Municipality) -> QuerySet[ChainAgreement]:
    return ChainAgreement.objects.filter(municipality=municipality).prefetch_related(
        "partners", "targets"
    )


def chain_agreement(municipality: Municipality, pk: int) -> ChainAgreement:
    return get_object_or_404(
        ChainAgreement.objects.filter(municipality=municipality).prefetch_related(
            Prefetch("partners"), Prefetch("targets")
        ),
        pk=pk,
    )


# -- the region's waiting list ---------------------------------------------------------------

#: Waiting candidates shown per municipality on the region's page (the first in the order).
REGIONAL_ROWS_PER_MUNICIPALITY = 100


def _shares_waiting_list_on(on: date) -> Exists:
    """The municipality has a chain agreement in force on ``on`` that states regional
    cooperation on the waiting list (concluded on or before ``on``, not ended before it)."""
    return Exists(
        ChainAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on),
            municipality=OuterRef("pk"),
            regional_waiting_list=True,
            concluded_on__lte=on,
        )
    )


def regional_partners(user, on: date) -> list[Municipality]:
    """The other municipalities of the consultant's labour-market region whose waiting
    candidates the consultant may see on ``on``: only if both the consultant's municipality
    and the other one have an agreement on regional cooperation on the waiting list in force.
    Nothing for anyone but a consultant."""
    if role_of(user) is not Role.CONSULTANT or user.municipality_id is None:
        return []
    own = (
        Municipality.objects.filter(pk=user.municipality_id)
        .exclude(labour_market_region="")
        .filter(_shares_waiting_list_on(on))
        .values_list("labour_market_region", flat=True)
    )
    return list(
        Municipality.objects.filter(labour_market_region__in=own)
        .exclude(pk=user.municipality_id)
        .filter(_shares_waiting_list_on(on))
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class RegionalRow:
    reference: str
    waiting_since: date | None


@dataclass(frozen=True)
class RegionalWaiting:
    """Who waits in one partner municipality: minimal data, no names, no BSN, no content."""

    municipality: Municipality
    #: Candidates on its waiting list (``Category.WAITING``), in its order, at most
    #: ``REGIONAL_ROWS_PER_MUNICIPALITY``.
    rows: list[RegionalRow]
    waiting_total: int


def regional_waiting(user, on: date) -> list[RegionalWaiting]:
    """The waiting candidates of each partner municipality (``regional_partners``), as the
    capacity computation of that municipality has them on ``on``: the first
    ``REGIONAL_ROWS_PER_MUNICIPALITY`` of each read (two queries per partner)."""
    result = []
    for partner in regional_partners(user, on):
        waiting = waiting_list(partner.pk, on.year, on=on, limit=REGIONAL_ROWS_PER_MUNICIPALITY)
        result.append(
            RegionalWaiting(
                municipality=partner,
                rows=[
                    RegionalRow(reference=reference, waiting_since=since)
                    for _case_id, reference, since in waiting.rows
                ],
                waiting_total=waiting.total,
            )
        )
    return result


# -- a municipality's theme (public: its colours and logo are on its letters anyway) --------


@dataclass(frozen=True)
class PageTheme:
    """What a page needs to wear a municipality's theme (``base.html``): its stylesheet and
    its logo, each at an address that changes with the theme."""

    municipality_name: str
    stylesheet_url: str
    logo_url: str
    logo_width: int | None
    logo_height: int | None


def page_theme(municipality_id: int | None) -> PageTheme | None:
    """The theme of a municipality's pages; ``None``: the neutral portal theme. One query."""
    if municipality_id is None:
        return None
    row = (
        Theme.objects.filter(municipality_id=municipality_id)
        .only("updated_at", "logo_content_type", "logo_width", "logo_height", "municipality__name")
        .select_related("municipality")
        .first()
    )
    if row is None:
        return None
    version = row.version
    return PageTheme(
        municipality_name=row.municipality.name,
        stylesheet_url=reverse("theme_stylesheet", args=[municipality_id]) + f"?v={version}",
        logo_url=(
            reverse("theme_logo", args=[municipality_id]) + f"?v={version}"
            if row.logo_content_type
            else ""
        ),
        logo_width=row.logo_width,
        logo_height=row.logo_height,
    )


def theme_without_logo(municipality_id: int) -> Theme | None:
    """A municipality's theme, its logo's bytes left in the database."""
    return Theme.objects.filter(municipality_id=municipality_id).defer("logo").first()


def theme_logo(municipality_id: int) -> Theme | None:
    """A municipality's theme with its logo, if it has one."""
    return (
        Theme.objects.filter(municipality_id=municipality_id)
        .exclude(logo_content_type="")
        .only("logo", "logo_content_type", "updated_at")
        .first()
    )
