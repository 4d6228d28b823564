import logging

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from .permissions import is_staff_role

SESSION_KEY = "portal_staff_mfa_ok"
logger = logging.getLogger(__name__)


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


class RequestBodyLimitMiddleware:
    """Refuse a request body over ``UPLOAD_MAX_REQUEST_BYTES`` before anything reads it: 413
    with a Dutch page. Django reads no more than the declared length, so a lying length cannot
    smuggle in more; ``portal.uploads`` caps each file part as it arrives. (What becomes of
    the unread body is the server's: WSGI lets an application set no ``Connection`` header.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then
        limit = settings.UPLOAD_MAX_REQUEST_BYTES
        if length <= limit:
            return self.get_response(request)
        logger.warning(
            "request body of %d bytes refused (limit %d): %s", length, limit, request.path
        )
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = render(
                request,
                "413.html",
                {"max_megabytes": max(1, settings.DOCUMENT_MAX_BYTES // (1024 * 1024))},
                status=413,
            )
        return response
