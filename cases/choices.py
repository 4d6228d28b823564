"""Choices of the case domain. Every one is enforced by a database CheckConstraint
on the model that uses it (see ``models.py``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def choices_constraint(field: str, choices: type[models.TextChoices], name: str):
    """The database constraint that keeps ``field`` to the values of ``choices``."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class CaseState(models.TextChoices):
    """Where a case stands. The allowed moves are ``rules.TRANSITIONS``.

    Whether a person waiting for a place is *obliged*, on an *additional* place or on the
    *waiting list* is not a stored state: it is derived by the capacity computation from the
    quota, the verordening and the other candidates (see ``Category``).
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITH_UWV = "with_uwv", _("Being assessed by UWV")
    ADVICE_ISSUED = "advice_issued", _("Advice issued")
    REJECTED = "rejected", _("Rejected")
    OBJECTION = "objection", _("Objection pending")
    AWAITING_PLACEMENT = "awaiting_placement", _("Waiting for a place")
    UNAVAILABLE = "unavailable", _("Temporarily unavailable")
    EMPLOYED = "employed", _("Employed")
    #: Left sheltered work for a job under the jobs agreement (DOMAIN §6.6); may fall back.
    JOBS_AGREEMENT = "jobs_agreement", _("In a jobs-agreement job")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


class BenefitKind(models.TextChoices):
    PARTICIPATIEWET = "participatiewet", _("Social assistance (Participatiewet)")
    SURVIVOR = "survivor", _("Survivor's benefit (Anw)")
    NONE = "none", _("No benefit")
    WAJONG = "wajong", _("Wajong")
    WIA_WAO = "wia_wao", _("WIA or WAO")
    WW = "ww", _("WW")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("The person themselves")
    REPRESENTATIVE = "representative", _("A representative")
    MUNICIPALITY = "municipality", _("The college (municipality)")


class CandidateSource(models.TextChoices):
    BENEFIT_FILES = "benefit_files", _("Own benefit records")
    SCHOOL = "school", _("VSO or PRO school")
    DAY_ACTIVITIES = "day_activities", _("Day activities")
    CARE = "care", _("Mental health or care institution")
    SELF_REFERRAL = "self_referral", _("Self-referral")
    OTHER = "other", _("Other")


class AdviceOutcome(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")


class OrderingRule(models.TextChoices):
    """How the verordening orders candidates for additional places (DOMAIN §4.5)."""

    POSITIVE_ADVICE_DATE = "positive_advice_date", _("Date of the positive advice")
    APPLICATION_DATE = "application_date", _("Date of the application")
    PRIORITY_THEN_ADVICE_DATE = (
        "priority_then_advice_date",
        _("Priority groups first (such as school leavers), then date of the advice"),
    )
    COUNCIL_ORDER = "council_order", _("The municipality's own order")


class Category(models.TextChoices):
    """A candidate's place in the capacity computation (DOMAIN §4)."""

    OBLIGED = "obliged", _("Must be placed")
    ADDITIONAL = "additional", _("Additional place")
    WAITING = "waiting", _("Waiting list")
    UNAVAILABLE = "unavailable", _("Temporarily unavailable")


class Responsible(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    UWV = "uwv", _("UWV")


class WorkplaceKind(models.TextChoices):
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social development company or SW company")
    MUNICIPALITY = "municipality", _("The municipality itself")
    RELATED_ORGANISATION = "related_organisation", _("Affiliated organisation")
    REGULAR_SECONDMENT = "regular_secondment", _("Regular employer, through secondment")
    REGULAR_DIRECT = "regular_direct", _("Regular employer, direct contract")
    SOCIAL_FIRM = "social_firm", _("Social firm")


class ContractKind(models.TextChoices):
    FIXED = "fixed", _("Fixed term")
    INDEFINITE = "indefinite", _("Indefinite term")


class ProvisionKind(models.TextChoices):
    """Support that makes sheltered work possible (DOMAIN §5, §6.3): the kinds a verordening
    can offer (``Verordening.provision_kinds``) and a person can have (``SupportProvision``)."""

    JOB_COACH = "job_coach", _("Job coach")
    GUIDANCE = "guidance", _("Guidance")
    WORKPLACE_ADAPTATION = "workplace_adaptation", _("Workplace adaptation")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other provision")


class ContractOutcome(models.TextChoices):
    """What follows the end of a fixed-term contract (DOMAIN §6.1)."""

    CONTINUED_FIXED = "continued_fixed", _("Continued with a new end date")
    CONTINUED_INDEFINITE = "continued_indefinite", _("Continued for an indefinite term")
    NEW_PLACE = "new_place", _("Not continued: the person needs a new place")


class AppealOutcome(models.TextChoices):
    """The court's judgment on an appeal (beroep) against the decision on an objection."""

    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Upheld by the court")
    DISMISSED = "dismissed", _("Dismissed by the court")
    INADMISSIBLE = "inadmissible", _("Inadmissible")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FundingKind(models.TextChoices):
    WAGE_SUBSIDY = "wage_subsidy", _("Wage subsidy (municipality)")
    WAGE_DISPENSATION = "wage_dispensation", _("Wage dispensation (UWV)")


class TermKind(models.TextChoices):
    UWV_ADVICE = "uwv_advice", _("UWV advice term")
    DECISION = "decision", _("Municipal decision term")
    OBJECTION = "objection", _("Objection term")
    PLACEMENT = "placement", _("Placement signal")
    #: When the advice of a person in work is looked at again (DOMAIN §2.6): a key date.
    ADVICE_REVIEW = "advice_review", _("Review of the advice")
    #: The last day of a fixed-term contract (DOMAIN §6.1): a key date, signalled ahead.
    CONTRACT_END = "contract_end", _("End of the fixed-term contract")


class TermState(models.TextChoices):
    RUNNING = "running", _("Running")
    SUSPENDED = "suspended", _("Suspended")
    MET = "met", _("Met")
    OVERDUE = "overdue", _("Overdue")
    ENDED = "ended", _("Ended")  # a term of the person that ran out (rules.PERSONS_TERMS)


class Side(models.TextChoices):
    """Who takes part in the conversation on a case: who wrote a message or added a document,
    and whose read state it is."""

    APPLICANT = "applicant", _("Applicant")
    MUNICIPALITY = "municipality", _("Municipality")
    UWV = "uwv", _("UWV")


class MessageThread(models.TextChoices):
    """The two conversations on a case: the municipality with the applicant (or their
    representative), and UWV with the municipality during the advice."""

    APPLICANT = "applicant", _("Municipality and applicant")
    UWV = "uwv", _("UWV and municipality")
