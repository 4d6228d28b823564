"""Who may see and do what: the one place that decides.

Views, selectors and templates all ask these functions; none of them compares roles itself.
Objects of another municipality are not *forbidden* but *not found*: ``scope_to_user`` leaves
them out, so a lookup through it answers 404 and never shows their data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from .models import MUNICIPAL_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

M = TypeVar("M", bound=Model)


def role_of(user: User | AnonymousUser) -> Role | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return Role(user.role)


def has_role(user: User | AnonymousUser, *roles: Role) -> bool:
    return role_of(user) in roles


def is_staff_role(user: User | AnonymousUser) -> bool:
    """Staff roles work with other people's data and must use a second factor."""
    return role_of(user) in STAFF_ROLES


def is_municipal(user: User | AnonymousUser) -> bool:
    return role_of(user) in MUNICIPAL_ROLES


def can_manage_municipality(user: User | AnonymousUser, municipality_id: int) -> bool:
    """Configure a municipality (verordening, quota, employers, staff)."""
    role = role_of(user)
    if role is Role.OPERATOR:
        return True
    return role is Role.MUNICIPAL_ADMIN and user.municipality_id == municipality_id


def can_work_cases_of(user: User | AnonymousUser, municipality_id: int) -> bool:
    """Work the caseload (decisions, placements, waiting list) of a municipality."""
    role = role_of(user)
    return role in MUNICIPAL_ROLES and user.municipality_id == municipality_id


def can_create_staff(user: User | AnonymousUser, role: Role, municipality_id: int | None) -> bool:
    """Staff never self-register: an operator creates anyone, an administrator only the
    consultants and administrators of their own municipality."""
    actor = role_of(user)
    if actor is Role.OPERATOR:
        return True
    return (
        actor is Role.MUNICIPAL_ADMIN
        and role in MUNICIPAL_ROLES
        and municipality_id is not None
        and municipality_id == user.municipality_id
    )


def scope_to_user(
    queryset: QuerySet[M],
    user: User | AnonymousUser,
    *,
    municipality_field: str | None = "municipality",
) -> QuerySet[M]:
    """Only the rows of the user's own municipality; nothing for roles without one.

    ``municipality_field=None`` scopes a queryset of municipalities itself.
    Operators see everything (they use the Django admin). Citizens and UWV assessors are scoped
    by their own selectors (own cases; cases sent to UWV), so here they get nothing.
    """
    role = role_of(user)
    if role is Role.OPERATOR:
        return queryset
    if role in MUNICIPAL_ROLES:
        lookup = f"{municipality_field}_id" if municipality_field else "pk"
        return queryset.filter(**{lookup: user.municipality_id})
    return queryset.none()


def role_required(*roles: Role) -> Callable:
    """View decorator: the signed-in user must have one of ``roles`` (else 403).

    Sign-in itself is enforced by ``login_required``, applied first.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def can_see_application_content(
    user: User | AnonymousUser, *, is_direct: bool, advice_issued: bool
) -> bool:
    """DOMAIN, actors (004 §5): when a person applies directly to UWV, the municipality learns
    only that an application exists. Its staff see the substantive content (help needed,
    needs, documents) once UWV has issued the advice. UWV assessors always see it."""
    role = role_of(user)
    if role is Role.UWV_ASSESSOR or role is Role.OPERATOR:
        return True
    if role in MUNICIPAL_ROLES:
        return not is_direct or advice_issued
    return False
