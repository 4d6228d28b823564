"""The core of the case domain: a person, their application, UWV's advice, the college's
decision, objections, the AOW ages, saved filters and the citizen's application draft.

Each legal step is its own model (no god model). The lifecycle state lives on ``Case`` and
changes only through ``services.transition``; the allowed moves are ``rules.TRANSITIONS``.

The other models of the ``cases`` app live in its packages by concern (``terms``,
``placement``, ``notifications``, ``documents``, ``audit``). This module imports them only
so that Django registers them with the app; everything else imports them from their own
package.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.nl import bsn as stdnum_bsn

from .audit.models import AuditEntry as AuditEntry
from .audit.models import CaseEvent as CaseEvent
from .choices import (
    AdviceOutcome,
    AppealOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    choices_constraint,
)
from .documents.models import Document as Document
from .notifications.models import Message as Message
from .notifications.models import Notification as Notification
from .notifications.models import NotificationPreference as NotificationPreference
from .notifications.models import OutboxMessage as OutboxMessage
from .notifications.models import SweepMark as SweepMark
from .placement.models import AvailabilityPeriod as AvailabilityPeriod
from .placement.models import Employment as Employment
from .placement.models import MinimumWage as MinimumWage
from .placement.models import NationalQuota as NationalQuota
from .placement.models import PassedOver as PassedOver
from .placement.models import PlaceRefusal as PlaceRefusal
from .privacy.models import Anonymised as Anonymised
from .privacy.models import CorrectionRequest as CorrectionRequest
from .privacy.models import RetentionRun as RetentionRun
from .provisions.models import SupportProvision as SupportProvision
from .terms.models import DecreeHoliday as DecreeHoliday
from .terms.models import Term as Term
from .terms.models import TermEvent as TermEvent

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
    CaseState.JOBS_AGREEMENT,
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
    #: Date of the positive decision (or of the objection's outcome that made it positive):
    #: the person waits since then; the placement signal counts from it.
    positive_decision_on = models.DateField(_("positive decision on"), null=True, blank=True)
    #: Date of UWV's advice the positive decision rests on: the verordening's order "date of
    #: the positive advice" (DOMAIN §4.5). An upheld objection does not change it.
    positive_advice_on = models.DateField(_("date of the positive advice"), null=True, blank=True)
    #: A school leaver or other priority group under the verordening (DOMAIN §4.5), set by
    #: staff with a reason (``services.set_priority_group``).
    priority_group = models.BooleanField(_("priority group"), default=False)
    #: The position the municipality gave the candidate under its own order (DOMAIN §4.5),
    #: set with a reason (``services.set_council_position``); None: none given.
    council_position = models.PositiveIntegerField(
        _("position in the municipality's own order"), null=True, blank=True
    )
    #: The day a decision still missing counted as a refusal (DOMAIN §3.1), set by the sweep.
    deemed_refusal_on = models.DateField(
        _("counts as refused from"),
        null=True,
        blank=True,
        help_text=_("The decision term passed without a decision: that counts as a refusal."),
    )
    #: The person's earlier case in this municipality that this application follows on (a new
    #: advice belongs to the same file, DOMAIN §2.6); set when the application is created.
    previous_case = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_cases",
        verbose_name=_("earlier case in the file"),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            choices_constraint("state", CaseState, "case_state_valid"),
            models.CheckConstraint(
                condition=Q(council_position__isnull=True) | Q(council_position__gte=1),
                name="case_council_position_positive",
            ),
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
                fields=["municipality", "positive_advice_on", "id"],
                name="case_candidates_by_advice",
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
    #: §1.2: negative because the person applied again within 12 months without changed
    #: circumstances; UWV then gives a negative advice without assessing the criteria.
    once_a_year_rule = models.BooleanField(_("negative under the once-a-year rule"), default=False)
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
    #: Awb 6:9: the postmark of an objection sent by post, on which ``in_time`` rests when it
    #: arrived after the term.
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    grounds = models.TextField(_("grounds"))
    in_time = models.BooleanField(_("within the term"))
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    #: §3.2: upholding an objection against a refusal that followed a negative advice makes
    #: the person eligible against the advice: the college records why it deviates.
    deviation_reason = models.TextField(_("reason for deviating"), blank=True)

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


class Appeal(models.Model):
    """A *beroep* to the administrative court against the college's decision on an objection
    (DOMAIN §3.3; Awb art. 8:1): when it was filed, at which court, and the judgment."""

    objection = models.OneToOneField(
        Objection, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("objection")
    )
    filed_on = models.DateField(_("filed on"))
    court = models.CharField(_("court"), max_length=200)
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=AppealOutcome.choices, default=AppealOutcome.PENDING
    )
    decided_on = models.DateField(_("judgment on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            choices_constraint("outcome", AppealOutcome, "appeal_outcome_valid"),
            models.CheckConstraint(
                condition=Q(outcome="pending", decided_on__isnull=True)
                | (~Q(outcome="pending") & Q(decided_on__isnull=False)),
                name="appeal_decided_has_date",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("filed_on")),
                name="appeal_decided_after_filed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objection.case_id}: {self.filed_on:%d-%m-%Y}"


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
