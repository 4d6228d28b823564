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
        return municipality_sees_application_content(
            is_direct=is_direct, advice_issued=advice_issued
        )
    return False


def municipality_sees_application_content(*, is_direct: bool, advice_issued: bool) -> bool:
    """The municipality's part of ``can_see_application_content``."""
    return not is_direct or advice_issued


# -- the conversations and documents of a case (issue #22) ---------------------------------
# Sides and conversations are the values of ``cases.choices.Side`` and ``MessageThread``.

APPLICANT, MUNICIPALITY, UWV = "applicant", "municipality", "uwv"


def side_of(user: User | AnonymousUser) -> str | None:
    """The side a user takes part in a case's conversations for (None: no part)."""
    role = role_of(user)
    if role is Role.CITIZEN:
        return APPLICANT
    if role in MUNICIPAL_ROLES:
        return MUNICIPALITY
    if role is Role.UWV_ASSESSOR:
        return UWV
    return None


def can_see_message(
    user: User | AnonymousUser,
    *,
    thread: str,
    sender_side: str,
    visible_to_applicant: bool,
    application_content: bool,
) -> bool:
    """The municipality takes part in both conversations; UWV only in its own; the applicant
    in theirs and in UWV's messages meant for them. In UWV's conversation the applicant's part
    (UWV's questions meant for them, their answers) is the application's content: the
    municipality sees it once it may see that content (``application_content``:
    ``can_see_application_content``), and its own messages always."""
    return side_sees_message(
        side_of(user),
        thread=thread,
        sender_side=sender_side,
        visible_to_applicant=visible_to_applicant,
        application_content=application_content,
    )


def side_sees_message(
    side: str | None,
    *,
    thread: str,
    sender_side: str,
    visible_to_applicant: bool,
    application_content: bool,
) -> bool:
    """``can_see_message`` for a side (``side_of``) rather than one user: whom a new message
    is told to."""
    if side == MUNICIPALITY:
        if thread != UWV or sender_side == MUNICIPALITY or application_content:
            return True
        return sender_side == UWV and not visible_to_applicant
    if side == UWV:
        return thread == UWV
    return side == APPLICANT and visible_to_applicant


def can_post_message(user: User | AnonymousUser, thread: str) -> bool:
    """Who may write in a conversation (on a case they may see): the municipality and the
    applicant in the applicant's; UWV, the municipality and (answering a question meant for
    them) the applicant in UWV's."""
    side = side_of(user)
    if thread == APPLICANT:
        return side in (APPLICANT, MUNICIPALITY)
    return side in (APPLICANT, MUNICIPALITY, UWV)


def can_add_document(user: User | AnonymousUser) -> bool:
    """Staff add documents to the cases they may see: the municipality's consultants and
    administrators, and UWV assessors."""
    return side_of(user) in (MUNICIPALITY, UWV)


def can_see_document(
    user: User | AnonymousUser,
    *,
    added_by_side: str,
    visible_to_applicant: bool,
    visible_to_uwv: bool,
    application_content: bool,
    message_visible: bool | None = None,
) -> bool:
    """The applicant sees what is meant for them, UWV what is shared with it. The municipality
    sees its own documents and the attachments of the messages it may see
    (``message_visible``: ``can_see_message`` of the document's message; None for a document
    that is no attachment); the others (the application's documents, UWV's) once it may see
    the application's content (``application_content``: ``can_see_application_content``)."""
    side = side_of(user)
    if side == APPLICANT:
        return visible_to_applicant
    if side == UWV:
        return visible_to_uwv
    if side == MUNICIPALITY:
        if message_visible is not None:
            return message_visible
        return added_by_side == MUNICIPALITY or application_content
    return False
