"""Forms of the citizen pages: one topic per step, plain language, only what UWV needs."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.choices import ApplicantKind, BenefitKind, CandidateSource
from cases.documents.files import check_upload
from cases.forms import MessageForm
from cases.models import validate_bsn
from municipalities.models import Municipality

#: A Dutch postcode without its space: four digits (not starting with 0), two letters.
POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
DATE_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class DateField(forms.DateField):
    """A date typed as day-month-year: works the same with keyboard, screen reader and without
    JavaScript (no date picker)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Enter the date as day-month-year, for example 15-03-2008."),
            },
        )
        super().__init__(**kwargs)


class StepForm(forms.Form):
    """A step of the application. ``person``: the first name of the person when someone
    applies for another; the step then asks about that person (``ABOUT_PERSON``) instead of
    about "you"."""

    required_css_class = "required"
    #: Field name -> its label, help text and choices that speak about the person, each
    #: with the placeholder %(name)s.
    ABOUT_PERSON: dict = {}

    def __init__(self, *args, person: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.setdefault("required", _("This field is required."))
            if field.required:
                field.error_messages["required"] = _("Please fill in this field.")
        self.person = person
        if person:
            for name, texts in self.ABOUT_PERSON.items():
                field = self.fields[name]
                for attribute, text in texts.items():
                    if attribute == "choices":
                        field.choices = [(key, label % {"name": person}) for key, label in text]
                    else:
                        setattr(field, attribute, text % {"name": person})


class ApplicantForm(StepForm):
    RELATIONSHIPS = [
        ("parent", _("Parent")),
        ("guardian", _("Guardian (voogd)")),
        ("bewindvoerder", _("Administrator (bewindvoerder) or mentor")),
        ("other", _("Other")),
    ]

    applicant_kind = forms.ChoiceField(
        label=_("Who is this application for?"),
        choices=[
            (ApplicantKind.PERSON.value, _("For myself")),
            (
                ApplicantKind.REPRESENTATIVE.value,
                _("For someone else: I am their parent, guardian or administrator"),
            ),
        ],
        widget=forms.RadioSelect,
    )
    representative_name = forms.CharField(
        label=_("Your own name"),
        required=False,
        max_length=200,
        help_text=_("Only if you apply for someone else."),
    )
    representative_relationship = forms.ChoiceField(
        label=_("What are you to this person?"),
        required=False,
        choices=RELATIONSHIPS,
        widget=forms.RadioSelect,
        help_text=_("Only if you apply for someone else."),
    )

    def clean(self):
        data = super().clean()
        if data.get("applicant_kind") == ApplicantKind.REPRESENTATIVE:
            if not (data.get("representative_name") or "").strip():
                self.add_error(
                    "representative_name",
                    _("Fill in your name, because you apply for someone else."),
                )
            if not data.get("representative_relationship"):
                self.add_error(
                    "representative_relationship", _("Choose what you are to this person.")
                )
        return data


class PersonForm(StepForm):
    bsn = forms.CharField(
        label=_("Citizen service number (BSN)"),
        max_length=11,
        help_text=_(
            "9 digits. You can find it on your passport, identity card or health insurance card."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    birth_date = DateField(
        label=_("Date of birth"), help_text=_("Day-month-year, for example 15-03-2008.")
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality where the person lives"),
        queryset=Municipality.objects.none(),
        empty_label=_("Choose a municipality"),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We use this to tell you about the application."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Enter a valid email address, for example naam@voorbeeld.nl.")
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    # Where the decision letter goes (optional: the municipality may know it already).
    letter_street = forms.CharField(
        label=_("Street and house number"),
        max_length=200,
        required=False,
        help_text=_("Where we send letters about the application, such as the decision."),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    letter_postcode = forms.CharField(
        label=_("Postcode"),
        max_length=7,
        required=False,
        help_text=_("For example 1234 AB."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    letter_city = forms.CharField(
        label=_("Place"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )

    def __init__(self, *args, representative: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        if representative:
            self.fields["first_name"].label = _("First name of the person")
            self.fields["last_name"].label = _("Last name of the person")
            self.fields["birth_date"].label = _("Date of birth of the person")
            self.fields["bsn"].label = _("Citizen service number (BSN) of the person")
            self.fields["bsn"].help_text = _(
                "9 digits. You can find it on the person's passport, identity card or health "
                "insurance card."
            )
            self.fields["email"].label = _("Email address for contact")
            self.fields["letter_street"].label = _("Your street and house number")
            self.fields["letter_street"].help_text = _(
                "We send letters about the application, such as the decision, to you."
            )

    def clean_letter_postcode(self):
        value = "".join(self.cleaned_data["letter_postcode"].split()).upper()
        if not value:
            return ""
        if not POSTCODE.fullmatch(value):
            raise forms.ValidationError(_("Enter a postcode like 1234 AB."))
        return f"{value[:4]} {value[4:]}"

    def clean(self):
        data = super().clean()
        address = ("letter_street", "letter_postcode", "letter_city")
        given = [name for name in address if (data.get(name) or "").strip()]
        if given and len(given) < len(address):
            for name in address:
                if name not in given and name not in self.errors:
                    self.add_error(
                        name, _("Fill in the street, postcode and place, or leave all three empty.")
                    )
        return data

    def clean_bsn(self):
        value = "".join(ch for ch in self.cleaned_data["bsn"] if not ch.isspace() and ch != ".")
        validate_bsn(value)
        return value


class SituationForm(StepForm):
    SITUATIONS = [
        ("school", _("I go to school (special secondary or practical education, vso or pro)")),
        ("day_activities", _("I go to day activities (dagbesteding)")),
        ("work", _("I work")),
        ("care", _("I get help from a care or mental-health organisation")),
        ("none", _("None of these")),
    ]
    #: What the citizen does now → the candidate source the municipality reports on (§1.5).
    SOURCE = {
        "school": CandidateSource.SCHOOL,
        "day_activities": CandidateSource.DAY_ACTIVITIES,
        "work": CandidateSource.OTHER,
        "care": CandidateSource.CARE,
        "none": CandidateSource.SELF_REFERRAL,
    }

    situation = forms.ChoiceField(
        label=_("What do you do now?"), choices=SITUATIONS, widget=forms.RadioSelect
    )
    benefit_kind = forms.ChoiceField(
        label=_("Which benefit do you get?"),
        choices=BenefitKind.choices,
        widget=forms.RadioSelect,
        help_text=_("Choose 'No benefit' if you do not get a benefit."),
    )
    SITUATIONS_OF_PERSON = [
        (
            "school",
            _("%(name)s goes to school (special secondary or practical education, vso or pro)"),
        ),
        ("day_activities", _("%(name)s goes to day activities (dagbesteding)")),
        ("work", _("%(name)s works")),
        ("care", _("%(name)s gets help from a care or mental-health organisation")),
        ("none", _("None of these")),
    ]
    ABOUT_PERSON = {
        "situation": {"label": _("What does %(name)s do now?"), "choices": SITUATIONS_OF_PERSON},
        "benefit_kind": {
            "label": _("Which benefit does %(name)s get?"),
            "help_text": _("Choose 'No benefit' if %(name)s does not get a benefit."),
        },
    }


class WswForm(StepForm):
    has_wsw = forms.ChoiceField(
        label=_("Do you have a Wsw indication?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_(
            "A Wsw indication is an old decision about work in a sheltered workshop "
            "(sociale werkvoorziening). Most people do not have one."
        ),
    )
    wsw_end = DateField(
        label=_("Until when is the Wsw indication valid?"),
        required=False,
        help_text=_("Only if you have a Wsw indication. Day-month-year."),
    )
    wsw_supported = forms.ChoiceField(
        label=_("Did the Wsw indication say 'begeleid werken' (supported employment)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Only if you have a Wsw indication. 'Begeleid werken' means working at a "
            "regular employer with guidance."
        ),
    )
    ABOUT_PERSON = {
        "has_wsw": {"label": _("Does %(name)s have a Wsw indication?")},
        "wsw_end": {"help_text": _("Only if %(name)s has a Wsw indication. Day-month-year.")},
        "wsw_supported": {
            "help_text": _(
                "Only if %(name)s has a Wsw indication. 'Begeleid werken' means working at a "
                "regular employer with guidance."
            )
        },
    }

    def clean(self):
        data = super().clean()
        if data.get("has_wsw") == "yes":
            if not data.get("wsw_end") and "wsw_end" not in self.errors:
                self.add_error("wsw_end", _("Fill in until when the Wsw indication is valid."))
            if not data.get("wsw_supported"):
                self.add_error(
                    "wsw_supported", _("Choose whether the indication said 'begeleid werken'.")
                )
        return data


class PreviousAdviceForm(StepForm):
    changed = forms.ChoiceField(
        label=_("Has your situation changed since the last advice?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_("For example your health, your school or your work."),
    )
    changed_circumstances = forms.CharField(
        label=_("What has changed?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Write it in your own words."),
    )
    ABOUT_PERSON = {
        "changed": {
            "label": _("Has the situation of %(name)s changed since the last advice?"),
            "help_text": _("For example the health, school or work of %(name)s."),
        },
    }

    def __init__(self, *args, can_apply_again_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_apply_again_on = can_apply_again_on

    def clean(self):
        data = super().clean()
        if data.get("changed") == "yes" and not (data.get("changed_circumstances") or "").strip():
            self.add_error("changed_circumstances", _("Write what has changed."))
        if data.get("changed") == "no":
            # Nothing changed: the application may still be sent (UWV then gives a negative
            # advice, and the college a decision open to objection: DOMAIN §1.2, §3.1).
            data["changed_circumstances"] = ""
        return data

    def no_change_warning(self) -> str:
        """§1.2: what follows when nothing changed: UWV gives a negative advice. In plain
        Dutch, with the date the person may apply again and the college's way."""
        from django.utils.formats import date_format

        when = date_format(self.can_apply_again_on, "j F Y") if self.can_apply_again_on else ""
        if self.person:
            message = _(
                "Without a change UWV will give a negative advice, because %(name)s had an "
                "advice less than 12 months ago. You can apply again from %(date)s. Or ask "
                "the municipality: the municipality can apply for %(name)s at any time."
            )
        else:
            message = _(
                "Without a change UWV will give a negative advice, because you had an advice "
                "less than 12 months ago. You can apply again yourself from %(date)s. Or ask "
                "your municipality: the municipality can apply for you at any time."
            )
        return message % {"date": when, "name": self.person}


class SupportForm(StepForm):
    support_needed = forms.CharField(
        label=_("What help do you need to be able to work?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Write it in your own words. For example: what is hard for you at work, "
            "and what helps you."
        ),
    )
    needs_adaptations = forms.BooleanField(
        label=_("My workplace or my work must be adapted"),
        required=False,
        help_text=_("For example a special table or tools, fewer tasks, or a quiet place."),
    )
    needs_supervision = forms.BooleanField(
        label=_("I need someone nearby all the time, or help very often"),
        required=False,
        help_text=_(
            "For example a supervisor who is always there and knows what you need, or "
            "help every half day."
        ),
    )
    ABOUT_PERSON = {
        "support_needed": {
            "label": _("What help does %(name)s need to be able to work?"),
            "help_text": _(
                "Write it in your own words. For example: what is hard for %(name)s at work, "
                "and what helps."
            ),
        },
        "needs_adaptations": {"label": _("The workplace or the work of %(name)s must be adapted")},
        "needs_supervision": {
            "label": _("%(name)s needs someone nearby all the time, or help very often"),
            "help_text": _(
                "For example a supervisor who is always there and knows what %(name)s needs, "
                "or help every half day."
            ),
        },
    }


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Choose a file"),
        error_messages={
            "required": _("Choose a file first."),
            "empty": _("The file is empty. Choose another file."),
        },
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, person: str = "", **kwargs):
        """``person``: the person's first name when someone applies for another."""
        super().__init__(*args, **kwargs)
        if person:
            help_text = _(
                "PDF, JPEG or PNG, at most %(megabytes)s MB. For example a letter from the "
                "doctor of %(name)s, a school report or a report from a job coach."
            )
        else:
            help_text = _(
                "PDF, JPEG or PNG, at most %(megabytes)s MB. For example a letter from your "
                "doctor, a school report or a report from a job coach."
            )
        megabytes = max(1, settings.DOCUMENT_MAX_BYTES // (1024 * 1024))
        self.fields["file"].help_text = help_text % {"megabytes": megabytes, "name": person}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.checked = check_upload(upload)
        return upload


class CitizenMessageForm(MessageForm):
    """A message of the citizen (or their representative) on their case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "Write in your own words. You get an e-mail when there is an answer."
        )
        self.fields["attachment"].help_text = _(
            "You may add one document, for example a letter. PDF, JPEG or PNG, at most "
            "%(megabytes)s MB."
        ) % {"megabytes": max(1, settings.DOCUMENT_MAX_BYTES // (1024 * 1024))}


class ObjectionForm(forms.Form):
    grounds = forms.CharField(
        label=_("Why do you disagree with the decision?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Write it in your own words."),
        error_messages={"required": _("Write why you disagree with the decision.")},
    )


class ContactForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Please fill in this field."),
            "invalid": _("Enter a valid email address, for example naam@voorbeeld.nl."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
