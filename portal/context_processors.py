import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Role
from .permissions import role_of

#: The menu per role: (label, URL name). Only pages the role may open. Each feature adds its
#: own entries here.
MENU: dict[Role | None, list[tuple[str, str]]] = {
    None: [],
    Role.CITIZEN: [(_("My applications"), "citizen:case_list"), (_("My data"), "citizen:my_data")],
    Role.CONSULTANT: [
        (_("Dashboard"), "work:dashboard"),
        (_("Work list"), "work:case_list"),
        (_("Waiting list"), "work:waiting_list"),
        (_("Waiting in the region"), "work:regional_waiting"),
        (_("Correction requests"), "work:correction_list"),
    ],
    Role.MUNICIPAL_ADMIN: [(_("Municipal administration"), "manage:index")],
    Role.UWV_ASSESSOR: [(_("Advice requests"), "uwv:queue")],
    Role.OPERATOR: [
        (_("Administration (Django admin)"), "admin:index"),
        (_("Municipal administration"), "manage:index"),
    ],
}


@functools.lru_cache(maxsize=64)
def _menu(role: Role | None, language: str | None, prefix: str) -> tuple[tuple[str, str], ...]:
    """The menu of a role in a language, reversed once (it is on every page)."""
    items = [(str(_("Home page")), reverse("home"))]
    items += [(str(label), reverse(name)) for label, name in MENU.get(role, [])]
    if role is not None:
        items.append((str(_("My account")), reverse("account_email")))
    return tuple(items)


#: The layout's stylesheets, in cascade order: the NL Design System's components (by class
#: and for bare HTML elements) and its neutral example tokens, vendored from npm
#: (scripts/vendor_nlds.sh), then the portal's own layout and the mapping of its theme
#: properties onto those tokens. A municipality's theme follows them (base.html).
STYLESHEETS = (
    "vendor/nlds/voorbeeld-design-tokens/theme.css",
    "vendor/nlds/utrecht-component-library-css/index.css",
    "vendor/nlds/utrecht-component-library-css/html.css",
    "css/portal.css",
)


@functools.lru_cache(maxsize=8)
def _assets(static_url: str) -> dict:
    """The layout's stylesheets and script (hashed names in production), looked up once."""
    return {
        "portal_stylesheets": tuple(static(name) for name in STYLESHEETS),
        "portal_js": static("js/portal.js"),
        "portal_favicon": static("favicon.ico"),
    }


def navigation(request):
    """The menu a user sees (only the pages their role may open) and the layout's assets."""
    role = role_of(request.user) if hasattr(request, "user") else None
    return {
        "nav_items": _menu(role, get_language(), get_script_prefix()),
        "current_role": role,
        # Professionals work in tables: their pages use the width of the screen.
        "wide_layout": role is not None and role is not Role.CITIZEN,
        **_assets(settings.STATIC_URL),
    }
