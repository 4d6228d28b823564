"""The forms of correction requests: the citizen's request and the consultant's answer.
Forms check shape; ``services`` apply the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CorrectionRequestForm(forms.Form):
    what_is_wrong = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example: my date of birth is wrong."),
        error_messages={"required": _("Write what is wrong.")},
    )
    what_it_should_be = forms.CharField(
        label=_("What should it be?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example: my date of birth is 3 May 2008."),
        error_messages={"required": _("Write what it should be.")},
    )


class CorrectionAnswerForm(forms.Form):
    """Granted or refused, the answer the citizen reads, and (granted) the person's details
    corrected here; other data are corrected on the pages that edit them."""

    granted = forms.TypedChoiceField(
        label=_("Your answer"),
        choices=[
            ("yes", _("Granted: the data are corrected")),
            ("no", _("Refused: the data stay as they are")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you grant or refuse the request.")},
    )
    answer = forms.CharField(
        label=_("Answer to the applicant"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The applicant reads this. Say what you corrected, or why you do not correct it "
            "and that they can object to that."
        ),
        error_messages={"required": _("Write the answer to the applicant.")},
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={"invalid": _("Enter a date, for example 15-03-2008.")},
    )
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False)

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("A date of birth cannot be in the future."))
        return value
