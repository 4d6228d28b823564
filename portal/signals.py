"""Receivers of the portal app (connected in ``PortalConfig.ready``)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .middleware import session_started
from .models import User


@receiver(user_logged_in)
def _start_session_clock(sender, request, user, **kwargs) -> None:
    """The idle and absolute timeouts count from the sign-in."""
    if request is not None and hasattr(request, "session"):
        session_started(request.session)


@receiver(pre_save, sender=User)
@receiver(pre_save, sender=EmailAddress)
def _lower_case_email(sender, instance, **kwargs) -> None:
    """E-mail addresses are stored in lower case, as allauth looks them up (issue #18: staff
    invited as "Jan.De.Vries@Gemeente.NL" could not sign in), whichever way they are saved:
    the staff invitation, the Django admin, the demo data, allauth itself."""
    if instance.email:
        instance.email = instance.email.strip().lower()
    if sender is User and not instance.email:
        instance.email = None  # a DigiD account without an address: NULL, never "" (unique)
