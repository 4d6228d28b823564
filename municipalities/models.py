from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Cast
from django.db.models.lookups import Regex
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import OrderingRule, ProvisionKind, WorkplaceKind
from cases.rules import ADVICE_REVIEW_MONTHS

from . import themes

#: The 35 labour-market regions (arbeidsmarktregio's) in which municipalities and UWV work
#: together (Besluit SUWI, since 2021). A municipality's region is one of these.
LABOUR_MARKET_REGIONS = (
    "Achterhoek",
    "Amersfoort",
    "Drechtsteden",
    "Drenthe",
    "Flevoland",
    "Food Valley",
    "Friesland",
    "Gooi en Vechtstreek",
    "Gorinchem",
    "Groningen",
    "Groot Amsterdam",
    "Haaglanden",
    "Helmond-De Peel",
    "Holland Rijnland",
    "Midden-Brabant",
    "Midden-Gelderland",
    "Midden-Holland",
    "Midden-Limburg",
    "Midden-Utrecht",
    "Noord-Holland Noord",
    "Noord-Limburg",
    "Noordoost-Brabant",
    "Regio Zwolle",
    "Rijk van Nijmegen",
    "Rijnmond",
    "Rivierenland",
    "Stedendriehoek en Noordwest Veluwe",
    "Twente",
    "West-Brabant",
    "Zaanstreek/Waterland",
    "Zeeland",
    "Zuid-Holland Centraal",
    "Zuid-Kennemerland en IJmond",
    "Zuid-Limburg",
    "Zuidoost-Brabant",
)

cbs_code_validator = RegexValidator(
    r"^GM\d{4}$", _("A CBS municipality code is GM followed by four digits, for example GM0363.")
)


class Municipality(models.Model):
    """A municipality: the college that decides, and the owner of its own caseload."""

    cbs_code = models.CharField(
        _("CBS code"), max_length=6, unique=True, validators=[cbs_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    labour_market_region = models.CharField(_("labour market region"), max_length=100, blank=True)
    # Letterhead, signature and contact details of the letters and e-mails it sends.
    letterhead = models.TextField(
        _("sender"),
        blank=True,
        help_text=_(
            "The sender at the top of letters, for example: Gemeente Amsterdam, Werk, "
            "Participatie en Inkomen. Empty: Gemeente and the name of the municipality."
        ),
    )
    postal_address = models.TextField(
        _("postal address"),
        blank=True,
        help_text=_("The return address on letters, for example: Postbus 202, 1000 AE Amsterdam."),
    )
    objection_address = models.TextField(
        _("address for objections"),
        blank=True,
        help_text=_(
            "Where people send a letter of objection: to whom and the postal address, for "
            "example: Bezwaarschriften, Postbus 202, 1000 AE Amsterdam."
        ),
    )
    team_name = models.CharField(
        _("team"),
        max_length=150,
        blank=True,
        help_text=_("The team that signs letters and e-mails, for example: Team Beschut Werk."),
    )
    signatory_name = models.CharField(_("name of the signatory"), max_length=150, blank=True)
    signatory_role = models.CharField(
        _("role of the signatory"),
        max_length=150,
        blank=True,
        help_text=_("For example: manager Werk en Participatie."),
    )
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    contact_phone = models.CharField(_("contact phone number"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_text = models.TextField(
        _("contact text"),
        blank=True,
        help_text=_("Shown under letters and e-mails: when and how people can reach you."),
    )
    # Pw art. 7 lid 7 (DOMAIN §4.6): an agreement with UWV that the municipality looks after
    # people with a UWV benefit on the waiting list. In force from the date; none if empty.
    uwv_agreement_from = models.DateField(
        _("agreement with UWV (Pw art. 7(7)) in force from"),
        null=True,
        blank=True,
        help_text=_(
            "From this date the municipality is responsible for people with a UWV benefit on "
            "the waiting list. Leave empty if there is no such agreement."
        ),
    )
    uwv_agreement_description = models.TextField(
        _("what the municipality and UWV agreed"), blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cbs_code__regex=r"^GM[0-9]{4}$"), name="municipality_cbs_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sender(self) -> str:
        """The sender at the top of its letters and under its e-mails."""
        return self.letterhead.strip() or _("Municipality of %(name)s") % {"name": self.name}

    @property
    def missing_letterhead_fields(self) -> list[str]:
        """The labels of the fields a decision letter needs and that are still empty: no
        letter goes out without a return address, where to object, a signature and a way to
        reach the municipality."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in LETTERHEAD_REQUIRED_FIELDS
            if not str(getattr(self, name)).strip()
        ]


#: What the municipal administrator fills in on the letterhead and contact page.
CONTACT_FIELDS = (
    "letterhead",
    "postal_address",
    "objection_address",
    "team_name",
    "signatory_name",
    "signatory_role",
    "contact_phone",
    "contact_email",
    "website",
    "contact_text",
)

#: What every decision letter needs from its municipality (``missing_letterhead_fields``).
LETTERHEAD_REQUIRED_FIELDS = (
    "postal_address",
    "objection_address",
    "team_name",
    "signatory_name",
    "signatory_role",
    "contact_phone",
    "contact_email",
)


def _colour_field(label, field: str, help_text=""):
    return models.CharField(label, max_length=7, default=themes.NEUTRAL[field], help_text=help_text)


class Theme(models.Model):
    """A municipality's house style on its citizens' pages, letters and mails: a few design
    tokens (``municipalities.themes``) and a logo. Without one, the neutral portal theme."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="theme", verbose_name=_("municipality")
    )
    primary_color = _colour_field(
        _("main colour"), "primary_color", _("The colour of buttons and accents.")
    )
    primary_text_color = _colour_field(
        _("text colour on the main colour"), "primary_text_color", _("The text on buttons.")
    )
    header_background_color = _colour_field(_("colour of the top bar"), "header_background_color")
    header_text_color = _colour_field(_("text colour in the top bar"), "header_text_color")
    link_color = _colour_field(_("colour of links"), "link_color")
    heading_color = _colour_field(_("colour of headings"), "heading_color")
    font = models.CharField(
        _("font"), max_length=20, choices=themes.Font.choices, default=themes.Font.SYSTEM
    )
    heading_font = models.CharField(
        _("font of headings"),
        max_length=20,
        choices=themes.Font.choices,
        default=themes.Font.SYSTEM,
    )
    # The logo as stored after the upload checks (decoded and encoded again): a few hundred
    # kilobytes at most, kept with the theme so that one row versions both.
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_content_type = models.CharField(_("type of the logo"), max_length=20, blank=True)
    logo_width = models.PositiveIntegerField(_("width of the logo"), null=True, blank=True)
    logo_height = models.PositiveIntegerField(_("height of the logo"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed on"), auto_now=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__regex": r"^#[0-9a-f]{6}$"}),
                    name=f"theme_{name}",
                )
                for name in themes.COLOUR_FIELDS
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__in": themes.Font.values}),
                    name=f"theme_{name}_known",
                )
                for name in themes.FONT_FIELDS
            ),
            models.CheckConstraint(
                condition=models.Q(logo_content_type__in=["", "image/png", "image/jpeg"]),
                name="theme_logo_type",
            ),
        ]

    def __str__(self) -> str:
        return str(self.municipality_id)

    @property
    def tokens(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in themes.TOKEN_FIELDS}

    @property
    def version(self) -> str:
        """Changes whenever the theme or its logo changes: in the addresses of its files."""
        return f"{self.updated_at:%Y%m%d%H%M%S%f}"


#: What the municipal administrator sets on the theme page besides the logo.
THEME_FIELDS = themes.TOKEN_FIELDS


class YearlyQuota(models.Model):
    """The ministerial regulation's cumulative number of places to realise by year end
    (DOMAIN §4.1). Every municipality has at least 1."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    places = models.DecimalField(_("number of places"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["municipality", "-year"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="quota_one_per_year"),
            models.CheckConstraint(condition=models.Q(places__gte=1), name="quota_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.places}"


class WageSubsidyYear(models.Model):
    """How the municipality computes the wage subsidy in a year (DOMAIN §6.3): by measuring
    the wage value (the gap to the minimum wage, at most 70%), or at the flat rate of 68% of
    the minimum wage without measurement. A year without a row measures the wage value."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="wage_subsidy_years",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # xgettext:no-python-format
    flat_rate = models.BooleanField(_("flat rate of 68% without wage-value measurement"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["municipality", "-year"]
        verbose_name = _("wage subsidy per year")
        verbose_name_plural = _("wage subsidy per year")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="wage_subsidy_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"


#: What a municipality settles in (a version of) its verordening: the fields its form shows
#: and its services copy from one version to the next.
VERORDENING_FIELDS = (
    "in_force_from",
    "discussed_with_target_group_on",
    "provisions",
    "provision_kinds",
    "provisions_until_employment",
    "provisions_while_waiting",
    "offers_additional_places",
    "additional_places_per_year",
    "ordering_rule",
    "decision_term_weeks",
    "advice_revives_on_fallback",
    "advice_review_months",
)


def default_provision_kinds() -> list[str]:
    """The provisions a verordening offers unless its administrator chooses otherwise: every
    kind the portal knows (DOMAIN §5)."""
    return list(ProvisionKind.values)


#: ``Verordening.provision_kinds`` is a JSON list of ``ProvisionKind`` values: the database
#: keeps it to known values by its text, the same on PostgreSQL and SQLite.
_KIND = "(" + "|".join(ProvisionKind.values) + ")"
PROVISION_KINDS_PATTERN = rf'^\[\s*("{_KIND}"(\s*,\s*"{_KIND}")*)?\s*\]$'


class Verordening(models.Model):
    """The municipality's own rules (DOMAIN §5), one row per version by date of entry into
    force. A case is judged under the version in force at its date; versions are never edited
    once they are in force (a new version is added instead)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="verordeningen",
        verbose_name=_("municipality"),
    )
    in_force_from = models.DateField(_("in force from"))
    discussed_with_target_group_on = models.DateField(
        _("discussed with representatives of the target group on")
    )
    provisions = models.TextField(_("provisions that make sheltered work possible"))
    provisions_until_employment = models.TextField(
        _("provisions until the employment starts"), blank=True
    )
    provisions_while_waiting = models.TextField(
        _("provisions while on the waiting list"), blank=True
    )
    offers_additional_places = models.BooleanField(_("offers additional places"), default=False)
    additional_places_per_year = models.PositiveIntegerField(
        _("additional places per year"), default=0
    )
    ordering_rule = models.CharField(
        _("order for additional places"),
        max_length=40,
        choices=OrderingRule.choices,
        default=OrderingRule.POSITIVE_ADVICE_DATE,
    )
    decision_term_weeks = models.PositiveSmallIntegerField(_("decision term in weeks"), default=8)
    advice_revives_on_fallback = models.BooleanField(
        _("positive advice revives after a fallback"), default=True
    )
    advice_review_months = models.PositiveSmallIntegerField(
        _("review the advice after (months in work)"),
        default=ADVICE_REVIEW_MONTHS,
        help_text=_(
            "After this many months in a job, the consultant is reminded to consider a new "
            "advice. 0: no reminder."
        ),
    )

    provision_kinds = models.JSONField(
        _("provisions offered"),
        default=default_provision_kinds,
        blank=True,
        help_text=_(
            "The kinds of provision the consultant can record as paid by the municipality."
        ),
    )

    class Meta:
        ordering = ["municipality", "-in_force_from"]
        verbose_name = _("verordening")
        verbose_name_plural = _("verordeningen")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "in_force_from"], name="verordening_one_per_date"
            ),
            models.CheckConstraint(
                condition=models.Q(offers_additional_places=True)
                | models.Q(additional_places_per_year=0),
                name="verordening_additional_places_only_if_offered",
            ),
            models.CheckConstraint(
                condition=models.Q(ordering_rule__in=OrderingRule.values),
                name="verordening_ordering_rule_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(decision_term_weeks__gte=1), name="verordening_term_positive"
            ),
            models.CheckConstraint(
                condition=Regex(
                    Cast("provision_kinds", output_field=models.TextField()),
                    PROVISION_KINDS_PATTERN,
                ),
                name="verordening_provision_kinds_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}, {self.in_force_from:%d-%m-%Y}"

    @property
    def provision_kind_labels(self) -> list[str]:
        """The provisions offered, as the pages name them."""
        return [str(ProvisionKind(kind).label) for kind in self.provision_kinds]


# -- municipal administration (issue 6): employers, quota history, chain agreements ----------


#: What an administrator settles of an employer: the fields its form shows and its service saves.
EMPLOYER_FIELDS = (
    "name",
    "kind",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
    "active",
)


class Employer(models.Model):
    """An employer or workplace where people work in sheltered employment (DOMAIN §6.2)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="employers",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of workplace"), max_length=25, choices=WorkplaceKind.choices)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    contact_phone = models.CharField(_("contact phone number"), max_length=20, blank=True)
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active employers can be chosen for a job.")
    )

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="employer_unique_name_per_municipality"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=WorkplaceKind.values), name="employer_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuotaChange(models.Model):
    """Append-only history of a municipality's quota: who changed which year from what to
    what, when, and how (by hand or by importing the ministerial regulation)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Changed by hand")
        IMPORT = "import", _("Imported from the ministerial regulation")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="quota_changes",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    old_places = models.DecimalField(
        _("old number of places"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    new_places = models.DecimalField(_("new number of places"), max_digits=8, decimal_places=2)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("quota change")
        verbose_name_plural = _("quota changes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=["manual", "import"]), name="quota_change_source"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "year"], name="quota_change_year")]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.old_places} → {self.new_places}"


class ChainAgreement(models.Model):
    """A local chain agreement (seed 001, measure 5): partners, their roles, and target places
    per year."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="chain_agreements",
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=200)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Leave empty if it has no end date.")
    )
    description = models.TextField(_("what the partners agreed"), blank=True)
    regional_waiting_list = models.BooleanField(
        _("regional cooperation on the waiting list"),
        default=False,
        help_text=_(
            "The municipalities of the labour-market region share their waiting lists: "
            "consultants see who is waiting in the other municipalities that agreed the same."
        ),
    )

    class Meta:
        ordering = ["municipality", "-concluded_on", "title"]
        verbose_name = _("chain agreement")
        verbose_name_plural = _("chain agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(concluded_on__isnull=True)
                | models.Q(ends_on__gte=models.F("concluded_on")),
                name="chain_agreement_ends_after_concluded",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChainPartner(models.Model):
    """A partner in a chain agreement and its role."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("VSO or PRO school")
        SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
        EMPLOYER = "employer", _("Employer")
        UWV = "uwv", _("UWV")
        CARE = "care", _("Care or day-activities provider")
        OTHER = "other", _("Other")

    agreement = models.ForeignKey(
        ChainAgreement,
        on_delete=models.CASCADE,
        related_name="partners",
        verbose_name=_("chain agreement"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of partner"), max_length=20, choices=Kind.choices)
    role = models.TextField(_("role in the agreement"))

    class Meta:
        ordering = ["agreement", "name"]
        verbose_name = _("chain partner")
        verbose_name_plural = _("chain partners")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["school", "social_enterprise", "employer", "uwv", "care", "other"]
                ),
                name="chain_partner_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChainTarget(models.Model):
    """Target number of places of a chain agreement in one year."""

    agreement = models.ForeignKey(
        ChainAgreement,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("chain agreement"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    target_places = models.PositiveIntegerField(_("target number of places"))

    class Meta:
        ordering = ["agreement", "year"]
        verbose_name = _("target places")
        verbose_name_plural = _("target places")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="chain_target_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.year}: {self.target_places}"
