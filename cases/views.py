"""The consultant's pages (issue #5): dashboard, work list, case page and its actions,
waiting list. Thin: a selector fetches (scoped to the user's municipality, 404 otherwise), a
form checks shape, one service acts, the result is a message and a redirect."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipalities import selectors as municipality_selectors
from portal.models import Role
from portal.permissions import role_required

from . import conversations, exports, forms, rules, selectors, services
from . import figures as figures_module
from .audit.trail import origin_of, record_view
from .choices import (
    AdviceOutcome,
    AppealOutcome,
    CaseState,
    ContractKind,
    ContractOutcome,
    MessageThread,
    ProvisionKind,
    Responsible,
    Side,
)
from .documents import files, letters
from .models import Objection
from .placement import capacity as capacity_module
from .rules import CENT, CaseAction

MUNICIPAL = (Role.CONSULTANT, Role.MUNICIPAL_ADMIN)
PAGE_SIZE = 25
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
        "average_hours": figures.average_hours,
        "provision_rows": [
            (kind.label, *(figures.provisions or {}).get("per_kind", {}).get(kind, (0, 0)))
            for kind in ProvisionKind
        ],
        "provision_cost": (figures.provisions or {}).get("monthly_cost", 0),
        "computed_at": figures.computed_at,
        "year": today.year,
        # HTML attributes: a decimal point, whatever the language.
        "meter_max": str(Decimal(max(capacity_total, summary.realised_places, 1)).quantize(CENT)),
        "meter_value": str(summary.realised_places.quantize(CENT)),
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
    "term_end_moved": _("Term end moved: a day equated with a public holiday"),
    "decision_recorded": _("Decision recorded"),
    "objection_filed": _("Objection registered"),
    "objection_granted": _("Objection upheld"),
    "objection_decided": _("Objection decided"),
    "marked_unavailable": _("Marked as temporarily unavailable"),
    "available_again": _("Available again"),
    "placed": _("Placed in a job"),
    "employment_ended": _("Job ended"),
    "employment_cancelled": _("Job did not go ahead"),
    "aow_age_reached": _("AOW age reached: the case is closed"),
    "assigned": _("Case handler changed"),
    "moved": _("Moved to another municipality"),
    "handed_over_after_move": _(
        "Handed over to the municipality the person moved to: the job ended"
    ),
    "possible_duplicate_person": _("Possibly the same person as a person already on file"),
    "person_linked": _("Linked to the person already on file"),
    "account_linked_by_digid": _("The person signed in with DigiD: linked to their account"),
    "message_sent": _("Message to the applicant"),
    "document_added": _("Document added"),
    "priority_group_set": _("Put in a priority group"),
    "priority_group_unset": _("Taken out of the priority group"),
    "council_position_set": _("Position in the municipality's own order changed"),
    "deemed_refusal": _("No decision in time: counts as a refusal"),
    "place_refused": _("The person refused a place"),
    "fell_back": _("Fell back from the jobs-agreement job"),
    "superseded": _("Replaced by the decision on a newer advice"),
    "newer_advice": _("UWV issued a newer advice on another case of this person"),
    "new_application_in_file": _("A new application for this person"),
    "provision_recorded": _("Support provision recorded"),
    "provision_ended": _("Support provision ended"),
    "contract_continued": _("Fixed-term contract continued"),
    "appeal_filed": _("Appeal filed with the court"),
    "appeal_decided": _("Judgment on the appeal"),
    "correction_requested": _("The applicant asked to correct data"),
    "correction_answered": _("Request to correct data answered"),
    "anonymised_after_retention": _("Anonymised after the retention period"),
}

#: Why a case went back to the team without a colleague reassigning it
#: (``services.release_cases_of``).
RELEASE_NOTES = {
    services.HANDLER_SWITCHED_OFF: _(
        "The case handler's account was switched off: the case is back with the team."
    ),
    services.HANDLER_LEFT_MUNICIPALITY: _(
        "The case handler now works for another municipality: the case is back with the team."
    ),
}

#: A message in the history (``message_posted``), by conversation and the side that wrote it.
#: The history names the message, never what it says.
MESSAGE_LABELS = {
    (MessageThread.APPLICANT, Side.MUNICIPALITY): _("Message to the applicant"),
    (MessageThread.APPLICANT, Side.APPLICANT): _("Message from the applicant"),
    (MessageThread.UWV, Side.UWV): _("Message from UWV"),
    (MessageThread.UWV, Side.MUNICIPALITY): _("Message to UWV"),
    (MessageThread.UWV, Side.APPLICANT): _("Answer from the applicant to UWV"),
}


def _day(value) -> str:
    """An ISO date kept in an event's details, as the pages write dates."""
    return date_format(date.fromisoformat(value), "j F Y") if value else "–"


def _event_note(event) -> str:
    """What the history says besides the event's name: the reason recorded with it, and for
    a placement out of turn who was passed over (DOMAIN §4.5)."""
    details = event.details or {}
    reason = str(details.get("reason", ""))
    if event.action in ("priority_group_set", "priority_group_unset"):
        return reason
    if event.action == "employment_cancelled":
        return _("%(employer)s, from %(start)s. Reason: %(reason)s") % {
            "employer": details.get("employer", ""),
            "start": _day(details.get("start_on")),
            "reason": reason,
        }
    if event.action == "placed" and details.get("out_of_turn"):
        return _("Placed out of turn, before %(passed_over)s. Reason: %(reason)s") % {
            "passed_over": ", ".join(details.get("passed_over", [])) or "–",
            "reason": reason,
        }
    if event.action in ("provision_recorded", "provision_ended"):
        kind = ProvisionKind(details["kind"]).label if details.get("kind") else ""
        if event.action == "provision_ended":
            return _("%(kind)s, until %(end)s") % {"kind": kind, "end": _day(details["ends_on"])}
        return _("%(kind)s, from %(start)s until %(end)s") % {
            "kind": kind,
            "start": _day(details.get("starts_on")),
            "end": _day(details.get("ends_on")),
        }
    if event.action == "contract_continued":
        if details.get("new_end_on"):
            return _("New last day: %(date)s") % {"date": _day(details["new_end_on"])}
        return str(ContractOutcome.CONTINUED_INDEFINITE.label)
    if event.action == "employment_ended" and details.get("outcome") == ContractOutcome.NEW_PLACE:
        return str(ContractOutcome.NEW_PLACE.label)
    if event.action == "assigned" and details.get("reason") in RELEASE_NOTES:
        return str(RELEASE_NOTES[details["reason"]])
    if event.action == "appeal_filed":
        return str(details.get("court", ""))
    if event.action == "appeal_decided" and details.get("outcome"):
        return str(AppealOutcome(details["outcome"]).label)
    if event.action == "council_position_set":
        position = details.get("position")
        return _("Position %(position)s. Reason: %(reason)s") % {
            "position": position if position is not None else "–",
            "reason": reason,
        }
    return ""


def _history(case) -> list:
    """The case's events (``selectors.get_case_page_for``), each with what the page calls it
    and what was recorded with it (``note``) and, for a message, the place of the message on
    the page."""
    for event in case.history:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.anchor = ""
        if event.action == "message_posted":
            key = (event.details.get("thread"), event.details.get("side"))
            event.label = MESSAGE_LABELS.get(key, _("Message"))
            event.anchor = f"bericht-{event.details.get('message')}"
        event.to_label = CaseState(event.to_state).label if event.to_state else ""
        event.note = _event_note(event)
    return case.history


#: What the page of each action says: its title, the text of its button and (for some) a
#: text above the form. Which actions a case allows is ``rules.allowed_actions``.
ACTION_TEXTS = {
    CaseAction.DECIDE: (_("Record the decision"), _("Record decision"), None),
    CaseAction.PLACE: (_("Place the person"), _("Place"), None),
    CaseAction.REFUSE_PLACE: (
        _("Record a refused place"),
        _("Record refusal"),
        _(
            "The person keeps their turn and you can offer another place. Someone on social "
            "assistance (Participatiewet) must accept a suitable place; the person is told "
            "that refusing may lower their benefit. That is decided outside the portal."
        ),
    ),
    CaseAction.END_EMPLOYMENT: (_("End the job"), _("End job"), None),
    CaseAction.CANCEL_EMPLOYMENT: (
        _("The job does not go ahead"),
        _("Call off the job"),
        _(
            "For a job that has not started yet and falls through. The job is taken off the "
            "case and takes no place; the person waits for a place again. The case history "
            "keeps what was agreed and why it did not go ahead."
        ),
    ),
    CaseAction.CONTRACT: (
        _("What follows the fixed-term contract"),
        _("Record"),
        _(
            "The contract continues with a new last day or for an indefinite term, or it is "
            "not continued: then the job ends on its last day and the person waits for a new "
            "place."
        ),
    ),
    CaseAction.PROVISION: (
        _("Record a support provision"),
        _("Record provision"),
        _(
            "A provision that helps the person work: a job coach, guidance, an adapted "
            "workplace, transport. The choices are the provisions of your verordening."
        ),
    ),
    CaseAction.END_PROVISION: (_("End a support provision"), _("End provision"), None),
    CaseAction.FALL_BACK: (
        _("Fell back from the jobs-agreement job"),
        _("Record fallback"),
        _(
            "If the verordening in force on that day lets the positive advice revive, the "
            "person waits for a place again without a new advice. Otherwise a new advice is "
            "needed."
        ),
    ),
    CaseAction.REQUEST_ADVICE: (
        _("Request a new advice"),
        _("Send to UWV"),
        _(
            "The college asks UWV for a new advice on this person. The application belongs "
            "to the person's file and goes to UWV at once."
        ),
    ),
    CaseAction.MARK_UNAVAILABLE: (
        _("Mark as temporarily unavailable"),
        _("Mark unavailable"),
        None,
    ),
    CaseAction.MARK_AVAILABLE: (_("Available again"), _("Mark available"), None),
    CaseAction.FILE_OBJECTION: (_("Register an objection"), _("Register objection"), None),
    CaseAction.DECIDE_OBJECTION: (_("Outcome of the objection"), _("Record outcome"), None),
    CaseAction.FILE_APPEAL: (
        _("Record an appeal"),
        _("Record appeal"),
        _(
            "After the decision on the objection the person can appeal to the court. Record "
            "when the appeal was filed and at which court."
        ),
    ),
    CaseAction.DECIDE_APPEAL: (_("Judgment on the appeal"), _("Record judgment"), None),
    CaseAction.PRIORITY: (
        _("Priority group"),
        _("Save"),
        _(
            "Where the verordening orders the waiting list by priority groups first, people in "
            "a priority group get an additional place before the others."
        ),
    ),
    CaseAction.COUNCIL_POSITION: (
        _("Position in the municipality's own order"),
        _("Save"),
        _(
            "Counts where the verordening says the municipality sets the order itself. The "
            "lowest position gets an additional place first."
        ),
    ),
    CaseAction.ASSIGN: (_("Change the case handler"), _("Assign"), None),
    CaseAction.MOVE: (
        _("Record a move to another municipality"),
        _("Record move"),
        _(
            "If the person keeps working, this municipality keeps paying for the job. If the "
            "job ends, the new municipality must offer a new place within its quota."
        ),
    ),
}


def action_url(pk: int, action: CaseAction) -> str:
    """The address of an action's page (``work:case_<action>``)."""
    return reverse(f"work:case_{action}", args=[pk])


def _render_case(request, case):
    """The case page (``case`` from ``selectors.get_case_page_for``)."""
    show_content = selectors.may_see_application_content(request.user, case)
    today = timezone.localdate()
    for term in case.term_list:
        term.state = rules.term_state(
            term.end_on, today, term.met_on, term.suspended_since is not None, term.kind
        )
    pending = next((o for o in case.objection_list if o.outcome == Objection.Outcome.PENDING), None)
    appeals = [o.appeal for o in case.objection_list if getattr(o, "appeal", None) is not None]
    running_job = next((job for job in case.employment_list if job.end_on is None), None)
    allowed = rules.allowed_actions(
        case.state,
        decided=getattr(case, "decision", None) is not None,
        objection_pending=pending is not None,
        deemed_refused=case.deemed_refusal_on is not None,
        appealable=any(
            rules.appeal_possible(o.outcome) and getattr(o, "appeal", None) is None
            for o in case.objection_list
        ),
        appeal_pending=any(a.outcome == AppealOutcome.PENDING for a in appeals),
        fixed_term=running_job is not None
        and running_job.contract_kind == ContractKind.FIXED
        and running_job.contract_ends_on is not None,
        open_provision=any(p.ends_on is None or p.ends_on > today for p in case.provision_list),
        job_not_started=running_job is not None and running_job.start_on > today,
    )
    file_cases = selectors.file_of(case)
    advice = getattr(case, "advice", None)
    newer_advice_case = next(
        (
            other
            for other in reversed(file_cases)
            if getattr(other, "advice", None) is not None
            and advice is not None
            and (other.advice.issued_on, other.advice.pk) > (advice.issued_on, advice.pk)
        ),
        None,
    )
    last_fallback = next((e for e in reversed(case.history) if e.action == "fell_back"), None)
    talk = selectors.conversation(request.user, case, case.message_list, case.document_list)
    if talk.unread:
        conversations.mark_conversation_read(case=case, actor=request.user)
    context = {
        "case": case,
        "application": getattr(case, "application", None),
        "advice": getattr(case, "advice", None),
        "decision": getattr(case, "decision", None),
        "show_content": show_content,
        "documents": talk.documents,
        "conversation": talk,
        "uwv_open": conversations.uwv_conversation_open(case, Side.MUNICIPALITY, talk.uwv),
        "history": _history(case),
        "terms": case.term_list,
        "objections": case.objection_list,
        "pending_objection": pending,
        "employments": case.employment_list,
        "job_history": case.job_history,
        "provisions": case.provision_list,
        "running_job": running_job,
        "no_risk_policy": rules.no_risk_policy_applies(
            advice.outcome if advice else None, running_job is not None
        ),
        "today": today,
        # §6.1, §6.3: the running job's wage and wage subsidy today, with their inputs.
        "wage": selectors.wage_calculation(running_job, case.person, today)
        if running_job is not None
        else None,
        "unavailability": case.unavailability_list,
        "actions": [(action_url(case.pk, action), ACTION_TEXTS[action][0]) for action in allowed],
        # A decision letter is made (or was) for this case but the letterhead is not complete.
        "letterhead_missing": case.municipality.missing_letterhead_fields
        if case.state == CaseState.ADVICE_ISSUED or getattr(case, "decision", None)
        else [],
        # No query unless the person is marked: most cases are not.
        "possible_duplicate": selectors.possible_duplicate_of(case) is not None,
        "file_cases": file_cases,
        "newer_advice_case": newer_advice_case,
        "place_refusals": case.place_refusal_list,
        "new_advice_needed": (
            case.state == CaseState.CLOSED
            and last_fallback is not None
            and not last_fallback.details.get("revived")
        ),
        "objection_term_end": next(
            (t.end_on for t in case.term_list if t.kind == "objection" and t.met_on is None), None
        ),
    }
    return render(request, "cases/case_detail.html", context)


@municipal_view
@require_GET
def case_detail(request, pk: int):
    case = selectors.get_case_page_for(request.user, pk)
    record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    return _render_case(request, case)


@municipal_view
@require_GET
def document_download(request, pk: int, document_pk: int):
    """A supporting document, for the case's municipality, once it may see the application's
    content (DOMAIN, actors: not before UWV's advice on an application the person made)."""
    document = selectors.get_case_document_for(request.user, pk, document_pk)
    record_view(actor=request.user, object_type="document", object_id=document.pk, request=request)
    return files.download(document)


# -- talking on the case and adding documents (issue #22) ----------------------------------


def _message_page(request, pk: int, *, thread: str, form_class, texts: tuple, url_name: str):
    """The page to write a message in one of the case's conversations: the form, and on a
    POST the message sent and back to the conversation, or the page again with what was
    written and why it was not sent (400)."""
    case = selectors.get_work_case_for(request.user, pk)
    form = form_class(request.POST or None, request.FILES or None, prefix="message")
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                conversations.post_message(
                    case_id=case.pk,
                    thread=thread,
                    body=data["body"],
                    attachment=data["attachment"],
                    visible_to_applicant=data.get("visible_to_applicant", False),
                    actor=request.user,
                    origin=origin_of(request),
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("Your message has been sent."))
                anchor = "gesprek-uwv" if thread == MessageThread.UWV else "gesprek-aanvrager"
                return redirect(reverse("work:case_detail", args=[case.pk]) + f"#{anchor}")
    else:
        record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    title, submit, intro = texts
    context = {
        "case": case,
        "action_url": reverse(url_name, args=[case.pk]),
        "title": title,
        "submit": submit,
        "intro": intro,
        "form": form,
        "multipart": True,
    }
    return render(request, "cases/case_action.html", context, status=400 if form.is_bound else 200)


@municipal_view
@require_http_methods(["GET", "POST"])
def case_message(request, pk: int):
    """The municipality writes to the applicant."""
    return _message_page(
        request,
        pk,
        thread=MessageThread.APPLICANT,
        form_class=forms.MessageForm,
        texts=(
            _("Write to the applicant"),
            _("Send message"),
            _(
                "The applicant gets an e-mail that there is a message, and reads it on the page "
                "of their application. The e-mail does not say what you wrote."
            ),
        ),
        url_name="work:case_message",
    )


@municipal_view
@require_http_methods(["GET", "POST"])
def case_uwv_message(request, pk: int):
    """The municipality writes to UWV, or answers its question (which resumes a term it
    suspended)."""
    if request.method == "GET":
        case = selectors.get_work_case_for(request.user, pk)
        if not conversations.uwv_conversation_open(case, Side.MUNICIPALITY):
            raise Http404
    return _message_page(
        request,
        pk,
        thread=MessageThread.UWV,
        form_class=forms.UwvConversationForm,
        texts=(
            _("Write to UWV"),
            _("Send message"),
            _(
                "Your message answers the open questions of UWV. If UWV suspended its advice "
                "term for a question, the term runs again from today."
            ),
        ),
        url_name="work:case_uwv_message",
    )


@municipal_view
@require_http_methods(["GET", "POST"])
def case_document_add(request, pk: int):
    """Add a document to the case, with who may see it besides the municipality."""
    case = selectors.get_work_case_for(request.user, pk)
    form = forms.CaseDocumentForm(request.POST or None, request.FILES or None, prefix="document")
    if request.method == "POST" and form.is_valid():
        try:
            conversations.add_case_document(
                case_id=case.pk,
                upload=form.cleaned_data["file"],
                visible_to_applicant=form.cleaned_data["visible_to_applicant"],
                visible_to_uwv=form.cleaned_data["visible_to_uwv"],
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError as error:
            form.add_error("file", _error_text(error))
        else:
            messages.success(request, _("The document has been added."))
            return redirect("work:case_detail", pk=case.pk)
    else:
        record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    context = {
        "case": case,
        "action_url": reverse("work:case_document_add", args=[case.pk]),
        "title": _("Add a document"),
        "submit": _("Add document"),
        "intro": _(
            "The municipality always sees the documents it adds. Choose who else may see this one."
        ),
        "form": form,
        "multipart": True,
    }
    return render(request, "cases/case_action.html", context, status=400 if form.is_bound else 200)


# -- the actions on a case: one view each ---------------------------------------------------


def case_action_view(action: CaseAction):
    """Makes ``view(request, case)`` the view of ``action``, under the case's address. The
    case is one of the user's municipality (404 for any other). A GET shows the action's page
    where the case's state allows the action (``rules.allowed_actions``; 404 otherwise); a
    POST goes to the view, whose service applies the same rules and refuses with a message."""

    def decorator(view):
        @municipal_view
        @require_http_methods(["GET", "POST"])
        @wraps(view)
        def wrapper(request, pk: int):
            if request.method == "POST":
                return view(request, selectors.get_work_case_for(request.user, pk))
            case = selectors.get_case_for_action(request.user, pk, action)
            record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
            return view(request, case)

        return wrapper

    return decorator


def _posted(request):
    """The form data of a POST; None on a GET (the form is then unbound: its ``initial``)."""
    return request.POST if request.method == "POST" else None


def _render_action(request, case, action: CaseAction, form):
    """The page of one action: what it is about, and its form. A bound form here is one the
    view did not accept (its errors, or the service's refusal): status 400."""
    title, submit, intro = ACTION_TEXTS[action]
    context = {
        "case": case,
        "action_url": action_url(case.pk, action),
        "title": title,
        "submit": submit,
        "intro": intro,
        "form": form,
        "advice": getattr(case, "advice", None) if action == CaseAction.DECIDE else None,
    }
    return render(request, "cases/case_action.html", context, status=400 if form.is_bound else 200)


def _act(request, case, action: CaseAction, form, service, *, success, **arguments):
    """Carry out the action: ``service(**arguments)`` by the user, then back to the case with
    ``success``; a refusal (``ValidationError``) shows the action's page again with it."""
    try:
        service(**arguments, actor=request.user, origin=origin_of(request))
    except ValidationError as error:
        form.add_error(None, _error_text(error))
        return _render_action(request, case, action, form)
    messages.success(request, success)
    return redirect("work:case_detail", pk=case.pk)


@case_action_view(CaseAction.DECIDE)
def case_decide(request, case):
    form = forms.DecisionForm(_posted(request), prefix=CaseAction.DECIDE)
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.DECIDE,
            form,
            services.record_decision,
            case_id=case.pk,
            positive=form.cleaned_data["positive"],
            deviation_reason=form.cleaned_data["deviation_reason"],
            success=_("The decision has been recorded. You can now download the decision letter."),
        )
    return _render_action(request, case, CaseAction.DECIDE, form)


@case_action_view(CaseAction.PLACE)
def case_place(request, case):
    form = forms.PlacementForm(
        _posted(request),
        prefix=CaseAction.PLACE,
        employers=municipality_selectors.active_employers_for(request.user),
        initial={"start_on": timezone.localdate()},
    )
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.PLACE,
            form,
            services.place_person,
            case_id=case.pk,
            **form.cleaned_data,
            success=_("The person has been placed."),
        )
    return _render_action(request, case, CaseAction.PLACE, form)


@case_action_view(CaseAction.END_EMPLOYMENT)
def case_end_employment(request, case):
    form = forms.EndEmploymentForm(
        _posted(request),
        prefix=CaseAction.END_EMPLOYMENT,
        initial={"end_on": timezone.localdate()},
    )
    if form.is_valid():
        employment = selectors.running_employment(case)
        if employment is None:
            form.add_error(None, _("This person has no running job."))
            return _render_action(request, case, CaseAction.END_EMPLOYMENT, form)
        return _act(
            request,
            case,
            CaseAction.END_EMPLOYMENT,
            form,
            services.end_employment,
            employment_id=employment.pk,
            end_on=form.cleaned_data["end_on"],
            reason=form.cleaned_data["reason"],
            to_jobs_agreement=form.cleaned_data["to_jobs_agreement"],
            success=(
                _("The job has ended. If the person falls back, record it on this case.")
                if form.cleaned_data["to_jobs_agreement"]
                else _("The job has ended. The person is waiting for a new place again.")
            ),
        )
    return _render_action(request, case, CaseAction.END_EMPLOYMENT, form)


@case_action_view(CaseAction.CANCEL_EMPLOYMENT)
def case_cancel_employment(request, case):
    form = forms.CancelEmploymentForm(_posted(request), prefix=CaseAction.CANCEL_EMPLOYMENT)
    if form.is_valid():
        planned = selectors.planned_employment(case)
        if planned is None:
            form.add_error(None, _("This person has no job that is still to start."))
            return _render_action(request, case, CaseAction.CANCEL_EMPLOYMENT, form)
        return _act(
            request,
            case,
            CaseAction.CANCEL_EMPLOYMENT,
            form,
            services.cancel_employment,
            employment_id=planned.pk,
            reason=form.cleaned_data["reason"],
            success=_("The job does not go ahead. The person is waiting for a place again."),
        )
    return _render_action(request, case, CaseAction.CANCEL_EMPLOYMENT, form)


@case_action_view(CaseAction.CONTRACT)
def case_contract(request, case):
    form = forms.ContractOutcomeForm(_posted(request), prefix=CaseAction.CONTRACT)
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.CONTRACT,
            form,
            services.record_contract_outcome,
            case_id=case.pk,
            outcome=form.cleaned_data["outcome"],
            new_end_on=form.cleaned_data["new_end_on"],
            success=(
                _("The job has ended on the contract's last day. The person waits for a new place.")
                if form.cleaned_data["outcome"] == ContractOutcome.NEW_PLACE
                else _("The contract continues.")
            ),
        )
    return _render_action(request, case, CaseAction.CONTRACT, form)


@case_action_view(CaseAction.PROVISION)
def case_provision(request, case):
    today = timezone.localdate()
    kinds = selectors.offered_provision_kinds(case.municipality_id, today)
    job = selectors.running_employment(case)
    payer = rules.provision_payer(case.person.benefit_kind, job.funding_kind if job else None)
    if payer == Responsible.UWV:
        kinds = ProvisionKind.values  # UWV's provisions are not the verordening's (§6.3)
    form = forms.ProvisionForm(
        _posted(request), prefix=CaseAction.PROVISION, kinds=kinds, initial={"payer": payer}
    )
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.PROVISION,
            form,
            services.record_provision,
            case_id=case.pk,
            **form.cleaned_data,
            success=_("The provision has been recorded."),
        )
    return _render_action(request, case, CaseAction.PROVISION, form)


@case_action_view(CaseAction.END_PROVISION)
def case_end_provision(request, case):
    form = forms.EndProvisionForm(
        _posted(request),
        prefix=CaseAction.END_PROVISION,
        provisions=selectors.open_provisions(case),
    )
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.END_PROVISION,
            form,
            services.end_provision,
            provision_id=form.cleaned_data["provision"].pk,
            ends_on=form.cleaned_data["ends_on"],
            success=_("The end of the provision has been recorded."),
        )
    return _render_action(request, case, CaseAction.END_PROVISION, form)


@case_action_view(CaseAction.REFUSE_PLACE)
def case_refuse_place(request, case):
    form = forms.PlaceRefusalForm(_posted(request), prefix=CaseAction.REFUSE_PLACE)
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.REFUSE_PLACE,
            form,
            services.record_place_refusal,
            case_id=case.pk,
            **form.cleaned_data,
            success=_(
                "The refused place has been recorded. The person keeps their turn and has been "
                "told what it means."
            ),
        )
    return _render_action(request, case, CaseAction.REFUSE_PLACE, form)


@case_action_view(CaseAction.FALL_BACK)
def case_fall_back(request, case):
    form = forms.FallbackForm(_posted(request), prefix=CaseAction.FALL_BACK)
    if form.is_valid():
        try:
            result = services.record_fallback(
                case_id=case.pk,
                on=form.cleaned_data["on"],
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
            return _render_action(request, case, CaseAction.FALL_BACK, form)
        if result.state == CaseState.AWAITING_PLACEMENT:
            messages.success(
                request,
                _(
                    "The positive advice revives under the verordening: the person is waiting "
                    "for a place again."
                ),
            )
        else:
            messages.warning(
                request,
                _(
                    "The verordening does not let the advice revive: a new advice is needed. "
                    "You can request one from this case."
                ),
            )
        return redirect("work:case_detail", pk=case.pk)
    return _render_action(request, case, CaseAction.FALL_BACK, form)


@case_action_view(CaseAction.REQUEST_ADVICE)
def case_request_advice(request, case):
    form = forms.RequestAdviceForm(_posted(request), prefix=CaseAction.REQUEST_ADVICE)
    if form.is_valid():
        try:
            new_case = services.request_new_advice(
                case_id=case.pk,
                **form.cleaned_data,
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
            return _render_action(request, case, CaseAction.REQUEST_ADVICE, form)
        messages.success(
            request, _("The application has been sent to UWV. UWV advises within 8 weeks.")
        )
        return redirect("work:case_detail", pk=new_case.pk)
    return _render_action(request, case, CaseAction.REQUEST_ADVICE, form)


@case_action_view(CaseAction.MARK_UNAVAILABLE)
def case_mark_unavailable(request, case):
    form = forms.UnavailableForm(_posted(request), prefix=CaseAction.MARK_UNAVAILABLE)
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.MARK_UNAVAILABLE,
            form,
            services.mark_unavailable,
            case_id=case.pk,
            reason=form.cleaned_data["reason"],
            from_on=form.cleaned_data["from_on"],
            success=_("The person is marked as temporarily unavailable. They keep their turn."),
        )
    return _render_action(request, case, CaseAction.MARK_UNAVAILABLE, form)


@case_action_view(CaseAction.MARK_AVAILABLE)
def case_mark_available(request, case):
    form = forms.AvailableForm(_posted(request), prefix=CaseAction.MARK_AVAILABLE)
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.MARK_AVAILABLE,
            form,
            services.mark_available,
            case_id=case.pk,
            on=form.cleaned_data["on"],
            success=_("The person is available again."),
        )
    return _render_action(request, case, CaseAction.MARK_AVAILABLE, form)


@case_action_view(CaseAction.FILE_OBJECTION)
def case_file_objection(request, case):
    form = forms.ObjectionForm(_posted(request), prefix=CaseAction.FILE_OBJECTION)
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.FILE_OBJECTION,
            form,
            services.file_objection,
            case_id=case.pk,
            grounds=form.cleaned_data["grounds"],
            filed_on=form.cleaned_data["filed_on"],
            posted_on=form.cleaned_data["posted_on"],
            success=_("The objection has been registered."),
        )
    return _render_action(request, case, CaseAction.FILE_OBJECTION, form)


@case_action_view(CaseAction.DECIDE_OBJECTION)
def case_decide_objection(request, case):
    # Upholding an objection against a refusal makes the person eligible: against a negative
    # advice only with a recorded reason (§3.2).
    advice = getattr(case, "advice", None) if case.state == CaseState.OBJECTION else None
    form = forms.ObjectionOutcomeForm(
        _posted(request),
        prefix=CaseAction.DECIDE_OBJECTION,
        advice=AdviceOutcome(advice.outcome) if advice is not None else None,
    )
    if form.is_valid():
        objection = selectors.pending_objection(case)
        if objection is None:
            form.add_error(None, _("There is no objection to decide on."))
            return _render_action(request, case, CaseAction.DECIDE_OBJECTION, form)
        return _act(
            request,
            case,
            CaseAction.DECIDE_OBJECTION,
            form,
            services.decide_objection,
            objection_id=objection.pk,
            outcome=form.cleaned_data["outcome"],
            deviation_reason=form.cleaned_data.get("deviation_reason", ""),
            success=_("The outcome of the objection has been recorded."),
        )
    return _render_action(request, case, CaseAction.DECIDE_OBJECTION, form)


@case_action_view(CaseAction.FILE_APPEAL)
def case_file_appeal(request, case):
    form = forms.AppealForm(_posted(request), prefix=CaseAction.FILE_APPEAL)
    if form.is_valid():
        objection = selectors.appealable_objection(case)
        if objection is None:
            form.add_error(None, _("There is no decided objection to appeal against."))
            return _render_action(request, case, CaseAction.FILE_APPEAL, form)
        return _act(
            request,
            case,
            CaseAction.FILE_APPEAL,
            form,
            services.file_appeal,
            objection_id=objection.pk,
            **form.cleaned_data,
            success=_("The appeal has been recorded."),
        )
    return _render_action(request, case, CaseAction.FILE_APPEAL, form)


@case_action_view(CaseAction.DECIDE_APPEAL)
def case_decide_appeal(request, case):
    form = forms.AppealOutcomeForm(_posted(request), prefix=CaseAction.DECIDE_APPEAL)
    if form.is_valid():
        appeal = selectors.pending_appeal(case)
        if appeal is None:
            form.add_error(None, _("There is no appeal waiting for a judgment."))
            return _render_action(request, case, CaseAction.DECIDE_APPEAL, form)
        return _act(
            request,
            case,
            CaseAction.DECIDE_APPEAL,
            form,
            services.decide_appeal,
            appeal_id=appeal.pk,
            **form.cleaned_data,
            success=_("The judgment on the appeal has been recorded."),
        )
    return _render_action(request, case, CaseAction.DECIDE_APPEAL, form)


@case_action_view(CaseAction.PRIORITY)
def case_priority(request, case):
    form = forms.PriorityGroupForm(
        _posted(request),
        prefix=CaseAction.PRIORITY,
        initial={"priority_group": case.priority_group},
    )
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.PRIORITY,
            form,
            services.set_priority_group,
            case_id=case.pk,
            priority_group=form.cleaned_data["priority_group"],
            reason=form.cleaned_data["reason"],
            success=_("The priority group has been changed."),
        )
    return _render_action(request, case, CaseAction.PRIORITY, form)


@case_action_view(CaseAction.COUNCIL_POSITION)
def case_council_position(request, case):
    form = forms.CouncilPositionForm(
        _posted(request),
        prefix=CaseAction.COUNCIL_POSITION,
        initial={"position": case.council_position},
    )
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.COUNCIL_POSITION,
            form,
            services.set_council_position,
            case_id=case.pk,
            position=form.cleaned_data["position"],
            reason=form.cleaned_data["reason"],
            success=_("The position has been changed."),
        )
    return _render_action(request, case, CaseAction.COUNCIL_POSITION, form)


@case_action_view(CaseAction.ASSIGN)
def case_assign(request, case):
    form = forms.AssignForm(
        _posted(request),
        prefix=CaseAction.ASSIGN,
        colleagues=selectors.colleagues_of(request.user),
        initial={"assignee": case.assignee_id},
    )
    if form.is_valid():
        return _act(
            request,
            case,
            CaseAction.ASSIGN,
            form,
            services.assign_case,
            case_id=case.pk,
            assignee=form.cleaned_data["assignee"],
            success=_("The case handler has been changed."),
        )
    return _render_action(request, case, CaseAction.ASSIGN, form)


@case_action_view(CaseAction.MOVE)
def case_move(request, case):
    """The move to another municipality (DOMAIN §6.5). When the new municipality takes the
    case over, it leaves this municipality's list: the user goes back to the list."""
    form = forms.MoveForm(
        _posted(request), prefix=CaseAction.MOVE, municipality_id=case.municipality_id
    )
    if form.is_valid():
        response = _act(
            request,
            case,
            CaseAction.MOVE,
            form,
            services.record_move,
            case_id=case.pk,
            new_municipality_id=form.cleaned_data["new_municipality"].pk,
            moved_on=form.cleaned_data["moved_on"],
            employment_continues=form.cleaned_data["employment_continues"],
            success=_("The move has been recorded."),
        )
        if (
            response.status_code == 302
            and not selectors.work_cases_for(request.user).filter(pk=case.pk).exists()
        ):
            return redirect("work:case_list")
        return response
    return _render_action(request, case, CaseAction.MOVE, form)


@municipal_view
@require_http_methods(["GET", "POST"])
def case_link_person(request, pk: int):
    """A citizen's application whose BSN was already on file (issue #18): staff compare it with
    the person on file and, once they checked the identity, link the two (audited)."""
    case = selectors.get_work_case_for(request.user, pk)
    existing = selectors.possible_duplicate_of(case)
    if existing is None:
        raise Http404
    record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
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
        "form": form,
    }
    return render(request, "cases/case_link_person.html", context, status=status)


@municipal_view
@require_GET
def decision_letter(request, pk: int):
    case = selectors.get_work_case_for(request.user, pk)
    decision = getattr(case, "decision", None)
    if decision is None:
        raise Http404
    try:
        pdf = letters.decision_letter_pdf(decision)
    except letters.LetterheadIncomplete as error:
        context = {
            "case": case,
            "municipality": case.municipality,
            "error": _error_text(error),
            "back_url": reverse("work:case_detail", args=[case.pk]),
        }
        return render(request, "cases/letter_unavailable.html", context, status=409)
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
            age = rules.age_check(
                form.cleaned_data["birth_date"], timezone.localdate(), selectors.aow_ages()
            )
            if age.notice_about_person:  # under 18: school and availability (§1.3)
                messages.info(request, age.notice_about_person)
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
        "order_explanation": rules.ordering_explanation(page.ordering_rule),
        "tie_explanation": rules.TIE_EXPLANATION,
        "next_from": page.next_from,
        "next_url": f"?from={page.next_from}" if page.next_from else None,
        "first_url": reverse("work:waiting_list"),
        "is_deep": start > 1,
        "today": today,
    }
    return render(request, "cases/waitinglist_view.html", context)
