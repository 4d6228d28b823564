"""The consultant's pages (issue #5): dashboard, work list, case page and its actions,
waiting list. Thin: a selector fetches (scoped to the user's municipality, 404 otherwise), a
form checks shape, one service acts, the result is a message and a redirect."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipalities import selectors as municipality_selectors
from portal.models import Role
from portal.permissions import role_required

from . import audit, documents, exports, forms, selectors, services
from . import capacity as capacity_module
from . import figures as figures_module
from .audit import origin_of
from .choices import CaseState
from .models import Objection

MUNICIPAL = (Role.CONSULTANT, Role.MUNICIPAL_ADMIN)
PAGE_SIZE = 25
#: States in which a move to another municipality can be recorded (DOMAIN §6.5).
MOVABLE_STATES = (CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE, CaseState.EMPLOYED)
WAITING_PAGE_SIZE = 50


def municipal_view(view):
    return login_required(role_required(*MUNICIPAL)(view))


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# -- dashboard ------------------------------------------------------------------------------


@municipal_view
@require_GET
def dashboard(request):
    today = timezone.localdate()
    figures = figures_module.dashboard_figures(request.user, today=today)
    summary = figures.summary
    capacity_total = (summary.quota_places or 0) + summary.additional_places
    context = {
        "counts": figures.counts,
        "summary": summary,
        "capacity_total": capacity_total,
        "candidates": summary.candidates_total,
        "average_days": figures.average_days,
        "computed_at": figures.computed_at,
        "year": today.year,
        "meter_max": max(capacity_total, summary.realised_places, 1),
    }
    return render(request, "cases/dashboard_view.html", context)


# -- work list ------------------------------------------------------------------------------


def _worklist_form(request):
    return forms.WorklistFilterForm(
        request.GET or None, colleagues=selectors.colleagues_of(request.user)
    )


SEARCH_FLAG = "zoek"


def search_redirect(request, session_key: str, list_url: str):
    """POST of the search form: keep the term in the session (never in a URL, DOMAIN: a BSN
    is never part of one) and go back to the list with its filters and a flag."""
    form = forms.SearchForm(request.POST)
    term = form.cleaned_data["q"].strip() if form.is_valid() else ""
    request.session[session_key] = term
    query = {k: v for k, v in request.GET.items() if k not in ("after", SEARCH_FLAG)}
    if term:
        query[SEARCH_FLAG] = "1"
    return redirect(list_url + ("?" + urlencode(query) if query else ""))


def search_term(request, session_key: str) -> str:
    """The search term of the session, if the list was asked for with the flag."""
    if request.GET.get(SEARCH_FLAG) != "1":
        return ""
    return request.session.get(session_key, "")


WORK_SEARCH_KEY = "work_search"


def _worklist_filters(request) -> tuple[forms.WorklistFilterForm, dict]:
    form = _worklist_form(request)
    filters = form.filters() if form.is_bound else {}
    term = search_term(request, WORK_SEARCH_KEY)
    if term:
        filters["q"] = term
    return form, filters


@municipal_view
@require_http_methods(["GET", "POST"])
def worklist(request):
    if request.method == "POST":
        return search_redirect(request, WORK_SEARCH_KEY, reverse("work:case_list"))
    form, filters = _worklist_filters(request)
    page = selectors.worklist(
        request.user, filters, cursor=request.GET.get("after"), limit=PAGE_SIZE
    )
    query = {k: v for k, v in request.GET.items() if k != "after"}
    next_url = None
    if page.next_cursor:
        next_url = "?" + urlencode({**query, "after": page.next_cursor})
    saved_query = {k: v for k, v in query.items() if k != SEARCH_FLAG}
    context = {
        "form": form,
        "search_form": forms.SearchForm(initial={"q": filters.get("q", "")}),
        "page": page,
        "next_url": next_url,
        "is_deep": bool(request.GET.get("after")),
        "first_url": "?" + urlencode(query) if query else "?",
        "query": urlencode(query),
        "saved_query": urlencode(saved_query),
        "saved_filters": selectors.saved_filters_for(request.user),
        "save_form": forms.SaveFilterForm(),
    }
    return render(request, "cases/case_list.html", context)


@municipal_view
@require_POST
def save_filter(request):
    form = forms.SaveFilterForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        services.save_filter(owner=request.user, name=form.cleaned_data["name"], query=query)
        messages.success(request, _("The filter has been saved."))
    else:
        messages.error(request, _("Give the filter a name."))
    return redirect(reverse("work:case_list") + ("?" + query if query else ""))


@municipal_view
@require_GET
def export(request, fmt: str):
    _form, filters = _worklist_filters(request)
    rows = selectors.worklist_queryset(request.user, filters, today=timezone.localdate())
    if fmt == "csv":
        return exports.csv_response(rows)
    if fmt == "xlsx":
        return exports.xlsx_response(rows)
    raise Http404


# -- case page and its actions --------------------------------------------------------------


#: How the case history names each event (``CaseEvent.action``).
EVENT_LABELS = {
    "application_created": _("Application created"),
    "application_submitted": _("Application sent to UWV"),
    "investigation_started": _("UWV started the investigation"),
    "application_withdrawn": _("Application withdrawn"),
    "advice_issued": _("UWV issued its advice"),
    "term_suspended": _("Term suspended"),
    "term_resumed": _("Term resumed"),
    "decision_recorded": _("Decision recorded"),
    "objection_filed": _("Objection registered"),
    "objection_granted": _("Objection upheld"),
    "objection_decided": _("Objection decided"),
    "marked_unavailable": _("Marked as temporarily unavailable"),
    "available_again": _("Available again"),
    "placed": _("Placed in a job"),
    "employment_ended": _("Job ended"),
    "assigned": _("Case handler changed"),
    "moved": _("Moved to another municipality"),
}


def _history(case) -> list:
    events = list(selectors.case_history(case))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.to_label = CaseState(event.to_state).label if event.to_state else ""
    return events


def _case_forms(case, user) -> dict:
    """The action forms the case's state allows, unbound."""
    state = CaseState(case.state)
    decision = getattr(case, "decision", None)
    available: dict = {}
    if state not in (CaseState.WITHDRAWN, CaseState.CLOSED):
        available["assign"] = forms.AssignForm(
            colleagues=selectors.colleagues_of(user), initial={"assignee": case.assignee_id}
        )
    if state == CaseState.ADVICE_ISSUED:
        available["decide"] = forms.DecisionForm()
    if state == CaseState.AWAITING_PLACEMENT:
        available["place"] = forms.PlacementForm(
            initial={"start_on": timezone.localdate()},
            employers=municipality_selectors.active_employers_for(user),
        )
        available["unavailable"] = forms.UnavailableForm()
    if state == CaseState.UNAVAILABLE:
        available["available"] = forms.AvailableForm()
    if state == CaseState.EMPLOYED:
        available["end_employment"] = forms.EndEmploymentForm(
            initial={"end_on": timezone.localdate()}
        )
    if decision is not None:
        available["object"] = forms.ObjectionForm()
        available["decide_objection"] = forms.ObjectionOutcomeForm()
    return available


def _render_case(request, case, *, bound: tuple[str, object] | None = None, status=200):
    case_forms = _case_forms(case, request.user)
    if bound is not None:
        case_forms[bound[0]] = bound[1]
    for name, form in case_forms.items():
        form.prefix = name
    objections = list(case.objections.order_by("filed_on", "id"))
    pending = next((o for o in objections if o.outcome == Objection.Outcome.PENDING), None)
    if pending is None:
        case_forms.pop("decide_objection", None)
    else:
        case_forms.pop("object", None)
    show_content = selectors.may_see_application_content(request.user, case)
    today = timezone.localdate()
    terms = list(selectors.case_terms(case))
    for term in terms:
        term.state = selectors.rules.term_state(
            term.end_on, today, term.met_on, term.suspended_since is not None
        )
    context = {
        "case": case,
        "application": getattr(case, "application", None),
        "advice": getattr(case, "advice", None),
        "decision": getattr(case, "decision", None),
        "show_content": show_content,
        "documents": list(case.documents.order_by("uploaded_at", "id")) if show_content else [],
        "history": _history(case),
        "terms": terms,
        "objections": objections,
        "pending_objection": pending,
        "employments": list(case.employments.order_by("-start_on", "-id")),
        "unavailability": list(case.unavailability.order_by("-unavailable_from", "-id")),
        "forms": case_forms,
        "can_move": case.state in MOVABLE_STATES,
        "letter_available": _letters_module() is not None,
    }
    return render(request, "cases/case_detail.html", context, status=status)


@municipal_view
@require_GET
def case_move(request, pk: int):
    """The move form on a page of its own: its list of all municipalities is long."""
    case = selectors.get_work_case_for(request.user, pk)
    if case.state not in MOVABLE_STATES:
        raise Http404
    form = forms.MoveForm(municipality_id=case.municipality_id, prefix="move")
    return render(request, "cases/case_move.html", {"case": case, "form": form})


@municipal_view
@require_GET
def case_detail(request, pk: int):
    case = selectors.get_work_case_for(request.user, pk)
    audit.record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    return _render_case(request, case)


@municipal_view
@require_GET
def document_download(request, pk: int, document_pk: int):
    """A supporting document, for the case's municipality, once it may see the application's
    content (DOMAIN, actors: not before UWV's advice on an application the person made)."""
    case = selectors.get_work_case_for(request.user, pk)
    if not selectors.may_see_application_content(request.user, case):
        raise Http404
    document = selectors.case_document(case, document_pk)
    audit.record_view(
        actor=request.user, object_type="document", object_id=document.pk, request=request
    )
    return documents.download(document)


def _place(case, data, actor, origin):
    return services.place_person(case_id=case.pk, actor=actor, origin=origin, **data)


def _end_employment(case, data, actor, origin):
    employment = selectors.running_employment(case)
    if employment is None:
        raise ValidationError(_("This person has no running job."))
    return services.end_employment(
        employment_id=employment.pk,
        end_on=data["end_on"],
        reason=data["reason"],
        actor=actor,
        origin=origin,
    )


def _decide_objection(case, data, actor, origin):
    objection = selectors.pending_objection(case)
    if objection is None:
        raise ValidationError(_("There is no objection to decide on."))
    return services.decide_objection(
        objection_id=objection.pk, outcome=data["outcome"], actor=actor, origin=origin
    )


#: action name -> (form factory, service call, message on success)
ACTIONS = {
    "assign": (
        lambda case, user, data: forms.AssignForm(data, colleagues=selectors.colleagues_of(user)),
        lambda case, d, actor, origin: services.assign_case(
            case_id=case.pk, assignee=d["assignee"], actor=actor, origin=origin
        ),
        _("The case handler has been changed."),
    ),
    "decide": (
        lambda case, user, data: forms.DecisionForm(data),
        lambda case, d, actor, origin: services.record_decision(
            case_id=case.pk,
            positive=d["positive"],
            deviation_reason=d["deviation_reason"],
            actor=actor,
            origin=origin,
        ),
        _("The decision has been recorded. You can now download the decision letter."),
    ),
    "object": (
        lambda case, user, data: forms.ObjectionForm(data),
        lambda case, d, actor, origin: services.file_objection(
            case_id=case.pk,
            grounds=d["grounds"],
            filed_on=d["filed_on"],
            actor=actor,
            origin=origin,
        ),
        _("The objection has been registered."),
    ),
    "decide_objection": (
        lambda case, user, data: forms.ObjectionOutcomeForm(data),
        _decide_objection,
        _("The outcome of the objection has been recorded."),
    ),
    "unavailable": (
        lambda case, user, data: forms.UnavailableForm(data),
        lambda case, d, actor, origin: services.mark_unavailable(
            case_id=case.pk,
            reason=d["reason"],
            from_on=d["from_on"],
            actor=actor,
            origin=origin,
        ),
        _("The person is marked as temporarily unavailable. They keep their turn."),
    ),
    "available": (
        lambda case, user, data: forms.AvailableForm(data),
        lambda case, d, actor, origin: services.mark_available(
            case_id=case.pk, on=d["on"], actor=actor, origin=origin
        ),
        _("The person is available again."),
    ),
    "place": (
        lambda case, user, data: forms.PlacementForm(
            data, employers=municipality_selectors.active_employers_for(user)
        ),
        _place,
        _("The person has been placed."),
    ),
    "end_employment": (
        lambda case, user, data: forms.EndEmploymentForm(data),
        _end_employment,
        _("The job has ended. The person is waiting for a new place again."),
    ),
    "move": (
        lambda case, user, data: forms.MoveForm(data, municipality_id=case.municipality_id),
        lambda case, d, actor, origin: services.record_move(
            case_id=case.pk,
            new_municipality_id=d["new_municipality"].pk,
            moved_on=d["moved_on"],
            employment_continues=d["employment_continues"],
            actor=actor,
            origin=origin,
        ),
        _("The move has been recorded."),
    ),
}


@municipal_view
@require_POST
def case_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    case = selectors.get_work_case_for(request.user, pk)
    make_form, call, success = ACTIONS[action]
    form = make_form(case, request.user, request.POST)
    form.prefix = action
    if form.is_valid():
        try:
            call(case, form.cleaned_data, request.user, origin_of(request))
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, success)
            if (
                action == "move"
                and not selectors.work_cases_for(request.user).filter(pk=case.pk).exists()
            ):
                return redirect("work:case_list")
            return redirect("work:case_detail", pk=case.pk)
    case = selectors.get_work_case_for(request.user, pk)
    return _render_case(request, case, bound=(action, form), status=400)


def _letters_module():
    try:
        from . import letters
    except ImportError:
        return None
    return letters if hasattr(letters, "decision_letter_pdf") else None


@municipal_view
@require_GET
def decision_letter(request, pk: int):
    case = selectors.get_work_case_for(request.user, pk)
    decision = getattr(case, "decision", None)
    letters = _letters_module()
    if decision is None or letters is None:
        raise Http404
    pdf = letters.decision_letter_pdf(decision)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="besluit-{case.reference}.pdf"'
    return response


# -- applying on behalf of the college ------------------------------------------------------


@municipal_view
def college_application(request):
    form = forms.CollegeApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.apply_on_behalf_of_college(
                **form.cleaned_data, actor=request.user, origin=origin_of(request)
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(
                request, _("The application has been sent to UWV. UWV advises within 8 weeks.")
            )
            return redirect("work:case_detail", pk=case.pk)
    return render(
        request, "cases/application_create.html", {"form": form}, status=400 if form.errors else 200
    )


# -- waiting list ---------------------------------------------------------------------------


@municipal_view
@require_GET
def waiting_list(request):
    today = timezone.localdate()
    try:
        start = max(int(request.GET.get("from", "1")), 1)
    except ValueError:
        start = 1
    # Only this page's candidates are read; positions are counted over all of them in SQL.
    page = capacity_module.candidate_page(
        request.user.municipality_id,
        today.year,
        on=today,
        from_position=start,
        limit=WAITING_PAGE_SIZE,
    )
    names = selectors.person_names(request.user, [row.person_id for row in page.rows])
    verordening = selectors.verordening_for(request.user, page.verordening_id)
    context = {
        "capacity": page,  # the template reads the figures: year, quota, places
        "rows": [(row, names.get(row.person_id, "")) for row in page.rows],
        "verordening": verordening,
        "next_from": page.next_from,
        "is_deep": start > 1,
        "today": today,
    }
    return render(request, "cases/waitinglist_view.html", context)
