import datetime as dt

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.views.generic import RedirectView

from municipalities.selectors import public_contacts

from .permissions import role_of


def home(request):
    """The public start page; once signed in, the overview for the user's role."""
    role = role_of(request.user)
    if role is None:
        return render(request, "portal/home.html")
    return render(request, "portal/overview.html", {"role": role})


def favicon(request):
    """``/favicon.ico``, which browsers ask for on their own: the static icon."""
    return RedirectView.as_view(url=static("favicon.ico"), permanent=True)(request)


#: When the accessibility statement was last drawn up (change it with the statement).
ACCESSIBILITY_STATEMENT_ON = dt.date(2026, 12, 6)


def static_page(request, template: str):
    """A public page of plain text (privacy, accessibility) with the portal's contact."""
    return render(
        request,
        template,
        {
            "portal_email": settings.PORTAL_CONTACT_EMAIL,
            "statement_on": ACCESSIBILITY_STATEMENT_ON,
        },
    )


def contact(request):
    """How to reach the municipalities, UWV and the portal's administrators."""
    return render(
        request,
        "portal/contact.html",
        {"portal_email": settings.PORTAL_CONTACT_EMAIL, "municipalities": public_contacts()},
    )
