"""Demo data: real municipalities, one account per role, known passwords and TOTP secrets,
and cases in every state of the lifecycle.

Idempotent: running it again changes nothing and duplicates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from cases import rules, selectors
from cases.audit.models import CaseEvent
from cases.bsn import valid_bsn
from cases.choices import (
    AdviceOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    ContractKind,
    TermKind,
    WorkplaceKind,
)
from cases.models import Advice, Application, Case, Decision, Objection, Person
from cases.placement.models import AvailabilityPeriod, Employment
from cases.reports import build
from cases.reports.models import LabourForce
from cases.terms.lifecycle import decree_days
from cases.terms.models import Term
from municipalities.models import Municipality, Theme, Verordening, YearlyQuota

from .api_clients import create_api_client
from .models import ApiClient, Role, User

DEMO_PASSWORD = "Demo-wachtwoord-2026"  # noqa: S105 - published in the README on purpose
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # base32, published in the README on purpose
DEMO_DOMAIN = "demo.beschutwerk.nl"
#: The demo's API clients (docs/api.md): client id -> (name, municipality or None for UWV).
DEMO_API_CLIENTS = {
    "demo-uwv": ("Demo UWV-systeem", None),
    "demo-amsterdam": ("Demo zaaksysteem Amsterdam", "GM0363"),
}
DEMO_API_SECRET = "Demo-api-geheim-2026"  # noqa: S105 - published in the README on purpose


@dataclass(frozen=True)
class DemoMunicipality:
    cbs_code: str
    name: str
    region: str
    slug: str
    quota_2026: Decimal
    #: Labour force (persons), of the order CBS publishes, for the figures per 10,000.
    labour_force: int


MUNICIPALITIES = (
    DemoMunicipality(
        "GM0363", "Amsterdam", "Groot Amsterdam", "amsterdam", Decimal("712"), 545_000
    ),
    DemoMunicipality("GM0599", "Rotterdam", "Rijnmond", "rotterdam", Decimal("618"), 340_000),
    DemoMunicipality("GM0344", "Utrecht", "Midden-Utrecht", "utrecht", Decimal("297"), 210_000),
    DemoMunicipality("GM0014", "Groningen", "Groningen", "groningen", Decimal("264"), 128_000),
)


def demo_letterhead(m: DemoMunicipality) -> dict[str, str]:
    """A complete letterhead (``Municipality.missing_letterhead_fields`` is empty): every demo
    letter can be made. Mail to these demo addresses goes nowhere real."""
    postbus, postcode, phone, website = {
        "amsterdam": ("Postbus 202", "1000 AE", "14 020", "https://www.amsterdam.nl"),
        "rotterdam": ("Postbus 70012", "3000 KP", "14 010", "https://www.rotterdam.nl"),
        "utrecht": ("Postbus 16200", "3500 CE", "14 030", "https://www.utrecht.nl"),
        "groningen": ("Postbus 30026", "9700 RM", "14 050", "https://gemeente.groningen.nl"),
    }[m.slug]
    city = m.name.upper()
    return {
        "letterhead": f"Gemeente {m.name}\nWerk en Participatie",
        "postal_address": f"{postbus}\n{postcode}  {city}",
        "objection_address": (
            f"College van burgemeester en wethouders van {m.name}\nt.a.v. Bezwaarschriften\n"
            f"{postbus}\n{postcode}  {city}"
        ),
        "team_name": "Team Beschut Werk",
        "signatory_name": "M. de Vries",
        "signatory_role": "teammanager Werk en Participatie",
        "contact_phone": phone,
        "contact_email": f"beschutwerk.{m.slug}@{DEMO_DOMAIN}",
        "website": website,
        "contact_text": "Wij zijn bereikbaar op werkdagen van 8.30 tot 17.00 uur.",
    }


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    first_name: str
    last_name: str
    municipality_code: str | None = None


def demo_accounts() -> list[DemoAccount]:
    accounts = [
        DemoAccount(f"operator@{DEMO_DOMAIN}", Role.OPERATOR, "Olga", "Operator"),
        DemoAccount(f"uwv@{DEMO_DOMAIN}", Role.UWV_ASSESSOR, "Umar", "de Beoordelaar"),
        DemoAccount(f"inwoner@{DEMO_DOMAIN}", Role.CITIZEN, "Iris", "Inwoner"),
    ]
    for m in MUNICIPALITIES:
        accounts.append(
            DemoAccount(
                f"consulent.{m.slug}@{DEMO_DOMAIN}",
                Role.CONSULTANT,
                "Consulent",
                m.name,
                m.cbs_code,
            )
        )
        accounts.append(
            DemoAccount(
                f"beheer.{m.slug}@{DEMO_DOMAIN}",
                Role.MUNICIPAL_ADMIN,
                "Beheerder",
                m.name,
                m.cbs_code,
            )
        )
    return accounts


#: The demo municipality with a house style of its own: the demo citizen's, so that signing in
#: as them shows it. The others keep the neutral portal theme.
DEMO_THEME_MUNICIPALITY = "GM0363"
DEMO_THEME = {
    "primary_color": "#ec0000",
    "primary_text_color": "#ffffff",
    "header_background_color": "#ec0000",
    "header_text_color": "#ffffff",
    "link_color": "#004699",
    "heading_color": "#1a1a1a",
    "font": "arial",
    "heading_font": "arial",
}


def demo_logo() -> bytes:
    """A made-up logo: a white plate with the words "demo gemeente" in the theme's red."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (200, 48), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle([8, 8, 40, 40], fill=DEMO_THEME["primary_color"])
    draw.text((50, 12), "demo gemeente", fill="#1a1a1a", font=ImageFont.load_default(size=18))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_demo_theme(municipality: Municipality) -> None:
    """The demo theme, once (an administrator may change it in /beheer/)."""
    if not Theme.objects.filter(municipality=municipality).exists():
        Theme.objects.create(
            municipality=municipality,
            logo=demo_logo(),
            logo_content_type="image/png",
            logo_width=200,
            logo_height=48,
            **DEMO_THEME,
        )


@transaction.atomic
def seed_demo() -> dict[str, int]:
    created = {"municipalities": 0, "users": 0}
    by_code: dict[str, Municipality] = {}
    for m in MUNICIPALITIES:
        municipality, new = Municipality.objects.get_or_create(
            cbs_code=m.cbs_code, defaults={"name": m.name, "labour_market_region": m.region}
        )
        created["municipalities"] += new
        by_code[m.cbs_code] = municipality
        # Fill what is empty, also in a database seeded before letterheads existed.
        letterhead = {
            name: value
            for name, value in demo_letterhead(m).items()
            if not getattr(municipality, name)
        }
        if letterhead:
            Municipality.objects.filter(pk=municipality.pk).update(**letterhead)
        YearlyQuota.objects.get_or_create(
            municipality=municipality, year=2026, defaults={"places": m.quota_2026}
        )
        Verordening.objects.get_or_create(
            municipality=municipality,
            in_force_from=date(2026, 1, 1),
            defaults={
                "discussed_with_target_group_on": date(2025, 10, 14),
                "provisions": "Begeleiding op de werkplek, aanpassing van de werkplek, vervoer.",
                "provisions_until_employment": "Een vaste contactpersoon en hulp bij het zoeken.",
                "provisions_while_waiting": "Dagbesteding of vrijwilligerswerk met begeleiding.",
                "offers_additional_places": m.slug == "utrecht",
                "additional_places_per_year": 10 if m.slug == "utrecht" else 0,
            },
        )

    seed_demo_theme(by_code[DEMO_THEME_MUNICIPALITY])

    for account in demo_accounts():
        municipality = by_code.get(account.municipality_code) if account.municipality_code else None
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User(
                email=account.email,
                role=account.role,
                first_name=account.first_name,
                last_name=account.last_name,
                municipality=municipality,
                is_staff=account.role is Role.OPERATOR,
                is_superuser=account.role is Role.OPERATOR,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            created["users"] += 1
        EmailAddress.objects.get_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if (
            user.is_staff_role
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
    seed_demo_api_clients(by_code)
    created.update(seed_demo_cases())
    seed_demo_figures(by_code)
    return created


def seed_demo_api_clients(by_code: dict[str, Municipality]) -> None:
    """The demo's API clients, with the published client ids and secret (the embedded demo
    only: real clients are made with ``manage.py create_api_client``, which shows a random
    secret once)."""
    for client_id, (name, code) in DEMO_API_CLIENTS.items():
        if ApiClient.objects.filter(application__client_id=client_id).exists():
            continue
        client, _secret = create_api_client(
            name=name,
            role=Role.CONSULTANT if code else Role.UWV_ASSESSOR,
            municipality=by_code[code] if code else None,
        )
        application = client.application
        application.client_id = client_id
        application.client_secret = DEMO_API_SECRET  # hashed on save
        application.save(update_fields=["client_id", "client_secret"])


def seed_demo_figures(by_code: dict[str, Municipality]) -> None:
    """The labour force of the demo municipalities (this year and last) and the benchmark's
    figures (``/cijfers/``) counted from the demo cases."""
    year = timezone.localdate().year
    for m in MUNICIPALITIES:
        for y in (year - 1, year):
            LabourForce.objects.get_or_create(
                municipality=by_code[m.cbs_code], year=y, defaults={"persons": m.labour_force}
            )
    build.rebuild()


# -- demo cases ---------------------------------------------------------------------------------
#
# Every lifecycle state in every demo municipality, with the rows that state implies (the same
# shape as ``tests.factories.build_lifecycle``), dates spread back from today so that terms are
# running, met or overdue, a few employments for the quota meter, and one case of the demo
# citizen. Created directly rather than through the services, because the services date
# everything "today"; the case history (CaseEvent) is written with the dates of each step.
# Keyed on the BSN: a person that exists already is skipped with their case.

DEMO_CITIZEN_EMAIL = f"inwoner@{DEMO_DOMAIN}"
DEMO_CITIZEN_MUNICIPALITY = "GM0363"
DEMO_BSN_PREFIX = 9_100_000  # + municipality * 100 + number: first seven of nine digits

FIRST_NAMES = (
    "Anouk",
    "Bas",
    "Chantal",
    "Daan",
    "Esra",
    "Fleur",
    "Gijs",
    "Hamza",
    "Ilse",
    "Jesse",
    "Kim",
    "Lars",
    "Mila",
    "Noah",
    "Olivia",
    "Pim",
    "Roos",
    "Sem",
    "Tess",
    "Youssef",
)
LAST_NAMES = (
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
)

STREETS = ("Kerkstraat", "Dorpsstraat", "Schoolstraat", "Molenweg", "Stationsweg", "Julianalaan")
#: The first two digits of postcodes in each demo municipality.
POSTCODE_AREAS = {"GM0363": "10", "GM0599": "30", "GM0344": "35", "GM0014": "97"}


def demo_address(municipality, number: int) -> dict[str, str]:
    """The address for letters of a demo application."""
    area = POSTCODE_AREAS.get(municipality.cbs_code, "99")
    return {
        "letter_street": f"{STREETS[number % len(STREETS)]} {1 + number % 97}",
        "letter_postcode": f"{area}{10 + number % 90:02d} {'ABCDEFGH'[number % 8]}K",
        "letter_city": municipality.name,
    }


@dataclass(frozen=True)
class DemoCase:
    """One demo case: its state and how far back its steps lie (days before today)."""

    state: CaseState
    received: int | None = None  # application received
    advice: int | None = None  # advice issued
    decision: int | None = None  # decision sent
    objection: int | None = None  # objection filed
    unavailable: int | None = None  # unavailable from
    start: int | None = None  # employment started
    end: int | None = None  # employment ended / case closed / application withdrawn
    hours: Decimal = Decimal(31)
    benefit: BenefitKind = BenefitKind.PARTICIPATIEWET
    priority: bool = False
    source: CandidateSource = CandidateSource.BENEFIT_FILES
    extra: dict = field(default_factory=dict)


def demo_cases(offset: int) -> list[DemoCase]:
    """The cases of one municipality; ``offset`` shifts the dates so that municipalities
    differ (and one has an overdue UWV term)."""
    o = offset * 5
    S = CaseState
    return [
        DemoCase(S.DRAFT, source=CandidateSource.SCHOOL),
        DemoCase(S.SUBMITTED, received=10 + o, source=CandidateSource.SELF_REFERRAL),
        DemoCase(S.WITH_UWV, received=40 + o * 2, source=CandidateSource.DAY_ACTIVITIES),
        DemoCase(S.ADVICE_ISSUED, received=80 + o, advice=20 + o),
        DemoCase(S.REJECTED, received=150, advice=95 + o, decision=80 + o),
        DemoCase(S.OBJECTION, received=120, advice=60, decision=35 + o, objection=14),
        DemoCase(
            S.AWAITING_PLACEMENT,
            received=220,
            advice=160,
            decision=140 + o,
            source=CandidateSource.SCHOOL,
            priority=True,
        ),
        DemoCase(
            S.AWAITING_PLACEMENT,
            received=130,
            advice=70,
            decision=50 + o,
            benefit=BenefitKind.WAJONG,
            source=CandidateSource.CARE,
        ),
        DemoCase(S.AWAITING_PLACEMENT, received=90, advice=30, decision=12 + o),
        DemoCase(
            S.UNAVAILABLE,
            received=200,
            advice=140,
            decision=120,
            unavailable=40 + o,
            benefit=BenefitKind.WIA_WAO,
        ),
        DemoCase(
            S.EMPLOYED, received=420, advice=360, decision=340, start=250 + o, hours=Decimal(25)
        ),
        DemoCase(
            S.EMPLOYED,
            received=380,
            advice=320,
            decision=300,
            start=200,
            hours=Decimal(31),
            source=CandidateSource.SCHOOL,
        ),
        DemoCase(
            S.EMPLOYED,
            received=300,
            advice=240,
            decision=225,
            start=120 + o,
            hours=Decimal(20),
            benefit=BenefitKind.WAJONG,
        ),
        DemoCase(S.WITHDRAWN, received=45, end=30 + o),
        DemoCase(
            S.JOBS_AGREEMENT,
            received=520,
            advice=460,
            decision=440,
            start=400,
            end=45 + o,
            hours=Decimal(24),
            extra={"ended_reason": "Baan via de banenafspraak", "to_jobs_agreement": True},
        ),
        DemoCase(
            S.CLOSED,
            received=600,
            advice=540,
            decision=520,
            start=480,
            end=60 + o,
            hours=Decimal(28),
            extra={"ended_reason": "Verhuisd naar een andere gemeente"},
        ),
    ]


class _CaseBuilder:
    """Writes one demo case and its rows; dates are days before ``today``."""

    def __init__(self, *, municipality, consultant, assessor, today):
        self.municipality = municipality
        self.consultant = consultant
        self.assessor = assessor
        self.today = today
        self.extra_days = decree_days()
        self.events: list[tuple[CaseEvent, date]] = []

    def day(self, days_ago: int | None) -> date | None:
        return None if days_ago is None else self.today - timedelta(days=days_ago)

    def moment(self, day: date) -> datetime:
        return datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())

    def event(self, case, on, action, from_state="", to_state="", actor=None, **details):
        self.events.append(
            (
                CaseEvent(
                    case=case,
                    actor=actor or self.consultant,
                    action=action,
                    from_state=from_state,
                    to_state=to_state,
                    details=details,
                ),
                on,
            )
        )

    def term(self, case, kind, starts_on, end_on, *, weeks=None, met_on=None):
        Term.objects.create(
            case=case, kind=kind, starts_on=starts_on, weeks=weeks, end_on=end_on, met_on=met_on
        )

    def build(self, person: Person, spec: DemoCase, *, applicant=None) -> Case:
        S = spec.state
        received, advice_on = self.day(spec.received), self.day(spec.advice)
        decided_on, end_on = self.day(spec.decision), self.day(spec.end)
        created = received - timedelta(days=2) if received else self.today
        positive = S in (
            CaseState.AWAITING_PLACEMENT,
            CaseState.UNAVAILABLE,
            CaseState.EMPLOYED,
            CaseState.JOBS_AGREEMENT,
            CaseState.CLOSED,
        )
        last_step = max(
            (
                d
                for d in (
                    created,
                    received,
                    advice_on,
                    decided_on,
                    self.day(spec.objection),
                    self.day(spec.unavailable),
                    self.day(spec.start),
                    end_on,
                )
                if d
            ),
        )
        by_person = applicant is not None
        case = Case.objects.create(
            reference=f"tmp-demo-{person.bsn}",
            person=person,
            municipality=self.municipality,
            state=S,
            state_since=self.moment(last_step),
            submitted_at=self.moment(received) if received else None,
            closed_at=self.moment(end_on) if S in (CaseState.WITHDRAWN, CaseState.CLOSED) else None,
            positive_decision_on=decided_on if positive else None,
            positive_advice_on=advice_on if positive else None,
            priority_group=spec.priority,
            assignee=None if S == CaseState.DRAFT else self.consultant,
        )
        case.reference = f"BW-{created:%Y}-{case.pk:06d}"
        case.save(update_fields=["reference"])
        Application.objects.create(
            case=case,
            applicant_kind=ApplicantKind.PERSON if by_person else ApplicantKind.MUNICIPALITY,
            submitted_by=applicant or self.consultant,
            received_on=received,
            source=spec.source,
            support_needed="Iemand die uitleg geeft en vaak even komt kijken.",
            needs_supervision=True,
            preselection_done_on=None if by_person else created,
            preselection_notes="" if by_person else "Kan een taak uitvoeren, 5 uur per dag.",
            **demo_address(self.municipality, case.pk),
        )
        self.event(case, created, "application_created", actor=applicant)
        if received is None:
            return case
        uwv_end = rules.uwv_term_end(received, extra_days=self.extra_days)
        self.event(
            case,
            received,
            "application_submitted",
            "draft",
            "submitted",
            actor=applicant,
            uwv_term_end=uwv_end.isoformat(),
        )
        if S == CaseState.WITHDRAWN:
            self.term(case, TermKind.UWV_ADVICE, received, uwv_end, weeks=8, met_on=end_on)
            self.event(case, end_on, "application_withdrawn", "submitted", "withdrawn")
            return case
        self.term(case, TermKind.UWV_ADVICE, received, uwv_end, weeks=8, met_on=advice_on)
        if S == CaseState.SUBMITTED:
            return case
        self.event(
            case,
            received + timedelta(days=3),
            "investigation_started",
            "submitted",
            "with_uwv",
            actor=self.assessor,
        )
        if S == CaseState.WITH_UWV:
            return case
        Advice.objects.create(
            case=case,
            outcome=AdviceOutcome.POSITIVE if positive else AdviceOutcome.NEGATIVE,
            needs_supervision=positive,
            can_perform_task=True,
            basic_employee_skills=True,
            hours_at_a_stretch=Decimal(2),
            hours_per_day=Decimal(5),
            reasons=(
                "Heeft permanent toezicht nodig dat een werkgever niet kan bieden."
                if positive
                else "Kan met de gewone begeleiding van een werkgever aan het werk."
            ),
            issued_on=advice_on,
            assessor=self.assessor,
        )
        self.event(
            case,
            advice_on,
            "advice_issued",
            "with_uwv",
            "advice_issued",
            actor=self.assessor,
            outcome="positive" if positive else "negative",
        )
        verordening = (
            selectors.verordening_in_force(self.municipality.pk, decided_on or advice_on)
            or self.municipality.verordeningen.order_by("in_force_from").first()
        )
        weeks = verordening.decision_term_weeks
        self.term(
            case,
            TermKind.DECISION,
            advice_on,
            rules.decision_term_end(advice_on, weeks, self.extra_days),
            weeks=weeks,
            met_on=decided_on,
        )
        if S == CaseState.ADVICE_ISSUED:
            return case
        Decision.objects.create(
            case=case,
            positive=positive,
            follows_advice=True,
            sent_on=decided_on,
            verordening=verordening,
            decided_by=self.consultant,
        )
        objection_on = self.day(spec.objection)
        self.term(
            case,
            TermKind.OBJECTION,
            decided_on,
            rules.objection_term_end(decided_on, self.extra_days),
            weeks=rules.OBJECTION_TERM_WEEKS,
            met_on=objection_on,
        )
        self.event(
            case,
            decided_on,
            "decision_recorded",
            "advice_issued",
            "awaiting_placement" if positive else "rejected",
            positive=positive,
            follows_advice=True,
            verordening=verordening.pk,
        )
        if S == CaseState.OBJECTION:
            Objection.objects.create(
                case=case, filed_on=objection_on, grounds="Ik wil graag werken.", in_time=True
            )
            self.event(
                case,
                objection_on,
                "objection_filed",
                "rejected",
                "objection",
                actor=applicant,
                in_time=True,
            )
        if not positive:
            return case
        start_on = self.day(spec.start)
        self.term(
            case,
            TermKind.PLACEMENT,
            advice_on,
            rules.placement_signal_date(advice_on),
            met_on=start_on,
        )
        if S == CaseState.UNAVAILABLE:
            away = self.day(spec.unavailable)
            AvailabilityPeriod.objects.create(
                case=case, reason=AvailabilityPeriod.Reason.ILLNESS, unavailable_from=away
            )
            self.event(
                case,
                away,
                "marked_unavailable",
                "awaiting_placement",
                "unavailable",
                reason="illness",
            )
        if start_on is not None:
            # §6.1, §6.3: paid the minimum wage for the hours, wage value 40%.
            wage = selectors.minimum_wage_on(start_on)
            wml_hourly = rules.minimum_wage_hourly(
                wage.hourly, rules.age_on(person.birth_date, start_on)
            )
            wml_monthly = rules.monthly_for_hours(wml_hourly, Decimal(spec.hours))
            funding = rules.funding(
                BenefitKind(person.benefit_kind),
                wml_monthly,
                Decimal(40),
                selectors.flat_rate_in(self.municipality.pk, start_on.year),
            )
            employment = Employment.objects.create(
                case=case,
                municipality=self.municipality,
                employer_name=f"Sociaal Ontwikkelbedrijf {self.municipality.name}",
                workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
                hours_per_week=spec.hours,
                start_on=start_on,
                end_on=end_on,
                contract_kind=ContractKind.INDEFINITE,
                funding_kind=funding.kind,
                max_monthly_subsidy=funding.max_monthly_subsidy,
                agreed_wage=wml_monthly,
                wage_value_pct=Decimal(40) if funding.max_monthly_subsidy else None,
                ended_reason=spec.extra.get("ended_reason", "") if end_on else "",
                to_jobs_agreement=bool(end_on and spec.extra.get("to_jobs_agreement")),
            )
            self.event(
                case,
                start_on,
                "placed",
                "awaiting_placement",
                "employed",
                employment=employment.pk,
                places=str(rules.places(spec.hours)),
            )
        if S == CaseState.JOBS_AGREEMENT:
            self.event(
                case,
                end_on,
                "employment_ended",
                "employed",
                "jobs_agreement",
                employment=employment.pk,
                to_jobs_agreement=True,
            )
        if S == CaseState.CLOSED:
            self.event(
                case,
                end_on,
                "case_closed",
                "employed",
                "closed",
                reason=spec.extra.get("ended_reason", ""),
            )
        return case

    def save_events(self) -> None:
        for event, on in self.events:
            event.save()
            # ``at`` is set on insert; give each step the day it happened.
            CaseEvent.objects.filter(pk=event.pk).update(at=self.moment(on))
        self.events.clear()


def _demo_person(number: int, municipality, spec: DemoCase, **fields) -> tuple[Person, bool]:
    defaults = {
        "first_name": FIRST_NAMES[number % len(FIRST_NAMES)],
        "last_name": LAST_NAMES[(number * 7) % len(LAST_NAMES)],
        "birth_date": date(1990 + number % 15, 1 + number % 12, 1 + number % 27),
        "municipality": municipality,
        "benefit_kind": spec.benefit,
        "in_jobs_register": spec.state in (CaseState.DRAFT, CaseState.JOBS_AGREEMENT),
        **fields,
    }
    return Person.objects.get_or_create(
        bsn=valid_bsn(number, base=DEMO_BSN_PREFIX), duplicate_of__isnull=True, defaults=defaults
    )


def seed_demo_cases(today: date | None = None) -> dict[str, int]:
    """Persons and cases in every state in every demo municipality, and the demo citizen's
    own case. Idempotent: persons are keyed on their BSN; one that exists is left alone."""
    today = today or timezone.localdate()
    created = {"persons": 0, "cases": 0}
    assessor = User.objects.get(email=f"uwv@{DEMO_DOMAIN}")
    for index, m in enumerate(MUNICIPALITIES):
        municipality = Municipality.objects.get(cbs_code=m.cbs_code)
        # An earlier version, so that every demo decision has a version in force on its date.
        Verordening.objects.get_or_create(
            municipality=municipality,
            in_force_from=date(2017, 1, 1),
            defaults={
                "discussed_with_target_group_on": date(2016, 9, 20),
                "provisions": "Begeleiding op de werkplek en aanpassing van de werkplek.",
            },
        )
        builder = _CaseBuilder(
            municipality=municipality,
            consultant=User.objects.get(email=f"consulent.{m.slug}@{DEMO_DOMAIN}"),
            assessor=assessor,
            today=today,
        )
        for number, spec in enumerate(demo_cases(index)):
            person, new = _demo_person(index * 100 + number, municipality, spec)
            if not new:
                continue
            builder.build(person, spec)
            created["persons"] += 1
            created["cases"] += 1
        if m.cbs_code == DEMO_CITIZEN_MUNICIPALITY:
            citizen = User.objects.get(email=DEMO_CITIZEN_EMAIL)
            spec = DemoCase(CaseState.SUBMITTED, received=12, source=CandidateSource.SELF_REFERRAL)
            person, new = _demo_person(
                99,
                municipality,
                spec,
                first_name=citizen.first_name,
                last_name=citizen.last_name,
                email=citizen.email,
                account=citizen,
            )
            if new:
                builder.build(person, spec, applicant=citizen)
                created["persons"] += 1
                created["cases"] += 1
        builder.save_events()
    return created
