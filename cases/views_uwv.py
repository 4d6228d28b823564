"""The UWV assessor's pages (issue #5): the queue of advice requests of all municipalities,
the case with the advice form, and suspending or resuming the 8-week term."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.models import Role
from portal.permissions import role_required

from . import conversations, forms, rules, selectors, services
from .audit.trail import origin_of, record_view
from .choices import AdviceOutcome, ApplicantKind, CaseState, MessageThread, TermKind
from .documents import files
from .views import search_redirect, search_term

PAGE_SIZE = 25


def uwv_view(view):
    return login_required(role_required(Role.UWV_ASSESSOR)(view))


UWV_SEARCH_KEY = "uwv_search"


@uwv_view
@require_http_methods(["GET", "POST"])
def queue(request):
    if request.method == "POST":
        return search_redirect(request, UWV_SEARCH_KEY, reverse("uwv:queue"))
    form = forms.UwvQueueFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    term = search_term(request, UWV_SEARCH_KEY)
    if term:
        filters["q"] = term
    page = selectors.uwv_queue(
        request.user, filters, cursor=request.GET.get("after"), limit=PAGE_SIZE
    )
    query = {k: v for k, v in request.GET.items() if k != "after"}
    next_url = "?" + urlencode({**query, "after": page.next_cursor}) if page.next_cursor else None
    return render(
        request,
        "cases/uwv_queue.html",
        {
            "form": form,
            "search_form": forms.SearchForm(initial={"q": term}),
            "query": urlencode(query),
            "page": page,
            "next_url": next_url,
            "is_deep": bool(request.GET.get("after")),
            "first_url": "?" + urlencode(query) if query else "?",
        },
    )


def _shortcut(case) -> AdviceOutcome | None:
    application = case.application
    return rules.wsw_shortcut(
        case.person.wsw_indication_end,
        case.person.wsw_supported_employment,
        application.received_on,
        bool(application.changed_circumstances.strip()),
    )


def _twelve_months_since(case):
    """§1.2: the date of the person's previous advice when the once-a-year rule makes this
    advice negative (applied again within 12 months, no changed circumstances); else None.
    The same test as ``services.record_advice``."""
    application = case.application
    if application.received_on is None:
        return None
    last = selectors.last_advice_date(case.person, exclude_case_id=case.pk)
    outcome = rules.twelve_month_rule(
        ApplicantKind(application.applicant_kind),
        application.received_on,
        last,
        bool(application.changed_circumstances.strip()),
    )
    return last if outcome == rules.TwelveMonthOutcome.NEGATIVE_UNLESS_CHANGED else None


def _render_case(request, case, *, bound=None, status=200):
    if not hasattr(case, "message_list"):
        case = selectors.get_uwv_case_page_for(request.user, case.pk)
    today = timezone.localdate()
    terms = selectors.uwv_case_terms(case)
    for term in terms:
        term.state = rules.term_state(
            term.end_on, today, term.met_on, term.suspended_since is not None, term.kind
        )
    uwv_term = next((t for t in terms if t.kind == TermKind.UWV_ADVICE and t.met_on is None), None)
    at_uwv = case.state in selectors.AT_UWV_STATES
    shortcut = _shortcut(case) if at_uwv else None
    twelve_months_since = _twelve_months_since(case) if at_uwv and shortcut is None else None
    talk = selectors.conversation(request.user, case, case.message_list, case.document_list)
    if talk.unread and status == 200:
        conversations.mark_conversation_read(case=case, actor=request.user)
    case_forms = {"document": forms.CaseDocumentForm(for_uwv=True)}
    if at_uwv:
        case_forms["advice"] = forms.AdviceForm(
            shortcut=shortcut, twelve_months=twelve_months_since is not None
        )
        case_forms["message"] = forms.UwvConversationForm(
            can_suspend=uwv_term is not None and uwv_term.suspended_since is None
        )
        if uwv_term is not None:
            if uwv_term.suspended_since is None:
                case_forms["suspend"] = forms.SuspendTermForm()
            else:
                case_forms["resume"] = forms.ResumeTermForm()
    if bound is not None:
        case_forms[bound[0]] = bound[1]
    for name, form in case_forms.items():
        form.prefix = name
    return render(
        request,
        "cases/uwv_case_detail.html",
        {
            "case": case,
            "application": case.application,
            "advice": getattr(case, "advice", None),
            "terms": terms,
            "stage": selectors.uwv_stage(case),
            "uwv_term": uwv_term,
            "shortcut": shortcut,
            "twelve_months_since": twelve_months_since,
            "can_start": case.state == CaseState.SUBMITTED,
            "documents": talk.documents,
            "conversation": talk,
            "forms": case_forms,
        },
        status=status,
    )


@uwv_view
@require_GET
def case_detail(request, pk: int):
    case = selectors.get_uwv_case_page_for(request.user, pk)
    record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    return _render_case(request, case)


@uwv_view
@require_GET
def document_download(request, pk: int, document_pk: int):
    """A supporting document of a case UWV has to advise on."""
    document = selectors.get_uwv_case_document_for(request.user, pk, document_pk)
    record_view(actor=request.user, object_type="document", object_id=document.pk, request=request)
    return files.download(document)


# -- the actions on a case: one view each, POST only (the forms are on the case page) --------


def _act(request, case, name: str, form, service, *, success, **arguments):
    """Carry out an action of the case page: ``service(**arguments)`` by the user, then back
    to the case with ``success``; a refusal (``ValidationError``) shows the case page again
    with the form bound and the refusal on it (400)."""
    try:
        service(**arguments, actor=request.user, origin=origin_of(request))
    except ValidationError as error:
        form.add_error(None, " ".join(error.messages))
        return _refused(request, case, name, form)
    messages.success(request, success)
    return redirect("uwv:case_detail", pk=case.pk)


def _refused(request, case, name: str, form):
    return _render_case(request, case, bound=(name, form), status=400)


@uwv_view
@require_POST
def case_start(request, pk: int):
    case = selectors.get_uwv_case_for(request.user, pk)
    try:
        services.start_investigation(case_id=case.pk, actor=request.user, origin=origin_of(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The investigation has started."))
    return redirect("uwv:case_detail", pk=case.pk)


@uwv_view
@require_POST
def case_advice(request, pk: int):
    case = selectors.get_uwv_case_for(request.user, pk)
    shortcut = _shortcut(case)
    twelve_months = shortcut is None and _twelve_months_since(case) is not None
    form = forms.AdviceForm(
        request.POST, prefix="advice", shortcut=shortcut, twelve_months=twelve_months
    )
    if not form.is_valid():
        return _refused(request, case, "advice", form)
    data = form.cleaned_data
    work_capacity = None
    if form.full_assessment:
        work_capacity = rules.WorkCapacity(
            data["can_perform_task"],
            data["basic_employee_skills"],
            data["hours_at_a_stretch"] or Decimal(0),
            data["hours_per_day"] or Decimal(0),
        )
    return _act(
        request,
        case,
        "advice",
        form,
        services.record_advice,
        case_id=case.pk,
        outcome=AdviceOutcome(data["outcome"]),
        reasons=data["reasons"],
        needs_adaptations=data["needs_adaptations"],
        needs_supervision=data["needs_supervision"],
        work_capacity=work_capacity,
        circumstances_changed=shortcut is not None and form.full_assessment,
        success=_("The advice has been issued. The municipality and the person are informed."),
    )


@uwv_view
@require_POST
def case_suspend(request, pk: int):
    case = selectors.get_uwv_case_for(request.user, pk)
    form = forms.SuspendTermForm(request.POST, prefix="suspend")
    if not form.is_valid():
        return _refused(request, case, "suspend", form)
    return _act(
        request,
        case,
        "suspend",
        form,
        services.suspend_term,
        case_id=case.pk,
        kind=TermKind.UWV_ADVICE,
        on=form.cleaned_data["on"],
        reason=form.cleaned_data["reason"],
        success=_("The term has been suspended. The end date moves by the days it is suspended."),
    )


@uwv_view
@require_POST
def case_resume(request, pk: int):
    case = selectors.get_uwv_case_for(request.user, pk)
    form = forms.ResumeTermForm(request.POST, prefix="resume")
    if not form.is_valid():
        return _refused(request, case, "resume", form)
    return _act(
        request,
        case,
        "resume",
        form,
        services.resume_term,
        case_id=case.pk,
        kind=TermKind.UWV_ADVICE,
        on=form.cleaned_data["on"],
        success=_("The term runs again. The new end date is shown below."),
    )


@uwv_view
@require_POST
def case_message(request, pk: int):
    """UWV writes to the municipality (and, if meant for them, the applicant): a question
    may suspend the advice term until it is answered."""
    case = selectors.get_uwv_case_for(request.user, pk)
    form = forms.UwvConversationForm(
        request.POST, request.FILES, prefix="message", can_suspend=True
    )
    if not form.is_valid():
        return _refused(request, case, "message", form)
    data = form.cleaned_data
    return _act(
        request,
        case,
        "message",
        form,
        conversations.post_message,
        case_id=case.pk,
        thread=MessageThread.UWV,
        body=data["body"],
        attachment=data["attachment"],
        visible_to_applicant=data["visible_to_applicant"],
        suspend_term=data.get("suspend_term", False),
        success=_("Your message has been sent."),
    )


@uwv_view
@require_POST
def case_document_add(request, pk: int):
    """UWV adds a document to the case: the municipality sees it with the application's
    content, the applicant only when it is meant for them."""
    case = selectors.get_uwv_case_for(request.user, pk)
    form = forms.CaseDocumentForm(request.POST, request.FILES, prefix="document", for_uwv=True)
    if not form.is_valid():
        return _refused(request, case, "document", form)
    return _act(
        request,
        case,
        "document",
        form,
        conversations.add_case_document,
        case_id=case.pk,
        upload=form.cleaned_data["file"],
        visible_to_applicant=form.cleaned_data["visible_to_applicant"],
        success=_("The document has been added."),
    )
