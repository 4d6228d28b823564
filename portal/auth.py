"""The authentication backends: Django's and allauth's, reading the signed-in user of every
request with one compiled query (``portal.compiled``).

``ModelBackend.get_user`` builds and compiles ``User.objects.get(pk=...)`` on every request;
that cost more than running it, on every page. Everything else (passwords, permissions,
``is_active``) is the backends' own.
"""

from __future__ import annotations

from allauth.account import auth_backends
from django.contrib.auth import backends, get_user_model
from django.db import models

from .compiled import Slot, compiled_values, model_columns


def _user_by_pk():
    user_model = get_user_model()
    return user_model._default_manager.filter(pk=Slot("pk", models.BigIntegerField())).values(
        *model_columns(user_model)
    )


class CompiledUserMixin:
    def get_user(self, user_id):
        found = compiled_values("session_user", _user_by_pk).run_models(
            get_user_model(), pk=user_id
        )
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(CompiledUserMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(CompiledUserMixin, auth_backends.AuthenticationBackend):
    pass
