"""DOMAIN §6.1 and §6.3: the wage and the wage subsidy, through the services and the pages.

The minimum wage is the data the migration loads (per hour: € 14,71 from 1 January 2026);
a test that needs another amount adds its own row, as an operator would in the admin.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.audit.models import CaseEvent
from cases.choices import BenefitKind, CaseState, ContractKind, FundingKind, WorkplaceKind
from cases.placement.models import Employment, MinimumWage
from municipalities import services as municipality_services
from municipalities.models import WageSubsidyYear
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = date(2026, 3, 2)


def on(day: date):
    return time_machine.travel(datetime.combine(day, time(10), tzinfo=AMSTERDAM), tick=False)


def town():
    municipality = MunicipalityFactory()
    VerordeningFactory(municipality=municipality, in_force_from=date(2020, 1, 1))
    for year in (2026, 2027):
        YearlyQuotaFactory(municipality=municipality, year=year, places=Decimal(20))
    return municipality


@pytest.fixture
def municipality():
    return town()


@pytest.fixture
def consultant(municipality):
    return UserFactory(consultant=True, municipality=municipality)


def candidate(municipality, **person):
    person.setdefault("birth_date", date(1990, 5, 1))
    return CaseFactory(
        person=PersonFactory(municipality=municipality, **person),
        state=CaseState.AWAITING_PLACEMENT,
    )


def place(case, actor, *, hours="25", start_on=START, **extra):
    extra.setdefault("agreed_wage", Decimal(2600))
    extra.setdefault("wage_value_pct", Decimal(40))
    with on(min(start_on, date(2026, 12, 1))):
        return services.place_person(
            case_id=case.pk,
            employer_name="Sociaal Ontwikkelbedrijf",
            workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
            hours_per_week=Decimal(hours),
            start_on=start_on,
            contract_kind=ContractKind.INDEFINITE,
            actor=actor,
            **extra,
        )


def flat_rate(municipality, year, actor=None):
    admin = actor or UserFactory(municipal_admin=True, municipality=municipality)
    municipality_services.set_wage_subsidy_method(
        municipality=municipality, year=year, flat_rate=True, actor=admin
    )


# -- the calculation through the service -------------------------------------------------------


def test_the_subsidy_follows_the_hours_of_the_job(municipality, consultant):
    # 25 hours at € 14,71: € 1.593,58 a month; wage value 40%: 60% of it
    part_time = place(candidate(municipality), consultant, hours="25")
    full_week = place(candidate(municipality), consultant, hours="38", agreed_wage=Decimal(2500))

    assert part_time.max_monthly_subsidy == Decimal("956.15")
    assert full_week.max_monthly_subsidy == Decimal("1453.35")  # 60% of 2422.25
    assert part_time.agreed_wage == Decimal(2600) and not part_time.agreed_wage_per_hour
    assert part_time.wage_value_pct == Decimal(40)


def test_the_subsidy_is_capped_at_70_percent_of_the_minimum_wage_for_the_hours(
    municipality, consultant
):
    job = place(candidate(municipality), consultant, wage_value_pct=Decimal(10))
    assert job.max_monthly_subsidy == Decimal("1115.51")  # 70% of 1593.58, not 90%


def test_the_flat_rate_is_a_setting_of_the_municipality_and_the_year(municipality, consultant):
    flat_rate(municipality, 2027)
    other = town()
    other_consultant = UserFactory(consultant=True, municipality=other)
    in_2027 = date(2027, 3, 1)

    flat = place(candidate(municipality), consultant, start_on=in_2027, wage_value_pct=None)
    assert flat.max_monthly_subsidy == Decimal("1083.63")  # 68% of 1593.58
    assert flat.wage_value_pct is None

    # another municipality in the same year, and the same municipality a year earlier, measure
    for case, actor, start_on in [
        (candidate(other), other_consultant, in_2027),
        (candidate(municipality), consultant, START),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            place(case, actor, start_on=start_on, wage_value_pct=None)
        assert excinfo.value.code == "wage_value_required"
    measured = place(candidate(municipality), consultant, start_on=START)
    assert measured.max_monthly_subsidy == Decimal("956.15")


def test_the_flat_rate_cannot_be_chosen_before_the_law_changes_in_2027(municipality):
    """Verbeteragenda maatregel 1: the flat rate of 68% needs a change in the law, "beoogd in
    2027"; until then the wage subsidy follows the measured wage value (Kennisdocument vraag
    11 and 15)."""
    admin = UserFactory(municipal_admin=True, municipality=municipality)
    with pytest.raises(ValidationError) as excinfo:
        flat_rate(municipality, 2026, admin)
    assert excinfo.value.error_dict["flat_rate"][0].code == "flat_rate_before_law"
    assert not WageSubsidyYear.objects.filter(municipality=municipality).exists()
    # measuring the wage value can be set for any year
    municipality_services.set_wage_subsidy_method(
        municipality=municipality, year=2026, flat_rate=False, actor=admin
    )
    flat_rate(municipality, 2027, admin)
    assert WageSubsidyYear.objects.get(municipality=municipality, year=2027).flat_rate


def test_the_minimum_wage_in_force_on_the_start_date_counts_also_after_1_july(
    municipality, consultant
):
    MinimumWage.objects.create(in_force_from=date(2026, 7, 1), hourly=Decimal("15.00"))
    before = place(candidate(municipality), consultant, start_on=date(2026, 6, 30))
    after = place(candidate(municipality), consultant, start_on=date(2026, 7, 1))

    assert before.max_monthly_subsidy == Decimal("956.15")  # on 14.71
    assert after.max_monthly_subsidy == Decimal("975.00")  # 60% of 15.00 × 25 × 52/12 = 1625

    # € 14,80 an hour is enough until 30 June, and too little from 1 July
    place(
        candidate(municipality),
        consultant,
        start_on=date(2026, 6, 30),
        agreed_wage=Decimal("14.80"),
        agreed_wage_per_hour=True,
    )
    with pytest.raises(ValidationError) as excinfo:
        place(
            candidate(municipality),
            consultant,
            start_on=date(2026, 7, 1),
            agreed_wage=Decimal("14.80"),
            agreed_wage_per_hour=True,
        )
    assert excinfo.value.code == "below_minimum_wage"


def test_a_wage_below_the_minimum_wage_for_the_hours_is_refused_and_nothing_changes(
    municipality, consultant
):
    case = candidate(municipality)
    with pytest.raises(ValidationError) as excinfo:
        place(case, consultant, agreed_wage=Decimal("1593.57"))

    with translation.override("nl"):
        message = excinfo.value.messages[0]
    assert excinfo.value.code == "below_minimum_wage"
    assert "€\xa014,71 per uur" in message
    assert "€\xa01.593,58 per maand voor 25 uur" in message
    assert not Employment.objects.filter(case=case).exists()
    assert CaseFactory._meta.model.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT
    # exactly the minimum wage is enough
    assert place(case, consultant, agreed_wage=Decimal("1593.58")).pk


def test_a_young_person_is_paid_at_least_the_minimum_youth_wage(municipality, consultant):
    # 19 on the start date: 60% of 14.71 = € 8,83 an hour
    young = {"birth_date": date(2006, 6, 1)}
    job = place(
        candidate(municipality, **young),
        consultant,
        agreed_wage=Decimal("8.83"),
        agreed_wage_per_hour=True,
    )
    # 60% of the youth minimum wage for 25 hours: 8.83 × 25 × 52/12 = 956.58
    assert job.max_monthly_subsidy == Decimal("573.95")
    with pytest.raises(ValidationError):
        place(
            candidate(municipality, **young),
            consultant,
            agreed_wage=Decimal("8.82"),
            agreed_wage_per_hour=True,
        )


def test_wajong_gets_wage_dispensation_and_may_earn_less(municipality, consultant):
    case = candidate(municipality, benefit_kind=BenefitKind.WAJONG)
    job = place(
        case,
        consultant,
        agreed_wage=Decimal("9.00"),
        agreed_wage_per_hour=True,
        wage_value_pct=None,
    )

    assert job.funding_kind == FundingKind.WAGE_DISPENSATION
    assert job.max_monthly_subsidy is None
    assert CaseEvent.objects.get(case=case, action="placed").details["funding"] == (
        FundingKind.WAGE_DISPENSATION
    )


def test_wajong_with_a_wage_subsidy_chosen_instead_is_recorded_and_paid_the_minimum_wage(
    municipality, consultant
):
    case = candidate(municipality, benefit_kind=BenefitKind.WAJONG)
    with pytest.raises(ValidationError) as excinfo:
        place(
            case,
            consultant,
            agreed_wage=Decimal("9.00"),
            agreed_wage_per_hour=True,
            wajong_wage_subsidy=True,
        )
    assert excinfo.value.code == "below_minimum_wage"

    job = place(case, consultant, wajong_wage_subsidy=True)
    assert job.funding_kind == FundingKind.WAGE_SUBSIDY
    assert job.max_monthly_subsidy == Decimal("956.15")
    assert CaseEvent.objects.get(case=case, action="placed").details["funding"] == (
        FundingKind.WAGE_SUBSIDY
    )


def test_without_an_agreed_wage_nobody_is_placed(municipality, consultant):
    with pytest.raises(ValidationError) as excinfo:
        place(candidate(municipality), consultant, agreed_wage=None)
    assert excinfo.value.code == "agreed_wage_required"


# -- the pages ----------------------------------------------------------------------------------


def place_form(**overrides):
    data = {
        "employer_name": "SOB De Werkplaats",
        "workplace_kind": "social_enterprise",
        "hours_per_week": "25",
        "start_on": "2026-12-07",
        "contract_kind": "indefinite",
        "agreed_wage": "1500",
        "agreed_wage_per_hour": "month",
        "wage_value_pct": "40",
    }
    return {f"place-{key}": value for key, value in (data | overrides).items()}


def test_the_placement_page_refuses_a_wage_below_the_minimum_wage_in_dutch(
    client, municipality, consultant
):
    case = candidate(municipality)
    sign_in(client, consultant)
    url = reverse("work:case_place", args=[case.pk])

    with on(date(2026, 12, 6)), translation.override("nl"):
        refused = client.post(url, place_form())
        placed = client.post(url, place_form(agreed_wage="1.593,58"))

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Het loon is lager dan het minimumloon" in html
    assert "€\xa01.593,58 per maand voor 25 uur" in html
    assert placed.status_code == 302
    assert Employment.objects.get(case=case).agreed_wage == Decimal("1593.58")


def test_the_case_page_shows_the_calculation_with_its_inputs(client, municipality, consultant):
    case = candidate(municipality)
    place(case, consultant)
    sign_in(client, consultant)

    with on(date(2026, 12, 6)), translation.override("nl"):
        html = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()

    assert 'data-testid="wage-calculation"' in html
    assert "Berekend voor 6 december 2026" in html
    assert "€ 2.600,00 per maand" in html  # the agreed wage
    assert "€ 14,71" in html and "€ 1.593,58 per maand" in html  # the minimum wage
    assert "40%" in html and "60%" in html  # wage value, and the part of the minimum wage
    assert '<dd data-testid="subsidy-month">€ 956,15</dd>' in html
    assert "€ 11.473,80" in html  # per year
    assert "2 maart 2027" in html  # the next wage-value measurement
    # the amount of 1 July 2026 is not in the portal: the consultant is told
    assert 'data-testid="minimum-wage-outdated"' in html


def test_the_case_page_uses_the_newest_minimum_wage_and_the_years_flat_rate(
    client, municipality, consultant
):
    case = candidate(municipality)
    place(case, consultant)
    MinimumWage.objects.create(in_force_from=date(2027, 1, 1), hourly=Decimal("15.00"))
    flat_rate(municipality, 2027)

    with on(date(2027, 2, 1)), translation.override("nl"):
        sign_in(client, consultant)
        html = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()

    assert 'data-testid="minimum-wage-outdated"' not in html
    assert "€ 1.625,00 per maand" in html
    assert "68% van het minimumloon" in html
    assert '<dd data-testid="subsidy-month">€ 1.105,00</dd>' in html  # 68% of 1625
    assert 'data-testid="next-measurement"' not in html  # no measurement under the flat rate


def test_the_case_page_of_a_wajong_job_with_wage_dispensation(client, municipality, consultant):
    case = candidate(municipality, benefit_kind=BenefitKind.WAJONG)
    place(case, consultant, wage_value_pct=None)
    sign_in(client, consultant)

    with on(date(2026, 12, 6)), translation.override("nl"):
        html = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()

    assert "Loondispensatie (UWV)" in html
    assert 'data-testid="subsidy-month"' not in html
    assert 'data-testid="next-measurement"' not in html


# -- the municipal administrator sets the method per year ----------------------------------------


def test_the_administrator_sets_the_flat_rate_for_a_year_and_only_for_their_municipality(client):
    municipality = town()
    admin = UserFactory(municipal_admin=True, municipality=municipality, totp=False)
    other = town()
    sign_in(client, admin)
    edit = reverse("manage:wage_subsidy_edit", args=[municipality.pk])

    with on(date(2026, 12, 6)), translation.override("nl"):
        assert client.get(edit).status_code == 200
        response = client.post(edit, {"year": "2027", "flat_rate": "flat"})
        quota_page = client.get(reverse("manage:quota_list", args=[municipality.pk]))
        other_page = client.get(reverse("manage:wage_subsidy_edit", args=[other.pk]))
        refused = client.post(edit, {"year": "2027", "flat_rate": "68"})
        too_early = client.post(edit, {"year": "2026", "flat_rate": "flat"})

    assert response.status_code == 302
    row = WageSubsidyYear.objects.get(municipality=municipality, year=2027)
    assert row.flat_rate and row.changed_by == admin
    assert "Vast percentage: 68% van het minimumloon" in quota_page.content.decode()
    assert other_page.status_code == 404
    assert refused.status_code == 400
    assert too_early.status_code == 400
    assert (
        "Het vaste percentage van 68% van het minimumloon vraagt een wetswijziging, die gepland "
        "is vanaf 2027." in too_early.content.decode()
    )
    assert not WageSubsidyYear.objects.filter(municipality=municipality, year=2026).exists()
    assert not WageSubsidyYear.objects.filter(municipality=other).exists()

    municipality_services.set_wage_subsidy_method(
        municipality=municipality, year=2027, flat_rate=False, actor=admin
    )
    assert not WageSubsidyYear.objects.get(municipality=municipality, year=2027).flat_rate
