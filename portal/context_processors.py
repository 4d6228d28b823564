from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role
from .permissions import role_of

#: The menu per role: (label, URL name). Only pages the role may open. Each feature adds its
#: own entries here.
MENU: dict[Role | None, list[tuple[str, str]]] = {
    None: [],
    Role.CITIZEN: [(_("My applications"), "citizen:case_list")],
    Role.CONSULTANT: [
        (_("Dashboard"), "work:dashboard"),
        (_("Work list"), "work:case_list"),
        (_("Waiting list"), "work:waiting_list"),
    ],
    Role.MUNICIPAL_ADMIN: [(_("Municipal administration"), "manage:index")],
    Role.UWV_ASSESSOR: [(_("Advice requests"), "uwv:queue")],
    Role.OPERATOR: [
        (_("Administration (Django admin)"), "admin:index"),
        (_("Municipal administration"), "manage:index"),
    ],
}


def navigation(request):
    """The menu a user sees: only the pages their role may open."""
    role = role_of(request.user) if hasattr(request, "user") else None
    items = [(_("Home page"), reverse("home"))]
    items += [(label, reverse(name)) for label, name in MENU.get(role, [])]
    if role is not None:
        items.append((_("My account"), reverse("account_email")))
    return {"nav_items": items, "current_role": role}
