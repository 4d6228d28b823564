from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.forms import CsvImportForm


class LabourForceImportForm(CsvImportForm):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2015,
        max_value=2100,
        initial=lambda: timezone.localdate().year,
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "The CBS StatLine export of the labour force per municipality, with the region "
            "codes (GM…). Separated by a semicolon or a comma."
        ),
    )
