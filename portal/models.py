from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    CONSULTANT = "consultant", _("Consultant")
    MUNICIPAL_ADMIN = "municipal_admin", _("Municipal administrator")
    UWV_ASSESSOR = "uwv_assessor", _("UWV assessor")
    OPERATOR = "operator", _("Operator")


#: Roles that work for a municipality and see only its cases.
MUNICIPAL_ROLES = frozenset({Role.CONSULTANT, Role.MUNICIPAL_ADMIN})
#: Roles that must sign in with a second factor (TOTP).
STAFF_ROLES = frozenset({Role.CONSULTANT, Role.MUNICIPAL_ADMIN, Role.UWV_ASSESSOR, Role.OPERATOR})


class PortalUserManager(UserManager):
    """Users sign in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=Role.OPERATOR)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: a citizen, municipal staff, a UWV assessor or an operator.

    Consultants and municipal administrators belong to exactly one municipality; the other
    roles to none. Only operators reach the Django admin (``is_staff``).
    """

    username = None
    #: Empty (NULL) only for a citizen who signed in with DigiD and added no address (issue 24).
    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    phone = models.CharField(_("phone number"), max_length=20, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(MUNICIPAL_ROLES), municipality__isnull=False)
                    | (~Q(role__in=sorted(MUNICIPAL_ROLES)) & Q(municipality__isnull=True))
                ),
                name="user_municipality_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(role=Role.OPERATOR),
                name="user_only_operators_are_admin_staff",
            ),
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(role=Role.CITIZEN),
                name="user_email_unless_citizen",
            ),
            # Addresses are stored in lower case (portal.signals); this keeps "Jan@…" and
            # "jan@…" from ever being two accounts, however a row is written.
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=_("There is already an account with this e-mail address."),
            ),
        ]

    def __str__(self) -> str:
        return self.name_or_email(self.first_name, self.last_name, self.email)

    @staticmethod
    def name_or_email(first_name: str, last_name: str, email: str | None) -> str:
        """How a user is named on every page: the full name, else the e-mail address (also
        for rows read as plain values), else that it is a DigiD account."""
        return f"{first_name} {last_name}".strip() or email or str(_("DigiD account"))

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


# -- machine clients of the case exchange API (issue #24) -----------------------------------

#: The API's scopes (OAuth2) and what each allows.
API_SCOPES = {
    "uwv.read": _("Read UWV's queue of advice requests and the cases in it"),
    "uwv.advice": _("Record UWV's advice on a case"),
    "cases.read": _("Read the municipality's cases, decisions, placements and waiting list"),
    "cases.write": _("Record decisions and placements of the municipality"),
}
#: The scopes a client may be given, by the role it acts in.
API_SCOPES_BY_ROLE = {
    Role.UWV_ASSESSOR: ("uwv.read", "uwv.advice"),
    Role.CONSULTANT: ("cases.read", "cases.write"),
}


class ApiClient(models.Model):
    """A machine client of the case exchange API: a UWV system, or a municipality's back
    office. It gets its tokens with OAuth2 client credentials (``application``) and acts
    through its own ``account``: a user with the client's role (and municipality) that has no
    password and cannot sign in on the website, so that the services, their rules, the scope
    of the selectors and the audit treat it as they treat a person in that role.

    The account is left out of every list of people (colleagues to assign a case to, the
    municipality's staff, the recipients of notifications).
    """

    name = models.CharField(_("name"), max_length=100)
    account = models.OneToOneField(
        User,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    application = models.OneToOneField(
        "oauth2_provider.Application",
        verbose_name=_("OAuth2 application"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    scopes = models.CharField(
        _("scopes"),
        max_length=200,
        help_text=_("The scopes the client may ask for, separated by spaces."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive client gets no token, and its tokens no longer work."),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_list(self) -> list[str]:
        """The scopes it was given that its role allows (a role never gains another's)."""
        allowed = API_SCOPES_BY_ROLE.get(Role(self.account.role), ())
        return [scope for scope in self.scopes.split() if scope in allowed]
