from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The benchmark for councils (issue #23): its own app, so that nothing in the case domain
    imports it (its models are not registered through ``cases.models``)."""

    name = "cases.reports"
    label = "reports"
    verbose_name = _("Reports")
