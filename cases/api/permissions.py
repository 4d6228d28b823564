"""Who may call an endpoint: a client acting in the endpoint's role whose token carries the
endpoint's scope. Anything else is refused with 403, as the pages refuse a role (a client
without a valid token gets 401); a case outside the client's scope is not found (404)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from portal.permissions import role_of


class ActsWithScope(BasePermission):
    """The view's ``role`` and, for the request's method, its ``scopes`` (``read``: GET,
    HEAD and OPTIONS; ``write``: the rest)."""

    message = _("This API client may not do this.")

    def has_permission(self, request, view) -> bool:
        user, token = request.user, request.auth
        if not user.is_authenticated or token is None:
            return False
        if role_of(user) is not view.role:
            return False
        scope = (
            view.read_scope if request.method in ("GET", "HEAD", "OPTIONS") else view.write_scope
        )
        if scope is None or not token.allow_scopes([scope]):
            self.message = _("This API client may not do this: it needs the scope %(scope)s.") % {
                "scope": scope or "–"
            }
            return False
        return True
