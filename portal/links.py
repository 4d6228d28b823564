"""Links that leave the portal in a mail or a letter: absolute, on ``PORTAL_BASE_URL``."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str = "/") -> str:
    """``path`` (``/mijn/...``) as the address people use to reach the portal."""
    return f"{settings.PORTAL_BASE_URL}{path if path.startswith('/') else '/' + path}"


def portal_url(viewname: str, *args) -> str:
    """The absolute address of a named page."""
    return absolute_url(reverse(viewname, args=args))


def on_portal(url: str) -> str:
    """An absolute URL built from a request (allauth builds its links that way) moved onto
    ``PORTAL_BASE_URL``: a mail never shows the host that happened to send it."""
    parts = urlsplit(url)
    return absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""))
