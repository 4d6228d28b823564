"""The consultants' pages for correction requests (AVG art. 16): the list of their
municipality's requests and the page to answer one. Thin: a selector fetches (404 outside the
municipality), a form checks shape, the service acts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.audit.trail import origin_of, record_view
from cases.choices import TermState
from portal.models import Role
from portal.permissions import role_required

from . import selectors, services
from .forms import CorrectionAnswerForm
from .models import CorrectionRequest


def term_state(correction: CorrectionRequest, today) -> TermState:
    """The one-month term of AVG art. 12(3) as every term is shown (``{% term_status %}``)."""
    if correction.state != CorrectionRequest.State.OPEN:
        return TermState.MET
    return TermState.OVERDUE if today > correction.due_on else TermState.RUNNING


def municipal_view(view):
    return login_required(role_required(Role.CONSULTANT, Role.MUNICIPAL_ADMIN)(view))


@municipal_view
@require_GET
def correction_list(request):
    open_requests, answered = selectors.correction_requests_for_work(request.user)
    today = timezone.localdate()
    for correction in open_requests:
        correction.term_state = term_state(correction, today)
    return render(
        request,
        "cases/correction_list.html",
        {"open_requests": open_requests, "answered": answered},
    )


@municipal_view
@require_http_methods(["GET", "POST"])
def correction_answer(request, pk: int):
    correction = selectors.get_correction_request_for_work(request.user, pk)
    case, person = correction.case, correction.case.person
    is_open = correction.state == CorrectionRequest.State.OPEN
    form = CorrectionAnswerForm(
        request.POST if request.method == "POST" and is_open else None,
        initial={name: getattr(person, name) for name in services.CORRECTABLE_FIELDS},
    )
    if request.method == "POST" and not is_open:
        messages.error(request, _("This request has already been answered."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.answer_correction_request(
                request_id=correction.pk,
                granted=data["granted"],
                answer=data["answer"],
                corrections={name: data[name] for name in services.CORRECTABLE_FIELDS},
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, _("Your answer has been saved. The applicant is told."))
            return redirect("work:correction_list")
    else:
        record_view(actor=request.user, object_type="case", object_id=case.pk, request=request)
    return render(
        request,
        "cases/correction_answer.html",
        {
            "correction": correction,
            "case": case,
            "form": form if is_open else None,
            "term_state": term_state(correction, timezone.localdate()),
        },
        status=400 if request.method == "POST" else 200,
    )
