"""Forms of the professionals' pages (issue #5). They check shape; the law lives in
``rules`` and is applied by ``services``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality

from . import rules
from .choices import (
    AdviceOutcome,
    AppealOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    ContractKind,
    ContractOutcome,
    ProvisionKind,
    Responsible,
    TermState,
    WorkplaceKind,
)
from .conversations import MESSAGE_MAX_LENGTH
from .documents.files import check_upload
from .models import Objection, validate_bsn
from .placement.models import AvailabilityPeriod

EMPTY = [("", _("All"))]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def fixed(choices: list):
    """Choices that never change, as a callable: every form instance deep-copies its fields,
    and a callable is copied by reference instead of label by label (the work list's filter
    form is built on every view)."""
    return lambda: choices


def _today():
    return timezone.localdate()


def validate_in_date_years(value) -> None:
    """Only a date in the years the portal reckons in (``rules.DATE_YEARS``): for the forms
    and the API alike."""
    if value is not None and value.year not in rules.DATE_YEARS:
        raise forms.ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": rules.DATE_YEARS[0], "last": rules.DATE_YEARS[-1]},
        )


class DateField(forms.DateField):
    """A date as staff type it (``validate_in_date_years``)."""

    widget = DATE_INPUT
    default_validators = [validate_in_date_years]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d-%m-%Y"])
        super().__init__(*args, **kwargs)


# -- work list and UWV queue filters --------------------------------------------------------


class SearchForm(forms.Form):
    """Search by name, BSN or reference. Sent by POST and kept in the session, so a BSN never
    appears in a URL or an access log."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, BSN (9 digits) or reference (BW-…)."),
    )


class WorklistFilterForm(forms.Form):
    """GET filters of the work list. Unknown or invalid values are simply ignored."""

    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=fixed(
            EMPTY
            + [
                ("at_uwv", _("At UWV (sent or being assessed)")),
                ("objection_open", _("Objection being handled")),
            ]
            + CaseState.choices
        ),
    )
    term_state = forms.ChoiceField(
        label=_("Term"),
        required=False,
        choices=fixed(
            EMPTY
            + [
                (TermState.OVERDUE, _("Overdue")),
                (TermState.RUNNING, _("Running")),
                (TermState.SUSPENDED, _("Suspended")),
            ]
        ),
    )
    source = forms.ChoiceField(
        label=_("Candidate source"), required=False, choices=fixed(EMPTY + CandidateSource.choices)
    )
    assignee = forms.ChoiceField(label=_("Case handler"), required=False)
    school_leavers = forms.BooleanField(label=_("Only school leavers"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=fixed(
            [
                ("oldest", _("Longest in this status first")),
                ("newest", _("Most recent status first")),
            ]
        ),
    )

    def __init__(self, *args, colleagues=(), **kwargs):
        """``colleagues``: (pk, name) choices of the user's colleagues."""
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Everyone")),
            ("me", _("Assigned to me")),
            ("none", _("Not assigned")),
            *colleagues,
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of this filter"), max_length=80)


class UwvQueueFilterForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.only("pk", "name").order_by("name"),
        empty_label=_("All"),
    )
    applicant_kind = forms.ChoiceField(
        label=_("Applicant"), required=False, choices=EMPTY + ApplicantKind.choices
    )
    term_state = forms.ChoiceField(
        label=_("Term"),
        required=False,
        choices=EMPTY
        + [
            (TermState.OVERDUE, _("Overdue")),
            ("nearly_due", _("Nearly due (within 7 days)")),
            (TermState.RUNNING, _("Running")),
            (TermState.SUSPENDED, _("Suspended")),
        ],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = {key: value for key, value in self.cleaned_data.items() if value}
        if "municipality" in data:
            data["municipality"] = data["municipality"].pk
        return data


# -- UWV: advice and terms ------------------------------------------------------------------


class AdviceForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Advice"), choices=AdviceOutcome.choices, widget=forms.RadioSelect
    )
    needs_adaptations = forms.BooleanField(
        label=_("Criterion a: needs adaptations an employer cannot reasonably provide"),
        required=False,
    )
    needs_supervision = forms.BooleanField(
        label=_(
            "Criterion b: needs permanent supervision or intensive guidance an employer "
            "cannot reasonably provide"
        ),
        required=False,
    )
    can_perform_task = forms.BooleanField(
        label=_("Can perform a task in a work organisation"), required=False
    )
    basic_employee_skills = forms.BooleanField(label=_("Has basic employee skills"), required=False)
    hours_at_a_stretch = forms.DecimalField(
        label=_("Hours of work at a stretch"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(24),
        decimal_places=2,
    )
    hours_per_day = forms.DecimalField(
        label=_("Hours of work per day"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(24),
        decimal_places=2,
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea)
    circumstances_changed = forms.BooleanField(
        label=_("The circumstances have changed since the Wsw indication: assess in full"),
        help_text=_(
            "Then the Wsw indication does not decide the advice: record your findings on work "
            "capacity and the criteria, and in the reasons what has changed."
        ),
        required=False,
    )

    def __init__(
        self, *args, shortcut: AdviceOutcome | None = None, twelve_months: bool = False, **kwargs
    ):
        """``shortcut``: the advice a valid Wsw indication decides without investigation
        (DOMAIN §2.4); without one, the hours of work capacity are required. ``twelve_months``:
        the person applied again within 12 months without changed circumstances, so the
        advice is negative without assessing the criteria (§1.2): the findings are optional."""
        super().__init__(*args, **kwargs)
        self.shortcut = shortcut
        self.twelve_months = twelve_months and shortcut is None
        if self.twelve_months:
            self.fields["outcome"].initial = AdviceOutcome.NEGATIVE
        if shortcut is not None:
            self.fields["outcome"].initial = shortcut
            self.fields["outcome"].help_text = _(
                "A valid Wsw indication decides this advice without investigation "
                "(it is filled in for you). Confirm it, unless the circumstances have changed."
            )
        else:
            del self.fields["circumstances_changed"]
            for name in ("hours_at_a_stretch", "hours_per_day"):
                self.fields[name].required = not self.twelve_months
                self.fields[name].error_messages["required"] = _(
                    "Record the findings on work capacity."
                )

    def clean(self):
        data = super().clean()
        if self.shortcut is not None and data.get("circumstances_changed"):
            # A full assessment (§2.4): the findings are needed as without an indication.
            for name in ("hours_at_a_stretch", "hours_per_day"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Record the findings on work capacity."))
        return data

    @property
    def full_assessment(self) -> bool:
        """Whether UWV records findings: no valid Wsw indication, or changed circumstances;
        under the once-a-year rule only if it gave them."""
        if self.twelve_months:
            data = self.cleaned_data
            return (
                data.get("hours_at_a_stretch") is not None or data.get("hours_per_day") is not None
            )
        return self.shortcut is None or bool(self.cleaned_data.get("circumstances_changed"))


class SuspendTermForm(forms.Form):
    on = DateField(label=_("Suspended from"), initial=_today)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("For example: waiting for documents from the person."),
    )


class ResumeTermForm(forms.Form):
    on = DateField(label=_("Resumed on"), initial=_today)


# -- the consultant's actions ---------------------------------------------------------------


class DecisionForm(forms.Form):
    positive = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Eligible for sheltered work")), ("no", _("Not eligible"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    deviation_reason = forms.CharField(
        label=_("Reason for deviating from the advice"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Required only if the decision deviates from UWV's advice."),
    )


class ObjectionForm(forms.Form):
    filed_on = DateField(label=_("Objection received on"), initial=_today)
    posted_on = DateField(
        label=_("Posted on (postmark)"),
        required=False,
        help_text=_(
            "Only for an objection sent by post. Posted by the end of the term and received "
            "at most a week later, it is in time (Awb article 6:9)."
        ),
    )
    grounds = forms.CharField(label=_("Grounds of the objection"), widget=forms.Textarea)

    def clean_filed_on(self):
        value = self.cleaned_data["filed_on"]
        if value > _today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        filed_on, posted_on = data.get("filed_on"), data.get("posted_on")
        if filed_on and posted_on and posted_on > filed_on:
            self.add_error(
                "posted_on", _("The objection cannot have been posted after it was received.")
            )
        return data


class ObjectionOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of the objection"),
        choices=[c for c in Objection.Outcome.choices if c[0] != Objection.Outcome.PENDING],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, advice: AdviceOutcome | None = None, **kwargs):
        """``advice``: the outcome of UWV's advice on the case. After a negative advice,
        upholding the objection makes the person eligible against it, which needs a recorded
        reason (DOMAIN §3.2): the form then asks for it."""
        super().__init__(*args, **kwargs)
        self.advice = advice
        if advice == AdviceOutcome.NEGATIVE:
            self.fields["deviation_reason"] = forms.CharField(
                label=_("Reason for deviating from the advice"),
                required=False,
                widget=forms.Textarea,
                help_text=_(
                    "Required if you uphold the objection: UWV's advice was negative, so the "
                    "person then becomes eligible against the advice. That is only allowed if "
                    "the advice was not prepared with due care."
                ),
            )

    def clean(self):
        data = super().clean()
        if self.advice is not None and data.get("outcome") == Objection.Outcome.GRANTED:
            try:
                rules.check_decision(self.advice, True, data.get("deviation_reason", ""))
            except rules.RuleViolation as violation:
                self.add_error("deviation_reason", str(violation))
        return data


class UnavailableForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=AvailabilityPeriod.Reason.choices)
    from_on = DateField(label=_("Unavailable from"), initial=_today)


class AvailableForm(forms.Form):
    on = DateField(label=_("Available again on"), initial=_today)


class AmountField(forms.DecimalField):
    """An amount of money as people type it in Dutch: "1.593,58", "1593,58" or "1593.58"."""

    def __init__(self, **kwargs):
        super().__init__(localize=True, max_digits=8, decimal_places=2, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and "," in value:
            value = value.replace(".", "").replace(" ", "")
        return super().to_python(value)


class PlacementForm(forms.Form):
    employer = forms.ModelChoiceField(
        label=_("Employer"),
        queryset=None,
        required=False,
        empty_label=_("Another employer (fill in below)"),
        help_text=_("The employers and workplaces your municipality keeps."),
    )
    employer_name = forms.CharField(
        label=_("Name of another employer"), max_length=200, required=False
    )
    workplace_kind = forms.ChoiceField(
        label=_("Kind of workplace"),
        choices=[("", _("Choose"))] + list(WorkplaceKind.choices),
        required=False,
        help_text=_("Only for another employer: a listed employer has its own kind."),
    )
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"),
        decimal_places=2,
        max_digits=4,
        help_text=_(
            "More than 0 and at most 60, the most the Arbeidstijdenwet allows in a week. "
            "A place is 31 hours a week."
        ),
    )
    start_on = DateField(label=_("Start date"))
    contract_kind = forms.ChoiceField(label=_("Contract"), choices=ContractKind.choices)
    agreed_wage = AmountField(
        label=_("Agreed gross wage (€)"),
        min_value=Decimal("0.01"),
        help_text=_(
            "At least the minimum wage for the hours, unless the person has a Wajong benefit "
            "and UWV gives wage dispensation."
        ),
    )
    agreed_wage_per_hour = forms.TypedChoiceField(
        label=_("The wage is"),
        choices=[("month", _("per month")), ("hour", _("per hour"))],
        coerce=lambda value: value == "hour",
        initial="month",
        widget=forms.RadioSelect,
    )
    contract_ends_on = DateField(
        label=_("Last day of the fixed-term contract"),
        required=False,
        help_text=_(
            "Only for a fixed-term contract. You hear two months ahead, to arrange what follows."
        ),
    )
    wage_value_pct = forms.DecimalField(
        label=_("Wage value (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=_(
            "Needed for the wage subsidy unless your municipality uses the flat rate of 68% "
            "this year. Not for Wajong with wage dispensation."
        ),
    )
    wajong_wage_subsidy = forms.BooleanField(
        label=_("Wajong: a wage subsidy instead of wage dispensation"),
        required=False,
        help_text=_(
            "Only for a person with a Wajong benefit. UWV gives wage dispensation, unless the "
            "municipality and the employer agree on a wage subsidy. The municipality then also "
            "provides the other support."
        ),
    )
    out_of_turn_reason = forms.CharField(
        label=_("Reason for placing this person before their turn"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only needed when the quota is reached and it is someone else's turn for an "
            "additional place. The reason is kept in the history."
        ),
    )

    def clean_hours_per_week(self):
        hours = self.cleaned_data["hours_per_week"]
        if hours <= 0 or hours > rules.MAX_HOURS_PER_WEEK:
            raise forms.ValidationError(
                _("Enter more than 0 and at most %(max)s hours per week."),
                params={"max": rules.MAX_HOURS_PER_WEEK},
            )
        return hours

    def __init__(self, *args, employers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers

    def clean(self):
        data = super().clean()
        employer = data.pop("employer", None)
        if employer is not None:
            data["employer_name"], data["workplace_kind"] = employer.name, employer.kind
        else:
            if not data.get("employer_name"):
                self.add_error(
                    "employer_name", _("Choose an employer from the list or fill in a name.")
                )
            if not data.get("workplace_kind"):
                self.add_error("workplace_kind", _("Choose the kind of workplace."))
        return data


class EndEmploymentForm(forms.Form):
    end_on = DateField(label=_("Last working day"))
    reason = forms.CharField(label=_("Reason for ending"), max_length=200)
    to_jobs_agreement = forms.BooleanField(
        label=_("The person moves to a job under the jobs agreement (banenafspraak)"),
        help_text=_(
            "A planned switch. If the person falls back, the verordening says whether the "
            "positive advice revives."
        ),
        required=False,
    )


class CancelEmploymentForm(forms.Form):
    reason = forms.CharField(label=_("Why the job does not go ahead"), max_length=200)


class ContractOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happens with the contract?"),
        choices=ContractOutcome.choices,
        widget=forms.RadioSelect,
    )
    new_end_on = DateField(
        label=_("New last day"),
        required=False,
        help_text=_("Only when the contract continues for a fixed term."),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == ContractOutcome.CONTINUED_FIXED and not data.get("new_end_on"):
            self.add_error("new_end_on", _("Enter the new last day of the contract."))
        if data.get("outcome") != ContractOutcome.CONTINUED_FIXED:
            data["new_end_on"] = None
        return data


class ProvisionForm(forms.Form):
    """A provision in place (DOMAIN §6.3). ``kinds``: the choices (the verordening's list)."""

    kind = forms.ChoiceField(label=_("Provision"), widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("What it is"),
        max_length=200,
        required=False,
        help_text=_("For example: job coach two hours a week, an adapted workbench."),
    )
    starts_on = DateField(label=_("From"), initial=_today)
    ends_on = DateField(label=_("Until"), required=False, help_text=_("Leave empty if not known."))
    provider = forms.CharField(
        label=_("Provided by"),
        max_length=200,
        help_text=_("The organisation or person who provides it."),
    )
    payer = forms.ChoiceField(
        label=_("Paid by"),
        choices=Responsible.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "UWV supplies the provisions of a Wajong recipient with wage dispensation. The "
            "municipality pays only what its verordening offers."
        ),
    )
    monthly_cost = forms.DecimalField(
        label=_("Cost per month (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
        help_text=_("Leave empty if not known."),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, ProvisionKind(k).label) for k in kinds]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


class EndProvisionForm(forms.Form):
    provision = forms.ModelChoiceField(
        label=_("Provision"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    ends_on = DateField(label=_("Last day"), initial=_today)

    def __init__(self, *args, provisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision"].queryset = provisions
        self.fields["provision"].label_from_instance = lambda p: (
            f"{p.get_kind_display()}: {p.provider} ({p.starts_on:%d-%m-%Y})"
        )


class AppealForm(forms.Form):
    filed_on = DateField(label=_("Appeal filed on"), initial=_today)
    court = forms.CharField(
        label=_("Court"),
        max_length=200,
        help_text=_("For example: Rechtbank Amsterdam, sector bestuursrecht."),
    )


class AppealOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of the appeal"),
        choices=[c for c in AppealOutcome.choices if c[0] != AppealOutcome.PENDING],
        widget=forms.RadioSelect,
    )
    decided_on = DateField(label=_("Judgment on"), initial=_today)


class PlaceRefusalForm(forms.Form):
    refused_on = DateField(label=_("Refused on"), initial=_today)
    employer_name = forms.CharField(label=_("Employer of the place offered"), max_length=200)
    job = forms.CharField(label=_("Job offered"), max_length=200)
    reason = forms.CharField(label=_("Reason the person gave"), widget=forms.Textarea)


class FallbackForm(forms.Form):
    on = DateField(label=_("Fell back on"), initial=_today)


class RequestAdviceForm(forms.Form):
    preselection_done_on = DateField(label=_("Pre-selection done on"), initial=_today)
    preselection_notes = forms.CharField(
        label=_("Why a new advice is needed"),
        help_text=_("For example: the person's possibilities have grown or shrunk."),
        widget=forms.Textarea,
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Case handler"), required=False, queryset=None, empty_label=_("Nobody")
    )

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = colleagues


class PriorityGroupForm(forms.Form):
    priority_group = forms.BooleanField(
        label=_("In a priority group of the verordening (such as school leavers)"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this person is (no longer) in a priority group. Kept in the history."),
    )


class CouncilPositionForm(forms.Form):
    position = forms.IntegerField(
        label=_("Position in the municipality's own order"),
        required=False,
        min_value=1,
        max_value=rules.MAX_COUNCIL_POSITION,
        help_text=_(
            "1 comes first. Leave empty to remove the position: the person then comes after "
            "everyone with a position."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this position. Kept in the history."),
    )


class MoveForm(forms.Form):
    new_municipality = forms.ModelChoiceField(
        label=_("New municipality"), queryset=Municipality.objects.order_by("name")
    )
    moved_on = DateField(label=_("Date of the move"), initial=_today)
    employment_continues = forms.BooleanField(
        label=_("The person keeps working in the current job"),
        required=False,
        help_text=_(
            "Then this municipality keeps paying. Otherwise the job ends on the date of the "
            "move and the new municipality must offer a place."
        ),
    )

    def __init__(self, *args, municipality_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_municipality"].queryset = Municipality.objects.exclude(
            pk=municipality_id
        ).order_by("name")


class CollegeApplicationForm(forms.Form):
    """The college applies for an advice after its own pre-selection (DOMAIN §1.1)."""

    bsn = forms.CharField(label=_("BSN"), max_length=9, validators=[validate_bsn])
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    birth_date = DateField(label=_("Date of birth"))
    benefit_kind = forms.ChoiceField(label=_("Benefit"), choices=BenefitKind.choices)
    source = forms.ChoiceField(label=_("Candidate source"), choices=CandidateSource.choices)
    preselection_done_on = DateField(label=_("Pre-selection done on"), initial=_today)
    preselection_notes = forms.CharField(
        label=_("Outcome of the pre-selection"),
        widget=forms.Textarea,
        help_text=_("Why the municipality thinks the person has work capacity."),
    )
    support_needed = forms.CharField(
        label=_("What help is needed"), required=False, widget=forms.Textarea
    )
    needs_adaptations = forms.BooleanField(label=_("Adaptations needed"), required=False)
    needs_supervision = forms.BooleanField(
        label=_("Guidance or supervision needed"), required=False
    )
    letter_street = forms.CharField(
        label=_("Street and house number"),
        max_length=200,
        required=False,
        help_text=_("The address for the decision letter."),
    )
    letter_postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\s*[1-9][0-9]{3}\s?[A-Za-z]{2}\s*$",
        max_length=7,
        required=False,
        error_messages={"invalid": _("Enter a postcode like 1234 AB.")},
    )
    letter_city = forms.CharField(label=_("Place"), max_length=100, required=False)

    def clean_letter_postcode(self):
        value = "".join(self.cleaned_data["letter_postcode"].split()).upper()
        return f"{value[:4]} {value[4:]}" if value else ""


class LinkPersonForm(forms.Form):
    """Staff link a citizen's application to the person already on file (issue #18)."""

    identity_checked = forms.BooleanField(
        label=_("I have checked that this is the same person"),
        help_text=_(
            "For example with the person's identity document, or by calling the person "
            "at a number the municipality already had."
        ),
        error_messages={"required": _("Check the identity of the person first.")},
    )


# -- talking on a case and adding documents (issue #22) -------------------------------------


def _megabytes() -> int:
    return max(1, settings.DOCUMENT_MAX_BYTES // (1024 * 1024))


def checked_file(upload):
    """The cheap check of an upload (type by content, size), for a form; the service checks
    it in full before it keeps it."""
    check_upload(upload)
    return upload


class MessageForm(forms.Form):
    """A message in one of the case's conversations, with at most one attachment."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message.")},
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={"empty": _("The file is empty. Choose another file.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _("PDF, JPEG or PNG, at most %(megabytes)s MB.") % {
            "megabytes": _megabytes()
        }

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return checked_file(upload) if upload else None


class UwvConversationForm(MessageForm):
    """A message between UWV and the municipality; UWV's question may suspend its advice term
    (``can_suspend``: the term runs and the case is at UWV)."""

    visible_to_applicant = forms.BooleanField(
        label=_("Also for the applicant"),
        required=False,
        help_text=_("The applicant can then read this message and answer it."),
    )
    suspend_term = forms.BooleanField(
        label=_("Suspend the term until the answer is there"),
        required=False,
        help_text=_(
            "The advice term stops today and runs again on the day the answer arrives. The "
            "days in between are added to its end."
        ),
    )

    def __init__(self, *args, can_suspend: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_suspend:
            del self.fields["suspend_term"]


class CaseDocumentForm(forms.Form):
    """Staff add a document to a case; UWV's are always shared with UWV (``for_uwv``: no
    choice about it)."""

    file = forms.FileField(
        label=_("Choose a file"),
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={
            "required": _("Choose a file first."),
            "empty": _("The file is empty. Choose another file."),
        },
    )
    visible_to_applicant = forms.BooleanField(
        label=_("Visible to the applicant"),
        required=False,
        help_text=_("Leave this off for a document that is only for internal use."),
    )
    visible_to_uwv = forms.BooleanField(
        label=_("Visible to UWV"),
        required=False,
        help_text=_("For example a report UWV needs for its advice."),
    )

    def __init__(self, *args, for_uwv: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, JPEG or PNG, at most %(megabytes)s MB.") % {
            "megabytes": _megabytes()
        }
        if for_uwv:
            del self.fields["visible_to_uwv"]

    def clean_file(self):
        return checked_file(self.cleaned_data["file"])
