from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import mfa, signals  # noqa: F401  (connect their receivers)
        from .oidc import session  # noqa: F401
