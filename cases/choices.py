"""Choices of the case domain. Every one is enforced by a database CheckConstraint
on the model that uses it (see ``models.py``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    """Where a case stands. The allowed moves are ``rules.TRANSITIONS``.

    Whether a person waiting for a place is *obliged*, on an *additional* place or on the
    *waiting list* is not a stored state: it is derived by the capacity computation from the
    quota, the verordening and the other candidates (see ``Category``).
    """

    DRAFT = "draft", _("Concept")
    SUBMITTED = "submitted", _("Ingediend")
    WITH_UWV = "with_uwv", _("In onderzoek bij UWV")
    ADVICE_ISSUED = "advice_issued", _("Advies gegeven")
    REJECTED = "rejected", _("Afgewezen")
    OBJECTION = "objection", _("Bezwaar loopt")
    AWAITING_PLACEMENT = "awaiting_placement", _("Wacht op een plek")
    UNAVAILABLE = "unavailable", _("Tijdelijk niet beschikbaar")
    EMPLOYED = "employed", _("Aan het werk")
    WITHDRAWN = "withdrawn", _("Ingetrokken")
    CLOSED = "closed", _("Afgesloten")


class BenefitKind(models.TextChoices):
    PARTICIPATIEWET = "participatiewet", _("Bijstand (Participatiewet)")
    SURVIVOR = "survivor", _("Nabestaandenuitkering (Anw)")
    NONE = "none", _("Geen uitkering")
    WAJONG = "wajong", _("Wajong")
    WIA_WAO = "wia_wao", _("WIA of WAO")
    WW = "ww", _("WW")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("De persoon zelf")
    REPRESENTATIVE = "representative", _("Een vertegenwoordiger")
    MUNICIPALITY = "municipality", _("Het college (gemeente)")


class CandidateSource(models.TextChoices):
    BENEFIT_FILES = "benefit_files", _("Eigen uitkeringsbestand")
    SCHOOL = "school", _("Vso- of pro-school")
    DAY_ACTIVITIES = "day_activities", _("Dagbesteding")
    CARE = "care", _("GGZ- of zorginstelling")
    SELF_REFERRAL = "self_referral", _("Eigen aanmelding")
    OTHER = "other", _("Anders")


class AdviceOutcome(models.TextChoices):
    POSITIVE = "positive", _("Positief")
    NEGATIVE = "negative", _("Negatief")


class OrderingRule(models.TextChoices):
    """How the verordening orders candidates for additional places (DOMAIN §4.5)."""

    POSITIVE_ADVICE_DATE = "positive_advice_date", _("Datum van het positieve advies")
    APPLICATION_DATE = "application_date", _("Datum van de aanvraag")
    PRIORITY_THEN_ADVICE_DATE = (
        "priority_then_advice_date",
        _("Eerst voorrangsgroepen (zoals schoolverlaters), dan datum van het advies"),
    )


class Category(models.TextChoices):
    """A candidate's place in the capacity computation (DOMAIN §4)."""

    OBLIGED = "obliged", _("Verplicht te plaatsen")
    ADDITIONAL = "additional", _("Extra plek")
    WAITING = "waiting", _("Wachtlijst")
    UNAVAILABLE = "unavailable", _("Tijdelijk niet beschikbaar")


class Responsible(models.TextChoices):
    MUNICIPALITY = "municipality", _("Gemeente")
    UWV = "uwv", _("UWV")


class WorkplaceKind(models.TextChoices):
    SOCIAL_ENTERPRISE = "social_enterprise", _("Sociaal ontwikkelbedrijf of SW-bedrijf")
    MUNICIPALITY = "municipality", _("De gemeente zelf")
    RELATED_ORGANISATION = "related_organisation", _("Verbonden organisatie")
    REGULAR_SECONDMENT = "regular_secondment", _("Gewone werkgever, via detachering")
    REGULAR_DIRECT = "regular_direct", _("Gewone werkgever, direct contract")
    SOCIAL_FIRM = "social_firm", _("Sociale onderneming")


class ContractKind(models.TextChoices):
    FIXED = "fixed", _("Bepaalde tijd")
    INDEFINITE = "indefinite", _("Onbepaalde tijd")


class FundingKind(models.TextChoices):
    WAGE_SUBSIDY = "wage_subsidy", _("Loonkostensubsidie (gemeente)")
    WAGE_DISPENSATION = "wage_dispensation", _("Loondispensatie (UWV)")


class TermKind(models.TextChoices):
    UWV_ADVICE = "uwv_advice", _("Adviestermijn UWV")
    DECISION = "decision", _("Beslistermijn gemeente")
    OBJECTION = "objection", _("Bezwaartermijn")
    PLACEMENT = "placement", _("Signaal plaatsing")


class TermState(models.TextChoices):
    RUNNING = "running", _("Loopt")
    SUSPENDED = "suspended", _("Opgeschort")
    MET = "met", _("Gehaald")
    OVERDUE = "overdue", _("Verlopen")
