"""Django's password validators with messages that read well in Dutch.

Django 5.2 words the too-short message with ``%d``, which its Dutch catalogue does not
translate yet (it has the earlier ``%(min_length)d`` wording), and says "lijkt te veel op de
e-mailadres". These subclasses keep Django's checks and give their messages from our own
catalogue.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext, ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return gettext("The password is too similar to your %(verbose_name)s.")
