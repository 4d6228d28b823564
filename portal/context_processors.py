from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role
from .permissions import role_of


def navigation(request):
    """The menu a user sees: only the pages their role may open."""
    role = role_of(getattr(request, "user", None)) if hasattr(request, "user") else None
    items = [(_("Home page"), reverse("home"))]
    if role is Role.OPERATOR:
        items.append((_("Administration (Django admin)"), reverse("admin:index")))
    if role is not None:
        items.append((_("My account"), reverse("account_email")))
    return {"nav_items": items, "current_role": role}
