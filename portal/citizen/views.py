"""The citizen's pages: thin views; reads through ``cases.selectors``, writes through
``cases.services``."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import conversations, rules, selectors, services
from cases.audit.trail import origin_of, record_view
from cases.choices import CaseState, MessageThread, ProvisionKind, Responsible, Side, TermKind
from cases.documents import files
from cases.documents.letters import LetterheadIncomplete, decision_letter_pdf
from cases.models import ApplicationDraft
from cases.privacy import export as privacy_export
from cases.privacy import selectors as privacy_selectors
from cases.privacy import services as privacy_services
from cases.privacy.forms import CorrectionRequestForm
from municipalities.selectors import page_theme
from portal.models import Role
from portal.permissions import role_required

from . import forms, standing, timeline
from .wizard import BY_SLUG, Wizard, storable


def _without_nul(view):
    """A NUL character in the query string, a posted field or a file name is refused with 400
    before the view runs (issue #18): no field accepts it and the database cannot store it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        for data in (request.GET, request.POST):
            for name, values in data.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    raise BadRequest("NUL character in the request")
        for upload in request.FILES.values():
            if "\x00" in (upload.name or ""):
                raise BadRequest("NUL character in a file name")
        return view(request, *args, **kwargs)

    return wrapped


def citizen_view(view):
    return login_required(role_required(Role.CITIZEN)(_without_nul(view)))


def _theme(case):
    """A case's pages wear its municipality's theme (or the neutral one)."""
    return page_theme(case.municipality_id)


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# -- Mijn aanvragen ------------------------------------------------------------------------

#: What each kind of support provision means, in plain words (DOMAIN §6.3).
PROVISION_IN_PLAIN_WORDS = {
    ProvisionKind.JOB_COACH: gettext_lazy("A job coach helps you at work."),
    ProvisionKind.GUIDANCE: gettext_lazy("Someone guides you in your work."),
    ProvisionKind.WORKPLACE_ADAPTATION: gettext_lazy("Your workplace is adapted for you."),
    ProvisionKind.TRANSPORT: gettext_lazy("You get help with travelling to your work."),
    ProvisionKind.OTHER: gettext_lazy("You get other help so that you can work."),
}


def _provision_lines(provisions) -> list[dict]:
    """The person's support provisions, each in plain words: what it is, from when to when,
    who gives it and who pays for it."""
    lines = []
    for provision in provisions:
        start = date_format(provision.starts_on, "j F Y")
        if provision.ends_on:
            when = _("From %(start)s until %(end)s.") % {
                "start": start,
                "end": date_format(provision.ends_on, "j F Y"),
            }
        else:
            when = _("From %(start)s.") % {"start": start}
        lines.append(
            {
                "what": PROVISION_IN_PLAIN_WORDS[provision.kind],
                "description": provision.description,
                "when": when,
                "who": _("%(provider)s gives this help.") % {"provider": provision.provider},
                "pays": _("UWV pays for it.")
                if provision.payer == Responsible.UWV
                else _("The municipality pays for it."),
            }
        )
    return lines


@citizen_view
def case_list(request):
    cases = list(selectors.citizen_case_list(request.user))
    today = timezone.localdate()
    rows = []
    own_rows = standing.own_rows(cases, today)
    for case in cases:
        term = next((t for t in case.terms.all() if t.met_on is None), None)
        state = (
            rules.term_state(term.end_on, today, None, term.suspended_since is not None, term.kind)
            if term
            else None
        )
        own = own_rows.get(case.pk)
        turn = standing.short_line(own) if own is not None else None
        rows.append({"case": case, "term": term, "term_state": state, "turn": turn})
    drafts = list(selectors.drafts_for_citizen(request.user))
    # The list wears a municipality's theme when every application is with that one.
    municipalities = {case.municipality_id for case in cases}
    theme = page_theme(municipalities.pop()) if len(municipalities) == 1 else None
    return render(
        request, "portal/case_list.html", {"rows": rows, "drafts": drafts, "theme": theme}
    )


@citizen_view
def case_detail(request, pk):
    case = selectors.get_case_for_citizen(request.user, pk)
    record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    return _render_case(request, case)


def _render_case(request, case, *, bound: dict | None = None, status: int = 200):
    """The citizen's case page; ``bound``: a message form they sent that was not accepted
    (shown with its errors and what they wrote, status 400)."""
    today = timezone.localdate()
    decision = getattr(case, "decision", None)
    objection_term = timeline.open_term(case, TermKind.OBJECTION)
    can_object = (
        (decision is not None or case.deemed_refusal_on is not None)
        and objection_term is not None
        and objection_term.met_on is None
        and today <= objection_term.end_on
        and not any(o.outcome == "pending" for o in case.objections.all())
    )
    talk = selectors.conversation(request.user, case, case.messages.all(), case.documents.all())
    if talk.unread and status == 200:
        conversations.mark_conversation_read(case=case, actor=request.user)
    message_forms = {
        "message": forms.CitizenMessageForm(prefix="message"),
        "uwv": forms.CitizenMessageForm(prefix="uwv")
        if conversations.uwv_conversation_open(case, Side.APPLICANT, talk.uwv)
        else None,
    }
    message_forms.update(bound or {})
    return render(
        request,
        "portal/case_detail.html",
        {
            "case": case,
            "about_name": standing.about(case),
            "theme": _theme(case),
            "steps": timeline.build(case, today),
            "advice": getattr(case, "advice", None),
            "decision": decision,
            "deemed_refusal_text": timeline.DEEMED_REFUSAL_TEXT,
            "place_refusals": list(case.place_refusals.all()),
            "can_object": can_object,
            "objection_term": objection_term,
            "can_withdraw": rules.can_transition(CaseState(case.state), CaseState.WITHDRAWN),
            "conversation": talk,
            "documents": talk.documents,
            "message_forms": message_forms,
            "standing": standing.build(case, today) if standing.is_candidate(case) else None,
            "provisions": _provision_lines(case.provisions.all()),
            "no_risk_policy": rules.no_risk_policy_applies(
                getattr(case, "advice", None) and case.advice.outcome,
                case.state == CaseState.EMPLOYED,
            ),
        },
        status=status,
    )


def _post_message(request, pk, *, name: str, thread: str):
    case = selectors.get_case_for_citizen(request.user, pk)
    form = forms.CitizenMessageForm(request.POST, request.FILES, prefix=name)
    if form.is_valid():
        try:
            conversations.post_message(
                case_id=case.pk,
                thread=thread,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect(reverse("citizen:case_detail", args=[case.pk]) + f"#gesprek-{name}")
    return _render_case(request, case, bound={name: form}, status=400)


@citizen_view
@require_POST
def message_post(request, pk):
    """The citizen writes to the municipality."""
    return _post_message(request, pk, name="message", thread=MessageThread.APPLICANT)


@citizen_view
@require_POST
def uwv_answer(request, pk):
    """The citizen answers a question of UWV meant for them; nobody else's (403 without one)."""
    case = selectors.get_case_for_citizen(request.user, pk)
    if not conversations.uwv_conversation_open(case, Side.APPLICANT):
        raise PermissionDenied
    return _post_message(request, pk, name="uwv", thread=MessageThread.UWV)


@citizen_view
def receipt(request, pk):
    case = selectors.get_case_for_citizen(request.user, pk)
    return render(
        request,
        "portal/case_receipt.html",
        {
            "case": case,
            "theme": _theme(case),
            "uwv_term": timeline.open_term(case, TermKind.UWV_ADVICE),
        },
    )


@citizen_view
def decision_letter(request, pk):
    case = selectors.get_case_for_citizen(request.user, pk)
    decision = getattr(case, "decision", None)
    if decision is None:
        raise Http404
    try:
        pdf = decision_letter_pdf(decision)
    except LetterheadIncomplete:
        return render(
            request,
            "cases/letter_unavailable.html",
            {
                "case": case,
                "municipality": case.municipality,
                "theme": _theme(case),
                "back_url": reverse("citizen:case_detail", args=[case.pk]),
                "for_citizen": True,
            },
            status=409,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="besluit-{case.reference}.pdf"'
    return response


@citizen_view
def document_download(request, pk, document_pk):
    return files.download(selectors.get_document_for_citizen(request.user, pk, document_pk))


@citizen_view
@require_http_methods(["GET", "POST"])
def objection_create(request, pk):
    case = selectors.get_case_for_citizen(request.user, pk)
    decision = getattr(case, "decision", None)
    if decision is None and case.deemed_refusal_on is None:
        raise Http404
    term = timeline.open_term(case, TermKind.OBJECTION)
    filed = case.objections.order_by("filed_on", "id").first()
    if filed is not None:
        # One objection against the decision: no form to fill in for nothing.
        return render(
            request,
            "portal/objection_create.html",
            {"case": case, "filed": filed, "theme": _theme(case)},
            status=400 if request.method == "POST" else 200,
        )
    form = forms.ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.file_objection(
                case_id=case.pk,
                grounds=form.cleaned_data["grounds"],
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("We have received your objection."))
            return redirect("citizen:case_detail", pk=case.pk)
    return render(
        request,
        "portal/objection_create.html",
        {"case": case, "form": form, "term": term, "theme": _theme(case)},
    )


@citizen_view
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    case = selectors.get_case_for_citizen(request.user, pk)
    if not rules.can_transition(CaseState(case.state), CaseState.WITHDRAWN):
        raise Http404
    if request.method == "POST":
        try:
            services.withdraw_application(
                case_id=case.pk, actor=request.user, origin=origin_of(request)
            )
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return redirect("citizen:case_detail", pk=case.pk)
    return render(request, "portal/case_withdraw.html", {"case": case, "theme": _theme(case)})


@citizen_view
@require_http_methods(["GET", "POST"])
def contact_update(request, pk):
    case = selectors.get_case_for_citizen(request.user, pk)
    person = case.person
    form = forms.ContactForm(
        request.POST or None, initial={"email": person.email, "phone": person.phone}
    )
    if request.method == "POST" and form.is_valid():
        services.update_contact_details(
            person_id=person.pk, actor=request.user, origin=origin_of(request), **form.cleaned_data
        )
        messages.success(request, _("Your contact details have been saved."))
        return redirect("citizen:case_detail", pk=case.pk)
    return render(
        request,
        "portal/contact_update.html",
        {"case": case, "form": form, "theme": _theme(case)},
    )


# -- the application -----------------------------------------------------------------------


@citizen_view
@require_http_methods(["GET", "POST"])
def draft_start(request):
    """Explain what the application asks, then start (or resume) a draft."""
    drafts = list(selectors.drafts_for_citizen(request.user)[:1])
    if request.method == "POST":
        draft = (
            drafts[0]
            if drafts
            else services.start_draft(actor=request.user, origin=origin_of(request))
        )
        wizard = Wizard(draft, request.user)
        step = wizard.first_incomplete() or BY_SLUG["review"]
        return redirect(_step_url(draft, step.slug))
    return render(request, "portal/draft_start.html", {"draft": drafts[0] if drafts else None})


def _step_url(draft, slug: str) -> str:
    if slug == "documents":
        return reverse("citizen:draft_documents", args=[draft.pk])
    if slug == "review":
        return reverse("citizen:draft_review", args=[draft.pk])
    return reverse("citizen:draft_step", args=[draft.pk, slug])


def _submitted_redirect(request, pk):
    """A draft already sent (back button, second tab): show its receipt instead."""
    draft = ApplicationDraft.objects.filter(
        owner=request.user, pk=pk, submitted_at__isnull=False
    ).first()
    if draft is None:
        raise Http404
    if draft.case_id is None:
        raise Http404
    return redirect("citizen:receipt", pk=draft.case_id)


def _load_draft(request, pk):
    draft = selectors.drafts_for_citizen(request.user).filter(pk=pk).first()
    return draft


def _wizard_context(wizard: Wizard, current: str) -> dict:
    steps = wizard.steps()
    slugs = [s.slug for s in steps]
    previous, following = wizard.neighbours(current)
    return {
        "draft": wizard.draft,
        "steps": steps,
        "step": wizard.step(current),
        "person_name": wizard.person_name(),
        "step_number": slugs.index(current) + 1,
        "step_count": len(steps),
        "previous_url": _step_url(wizard.draft, previous.slug) if previous else None,
        "step_urls": {s.slug: _step_url(wizard.draft, s.slug) for s in steps},
    }


@citizen_view
@require_http_methods(["GET", "POST"])
def draft_step(request, pk, step):
    if step not in BY_SLUG or BY_SLUG[step].form_class is None:
        raise Http404
    draft = _load_draft(request, pk)
    if draft is None:
        return _submitted_redirect(request, pk)
    wizard = Wizard(draft, request.user)
    if step not in [s.slug for s in wizard.steps()]:
        raise Http404
    notice = None
    if request.method == "POST":
        # Checked before anything is stored: only the fields that pass are kept (issue #18).
        form = wizard.form(step, data=request.POST)
        valid = form.is_valid()
        answers = storable(form)
        if "bsn" in answers:
            try:
                services.record_bsn_entry(actor=request.user, bsn=answers["bsn"])
            except ValidationError as error:
                form.add_error("bsn", _errors(error))
                context = _wizard_context(wizard, step)
                context.update(form=form, from_review="review" in request.GET)
                return render(request, "portal/draft_step.html", context, status=429)
        services.save_draft_answers(draft=draft, step=step, data=answers, actor=request.user)
        wizard = Wizard(draft, request.user)
        previous, _following = wizard.neighbours(step)
        if "previous" in request.POST and previous is not None:
            return redirect(_step_url(draft, previous.slug))
        if valid:
            wizard.check(step, form)
        if valid and not form.errors:
            if step == "person":
                notice = wizard.age_notice()
                if notice:
                    messages.info(request, notice)
            _previous, following = wizard.neighbours(step)
            if "review" in request.POST or following is None:
                return redirect(_step_url(draft, "review"))
            return redirect(_step_url(draft, following.slug))
    else:
        form = wizard.form(step)
    context = _wizard_context(wizard, step)
    context.update(form=form, from_review="review" in request.GET)
    return render(request, "portal/draft_step.html", context)


@citizen_view
@require_http_methods(["GET", "POST"])
def draft_documents(request, pk):
    draft = _load_draft(request, pk)
    if draft is None:
        return _submitted_redirect(request, pk)
    wizard = Wizard(draft, request.user)
    form = forms.DocumentForm(person=wizard.person_name())
    if request.method == "POST":
        if "remove" in request.POST:
            remove = request.POST.get("remove", "")
            if not remove.isascii() or not remove.isdigit():
                raise BadRequest("not a document number")
            document = get_object_or_404(draft.documents.all(), pk=int(remove))
            services.remove_draft_document(
                document=document, actor=request.user, origin=origin_of(request)
            )
            messages.success(request, _("The document has been removed."))
            return redirect("citizen:draft_documents", pk=draft.pk)
        if "upload" in request.POST:
            form = forms.DocumentForm(request.POST, request.FILES, person=wizard.person_name())
            if form.is_valid():
                try:
                    services.add_document(
                        upload=form.cleaned_data["file"],
                        actor=request.user,
                        draft=draft,
                        origin=origin_of(request),
                    )
                except ValidationError as error:
                    for message in _errors(error):
                        form.add_error("file", message)
                else:
                    messages.success(request, _("The document has been added."))
                    return redirect("citizen:draft_documents", pk=draft.pk)
        else:
            previous, following = wizard.neighbours("documents")
            if "previous" in request.POST:
                return redirect(_step_url(draft, previous.slug))
            return redirect(_step_url(draft, following.slug))
    context = _wizard_context(wizard, "documents")
    context.update(form=form, documents=list(draft.documents.all()))
    return render(request, "portal/draft_documents.html", context)


@citizen_view
@require_http_methods(["GET", "POST"])
def draft_review(request, pk):
    draft = _load_draft(request, pk)
    if draft is None:
        return _submitted_redirect(request, pk)
    wizard = Wizard(draft, request.user)
    incomplete = wizard.first_incomplete()
    if incomplete is not None:
        messages.warning(request, _("Please complete this step first."))
        return redirect(_step_url(draft, incomplete.slug))
    if request.method == "POST":
        person_data, application_data = wizard.submission()
        try:
            case = services.submit_draft(
                draft_id=draft.pk,
                actor=request.user,
                person_data=person_data,
                application_data=application_data,
                origin=origin_of(request),
            )
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            return redirect("citizen:draft_review", pk=draft.pk)
        return redirect("citizen:receipt", pk=case.pk)
    cleaned = wizard.cleaned()
    context = _wizard_context(wizard, "review")
    context.update(
        answers=cleaned,
        documents=list(draft.documents.all()),
        relationship_label=dict(forms.ApplicantForm.RELATIONSHIPS).get(
            cleaned["applicant"].get("representative_relationship") or ""
        ),
        situation_label=dict(wizard.stored_form("situation").fields["situation"].choices).get(
            cleaned["situation"]["situation"]
        ),
        benefit_label=dict(forms.SituationForm.base_fields["benefit_kind"].choices).get(
            cleaned["situation"]["benefit_kind"]
        ),
        no_change_warning=wizard.no_change_warning(),
    )
    return render(request, "portal/draft_review.html", context)


@citizen_view
@require_POST
def draft_delete(request, pk):
    draft = _load_draft(request, pk)
    if draft is None:
        raise Http404
    services.delete_draft(draft=draft, actor=request.user, origin=origin_of(request))
    messages.success(request, _("The application you had not sent has been deleted."))
    return redirect("citizen:case_list")


# -- the citizen's AVG rights: inzage (art. 15) and correction (art. 16) -------------------


@citizen_view
@require_GET
def my_data(request):
    """What the portal holds about you: download it all, and your requests to correct it."""
    cases = list(selectors.cases_for_citizen(request.user).prefetch_related(None))
    corrections = list(privacy_selectors.correction_requests_for_citizen(request.user))
    return render(
        request,
        "portal/my_data.html",
        {"cases": cases, "corrections": corrections},
    )


def _personal_data(request):
    record_view(
        actor=request.user,
        object_type="user",
        object_id=request.user.pk,
        request=request,
        action="personal_data_export",
    )
    return privacy_export.personal_data(request.user)


@citizen_view
@require_GET
def my_data_json(request):
    response = HttpResponse(
        privacy_export.as_json(_personal_data(request)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
    return response


def _with_questions(data: dict) -> dict:
    """The answers of each draft under the questions the citizen saw (the JSON keeps the
    field names): ``answer_rows`` of (question, answer)."""
    for draft in data["drafts"]:
        rows = []
        for slug, answers in (draft["answers"] or {}).items():
            step = BY_SLUG.get(slug)
            fields = step.form_class.base_fields if step and step.form_class else {}
            for name, value in (answers or {}).items():
                field = fields.get(name)
                question = field.label if field is not None and field.label else name
                rows.append({"question": question, "answer": value})
        draft["answer_rows"] = rows
    return data


@citizen_view
@require_GET
def my_data_pdf(request):
    response = HttpResponse(
        privacy_export.as_pdf(_with_questions(_personal_data(request))),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.pdf"'
    return response


@citizen_view
@require_http_methods(["GET", "POST"])
def correction_create(request, pk):
    """Ask the municipality to correct data about this application (AVG art. 16)."""
    case = get_object_or_404(
        selectors.cases_for_citizen(request.user).prefetch_related(None), pk=pk
    )
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            privacy_services.file_correction_request(
                case_id=case.pk,
                actor=request.user,
                origin=origin_of(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("We have received your request. The municipality answers within one month."),
            )
            return redirect("citizen:my_data")
    return render(
        request,
        "portal/correction_create.html",
        {"case": case, "form": form},
        status=400 if form.is_bound else 200,
    )
