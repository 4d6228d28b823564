"""The region's waiting list (issue #20): a consultant sees who waits in the other
municipalities of the labour-market region, where both municipalities agreed to share their
waiting lists in a chain agreement in force. Minimal data, and every view is audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from municipalities import selectors as municipality_selectors
from portal.models import Role
from portal.permissions import role_required

from .audit.trail import record_view


@login_required
@role_required(Role.CONSULTANT)
@require_GET
def regional_waiting(request):
    today = timezone.localdate()
    groups = municipality_selectors.regional_waiting(request.user, today)
    for group in groups:
        record_view(
            actor=request.user,
            object_type="regional_waiting_list",
            object_id=group.municipality.pk,
            request=request,
        )
    return render(
        request,
        "cases/region_waiting.html",
        {
            "groups": groups,
            "region": request.user.municipality.labour_market_region,
            "today": today,
        },
    )
