"""Reads of correction requests, already scoped to the user: a consultant or administrator
sees those of their own municipality's cases, a citizen their own; 404 for anything else."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.models import Role
from portal.permissions import role_of, scope_to_user

from .models import CorrectionRequest

#: How many answered requests the consultants' list shows after the open ones.
ANSWERED_SHOWN = 50


def _for_municipality(user) -> QuerySet[CorrectionRequest]:
    return scope_to_user(
        CorrectionRequest.objects.select_related("case", "case__person"),
        user,
        municipality_field="case__municipality",
    )


def correction_requests_for_work(user) -> tuple[list, list]:
    """The open requests of the user's municipality, the one due first at the top, and the
    latest answered ones."""
    requests = _for_municipality(user)
    open_requests = list(
        requests.filter(state=CorrectionRequest.State.OPEN).order_by("due_on", "id")
    )
    answered = list(
        requests.exclude(state=CorrectionRequest.State.OPEN).order_by("-answered_at", "-id")[
            :ANSWERED_SHOWN
        ]
    )
    return open_requests, answered


def get_correction_request_for_work(user, pk: int) -> CorrectionRequest:
    return get_object_or_404(
        _for_municipality(user).select_related(
            "case__municipality", "case__application", "case__advice"
        ),
        pk=pk,
    )


def correction_requests_for_citizen(user) -> QuerySet[CorrectionRequest]:
    """The requests about the cases of the persons whose account is ``user``."""
    if role_of(user) is not Role.CITIZEN:
        return CorrectionRequest.objects.none()
    return (
        CorrectionRequest.objects.filter(case__person__account=user)
        .select_related("case")
        .order_by("-received_on", "-id")
    )
