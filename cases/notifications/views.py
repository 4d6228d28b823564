"""The in-app inbox: every signed-in user's own notifications (any role), mark as read, and
for staff the e-mail switch per kind. Thin: reads and writes go through
``cases.notifications.dispatch``, which only ever touches the signed-in user's own rows."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.permissions import is_staff_role

from . import dispatch
from .models import NotificationKind, NotificationPreference


class EmailPreferencesForm(forms.Form):
    """One checkbox per kind a staff member can receive: e-mail on or off."""

    def __init__(self, *args, initial_off: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        for kind in sorted(dispatch.STAFF_KINDS):
            self.fields[kind] = forms.BooleanField(
                label=NotificationKind(kind).label,
                required=False,
                initial=kind not in initial_off,
            )


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff = is_staff_role(user)
    form = None
    if staff:
        off = set(
            NotificationPreference.objects.filter(user=user, email=False).values_list(
                "kind", flat=True
            )
        )
        form = EmailPreferencesForm(request.POST or None, initial_off=off)
        if request.method == "POST" and form.is_valid():
            for kind, on in form.cleaned_data.items():
                dispatch.set_email_preference(user=user, kind=kind, email=on)
            messages.success(request, _("Your e-mail settings have been saved."))
            return redirect("notifications:list")
    elif request.method == "POST":
        return redirect("notifications:list")
    items = [
        (notification, dispatch.text_of(notification)) for notification in dispatch.inbox_for(user)
    ]
    unread = sum(1 for notification, _message in items if notification.read_at is None)
    return render(
        request,
        "cases/notification_list.html",
        {"items": items, "unread": unread, "form": form},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None and not dispatch.is_own(request.user, pk):
        raise Http404
    dispatch.mark_read(user=request.user, notification_id=pk)
    return redirect("notifications:list")
