"""Writes of the municipal administration: verordening versions, quota, employers, staff,
chain agreements, letterhead. Each runs in one transaction and is audited (after the
transaction, so refusals are audited too). Callers have checked the user may manage the
municipality (``selectors.managed_municipality``); the services check it again where a wrong
call would cross municipalities.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context as allauth_context
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import figures, rules
from cases import services as case_services
from cases.audit.trail import audited
from cases.choices import ProvisionKind
from cases.documents import files
from cases.notifications import dispatch
from portal.models import MUNICIPAL_ROLES, Role, User
from portal.permissions import can_create_staff, can_manage_municipality

from . import quota_import, themes
from .models import (
    CONTACT_FIELDS,
    EMPLOYER_FIELDS,
    LABOUR_MARKET_REGIONS,
    VERORDENING_FIELDS,
    ChainAgreement,
    ChainPartner,
    ChainTarget,
    Employer,
    Municipality,
    QuotaChange,
    Theme,
    Verordening,
    WageSubsidyYear,
    YearlyQuota,
    default_provision_kinds,
)

logger = logging.getLogger(__name__)


def _today() -> date:
    return timezone.localdate()


def _check_manager(actor, municipality_id: int) -> None:
    if not can_manage_municipality(actor, municipality_id):
        raise PermissionDenied


# -- verordening ----------------------------------------------------------------------------

#: The verordening's numbers, each from its minimum to its maximum. A decision term of more
#: than a year, more additional places a year than the country's whole quota or a review
#: after more than ten years is a typing error (and the database holds no more than 32,767
#: weeks or months).
VERORDENING_NUMBER_LIMITS = {
    "decision_term_weeks": (1, 52),
    "additional_places_per_year": (0, 10_000),
    "advice_review_months": (0, 120),
}
_NUMBER_MESSAGES = {
    "decision_term_weeks": _("Enter a number of weeks from %(min)s to %(max)s."),
    "additional_places_per_year": _("Enter a number of places from %(min)s to %(max)s."),
    "advice_review_months": _(
        "Enter a number of months from %(min)s to %(max)s. With 0 the consultant gets no reminder."
    ),
}


def check_verordening_numbers(values: dict[str, Any]) -> None:
    """The numbers of a verordening version within ``VERORDENING_NUMBER_LIMITS``, else a
    ``ValidationError`` per field. The additional places count only when offered. The form
    checks them too, so that the preview of the order refuses them as well."""
    errors = {}
    for name, (low, high) in VERORDENING_NUMBER_LIMITS.items():
        value = values.get(name)
        if name == "additional_places_per_year" and not values.get("offers_additional_places"):
            continue
        if value is not None and not low <= value <= high:
            errors[name] = ValidationError(
                _NUMBER_MESSAGES[name], code="out_of_range", params={"min": low, "max": high}
            )
    if errors:
        raise ValidationError(errors)


def _check_verordening(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if not values.get("offers_additional_places"):
        values["additional_places_per_year"] = 0
    elif not values.get("additional_places_per_year"):
        raise ValidationError(
            {
                "additional_places_per_year": _(
                    "Enter how many additional places the municipality offers per year."
                )
            },
            code="additional_places_missing",
        )
    # A setting added later (the review months, §2.6) keeps its default when not given.
    values.setdefault("advice_review_months", rules.ADVICE_REVIEW_MONTHS)
    check_verordening_numbers(values)
    # So do the provisions offered (§5): every kind unless chosen; each kind once, in order.
    kinds = values.get("provision_kinds")
    kinds = default_provision_kinds() if kinds is None else list(kinds)
    if not set(kinds) <= set(ProvisionKind.values):
        raise ValidationError(
            {"provision_kinds": _("Choose provisions from the list.")}, code="provision_kind"
        )
    values["provision_kinds"] = [kind for kind in ProvisionKind.values if kind in kinds]
    if values["discussed_with_target_group_on"] > values["in_force_from"]:
        raise ValidationError(
            {
                "discussed_with_target_group_on": _(
                    "The verordening must be discussed with the target group before it comes "
                    "into force."
                )
            },
            code="discussed_after_in_force",
        )
    return values


def check_verordening_version(
    municipality_id: int, values: dict[str, Any], *, version: Verordening | None = None
) -> dict[str, Any]:
    """The checks on a new version (``version`` None) or on a change of one not in force yet,
    with the values as they will be stored; ``ValidationError`` per field otherwise. A new
    version may not come into force before today (it would change how earlier cases were
    judged), unless it is the municipality's first; a version in force is never edited."""
    today = _today()
    if version is not None and version.in_force_from <= today:
        raise ValidationError(
            _("This version is already in force and cannot be changed. Add a new version instead."),
            code="in_force",
        )
    values = _check_verordening(values)
    versions = Verordening.objects.filter(municipality_id=municipality_id)
    if version is None and versions.exists() and values["in_force_from"] < today:
        raise ValidationError(
            {
                "in_force_from": _(
                    "A new version cannot come into force in the past: that would change "
                    "how earlier cases were judged. Choose today or a later date."
                )
            },
            code="in_force_in_past",
        )
    if version is not None and values["in_force_from"] <= today:
        raise ValidationError(
            {
                "in_force_from": _(
                    "A version that is not in force yet must keep a date after today."
                )
            },
            code="in_force_in_past",
        )
    clash = versions.filter(in_force_from=values["in_force_from"])
    if version is not None:
        clash = clash.exclude(pk=version.pk)
    if clash.exists():
        raise ValidationError(
            {"in_force_from": _("There is already a version that comes into force then.")},
            code="duplicate_date",
        )
    return values


def create_verordening_version(
    *, municipality: Municipality, actor, origin: str = "", **values: Any
) -> Verordening:
    """Add a version. It may not come into force before today (it would change how earlier
    cases were judged), unless it is the municipality's first version."""
    with (
        audited(
            "create_verordening", actor=actor, object_type="verordening", origin=origin
        ) as record,
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        Municipality.objects.select_for_update().get(pk=municipality.pk)
        values = check_verordening_version(municipality.pk, values)
        verordening = Verordening.objects.create(
            municipality=municipality, **{k: values[k] for k in VERORDENING_FIELDS}
        )
        record.object_id = str(verordening.pk)
        return verordening


def update_verordening_version(
    *, verordening_id: int, actor, origin: str = "", **values: Any
) -> Verordening:
    """Change a version that is not in force yet. A version in force (or past) is never
    edited: a change is a new version."""
    with (
        audited(
            "update_verordening",
            actor=actor,
            object_type="verordening",
            object_id=verordening_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        verordening = Verordening.objects.select_for_update().get(pk=verordening_id)
        _check_manager(actor, verordening.municipality_id)
        values = check_verordening_version(verordening.municipality_id, values, version=verordening)
        for name in VERORDENING_FIELDS:
            setattr(verordening, name, values[name])
        verordening.save(update_fields=list(VERORDENING_FIELDS))
        return verordening


def is_editable(verordening: Verordening, today: date | None = None) -> bool:
    return verordening.in_force_from > (today or _today())


# -- quota ----------------------------------------------------------------------------------


def _set_quota(
    municipality_id: int, year: int, places: Decimal, *, actor, source: str, now
) -> bool:
    """Set one quota (the caller holds the transaction). True if anything changed.

    The municipality's row is locked first, as for a new verordening version: a quota row
    that does not exist yet cannot be locked, and two saves of a new year at once (a double
    click, or a save during an import) would both insert it. The second now waits, then sees
    the first one's row and changes it, or finds it already so."""
    Municipality.objects.select_for_update().get(pk=municipality_id)
    quota = (
        YearlyQuota.objects.select_for_update()
        .filter(municipality_id=municipality_id, year=year)
        .first()
    )
    old = quota.places if quota else None
    if old is not None and Decimal(old) == Decimal(places):
        return False
    if quota is None:
        YearlyQuota.objects.create(municipality_id=municipality_id, year=year, places=places)
    else:
        quota.places = places
        quota.save(update_fields=["places"])
    QuotaChange.objects.create(
        municipality_id=municipality_id,
        year=year,
        old_places=old,
        new_places=places,
        source=source,
        changed_by=actor if actor is not None and actor.pk else None,
        changed_at=now,
    )
    return True


def set_quota(
    *, municipality: Municipality, year: int, places: Decimal, actor, origin: str = ""
) -> bool:
    """Change one year's quota by hand, with history. True if it changed."""
    with (
        audited(
            "set_quota",
            actor=actor,
            object_type="municipality",
            object_id=municipality.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        try:
            rules.check_quota(Decimal(places))
        except rules.RuleViolation as violation:
            raise ValidationError(
                {
                    "places": ValidationError(
                        violation.message, code=violation.code, params=violation.params
                    )
                }
            ) from None
        return _set_quota(
            municipality.pk,
            year,
            Decimal(places),
            actor=actor,
            source=QuotaChange.Source.MANUAL,
            now=timezone.now(),
        )


def set_wage_subsidy_method(
    *, municipality: Municipality, year: int, flat_rate: bool, actor, origin: str = ""
) -> bool:
    """DOMAIN §6.3: set how the municipality computes the wage subsidy in ``year``: at the
    flat rate of 68% of the minimum wage (only from ``rules.FLAT_RATE_FROM_YEAR``, when the
    change in the law is planned), or by measuring the wage value. True if it changed. The
    row keeps who changed it last and when; the audit log every change."""
    with (
        audited(
            "set_wage_subsidy_method",
            actor=actor,
            object_type="municipality",
            object_id=municipality.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        if flat_rate:
            try:
                rules.check_flat_rate_year(year)
            except rules.RuleViolation as violation:
                error = ValidationError(str(violation), code=violation.code)
                raise ValidationError({"flat_rate": error}) from None
        row = (
            WageSubsidyYear.objects.select_for_update()
            .filter(municipality_id=municipality.pk, year=year)
            .first()
        )
        if row is not None and row.flat_rate == flat_rate:
            return False
        if row is None and not flat_rate:
            return False  # a year without a setting measures the wage value already
        WageSubsidyYear.objects.update_or_create(
            municipality_id=municipality.pk,
            year=year,
            defaults={
                "flat_rate": flat_rate,
                "changed_by": actor if actor is not None and actor.pk else None,
                "changed_at": timezone.now(),
            },
        )
        return True


def allowed_municipality_ids(actor) -> set[int] | None:
    """The municipalities whose quota ``actor`` may import: all (operator) or their own."""
    if getattr(actor, "role", None) == Role.OPERATOR:
        return None
    if getattr(actor, "role", None) == Role.MUNICIPAL_ADMIN and actor.municipality_id:
        return {actor.municipality_id}
    return set()


def check_quota_file(text: str, *, actor) -> quota_import.ParsedFile:
    """Read and check a quota file for ``actor`` (nothing is written)."""
    known = dict(Municipality.objects.values_list("cbs_code", "pk"))
    return quota_import.parse(text, known_codes=known, allowed_ids=allowed_municipality_ids(actor))


@dataclass(frozen=True)
class ImportResult:
    rows: int
    changed: int


def import_quota(*, text: str, year: int, actor, origin: str = "") -> ImportResult:
    """Apply a quota file for ``year``: all rows or none. Re-importing the same file changes
    nothing (rows whose quota already has that value are skipped, without history)."""
    with (
        audited("import_quota", actor=actor, object_type="quota_import", origin=origin) as record,
        transaction.atomic(),
    ):
        parsed = check_quota_file(text, actor=actor)
        if not parsed.valid:
            raise ValidationError(
                _("The file has errors. Nothing has been changed."), code="invalid_file"
            )
        now = timezone.now()
        changed = sum(
            _set_quota(
                row.municipality_id,
                year,
                row.places,
                actor=actor,
                source=QuotaChange.Source.IMPORT,
                now=now,
            )
            for row in sorted(parsed.applicable_rows, key=lambda r: r.municipality_id)
        )
        applied = len(parsed.applicable_rows)
        record.object_id = f"{year}:{changed}/{applied}"
        return ImportResult(rows=applied, changed=changed)


# -- employers ------------------------------------------------------------------------------


def save_employer(
    *,
    municipality: Municipality,
    actor,
    employer: Employer | None = None,
    origin: str = "",
    **values: Any,
) -> Employer:
    """Create an employer, or change ``employer``."""
    with (
        audited(
            "save_employer",
            actor=actor,
            object_type="employer",
            object_id=employer.pk if employer else "",
            origin=origin,
        ) as record,
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        if employer is not None and employer.municipality_id != municipality.pk:
            raise PermissionDenied
        # Two saves of the same new name at once: the second waits here, then sees the clash.
        Municipality.objects.select_for_update().get(pk=municipality.pk)
        clash = Employer.objects.filter(municipality=municipality, name__iexact=values["name"])
        if employer is not None:
            clash = clash.exclude(pk=employer.pk)
        if clash.exists():
            raise ValidationError(
                {"name": _("There is already an employer with this name.")}, code="duplicate"
            )
        employer = employer or Employer(municipality=municipality)
        for name in EMPLOYER_FIELDS:
            setattr(employer, name, values[name])
        employer.save()
        record.object_id = str(employer.pk)
        return employer


# -- staff ----------------------------------------------------------------------------------


@dataclass
class Invitation:
    """A new staff account and whether its invitation went out: ``sent`` is None until the
    caller's transaction has committed (the mail goes only then), then True, or False when
    the mail server did not take it. The account stays either way; the staff page sends the
    invitation again (``resend_invitation``)."""

    user: User
    sent: bool | None = None


def invite_staff(
    *,
    municipality: Municipality,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    actor,
    request=None,
    origin: str = "",
) -> Invitation:
    """Create a consultant or administrator of ``municipality`` with no usable password and
    mail them a link to set one (allauth's password-reset key). At the first sign-in the
    portal makes them set up a second factor."""
    with (
        audited("invite_staff", actor=actor, object_type="user", origin=origin) as record,
        transaction.atomic(),
    ):
        role = Role(role)
        if role not in MUNICIPAL_ROLES or not can_create_staff(actor, role, municipality.pk):
            raise PermissionDenied
        email = User.objects.normalize_email(email).strip()
        duplicate = ValidationError(
            {"email": _("There is already an account with this e-mail address.")},
            code="duplicate_email",
        )
        if User.objects.filter(
            email__iexact=email,
            is_active=False,
            municipality=municipality,
            role__in=sorted(MUNICIPAL_ROLES),
            api_client__isnull=True,
        ).exists():
            raise ValidationError(
                {
                    "email": _(
                        "There is already an account with this e-mail address, but it is "
                        "switched off. Switch it on again in the list of staff."
                    )
                },
                code="switched_off",
            )
        if (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise duplicate
        try:
            # The address may have been taken meanwhile (the same invitation sent twice at
            # once, or by another municipality): the database's unique index says so.
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email,
                    password=None,
                    first_name=first_name,
                    last_name=last_name,
                    role=role,
                    municipality=municipality,
                )
        except IntegrityError:
            if User.objects.filter(email__iexact=email).exists():
                raise duplicate from None
            raise
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        record.object_id = str(user.pk)
        invitation = Invitation(user=user)

        def send() -> None:
            invitation.sent = try_send_invitation(user, municipality, request=request)

        transaction.on_commit(send)
        return invitation


def send_invitation(user: User, municipality: Municipality, *, request=None) -> None:
    """Mail the invitation with a set-your-password link (allauth's password-reset key, so
    the ordinary reset page sets the password)."""
    if request is not None and allauth_context.request is None:
        with allauth_context.request_context(request):
            return send_invitation(user, municipality, request=request)
    adapter = get_adapter()
    token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    key = f"{user_pk_to_url_str(user)}-{token}"
    url = adapter.get_reset_password_from_key_url(key)
    adapter.deliver_mail(
        "municipalities/email/staff_invitation",
        user.email,
        {
            "user": user,
            "municipality": municipality,
            "set_password_url": url,
            "role": user.get_role_display(),
        },
    )


def try_send_invitation(user: User, municipality: Municipality, *, request=None) -> bool:
    """``send_invitation``, False when the mail server could not be reached or refused it:
    the administrator's page says so instead of failing after the account was made."""
    try:
        send_invitation(user, municipality, request=request)
    except (smtplib.SMTPException, OSError):
        logger.warning("the invitation of user %s could not be sent", user.pk, exc_info=True)
        return False
    return True


def resend_invitation(
    *, municipality: Municipality, user_id: int, actor, request=None, origin: str = ""
) -> bool:
    """Send the invitation again, with a new link, to a staff member of ``municipality`` who
    never signed in (the first mail did not go out, or got lost). False when the mail server
    did not take it."""
    with audited(
        "resend_invitation", actor=actor, object_type="user", object_id=user_id, origin=origin
    ):
        _check_manager(actor, municipality.pk)
        user = User.objects.filter(
            pk=user_id,
            municipality=municipality,
            role__in=sorted(MUNICIPAL_ROLES),
            api_client__isnull=True,
        ).first()
        if user is None:
            raise PermissionDenied
        if not user.is_active or user.last_login is not None:
            raise ValidationError(
                _("Only a staff member who has never signed in can get the invitation again."),
                code="invitation_not_pending",
            )
        return try_send_invitation(user, municipality, request=request)


def deactivate_staff(*, municipality: Municipality, user_id: int, actor, origin: str = "") -> User:
    """Switch off a consultant's or administrator's account and end all their sessions at
    once. The cases they handled go back to the team, so that their reminders reach someone
    who can act on them."""
    with (
        audited(
            "deactivate_staff", actor=actor, object_type="user", object_id=user_id, origin=origin
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        user = (
            User.objects.select_for_update()
            .filter(pk=user_id, municipality=municipality, role__in=sorted(MUNICIPAL_ROLES))
            .first()
        )
        if user is None:
            raise PermissionDenied
        if user.pk == actor.pk:
            raise ValidationError(
                _("You cannot switch off your own account."), code="deactivate_self"
            )
        user.is_active = False
        user.save(update_fields=["is_active"])
        case_services.release_cases_of(user, actor=actor, reason=case_services.HANDLER_SWITCHED_OFF)
        for session in UserSession.objects.filter(user=user):
            session.end()
        return user


def reactivate_staff(*, municipality: Municipality, user_id: int, actor, origin: str = "") -> User:
    """Switch a consultant's or administrator's account that was switched off on again. They
    sign in as before, with their own password and second factor."""
    with (
        audited(
            "reactivate_staff", actor=actor, object_type="user", object_id=user_id, origin=origin
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        user = (
            User.objects.select_for_update(of=("self",))
            .filter(
                pk=user_id,
                municipality=municipality,
                role__in=sorted(MUNICIPAL_ROLES),
                api_client__isnull=True,
            )
            .first()
        )
        if user is None or not can_create_staff(actor, Role(user.role), municipality.pk):
            raise PermissionDenied
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        return user


def update_staff_from_idp(
    *, user_id: int, role: Role, municipality: Municipality, actor, origin: str = ""
) -> User:
    """Role and municipality of a staff member as the municipality's identity provider says at
    sign-in (``OIDC_STAFF_ROLE_SOURCE=claims``, issue 24), for an account already linked to
    that provider. Only consultants and administrators; the caller checked the claims. A
    staff member who moved to another municipality gives the cases they handled in the old
    one back to its team: they can no longer see them."""
    if role not in MUNICIPAL_ROLES:
        raise PermissionDenied
    with (
        audited(
            "update_staff_from_idp",
            actor=actor,
            object_type="user",
            object_id=user_id,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        user = (
            User.objects.select_for_update()
            .filter(pk=user_id, role__in=sorted(MUNICIPAL_ROLES))
            .first()
        )
        if user is None:
            raise PermissionDenied
        user.role, user.municipality = role, municipality
        user.save(update_fields=["role", "municipality"])
        case_services.release_cases_of(
            user,
            actor=actor,
            reason=case_services.HANDLER_LEFT_MUNICIPALITY,
            keep_municipality_id=municipality.pk,
        )
        # Their inbox now holds the notices of the new municipality's cases only.
        dispatch.recount_unread_of([user.pk])
        return user


# -- chain agreements -----------------------------------------------------------------------


def save_chain_agreement(
    *,
    municipality: Municipality,
    actor,
    agreement: ChainAgreement | None = None,
    origin: str = "",
    title: str,
    concluded_on: date | None,
    description: str,
    ends_on: date | None = None,
    regional_waiting_list: bool = False,
) -> ChainAgreement:
    """Add or change a chain agreement. An agreement on regional cooperation on the waiting
    list counts from the day it was concluded, so it needs that date."""
    if ends_on is not None and concluded_on is not None and ends_on < concluded_on:
        raise ValidationError(
            {"ends_on": _("The end date cannot be before the date it was concluded.")}
        )
    if regional_waiting_list and concluded_on is None:
        raise ValidationError(
            {
                "concluded_on": _(
                    "Fill in the date the agreement was concluded: it counts from that day."
                )
            }
        )
    with (
        audited(
            "save_chain_agreement",
            actor=actor,
            object_type="chain_agreement",
            object_id=agreement.pk if agreement else "",
            origin=origin,
        ) as record,
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        if agreement is not None and agreement.municipality_id != municipality.pk:
            raise PermissionDenied
        agreement = agreement or ChainAgreement(municipality=municipality)
        agreement.title = title
        agreement.concluded_on = concluded_on
        agreement.ends_on = ends_on
        agreement.description = description
        agreement.regional_waiting_list = regional_waiting_list
        agreement.save()
        record.object_id = str(agreement.pk)
        return agreement


def add_chain_partner(
    *, agreement: ChainAgreement, actor, name: str, kind: str, role: str, origin: str = ""
) -> ChainPartner:
    with (
        audited(
            "add_chain_partner",
            actor=actor,
            object_type="chain_agreement",
            object_id=agreement.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, agreement.municipality_id)
        return ChainPartner.objects.create(agreement=agreement, name=name, kind=kind, role=role)


def remove_chain_partner(*, agreement: ChainAgreement, partner_id: int, actor, origin: str = ""):
    with (
        audited(
            "remove_chain_partner",
            actor=actor,
            object_type="chain_agreement",
            object_id=agreement.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, agreement.municipality_id)
        ChainPartner.objects.filter(agreement=agreement, pk=partner_id).delete()


def set_chain_target(
    *, agreement: ChainAgreement, actor, year: int, target_places: int, origin: str = ""
) -> ChainTarget:
    with (
        audited(
            "set_chain_target",
            actor=actor,
            object_type="chain_agreement",
            object_id=agreement.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, agreement.municipality_id)
        target, _created = ChainTarget.objects.update_or_create(
            agreement=agreement, year=year, defaults={"target_places": target_places}
        )
        return target


# -- labour-market region ------------------------------------------------------------------


def set_labour_market_region(
    *, municipality: Municipality, actor, labour_market_region: str, origin: str = ""
) -> Municipality:
    """Set the municipality's labour-market region: one of the 35, or none."""
    with (
        audited(
            "set_labour_market_region",
            actor=actor,
            object_type="municipality",
            object_id=municipality.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        if labour_market_region and labour_market_region not in LABOUR_MARKET_REGIONS:
            raise ValidationError(
                {"labour_market_region": _("Choose one of the 35 labour-market regions.")}
            )
        municipality.labour_market_region = labour_market_region
        municipality.save(update_fields=["labour_market_region"])
        return municipality


# -- letterhead and contact texts -----------------------------------------------------------


def update_contact(
    *, municipality: Municipality, actor, origin: str = "", **values: Any
) -> Municipality:
    with (
        audited(
            "update_contact",
            actor=actor,
            object_type="municipality",
            object_id=municipality.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        for name in CONTACT_FIELDS:
            setattr(municipality, name, values[name])
        municipality.save(update_fields=list(CONTACT_FIELDS))
        return municipality


UWV_AGREEMENT_FIELDS = ("uwv_agreement_from", "uwv_agreement_description")


def update_uwv_agreement(
    *,
    municipality: Municipality,
    uwv_agreement_from: date | None,
    uwv_agreement_description: str,
    actor,
    origin: str = "",
) -> Municipality:
    """Record the municipality's agreement with UWV under Pw art. 7(7) (DOMAIN §4.6): from
    ``uwv_agreement_from`` on, the municipality is responsible for people with a UWV benefit
    on the waiting list. No date: no agreement. A date needs a description of what was
    agreed."""
    with (
        audited(
            "update_uwv_agreement",
            actor=actor,
            object_type="municipality",
            object_id=municipality.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        description = uwv_agreement_description.strip()
        if uwv_agreement_from is not None and not description:
            raise ValidationError(
                {"uwv_agreement_description": _("Describe briefly what was agreed with UWV.")},
                code="uwv_agreement_description_missing",
            )
        municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
        municipality.uwv_agreement_from = uwv_agreement_from
        municipality.uwv_agreement_description = description if uwv_agreement_from else ""
        municipality.save(update_fields=list(UWV_AGREEMENT_FIELDS))
        figures.changed(municipality.pk)  # who is responsible on the waiting list
        return municipality


# -- theme --------------------------------------------------------------------------------------


def update_theme(
    *,
    municipality: Municipality,
    actor,
    origin: str = "",
    logo=None,
    remove_logo: bool = False,
    **values: Any,
) -> Theme:
    """Set the municipality's theme: its colours and fonts (``themes.TOKEN_FIELDS``), and a
    new logo (an upload, checked as pictures are: ``files.inspect_image``) or none. Refused
    with a ``ValidationError`` per field when a colour pair has too little contrast."""
    with (
        audited(
            "update_theme",
            actor=actor,
            object_type="municipality",
            object_id=municipality.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        tokens = {}
        errors: dict[str, Any] = {}
        for name in themes.TOKEN_FIELDS:
            value = values[name]
            if name in themes.COLOUR_FIELDS:
                try:
                    value = themes.normalise_colour(value)
                except ValueError:
                    errors[name] = _("Enter a colour as # and six characters, such as #01689b.")
            elif value not in themes.Font.values:
                errors[name] = _("Choose one of the fonts.")
            tokens[name] = value
        if not errors:
            errors.update(themes.contrast_problems(tokens))
        checked = None
        if logo is not None:
            try:
                checked = files.inspect_image(logo, max_bytes=settings.THEME_LOGO_MAX_BYTES)
            except ValidationError as error:
                errors["logo"] = error
        if errors:
            raise ValidationError(errors, code="theme_refused")
        theme, _created = Theme.objects.select_for_update().get_or_create(municipality=municipality)
        for name, value in tokens.items():
            setattr(theme, name, value)
        fields = [*themes.TOKEN_FIELDS, "updated_at"]
        if checked is not None:
            theme.logo = checked.content
            theme.logo_content_type = checked.content_type
            theme.logo_width, theme.logo_height = _image_size(checked.content)
        elif remove_logo:
            theme.logo, theme.logo_content_type = b"", ""
            theme.logo_width = theme.logo_height = None
        if checked is not None or remove_logo:
            fields += ["logo", "logo_content_type", "logo_width", "logo_height"]
        theme.save(update_fields=fields)
        return theme


def reset_theme(*, municipality: Municipality, actor, origin: str = "") -> None:
    """Back to the neutral portal theme: the municipality's theme and logo are removed."""
    with (
        audited(
            "reset_theme",
            actor=actor,
            object_type="municipality",
            object_id=municipality.pk,
            origin=origin,
        ),
        transaction.atomic(),
    ):
        _check_manager(actor, municipality.pk)
        Theme.objects.filter(municipality=municipality).delete()


def _image_size(content: bytes) -> tuple[int, int]:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        return image.size
