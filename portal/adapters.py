from allauth.account.adapter import DefaultAccountAdapter

from .models import Role


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is for citizens only: staff accounts are created by an administrator or operator."""

    def save_user(self, request, user, form, commit=True):
        user.role = Role.CITIZEN
        user.municipality = None
        user.is_staff = False
        user.is_superuser = False
        return super().save_user(request, user, form, commit=commit)
