"""Forms of the municipal administration pages. They only collect and clean input; the
services decide and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.choices import ProvisionKind
from portal.models import Role

from . import services, themes
from .models import (
    CONTACT_FIELDS,
    EMPLOYER_FIELDS,
    LABOUR_MARKET_REGIONS,
    VERORDENING_FIELDS,
    ChainAgreement,
    ChainPartner,
    Employer,
    Municipality,
    Theme,
    Verordening,
)
from .quota_import import MAX_BYTES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VerordeningForm(forms.ModelForm):
    provision_kinds = forms.MultipleChoiceField(
        label=_("Provisions offered"),
        choices=ProvisionKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "The consultant records these as paid by the municipality. Describe them above."
        ),
    )

    class Meta:
        model = Verordening
        fields = list(VERORDENING_FIELDS)
        widgets = {
            "in_force_from": DATE_INPUT,
            "discussed_with_target_group_on": DATE_INPUT,
            "provisions": forms.Textarea(attrs={"rows": 3}),
            "provisions_until_employment": forms.Textarea(attrs={"rows": 3}),
            "provisions_while_waiting": forms.Textarea(attrs={"rows": 3}),
            "ordering_rule": forms.RadioSelect,
        }
        help_texts = {
            "in_force_from": _("Today or later. Earlier cases keep the version of their date."),
            "discussed_with_target_group_on": _(
                "Required: the council decides only after this discussion."
            ),
            "provisions": _("For example guidance, workplace adaptation, transport."),
            "additional_places_per_year": _(
                "Places beyond the ministerial regulation. Leave at 0 if none are offered."
            ),
            "ordering_rule": _(
                "Decides who gets an additional place first. Use “Show the order” to see "
                "the result on today's candidates before you save."
            ),
            "decision_term_weeks": _("Weeks the college has to decide after an advice."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["additional_places_per_year"].required = False
        self.fields["advice_review_months"].required = False
        for name, (low, high) in services.VERORDENING_NUMBER_LIMITS.items():
            self.fields[name].widget.attrs.update(min=low, max=high)
        if self.instance.pk is not None:
            # A version not in force yet must stay so (services.check_verordening_version).
            self.fields["in_force_from"].help_text = _(
                "A date after today. Earlier cases keep the version of their date."
            )

    def clean_additional_places_per_year(self):
        return self.cleaned_data.get("additional_places_per_year") or 0

    def clean_advice_review_months(self):
        value = self.cleaned_data.get("advice_review_months")
        return rules.ADVICE_REVIEW_MONTHS if value is None else value

    def clean(self):
        data = super().clean()
        try:
            services.check_verordening_numbers(data)
        except ValidationError as error:
            self.add_error(None, error)
        return data

    def _post_clean(self):
        # The service checks the rules and the database constraints; a model-level
        # validate_constraints here would double the queries and the messages.
        pass


class QuotaForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2015, max_value=2100)
    places = forms.DecimalField(
        label=_("Number of places"),
        min_value=1,
        max_digits=8,
        decimal_places=2,
        help_text=_("The cumulative number of places to realise by the end of the year."),
    )


class WageSubsidyYearForm(forms.Form):
    """DOMAIN §6.3: how the municipality computes the wage subsidy in a year."""

    year = forms.IntegerField(label=_("Year"), min_value=2015, max_value=2100)
    flat_rate = forms.TypedChoiceField(
        label=_("How is the wage subsidy computed?"),
        choices=[
            (
                "measured",
                # xgettext:no-python-format
                _("Measure the wage value: the gap to the minimum wage, at most 70% of it"),
            ),
            (
                "flat",
                # xgettext:no-python-format
                _("Flat rate: 68% of the minimum wage, without measuring the wage value"),
            ),
        ],
        coerce=lambda value: value == "flat",
        widget=forms.RadioSelect,
        help_text=_(
            "The government plans the flat rate from 2027 at the earliest; it needs a change "
            "in the law. It applies to the wage subsidy of every job your municipality pays "
            "for in that year."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("flat_rate") and data.get("year") is not None:
            try:
                rules.check_flat_rate_year(data["year"])
            except rules.RuleViolation as violation:
                self.add_error("flat_rate", str(violation))
        return data


class CsvImportForm(forms.Form):
    """The upload step of an import: a CSV file of at most 1 MB, cleaned to its text. Each
    import adds its year and describes its columns in ``file``'s help text."""

    file = forms.FileField(label=_("CSV file"))

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


class CsvImportConfirmForm(forms.Form):
    """The confirmation step of an import: the checked file travels back with it; it is
    checked again on apply."""

    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2015, max_value=2100)
    content = forms.CharField(widget=forms.HiddenInput, strip=False)


class QuotaImportForm(CsvImportForm):
    year = forms.IntegerField(
        label=_("Year of the regulation"),
        min_value=2015,
        max_value=2100,
        initial=lambda: timezone.localdate().year + 1,
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Three columns with a header row: CBS code, municipality, number of places. "
            "Separated by a semicolon or a comma."
        ),
    )


class EmployerForm(forms.ModelForm):
    class Meta:
        model = Employer
        fields = list(EMPLOYER_FIELDS)
        widgets = {"kind": forms.RadioSelect, "address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons need no empty "---------" choice: none is chosen until one is.
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != ""]

    def _post_clean(self):
        pass


class InviteStaffForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Role.CONSULTANT.value, Role.CONSULTANT.label),
            (Role.MUNICIPAL_ADMIN.value, Role.MUNICIPAL_ADMIN.label),
        ],
        widget=forms.RadioSelect,
        initial=Role.CONSULTANT.value,
    )


class ContactForm(forms.ModelForm):
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Municipality
        fields = list(CONTACT_FIELDS)
        widgets = {
            "letterhead": forms.Textarea(attrs={"rows": 2}),
            "postal_address": forms.Textarea(attrs={"rows": 3}),
            "objection_address": forms.Textarea(attrs={"rows": 4}),
            "contact_text": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self):
        pass


def _colour(name: str) -> forms.CharField:
    field = Theme._meta.get_field(name)
    return forms.CharField(
        label=field.verbose_name.capitalize(),
        max_length=7,
        help_text=field.help_text or _("A colour as # and six characters, such as #01689b."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ThemeForm(forms.Form):
    """The theme's colours, fonts and logo. ``services.update_theme`` checks the colours
    (and their contrast) and the logo."""

    primary_color = _colour("primary_color")
    primary_text_color = _colour("primary_text_color")
    header_background_color = _colour("header_background_color")
    header_text_color = _colour("header_text_color")
    link_color = _colour("link_color")
    heading_color = _colour("heading_color")
    font = forms.ChoiceField(label=_("Font"), choices=themes.Font.choices)
    heading_font = forms.ChoiceField(label=_("Font of headings"), choices=themes.Font.choices)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "A PNG or JPEG image. It is shown in the top bar, so choose a version that can "
            "be seen well on the colour of the bar."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args, has_logo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_logo:
            del self.fields["remove_logo"]


class RegionForm(forms.Form):
    labour_market_region = forms.ChoiceField(
        label=_("Labour-market region"),
        choices=[("", _("No region chosen"))] + [(name, name) for name in LABOUR_MARKET_REGIONS],
        required=False,
        help_text=_("The region in which your municipality works together with UWV."),
    )


class UwvAgreementForm(forms.Form):
    """Pw art. 7(7): the municipality's agreement with UWV about the waiting list. A plain form
    with the model's fields: ``services.update_uwv_agreement`` validates and saves."""

    uwv_agreement_from = Municipality._meta.get_field("uwv_agreement_from").formfield(
        widget=DATE_INPUT
    )
    uwv_agreement_description = Municipality._meta.get_field("uwv_agreement_description").formfield(
        widget=forms.Textarea(attrs={"rows": 4})
    )


class ChainAgreementForm(forms.ModelForm):
    class Meta:
        model = ChainAgreement
        fields = ["title", "concluded_on", "ends_on", "description", "regional_waiting_list"]
        widgets = {
            "concluded_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        data = super().clean()
        concluded_on, ends_on = data.get("concluded_on"), data.get("ends_on")
        if concluded_on and ends_on and ends_on < concluded_on:
            self.add_error("ends_on", _("The end date cannot be before the date it was concluded."))
        if data.get("regional_waiting_list") and not concluded_on:
            self.add_error(
                "concluded_on",
                _("Fill in the date the agreement was concluded: it counts from that day."),
            )
        return data

    def _post_clean(self):
        pass


class ChainPartnerForm(forms.ModelForm):
    class Meta:
        model = ChainPartner
        fields = ["name", "kind", "role"]
        widgets = {"role": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass


class ChainTargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2015, max_value=2100)
    target_places = forms.IntegerField(
        label=_("Target number of places"), min_value=0, max_value=100_000
    )
