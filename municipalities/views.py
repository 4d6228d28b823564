"""The municipal administration pages (``/beheer/``): thin views over selectors and
services. Administrators manage their own municipality (another one answers 404); operators
may manage every municipality and import the quota of all of them at once."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.audit.trail import origin_of
from portal.models import Role
from portal.permissions import has_role, role_required

from . import selectors, services, themes
from .forms import (
    ChainAgreementForm,
    ChainPartnerForm,
    ChainTargetForm,
    ContactForm,
    CsvImportConfirmForm,
    EmployerForm,
    InviteStaffForm,
    QuotaForm,
    QuotaImportForm,
    RegionForm,
    ThemeForm,
    UwvAgreementForm,
    VerordeningForm,
    WageSubsidyYearForm,
)

manager_only = role_required(Role.MUNICIPAL_ADMIN, Role.OPERATOR)
#: Rows of the ordering preview shown (the first ones decide who gets a place).
PREVIEW_ROWS = 200


def manages_municipality(view: Callable) -> Callable:
    """Signed in, administrator or operator, and the URL's municipality is theirs (else
    404). The view receives the municipality instead of its id."""

    @login_required
    @manager_only
    @wraps(view)
    def wrapper(request, municipality_id: int, *args, **kwargs):
        municipality = selectors.managed_municipality(request.user, municipality_id)
        return view(request, municipality, *args, **kwargs)

    return wrapper


def _form_status(form) -> int:
    """400 for a form sent back with errors, else 200."""
    return 400 if form.is_bound and form.errors else 200


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# -- start ----------------------------------------------------------------------------------


@login_required
@manager_only
def index(request):
    municipalities = list(selectors.managed_municipalities(request.user))
    if not has_role(request.user, Role.OPERATOR) and len(municipalities) == 1:
        return redirect("manage:municipality", municipality_id=municipalities[0].pk)
    return render(
        request, "municipalities/municipality_list.html", {"municipalities": municipalities}
    )


@manages_municipality
def municipality(request, municipality):
    versions = selectors.verordening_versions(municipality)
    today = timezone.localdate()
    return render(
        request,
        "municipalities/municipality_detail.html",
        {
            "municipality": municipality,
            "in_force": selectors.version_in_force(versions, today),
            "quota": selectors.quota_of(municipality, today.year),
            "year": today.year,
        },
    )


# -- verordening ----------------------------------------------------------------------------


@manages_municipality
def verordening_list(request, municipality):
    versions = selectors.verordening_versions(municipality)
    today = timezone.localdate()
    in_force = selectors.version_in_force(versions, today)
    rows = [
        {
            "version": v,
            "in_force": in_force is not None and v.pk == in_force.pk,
            "future": v.in_force_from > today,
        }
        for v in versions
    ]
    return render(
        request,
        "municipalities/verordening_list.html",
        {"municipality": municipality, "rows": rows, "in_force": in_force},
    )


@manages_municipality
def verordening_detail(request, municipality, pk: int):
    version = selectors.verordening_version(municipality, pk)
    return render(
        request,
        "municipalities/verordening_detail.html",
        {
            "municipality": municipality,
            "version": version,
            "editable": services.is_editable(version),
        },
    )


def _verordening_form_page(request, municipality, *, version=None):
    today = timezone.localdate()
    if version is None:
        versions = selectors.verordening_versions(municipality)
        base = selectors.version_in_force(versions, today)
        initial = {"in_force_from": today}
        if base is not None:
            initial.update(
                {name: getattr(base, name) for name in services.VERORDENING_FIELDS}
                | {"in_force_from": today}
            )
        form = VerordeningForm(request.POST or None, initial=initial)
    else:
        form = VerordeningForm(request.POST or None, instance=version)
    preview = None
    preview_total = 0
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        if "preview" in request.POST:
            preview = selectors.ordering_preview(
                municipality,
                ordering_rule=values["ordering_rule"],
                additional_places=(
                    values["additional_places_per_year"]
                    if values["offers_additional_places"]
                    else 0
                ),
                on=max(today, values["in_force_from"]),
            )
            preview_total, preview = len(preview), preview[:PREVIEW_ROWS]
        else:
            try:
                if version is None:
                    saved = services.create_verordening_version(
                        municipality=municipality,
                        actor=request.user,
                        origin=origin_of(request),
                        **values,
                    )
                else:
                    saved = services.update_verordening_version(
                        verordening_id=version.pk,
                        actor=request.user,
                        origin=origin_of(request),
                        **values,
                    )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The verordening version has been saved."))
                return redirect(
                    "manage:verordening_detail", municipality_id=municipality.pk, pk=saved.pk
                )
    return render(
        request,
        "municipalities/verordening_form.html",
        {
            "municipality": municipality,
            "form": form,
            "version": version,
            "preview": preview,
            "preview_total": preview_total,
        },
        status=_form_status(form),
    )


@manages_municipality
def verordening_create(request, municipality):
    return _verordening_form_page(request, municipality)


@manages_municipality
def verordening_edit(request, municipality, pk: int):
    version = selectors.verordening_version(municipality, pk)
    if not services.is_editable(version):
        messages.warning(
            request,
            _("This version is already in force and cannot be changed. Add a new version."),
        )
        return redirect("manage:verordening_detail", municipality_id=municipality.pk, pk=pk)
    return _verordening_form_page(request, municipality, version=version)


@manages_municipality
def uwv_agreement_edit(request, municipality):
    """Pw art. 7(7): the agreement with UWV about who looks after people with a UWV benefit
    on the waiting list (DOMAIN §4.6)."""
    form = UwvAgreementForm(
        request.POST or None,
        initial={
            "uwv_agreement_from": municipality.uwv_agreement_from,
            "uwv_agreement_description": municipality.uwv_agreement_description,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_uwv_agreement(
                    municipality=municipality,
                    actor=request.user,
                    origin=origin_of(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The agreement with UWV has been saved."))
                return redirect("manage:verordening_list", municipality_id=municipality.pk)
    return render(
        request,
        "municipalities/uwv_agreement_form.html",
        {"municipality": municipality, "form": form},
        status=status,
    )


# -- quota ----------------------------------------------------------------------------------


@manages_municipality
def quota_list(request, municipality):
    form = QuotaForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.set_quota(
                municipality=municipality,
                year=form.cleaned_data["year"],
                places=form.cleaned_data["places"],
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if changed:
                messages.success(request, _("The quota has been saved."))
            else:
                messages.info(request, _("The quota already had this number of places."))
            return redirect("manage:quota_list", municipality_id=municipality.pk)
    return render(
        request,
        "municipalities/quota_list.html",
        {
            "municipality": municipality,
            "quotas": selectors.quotas(municipality),
            "history": selectors.quota_history(municipality),
            "wage_subsidy_years": selectors.wage_subsidy_years(municipality),
            "form": form,
        },
        status=_form_status(form),
    )


@manages_municipality
def wage_subsidy_edit(request, municipality):
    """DOMAIN §6.3: how the municipality computes the wage subsidy, per year."""
    form = WageSubsidyYearForm(
        request.POST or None, initial={"year": timezone.localdate().year, "flat_rate": "measured"}
    )
    if request.method == "POST" and form.is_valid():
        changed = services.set_wage_subsidy_method(
            municipality=municipality,
            actor=request.user,
            origin=origin_of(request),
            **form.cleaned_data,
        )
        if changed:
            messages.success(request, _("The wage subsidy method has been saved."))
        else:
            messages.info(request, _("The wage subsidy method for this year was already so."))
        return redirect("manage:quota_list", municipality_id=municipality.pk)
    return render(
        request,
        "municipalities/wage_subsidy_form.html",
        {
            "municipality": municipality,
            "form": form,
            "wage_subsidy_years": selectors.wage_subsidy_years(municipality),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@manager_only
def quota_import(request):
    """Upload → check → preview (or row errors) → confirm → apply. Nothing is written until
    the confirmation, and then only if the whole file is still valid."""
    context = {"is_operator": has_role(request.user, Role.OPERATOR)}
    if request.method == "POST" and "confirm" in request.POST:
        confirm = CsvImportConfirmForm(request.POST)
        if not confirm.is_valid():
            raise Http404
        try:
            result = services.import_quota(
                text=confirm.cleaned_data["content"],
                year=confirm.cleaned_data["year"],
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError:
            messages.error(request, _("The file has errors. Nothing has been changed."))
            return redirect("manage:quota_import")
        messages.success(
            request,
            _("The quota for %(year)s has been imported: %(changed)s of %(rows)s rows changed.")
            % {
                "year": confirm.cleaned_data["year"],
                "changed": result.changed,
                "rows": result.rows,
            },
        )
        return redirect("manage:quota_import")
    form = QuotaImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        year = form.cleaned_data["year"]
        parsed = services.check_quota_file(text, actor=request.user)
        context["parsed"] = parsed
        context["year"] = year
        if parsed.valid:
            current = dict(
                selectors.quotas_for_year(
                    year, [row.municipality_id for row in parsed.applicable_rows], request.user
                )
            )
            context["preview"] = [
                {"row": row, "current": current.get(row.municipality_id)}
                for row in parsed.applicable_rows
            ]
            # Hidden fields without ids: the upload form on the same page has a field "year".
            context["confirm"] = CsvImportConfirmForm(
                initial={"year": year, "content": text}, auto_id=False
            )
    context["form"] = form
    return render(request, "municipalities/quota_import.html", context)


# -- employers ------------------------------------------------------------------------------


@manages_municipality
def employer_list(request, municipality):
    return render(
        request,
        "municipalities/employer_list.html",
        {"municipality": municipality, "employers": selectors.employers(municipality)},
    )


def _employer_form_page(request, municipality, employer=None):
    form = EmployerForm(request.POST or None, instance=employer)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_employer(
                municipality=municipality,
                employer=employer,
                actor=request.user,
                origin=origin_of(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The employer has been saved."))
            return redirect("manage:employer_list", municipality_id=municipality.pk)
    return render(
        request,
        "municipalities/employer_form.html",
        {"municipality": municipality, "form": form, "employer": employer},
        status=_form_status(form),
    )


@manages_municipality
def employer_create(request, municipality):
    return _employer_form_page(request, municipality)


@manages_municipality
def employer_edit(request, municipality, pk: int):
    return _employer_form_page(request, municipality, selectors.employer(municipality, pk))


# -- staff ----------------------------------------------------------------------------------


@manages_municipality
def staff_list(request, municipality):
    return render(
        request,
        "municipalities/staff_list.html",
        {"municipality": municipality, "staff": selectors.staff(municipality)},
    )


@manages_municipality
def staff_invite(request, municipality):
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_staff(
                municipality=municipality,
                actor=request.user,
                request=request,
                origin=origin_of(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            email = invitation.user.email
            if invitation.sent is False:
                # The account exists: inviting again would be refused, so say where to resend.
                messages.error(
                    request,
                    _(
                        "The account of %(email)s has been made, but the invitation could not "
                        "be sent: the mail server did not answer. Send the invitation again "
                        "later with the button on this page."
                    )
                    % {"email": email},
                )
            else:
                messages.success(
                    request,
                    _("%(email)s has been invited. They will receive an e-mail to set a password.")
                    % {"email": email},
                )
            return redirect("manage:staff_list", municipality_id=municipality.pk)
    return render(
        request,
        "municipalities/staff_invite.html",
        {"municipality": municipality, "form": form},
        status=_form_status(form),
    )


@require_POST
@manages_municipality
def staff_deactivate(request, municipality, pk: int):
    member = selectors.staff_member(municipality, pk)
    try:
        services.deactivate_staff(
            municipality=municipality,
            user_id=member.pk,
            actor=request.user,
            origin=origin_of(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The account of %(email)s has been switched off and signed out.")
            % {"email": member.email},
        )
    return redirect("manage:staff_list", municipality_id=municipality.pk)


@require_POST
@manages_municipality
def staff_resend_invitation(request, municipality, pk: int):
    """Send the invitation again to a staff member who never signed in."""
    member = selectors.staff_member(municipality, pk)
    try:
        sent = services.resend_invitation(
            municipality=municipality,
            user_id=member.pk,
            actor=request.user,
            request=request,
            origin=origin_of(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(
                request,
                _("The invitation has been sent to %(email)s again.") % {"email": member.email},
            )
        else:
            messages.error(
                request,
                _(
                    "The invitation to %(email)s could not be sent: the mail server did not "
                    "answer. Try again later."
                )
                % {"email": member.email},
            )
    return redirect("manage:staff_list", municipality_id=municipality.pk)


@require_POST
@manages_municipality
def staff_reactivate(request, municipality, pk: int):
    member = selectors.staff_member(municipality, pk)
    services.reactivate_staff(
        municipality=municipality,
        user_id=member.pk,
        actor=request.user,
        origin=origin_of(request),
    )
    messages.success(
        request,
        _("The account of %(email)s has been switched on again.") % {"email": member.email},
    )
    return redirect("manage:staff_list", municipality_id=municipality.pk)


# -- chain agreements -----------------------------------------------------------------------


@manages_municipality
def chain_list(request, municipality):
    return render(
        request,
        "municipalities/chainagreement_list.html",
        {"municipality": municipality, "agreements": selectors.chain_agreements(municipality)},
    )


def _chain_form_page(request, municipality, agreement=None):
    form = ChainAgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_chain_agreement(
                municipality=municipality,
                agreement=agreement,
                actor=request.user,
                origin=origin_of(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The chain agreement has been saved."))
            return redirect("manage:chain_detail", municipality_id=municipality.pk, pk=saved.pk)
    return render(
        request,
        "municipalities/chainagreement_form.html",
        {"municipality": municipality, "form": form, "agreement": agreement},
        status=400 if form.errors else 200,
    )


@manages_municipality
def chain_create(request, municipality):
    return _chain_form_page(request, municipality)


@manages_municipality
def chain_edit(request, municipality, pk: int):
    return _chain_form_page(request, municipality, selectors.chain_agreement(municipality, pk))


def _row_id(value: str) -> int:
    """A row id from a form's button; 404 for anything else."""
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


@manages_municipality
def chain_detail(request, municipality, pk: int):
    agreement = selectors.chain_agreement(municipality, pk)
    post = request.POST if request.method == "POST" else None
    partner_form = ChainPartnerForm(
        post if post and "add_partner" in post else None, prefix="partner"
    )
    target_form = ChainTargetForm(post if post and "set_target" in post else None, prefix="target")
    origin = origin_of(request)
    if post is not None:
        if "remove_partner" in post:
            partner = get_object_or_404(agreement.partners, pk=_row_id(post["remove_partner"]))
            services.remove_chain_partner(
                agreement=agreement, partner_id=partner.pk, actor=request.user, origin=origin
            )
            messages.success(request, _("The partner has been removed."))
            return redirect(request.path)
        if partner_form.is_bound and partner_form.is_valid():
            services.add_chain_partner(
                agreement=agreement, actor=request.user, origin=origin, **partner_form.cleaned_data
            )
            messages.success(request, _("The partner has been added."))
            return redirect(request.path)
        if target_form.is_bound and target_form.is_valid():
            services.set_chain_target(
                agreement=agreement, actor=request.user, origin=origin, **target_form.cleaned_data
            )
            messages.success(request, _("The target has been saved."))
            return redirect(request.path)
    return render(
        request,
        "municipalities/chainagreement_detail.html",
        {
            "municipality": municipality,
            "agreement": agreement,
            "partner_form": partner_form,
            "target_form": target_form,
        },
        status=400 if partner_form.errors or target_form.errors else 200,
    )


# -- labour-market region -------------------------------------------------------------------


@manages_municipality
def region_edit(request, municipality):
    form = RegionForm(
        request.POST or None, initial={"labour_market_region": municipality.labour_market_region}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_labour_market_region(
                municipality=municipality,
                actor=request.user,
                origin=origin_of(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The labour-market region has been saved."))
            return redirect("manage:municipality", municipality_id=municipality.pk)
    return render(
        request,
        "municipalities/municipality_region.html",
        {"municipality": municipality, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# -- letterhead and contact -----------------------------------------------------------------


@manages_municipality
def contact_edit(request, municipality):
    form = ContactForm(request.POST or None, instance=municipality)
    if request.method == "POST" and form.is_valid():
        services.update_contact(
            municipality=municipality,
            actor=request.user,
            origin=origin_of(request),
            **form.cleaned_data,
        )
        messages.success(request, _("The letterhead and contact details have been saved."))
        return redirect("manage:municipality", municipality_id=municipality.pk)
    return render(
        request,
        "municipalities/municipality_contact.html",
        {"municipality": municipality, "form": form},
        status=400 if form.errors else 200,
    )


# -- theme: colours, fonts and logo ------------------------------------------------------------


@manages_municipality
def theme_edit(request, municipality):
    """The municipality's theme. The page wears the theme as saved, so it shows it too."""
    theme = selectors.theme_without_logo(municipality.pk)
    has_logo = theme is not None and bool(theme.logo_content_type)
    initial = theme.tokens if theme is not None else dict(themes.NEUTRAL)
    form = ThemeForm(
        request.POST or None, request.FILES or None, initial=initial, has_logo=has_logo
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = dict(form.cleaned_data)
            try:
                services.update_theme(
                    municipality=municipality,
                    actor=request.user,
                    origin=origin_of(request),
                    logo=values.pop("logo"),
                    remove_logo=values.pop("remove_logo", False),
                    **values,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The theme has been saved."))
                return redirect("manage:theme_edit", municipality_id=municipality.pk)
        status = 400
    return render(
        request,
        "municipalities/theme_form.html",
        {
            "municipality": municipality,
            "form": form,
            "saved": theme,
            "has_logo": has_logo,
            "theme": selectors.page_theme(municipality.pk) if theme is not None else None,
        },
        status=status,
    )


@manages_municipality
@require_POST
def theme_reset(request, municipality):
    services.reset_theme(municipality=municipality, actor=request.user, origin=origin_of(request))
    messages.success(request, _("Your municipality now uses the neutral theme of the portal."))
    return redirect("manage:theme_edit", municipality_id=municipality.pk)


def _theme_file(request, theme, content: bytes | str, content_type: str) -> HttpResponse:
    """A theme's file, the same for everyone: cacheable. At the address of its current
    version (``?v=``, as pages link it) for a year; otherwise revalidated each time."""
    etag = f'"{theme.version}"'
    last_modified = theme.updated_at.timestamp()
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable"
        if request.GET.get("v") == theme.version
        else "public, no-cache"
    )
    return response


@require_GET
def theme_stylesheet(request, municipality_id: int):
    """A municipality's theme as CSS custom properties (``static/css/portal.css`` maps them
    onto the NL Design System's tokens). Data, not HTML; public, as its letters are."""
    theme = selectors.theme_without_logo(municipality_id)
    if theme is None:
        raise Http404
    lines = [f"  {name}: {value};" for name, value in themes.css_properties(theme.tokens)]
    css = ":root.portal-theme {\n" + "\n".join(lines) + "\n}\n"
    return _theme_file(request, theme, css, "text/css; charset=utf-8")


@require_GET
def theme_logo(request, municipality_id: int):
    """A municipality's logo, as stored after the upload checks."""
    theme = selectors.theme_logo(municipality_id)
    if theme is None:
        raise Http404
    return _theme_file(request, theme, bytes(theme.logo), theme.logo_content_type)
