"""A TOTP code works once (issue #18).

allauth remembers a used code in the cache for one 30-second period, while it accepts the codes
of the previous and next period too (``MFA_TOTP_TOLERANCE = 1``): the same code then worked
again after 32 and 63 seconds, and after a cache restart. Here the time step (counter) of the
last accepted code is kept on the authenticator itself, in the database, and a code is accepted
only if its step comes after that one. The check and the update run under a row lock, so two
requests with the same code cannot both pass.

The forms replace allauth's (``MFA_FORMS``) and keep its rate limit, signals and messages.
"""

from __future__ import annotations

from allauth.core import context
from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as base_forms
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver

#: Key in ``Authenticator.data`` of the time step of the last accepted code.
LAST_STEP = "portal_last_step"


def matching_step(secret: str, code: str) -> int | None:
    """The time step within the tolerance window whose code is ``code``, if any."""
    for step in yield_hotp_counters_from_time():
        if compare_user_code(actual=code, expected=format_hotp_value(hotp_value(secret, step))):
            return step
    return None


def use_totp_code(authenticator: Authenticator, code: str) -> bool:
    """Accept ``code`` for a TOTP authenticator once: never a code of the same or an earlier
    time step than the last one accepted."""
    step = matching_step(decrypt(authenticator.data["secret"]), code)
    if step is None:
        return False
    with transaction.atomic():
        locked = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        last = locked.data.get(LAST_STEP)
        if last is not None and step <= last:
            return False
        locked.data[LAST_STEP] = step
        locked.save(update_fields=["data"])
    authenticator.data = locked.data
    return True


class SingleUseCodeMixin:
    """allauth's ``BaseAuthenticateForm.clean_code``, with TOTP codes checked by
    ``use_totp_code`` instead of allauth's cache."""

    def clean_code(self) -> str:
        clear_rl = check_rate_limit(self.user)
        code = self.cleaned_data["code"]
        main_auth: Authenticator | None = None
        for auth in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if not main_auth or auth.type == Authenticator.Type.TOTP:
                main_auth = auth
            if auth.type == Authenticator.Type.TOTP:
                valid = use_totp_code(auth, code)
            else:
                valid = auth.wrap().validate_code(code)
            if valid:
                auth.user = self.user
                self.authenticator = auth
                clear_rl()
                return code
        if main_auth:
            self._emit_authentication_failed(main_auth)
        raise get_adapter().validation_error("incorrect_code")


class AuthenticateForm(SingleUseCodeMixin, base_forms.AuthenticateForm):
    pass


class ReauthenticateForm(SingleUseCodeMixin, base_forms.ReauthenticateForm):
    pass


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    """The code that sets up the authenticator counts as used: it does not work again to sign
    in with."""

    def clean_code(self) -> str:
        code = super().clean_code()
        if context.request is not None:
            context.request.portal_totp_step = matching_step(self.secret, code)
        return code


@receiver(pre_save, sender=Authenticator)
def _remember_activation_step(sender, instance, **kwargs) -> None:
    """A new TOTP authenticator starts with the step of the code that set it up."""
    request = context.request
    step = getattr(request, "portal_totp_step", None) if request is not None else None
    if instance._state.adding and instance.type == Authenticator.Type.TOTP and step is not None:
        instance.data.setdefault(LAST_STEP, step)
