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
        request.GET or None,
        colleagues=[(str(user.pk), str(user)) for user in selectors.colleagues_of(request.user)],
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
        "query": urlencode(query),
        "page": page,
        "next_url": next_url,
        "is_deep": bool(request.GET.get("after")),
        "first_url": "?" + urlencode(query) if query else "?",
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
    "possible_duplicate_person": _("Possibly the same person as a person already on file"),
    "person_linked": _("Linked to the person already on file"),
}


def _history(case) -> list:
    """The case's events (``selectors.get_case_page_for``), each with what the page calls it."""
    for event in case.history:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.to_label = CaseState(event.to_state).label if event.to_state else ""
    return case.history


#: The actions of the case page, in the order the page offers them: each has a page of its
#: own with one form (the case page itself stays light: no form, no list of colleagues or
#: employers). action -> (title, button text, text above the form).
ACTION_PAGES = {
    "decide": (_("Record the decision"), _("Record decision"), None),
    "place": (_("Place the person"), _("Place"), None),
    "end_employment": (_("End the job"), _("End job"), None),
    "unavailable": (_("Mark as temporarily unavailable"), _("Mark unavailable"), None),
    "available": (_("Available again"), _("Mark available"), None),
    "object": (_("Register an objection"), _("Register objection"), None),
    "decide_objection": (_("Outcome of the objection"), _("Record outcome"), None),
    "assign": (_("Change the case handler"), _("Assign"), None),
    "move": (
        _("Record a move to another municipality"),
        _("Record move"),
        _(
            "If the person keeps working, this municipality keeps paying for the job. If the "
            "job ends, the new municipality must offer a new place within its quota."
        ),
    ),
}


def available_actions(case, *, pending_objection) -> list[str]:
    """The actions the case's state allows, in the order of ``ACTION_PAGES``."""
    state = CaseState(case.state)
    allowed = set()
    if state not in (CaseState.WITHDRAWN, CaseState.CLOSED):
        allowed.add("assign")
    if state == CaseState.ADVICE_ISSUED:
        allowed.add("decide")
    if state == CaseState.AWAITING_PLACEMENT:
        allowed |= {"place", "unavailable"}
    if state == CaseState.UNAVAILABLE:
        allowed.add("available")
    if state == CaseState.EMPLOYED:
        allowed.add("end_employment")
    if getattr(case, "decision", None) is not None:
        allowed.add("decide_objection" if pending_objection else "object")
    if state in MOVABLE_STATES:
        allowed.add("move")
    return [action for action in ACTION_PAGES if action in allowed]


def action_url(pk: int, action: str) -> str:
    if action == "move":
        return reverse("work:case_move", args=[pk])
    return reverse("work:case_action", args=[pk, action])


def _render_case(request, case):
    """The case page (``case`` from ``selectors.get_case_page_for``)."""
    show_content = selectors.may_see_application_content(request.user, case)
    today = timezone.localdate()
    for term in case.term_list:
        term.state = selectors.rules.term_state(
            term.end_on, today, term.met_on, term.suspended_since is not None
        )
    pending = next((o for o in case.objection_list if o.outcome == Objection.Outcome.PENDING), None)
    actions = [
        (action_url(case.pk, action), ACTION_PAGES[action][0])
        for action in available_actions(case, pending_objection=pending)
    ]
    context = {
        "case": case,
        "application": getattr(case, "application", None),
        "advice": getattr(case, "advice", None),
        "decision": getattr(case, "decision", None),
        "show_content": show_content,
        "documents": case.document_list if show_content else [],
        "history": _history(case),
        "terms": case.term_list,
        "objections": case.objection_list,
        "pending_objection": pending,
        "employments": case.employment_list,
        "unavailability": case.unavailability_list,
        "actions": actions,
        "letter_available": _letters_module() is not None,
    }
    return render(request, "cases/case_detail.html", context)


def _render_action(request, case, action: str, form, *, status=200):
    """The page of one action: what it is about, and its form (bound after a refusal)."""
    form.prefix = action
    title, submit, intro = ACTION_PAGES[action]
    context = {
        "case": case,
        "action": action,
        "title": title,
        "submit": submit,
        "intro": intro,
        "form": form,
        "advice": getattr(case, "advice", None) if action == "decide" else None,
    }
    return render(request, "cases/case_action.html", context, status=status)


def _action_page(request, pk: int, action: str):
    case = selectors.get_work_case_for(request.user, pk)
    pending = None
    if action in ("object", "decide_objection"):
        pending = selectors.pending_objection(case)
    if action not in available_actions(case, pending_objection=pending):
        raise Http404
    audit.record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    make_form = ACTIONS[action][0]
    return _render_action(request, case, action, make_form(case, request.user, None))


@municipal_view
@require_GET
def case_move(request, pk: int):
    """The page of the move (DOMAIN §6.5), under a Dutch address of its own."""
    return _action_page(request, pk, "move")


@municipal_view
@require_GET
def case_detail(request, pk: int):
    case = selectors.get_case_page_for(request.user, pk)
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


#: action name -> (form factory, service call, message on success). The factory gets the
#: POST data, or None for the empty form of the action's page (then its ``initial`` counts).
ACTIONS = {
    "assign": (
        lambda case, user, data: forms.AssignForm(
            data,
            colleagues=selectors.colleagues_of(user),
            initial={"assignee": case.assignee_id},
        ),
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
            data,
            employers=municipality_selectors.active_employers_for(user),
            initial={"start_on": timezone.localdate()},
        ),
        _place,
        _("The person has been placed."),
    ),
    "end_employment": (
        lambda case, user, data: forms.EndEmploymentForm(
            data, initial={"end_on": timezone.localdate()}
        ),
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
@require_http_methods(["GET", "POST"])
def case_action(request, pk: int, action: str):
    """GET: the action's page with its form (404 where the case's state does not allow it).
    POST: the service acts; a refusal shows the page again with what was typed (400)."""
    if action not in ACTIONS:
        raise Http404
    if request.method == "GET":
        return _action_page(request, pk, action)
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
    return _render_action(request, case, action, form, status=400)


@municipal_view
@require_http_methods(["GET", "POST"])
def case_link_person(request, pk: int):
    """A citizen's application whose BSN was already on file (issue #18): staff compare it with
    the person on file and, once they checked the identity, link the two (audited)."""
    case = selectors.get_work_case_for(request.user, pk)
    existing = selectors.possible_duplicate_of(case)
    if existing is None:
        raise Http404
    audit.record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    form = forms.LinkPersonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.link_duplicate_person(
                    case_id=case.pk, actor=request.user, origin=origin_of(request)
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("The application is now in the file of the person."))
                return redirect("work:case_detail", pk=case.pk)
    context = {
        "case": case,
        "existing": existing,
        "same_municipality": existing.municipality_id == case.municipality_id,
        "form": form,
    }
    return render(request, "cases/case_link_person.html", context, status=status)


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
    # Quota, places and verordening as the dashboard's figures have them (kept in the cache,
    # counted again by one request at a time); then only this page's candidates are read.
    header = figures_module.dashboard_figures(request.user, today=today).summary
    page = capacity_module.candidate_page(
        request.user.municipality_id,
        today.year,
        on=today,
        from_position=start,
        limit=WAITING_PAGE_SIZE,
        header=header,
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
