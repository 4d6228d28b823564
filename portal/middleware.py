from allauth.mfa.utils import is_mfa_enabled
from django.shortcuts import redirect
from django.urls import reverse

from .permissions import is_staff_role

SESSION_KEY = "portal_staff_mfa_ok"


class StaffMFARequiredMiddleware:
    """Every staff role must have a second factor (TOTP) before it may do anything.

    A staff member without one is sent to the page that sets it up; only that page, the
    recovery-code pages, log-out and static files stay reachable. Once a factor exists, the
    allauth login flow asks for it at every sign-in; the check is then remembered for the
    session so it costs no query per request.
    """

    allowed_prefixes = (
        "/account/2fa/",
        "/account/reauthenticate/",
        "/account/logout/",
        "/static/",
        "/healthz",
        "/readyz",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and is_staff_role(user)
            and not request.session.get(SESSION_KEY)
            and not request.path.startswith(self.allowed_prefixes)
        ):
            if not is_mfa_enabled(user):
                return redirect(reverse("mfa_activate_totp"))
            request.session[SESSION_KEY] = True
        return self.get_response(request)
