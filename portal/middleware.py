import datetime
import logging
import time
from dataclasses import dataclass

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext

from .permissions import is_staff_role

logger = logging.getLogger(__name__)

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


# -- sessions: idle and absolute timeout (issue #18) ----------------------------------------

#: Session keys: when the user last did something, and when they signed in (Unix seconds).
LAST_ACTIVITY_KEY = "portal_last_activity"
SIGNED_IN_AT_KEY = "portal_signed_in_at"
#: The activity time is written at most this often (seconds): a session write costs a query.
ACTIVITY_WRITE_INTERVAL = 60


def session_started(session) -> None:
    """Mark a session as just signed in (``user_logged_in``)."""
    now = int(time.time())
    session[SIGNED_IN_AT_KEY] = now
    session[LAST_ACTIVITY_KEY] = now


class SessionTimeoutMiddleware:
    """Signs a user out after ``SESSION_IDLE_TIMEOUT`` seconds without a request (everyone,
    the DigiD norm of 15 minutes) and staff after ``SESSION_ABSOLUTE_TIMEOUT_STAFF`` seconds
    since they signed in, whatever they do. The sign-in page then says why.

    Every page shows when the session ends (``request.session_ends_at``, see
    ``components/session_notice.html``), so the warning needs no JavaScript. Runs after the
    message middleware, which carries the reason to the sign-in page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            session = request.session
            idle = settings.SESSION_IDLE_TIMEOUT
            last = session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last >= idle:
                return self._sign_out(request, _idle_message(idle))
            ends_at = None
            if is_staff_role(user):
                absolute = settings.SESSION_ABSOLUTE_TIMEOUT_STAFF
                started = session.setdefault(SIGNED_IN_AT_KEY, now)
                if now - started >= absolute:
                    return self._sign_out(request, _absolute_message(absolute))
                ends_at = started + absolute
            if last is None or now - last >= ACTIVITY_WRITE_INTERVAL:
                session[LAST_ACTIVITY_KEY] = last = now
            idle_ends_at = last + idle
            absolute_first = ends_at is not None and ends_at <= idle_ends_at
            end = ends_at if absolute_first else idle_ends_at
            request.session_ends_at = SessionEnd(
                at=datetime.datetime.fromtimestamp(end, tz=datetime.UTC),
                seconds_left=end - now,
                absolute=absolute_first,
            )
        return self.get_response(request)

    def _sign_out(self, request, message: str):
        next_url = request.get_full_path() if request.method == "GET" else request.path
        logout(request)
        messages.warning(request, message)
        return redirect_to_login(next_url)


@dataclass(frozen=True)
class SessionEnd:
    """When the session of the current request ends without further activity."""

    at: datetime.datetime
    seconds_left: int
    #: True when it ends because staff may stay signed in only so long (activity won't help).
    absolute: bool


def _idle_message(seconds: int) -> str:
    minutes = max(1, seconds // 60)
    return ngettext(
        "You have been signed out because you did nothing for %(minutes)d minute. "
        "Sign in again to continue.",
        "You have been signed out because you did nothing for %(minutes)d minutes. "
        "Sign in again to continue.",
        minutes,
    ) % {"minutes": minutes}


def _absolute_message(seconds: int) -> str:
    hours = max(1, seconds // 3600)
    return ngettext(
        "You have been signed out because you were signed in for %(hours)d hour. "
        "Sign in again to continue.",
        "You have been signed out because you were signed in for %(hours)d hours. "
        "Sign in again to continue.",
        hours,
    ) % {"hours": hours}


# -- caching: personal data never in a browser's or proxy's cache (issue #18) ---------------


class NeverCachePrivateMiddleware:
    """``Cache-Control: no-store`` (Django's ``add_never_cache_headers``) on every response
    to a signed-in user (a page, an export, a document) unless its view marked it ``public``
    (a municipality's theme, the same for everyone), and on every response that sets a
    cookie: the session's, or the CSRF cookie, which every page with a form sets. Static files
    never get here: WhiteNoise answers them before this middleware.

    Listed before the session and CSRF middleware, so it sees the cookies they set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies:
            add_never_cache_headers(response)
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _public(response):
            add_never_cache_headers(response)
        return response


def _public(response) -> bool:
    """The view marked its response the same for everyone (a municipality's theme)."""
    directives = response.get("Cache-Control", "").split(",")
    return "public" in (directive.strip().lower() for directive in directives)


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
