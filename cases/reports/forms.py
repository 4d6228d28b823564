from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.quota_import import MAX_BYTES


class LabourForceImportForm(forms.Form):
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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 1 MB)."))
        data = upload.read()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file cannot be read. Save it as CSV in UTF-8.")
            ) from None


class LabourForceConfirmForm(forms.Form):
    """The checked file travels back with the confirmation; it is checked again on apply."""

    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2015, max_value=2100)
    content = forms.CharField(widget=forms.HiddenInput, strip=False)
