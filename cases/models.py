"""The case domain: a person, their application, UWV's advice, the college's decision,
objections, availability, employment, legal terms and the case history.

Each legal step is its own model (no god model). The lifecycle state lives on ``Case`` and
changes only through ``services.transition``; the allowed moves are ``rules.TRANSITIONS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.nl import bsn as stdnum_bsn

from .choices import (
    AdviceOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    ContractKind,
    FundingKind,
    TermKind,
    WorkplaceKind,
)

#: States in which a case is still open (terms may run, work lists show it).
OPEN_STATES = [
    CaseState.SUBMITTED,
    CaseState.WITH_UWV,
    CaseState.ADVICE_ISSUED,
    CaseState.REJECTED,
    CaseState.OBJECTION,
    CaseState.AWAITING_PLACEMENT,
    CaseState.UNAVAILABLE,
    CaseState.EMPLOYED,
]
#: States of a person who has a positive decision and waits for a place (capacity candidates).
CANDIDATE_STATES = [CaseState.AWAITING_PLACEMENT, CaseState.UNAVAILABLE]


def validate_bsn(value: str) -> None:
    """A BSN has nine digits and passes the 11-proef (python-stdnum)."""
    if not stdnum_bsn.is_valid(value):
        raise ValidationError(
            _("This is not a valid citizen service number (BSN). Check the 9 digits."),
            code="invalid_bsn",
        )


def choices_constraint(field: str, choices: type[models.TextChoices], name: str):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Person(models.Model):
    """The person the case is about. A BSN is personal data: it never appears in a log line,
    an audit row or a URL.

    One person per BSN, except a *possible duplicate*: a citizen sent an application with the
    BSN of a person of another account or registered by the municipality. The citizen is not
    told (whether someone has a file is health data, AVG art. 9) and sees only their own new
    application; municipal staff verify identity and link it (``services.link_duplicate_person``).
    """

    bsn = models.CharField(_("BSN"), max_length=9, db_index=True, validators=[validate_bsn])
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=150)
    birth_date = models.DateField(_("date of birth"))
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("municipality of residence"),
    )
    benefit_kind = models.CharField(
        _("benefit"), max_length=20, choices=BenefitKind.choices, default=BenefitKind.NONE
    )
    wsw_indication_end = models.DateField(
        _("end date of the Wsw indication"), null=True, blank=True
    )
    wsw_supported_employment = models.BooleanField(
        _("Wsw advice: supported employment"), default=False
    )
    in_jobs_register = models.BooleanField(
        _("in the jobs-agreement target group register"), default=False
    )
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="persons",
        verbose_name=_("account"),
        help_text=_("The account of the person or of their representative."),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        verbose_name=_("possible duplicate of"),
        help_text=_("The person already on file under the same BSN, until staff link them."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["bsn"], condition=Q(duplicate_of__isnull=True), name="person_bsn_unique"
            ),
            choices_constraint("benefit_kind", BenefitKind, "person_benefit_kind_valid"),
            models.CheckConstraint(
                condition=Q(bsn__regex=r"^[0-9]{9}$"), name="person_bsn_nine_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Case(models.Model):
    """One application's way through the process, from draft to employment or closure."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("municipality"),
    )
    state = models.CharField(
        _("status"), max_length=20, choices=CaseState.choices, default=CaseState.DRAFT
    )
    state_since = models.DateTimeField(_("status since"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("case handler"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    #: Date of the positive decision, kept for ordering candidates and the placement signal.
    positive_decision_on = models.DateField(_("positive decision on"), null=True, blank=True)
    #: A school leaver or other priority group under the verordening (DOMAIN §4.5).
    priority_group = models.BooleanField(_("priority group"), default=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            choices_constraint("state", CaseState, "case_state_valid"),
            models.CheckConstraint(
                # A draft withdrawn before it was sent has no submission date either.
                condition=Q(state__in=[CaseState.DRAFT, CaseState.WITHDRAWN])
                | Q(submitted_at__isnull=False),
                name="case_submitted_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "state"], name="case_municipality_state"),
            models.Index(
                fields=["municipality", "positive_decision_on", "id"],
                name="case_candidates",
                condition=Q(state__in=CANDIDATE_STATES),
            ),
            # The consultant's work list: keyset pagination on (state_since, id).
            models.Index(fields=["municipality", "state_since", "id"], name="case_worklist"),
        ]

    def __str__(self) -> str:
        return self.reference


class Application(models.Model):
    """The request to UWV for an advice (DOMAIN §1), by the person, a representative, or the
    college after its own pre-selection."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="application", verbose_name=_("case")
    )
    applicant_kind = models.CharField(_("applicant"), max_length=20, choices=ApplicantKind.choices)
    representative_name = models.CharField(
        _("name of the representative"), max_length=200, blank=True
    )
    representative_relationship = models.CharField(
        _("relationship to the person"), max_length=100, blank=True
    )
    # Where letters about this application go: the person's address, or the representative's
    # when one applies. Optional: the municipality may know it from the BRP.
    letter_street = models.CharField(_("street and house number"), max_length=200, blank=True)
    letter_postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    letter_city = models.CharField(_("place"), max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications_submitted",
        verbose_name=_("submitted by"),
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    source = models.CharField(_("candidate source"), max_length=20, choices=CandidateSource.choices)
    changed_circumstances = models.TextField(_("changed circumstances"), blank=True)
    support_needed = models.TextField(_("what help is needed"), blank=True)
    needs_adaptations = models.BooleanField(_("adaptations needed"), default=False)
    needs_supervision = models.BooleanField(_("guidance or supervision needed"), default=False)
    preselection_done_on = models.DateField(_("pre-selection on"), null=True, blank=True)
    preselection_notes = models.TextField(_("outcome of the pre-selection"), blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            choices_constraint("applicant_kind", ApplicantKind, "application_applicant_valid"),
            choices_constraint("source", CandidateSource, "application_source_valid"),
            models.CheckConstraint(
                condition=~Q(applicant_kind=ApplicantKind.REPRESENTATIVE)
                | (~Q(representative_name="") & ~Q(representative_relationship="")),
                name="application_representative_named",
            ),
            models.CheckConstraint(
                condition=~Q(applicant_kind=ApplicantKind.MUNICIPALITY)
                | Q(preselection_done_on__isnull=False),
                name="application_college_after_preselection",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} ({self.get_applicant_kind_display()})"

    @property
    def is_direct(self) -> bool:
        """Made by the person (or their representative) directly to UWV (DOMAIN, actors)."""
        return self.applicant_kind != ApplicantKind.MUNICIPALITY


class Advice(models.Model):
    """UWV's advice (DOMAIN §2). Not a decision; no objection against it."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="advice", verbose_name=_("case")
    )
    outcome = models.CharField(_("advice"), max_length=10, choices=AdviceOutcome.choices)
    needs_adaptations = models.BooleanField(_("criterion a: adaptations"), default=False)
    needs_supervision = models.BooleanField(
        _("criterion b: supervision or intensive guidance"), default=False
    )
    can_perform_task = models.BooleanField(_("can perform a task"), default=False)
    basic_employee_skills = models.BooleanField(_("basic employee skills"), default=False)
    hours_at_a_stretch = models.DecimalField(
        _("hours at a stretch"), max_digits=4, decimal_places=2, default=0
    )
    hours_per_day = models.DecimalField(
        _("hours per day"), max_digits=4, decimal_places=2, default=0
    )
    without_investigation = models.BooleanField(_("without investigation (Wsw)"), default=False)
    reasons = models.TextField(_("reasons"))
    issued_on = models.DateField(_("issued on"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="advices",
        verbose_name=_("assessor"),
    )

    class Meta:
        verbose_name = _("advice")
        verbose_name_plural = _("advices")
        constraints = [
            choices_constraint("outcome", AdviceOutcome, "advice_outcome_valid"),
            models.CheckConstraint(
                condition=~Q(outcome=AdviceOutcome.POSITIVE)
                | Q(without_investigation=True)
                | Q(needs_adaptations=True)
                | Q(needs_supervision=True),
                name="advice_positive_has_a_ground",
            ),
            models.CheckConstraint(condition=~Q(reasons=""), name="advice_has_reasons"),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_outcome_display()}"


class Decision(models.Model):
    """The college's formal decision after the advice (DOMAIN §3). One per advice."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="decision", verbose_name=_("case")
    )
    positive = models.BooleanField(_("eligible"))
    follows_advice = models.BooleanField(_("follows the advice"))
    deviation_reason = models.TextField(_("reason for deviating"), blank=True)
    sent_on = models.DateField(_("sent on"))
    verordening = models.ForeignKey(
        "municipalities.Verordening",
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("verordening"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("decided by"),
    )
    place_refused_on = models.DateField(
        _("place refused on"),
        null=True,
        blank=True,
        help_text=_("A person on social assistance must accept a suitable place (DOMAIN §3.4)."),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(follows_advice=True) | ~Q(deviation_reason=""),
                name="decision_deviation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.sent_on:%d-%m-%Y}"


class Objection(models.Model):
    """A bezwaar against the decision (DOMAIN §3.3)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")
        INADMISSIBLE = "inadmissible", _("Inadmissible")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="objections", verbose_name=_("case")
    )
    filed_on = models.DateField(_("submitted on"))
    grounds = models.TextField(_("grounds"))
    in_time = models.BooleanField(_("within the term"))
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    outcome__in=["pending", "granted", "dismissed", "inadmissible", "withdrawn"]
                ),
                name="objection_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending", decided_on__isnull=True)
                | (~Q(outcome="pending") & Q(decided_on__isnull=False)),
                name="objection_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.filed_on:%d-%m-%Y}"


class AvailabilityPeriod(models.Model):
    """A period in which a person with a positive decision is temporarily unavailable
    (DOMAIN §4.4). The case pauses; it keeps its turn."""

    class Reason(models.TextChoices):
        ILLNESS = "illness", _("Illness")
        DETENTION = "detention", _("Detention")
        MOVED = "moved", _("Moved")
        NOT_FINDABLE = "not_findable", _("Cannot be found")
        OTHER = "other", _("Other")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="unavailability", verbose_name=_("case")
    )
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    unavailable_from = models.DateField(_("unavailable from"))
    available_again_on = models.DateField(_("available again on"), null=True, blank=True)

    class Meta:
        verbose_name = _("period of unavailability")
        verbose_name_plural = _("periods of unavailability")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["illness", "detention", "moved", "not_findable", "other"]),
                name="availability_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(available_again_on__isnull=True)
                | Q(available_again_on__gte=models.F("unavailable_from")),
                name="availability_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(available_again_on__isnull=True),
                name="availability_one_open_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.unavailable_from:%d-%m-%Y}"


class Employment(models.Model):
    """The sheltered job: always an employment contract (DOMAIN §6)."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="employments", verbose_name=_("case")
    )
    #: The municipality whose quota the place counts for and who pays (DOMAIN §6.5).
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="employments",
        verbose_name=_("municipality"),
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    workplace_kind = models.CharField(
        _("kind of workplace"), max_length=25, choices=WorkplaceKind.choices
    )
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=2)
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"), null=True, blank=True)
    contract_kind = models.CharField(_("contract"), max_length=12, choices=ContractKind.choices)
    funding_kind = models.CharField(_("funding"), max_length=20, choices=FundingKind.choices)
    max_monthly_subsidy = models.DecimalField(
        _("maximum wage subsidy per month"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    ended_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            choices_constraint("workplace_kind", WorkplaceKind, "employment_workplace_valid"),
            choices_constraint("contract_kind", ContractKind, "employment_contract_valid"),
            choices_constraint("funding_kind", FundingKind, "employment_funding_valid"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=40),
                name="employment_hours_in_range",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="employment_end_after_start",
            ),
            # One running employment per case: placing the same case twice yields one.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(end_on__isnull=True),
                name="employment_one_running_per_case",
            ),
        ]
        indexes = [
            models.Index(
                fields=["municipality", "start_on"],
                name="employment_active",
                condition=Q(end_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.employer_name}"


class Term(models.Model):
    """A legal term on a case (DOMAIN §0). ``end_on`` and ``suspended_since`` are derived from
    the start and the ``TermEvent`` rows by ``services`` (never edited by hand), and stored so
    that work lists and the sweep filter on an index instead of recomputing."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="terms", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TermKind.choices)
    starts_on = models.DateField(_("starts on"))
    weeks = models.PositiveSmallIntegerField(_("weeks"), null=True, blank=True)
    end_on = models.DateField(_("end date"))
    suspended_since = models.DateField(_("suspended since"), null=True, blank=True)
    met_on = models.DateField(_("met on"), null=True, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            choices_constraint("kind", TermKind, "term_kind_valid"),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(met_on__isnull=True),
                name="term_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("starts_on")), name="term_end_after_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["end_on", "id"], name="term_open_end", condition=Q(met_on__isnull=True)
            ),
            models.Index(
                fields=["kind", "end_on"],
                name="term_open_kind_end",
                condition=Q(met_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()} {self.end_on:%d-%m-%Y}"


class TermEvent(models.Model):
    """Append-only: a term was suspended or resumed on a date (DOMAIN §0)."""

    class Kind(models.TextChoices):
        SUSPENDED = "suspended", _("Suspended")
        RESUMED = "resumed", _("Resumed")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["suspended", "resumed"]), name="term_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d-%m-%Y}"


class CaseEvent(models.Model):
    """Append-only case history: what happened, when, by whom. Shown as the timeline.

    ``details`` never holds a BSN or health text; it holds ids, dates and outcomes.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("case history")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.action}"


class DecreeHoliday(models.Model):
    """A day equated with a general holiday by royal decree (Algemene termijnenwet art. 3(3)).
    Operators add the days of each new decree; ``rules`` extends terms over them."""

    day = models.DateField(_("day"), unique=True)
    description = models.CharField(_("description"), max_length=200)

    class Meta:
        ordering = ["day"]
        verbose_name = _("day equated by decree")
        verbose_name_plural = _("days equated by decree")

    def __str__(self) -> str:
        return f"{self.day:%d-%m-%Y}"


class AowAge(models.Model):
    """The state-pension age per year, set five years ahead by law (DOMAIN §1.3)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    years = models.PositiveSmallIntegerField(_("years"))
    months = models.PositiveSmallIntegerField(_("months"), default=0)

    class Meta:
        ordering = ["year"]
        verbose_name = _("AOW age")
        verbose_name_plural = _("AOW ages")
        constraints = [
            models.CheckConstraint(condition=Q(months__lt=12), name="aow_age_months_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.years}j {self.months}m"


class NationalQuota(models.Model):
    """National total of places per year (DOMAIN §4.1), for reference and benchmarks."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    places = models.PositiveIntegerField(_("places"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("national quota")
        verbose_name_plural = _("national quotas")

    def __str__(self) -> str:
        return f"{self.year}: {self.places}"


class AuditEntry(models.Model):
    """Who did or viewed what, with what result, from where, when (UTC).

    Written after the action's own transaction ends, so an entry survives a rollback of the
    action it describes. Holds object ids, never personal content.
    """

    class Result(models.TextChoices):
        OK = "ok", _("Succeeded")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    at = models.DateTimeField(_("time (UTC)"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object ID"), max_length=40, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=["ok", "refused", "failed"]), name="audit_result_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class SavedFilter(models.Model):
    """A consultant's saved work-list filter (issue #5): a name and the query string."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_filters",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


# -- citizens (issue #4): the application draft, documents and messages ----------------------


class ApplicationDraft(models.Model):
    """A citizen's application in progress (issue #4). The answers of every step are stored
    after the step's form checked them (only the fields that passed, as strings the form reads
    again), so the draft survives closing the browser and logging out; ``submitted_at`` is
    claimed once, so a double submission makes one case."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="application_drafts",
        verbose_name=_("owner"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    case = models.OneToOneField(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draft",
        verbose_name=_("case"),
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("application draft")
        verbose_name_plural = _("application drafts")

    def __str__(self) -> str:
        return f"draft {self.pk}"


class BsnEntry(models.Model):
    """A BSN a citizen's account entered in the application, per day (issue #18): the number
    of different BSNs an account may enter a day is limited (``CITIZEN_BSNS_PER_DAY``). Only
    a keyed hash of the BSN is kept."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bsn_entries",
        verbose_name=_("account"),
    )
    day = models.DateField(_("day"))
    digest = models.CharField(_("keyed hash of the BSN"), max_length=64)

    class Meta:
        verbose_name = _("BSN entry")
        verbose_name_plural = _("BSN entries")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day", "digest"], name="bsn_entry_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}"


class Document(models.Model):
    """A supporting document (DOMAIN §1.6). Stored under a generated name in MEDIA_ROOT
    (outside the web root) and served only through a permission-checked view."""

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("case"),
    )
    draft = models.ForeignKey(
        ApplicationDraft,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("application draft"),
    )
    stored_name = models.CharField(_("stored name"), max_length=100, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(draft__isnull=False),
                name="document_belongs_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Message(models.Model):
    """A message from the municipality to the citizen about a case (issue #4)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent on"), auto_now_add=True)
    read_at = models.DateTimeField(_("read on"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.subject


# -- notifications (issue 7) ------------------------------------------------------------------


class NotificationKind(models.TextChoices):
    """What a notification is about. Citizens' kinds marked legally required cannot be
    switched off (``LEGALLY_REQUIRED``)."""

    # to the citizen
    APPLICATION_RECEIVED = "application_received", _("Application received")
    TERM_MOVED = "term_moved", _("Term suspended or moved")
    ADVICE_ISSUED = "advice_issued", _("Advice issued")
    DECISION_SENT = "decision_sent", _("Decision")
    OBJECTION_RECEIVED = "objection_received", _("Objection received")
    EMPLOYMENT_OFFERED = "employment_offered", _("Employment offered")
    # to staff
    NEW_APPLICATION = "new_application", _("New application")
    UWV_TERM_DUE_SOON = "uwv_term_due_soon", _("UWV term ends in two weeks")
    UWV_TERM_DUE = "uwv_term_due", _("UWV term ends in three days")
    UWV_TERM_OVERDUE = "uwv_term_overdue", _("UWV term overdue")
    DECISION_DUE_SOON = "decision_due_soon", _("Decision due in two weeks")
    DECISION_DUE = "decision_due", _("Decision due in three days")
    DECISION_OVERDUE = "decision_overdue", _("Decision term overdue")
    OBJECTION_TERM_ENDED = "objection_term_ended", _("Objection term ended")
    PLACEMENT_SIGNAL = "placement_signal", _("Not placed after three months")
    ADVICE_FOR_MUNICIPALITY = "advice_for_municipality", _("Advice issued to the municipality")
    OBJECTION_FILED = "objection_filed", _("Objection received")
    AVAILABLE_AGAIN = "available_again", _("Person available again")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    INBOX = "inbox", _("Inbox")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    UNCERTAIN = "uncertain", _("Uncertain: check by hand")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to one recipient over one channel, at most once.

    The unique key (case, kind, term end date, recipient, channel) is enforced by the
    database, so a rerun, a retry, a second worker or a second beat inserts nothing new
    (``INSERT … ON CONFLICT DO NOTHING``). ``recipient_key`` is ``user:<id>`` or the
    e-mail address of a person without an account, so the key never holds a NULL.
    """

    # An insert-only ledger written in bulk by the sweep: no FK triggers and no extra indexes
    # (the unique key starts with the case; the inbox index covers the recipient). Django
    # still cascades deletes.
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("case"),
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    term_end = models.DateField(
        _("term end date"),
        help_text=_("The end date of the term the message is about, or the day of the event."),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
        db_constraint=False,
    )
    recipient_key = models.CharField(max_length=254)
    email = models.EmailField(_("e-mail address"), blank=True)
    created_at = models.DateTimeField(_("created on"))
    read_at = models.DateTimeField(_("read on"), null=True, blank=True)
    state = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "term_end", "recipient_key", "channel"],
                name="notification_once",
            ),
            choices_constraint("kind", NotificationKind, "notification_kind_valid"),
            choices_constraint("channel", NotificationChannel, "notification_channel_valid"),
            choices_constraint("state", DeliveryState, "notification_state_valid"),
            models.CheckConstraint(
                condition=~Q(channel="inbox") | Q(recipient__isnull=False),
                name="notification_inbox_has_user",
            ),
            models.CheckConstraint(
                condition=~Q(channel="email") | ~Q(email=""),
                name="notification_email_has_address",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_inbox",
                condition=Q(channel="inbox"),
            ),
            models.Index(
                fields=["state"],
                name="notification_problem",
                condition=Q(state__in=["uncertain", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} → {self.recipient_key} ({self.channel})"


class OutboxMessage(models.Model):
    """The transactional outbox: written in the same transaction as its notification, drained
    by ``cases.tasks.drain_outbox`` after commit. The web request never talks to the broker.
    Deleted once the notification reaches a final state."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="outbox", db_constraint=False
    )
    created_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"outbox {self.notification_id}"


class NotificationPreference(models.Model):
    """A staff member switched e-mail off (or back on) for one kind. The in-app inbox always
    receives it; legally required mail to citizens cannot be switched off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    email = models.BooleanField(_("send e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} email={self.email}"


class SweepMark(models.Model):
    """How far the sweep got, per notification kind: the local date it last ran for and the
    highest term and term-event ids it had seen. A rerun then only looks at terms that
    entered a window since, that are new, or that moved (an event), instead of every open
    term again."""

    kind = models.CharField(max_length=30, unique=True, choices=NotificationKind.choices)
    through = models.DateField()
    term_id_high = models.BigIntegerField(default=0)
    event_id_high = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} through {self.through}"
