"""allauth's account forms, where the portal needs more than its settings (``ACCOUNT_FORMS``)."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    """Sign-up for an address that has an account makes no account: allauth mails the address
    instead (``ACCOUNT_PREVENT_ENUMERATION``) and shows the same page. Its answer would come
    much faster, though, as only a new account's password is hashed. Hash the submitted
    password in that case too, so that the time tells the two apart no more.
    ``scripts/measure_signup_timing.py`` measures both."""

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
