"""Municipal administration (issue 6): scoping, verordening versions and the ordering
preview, quota by hand with history, employers, staff, chain agreements, letterhead."""

from __future__ import annotations

import datetime as dt
import re
import socket
from decimal import Decimal

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import CaseState, Category, OrderingRule, WorkplaceKind
from cases.models import Case
from cases.placement.capacity import capacity
from municipalities import selectors, services
from municipalities.models import (
    ChainAgreement,
    ChainPartner,
    ChainTarget,
    Employer,
    QuotaChange,
    Verordening,
    YearlyQuota,
)
from portal.models import Role, User
from tests.conftest import current_totp_code
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    CaseFactory,
    EmploymentFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def admin(db):
    return UserFactory(municipal_admin=True, totp=False)


@pytest.fixture
def municipality(admin):
    return admin.municipality


@pytest.fixture
def admin_client(client, admin):
    return sign_in(client, admin)


def url(name, municipality, **kwargs):
    return reverse(f"manage:{name}", kwargs={"municipality_id": municipality.pk, **kwargs})


def verordening_data(**overrides):
    data = {
        "in_force_from": TODAY.isoformat(),
        "discussed_with_target_group_on": "2026-05-01",
        "provisions": "Begeleiding en vervoer.",
        "provisions_until_employment": "",
        "provisions_while_waiting": "Dagbesteding.",
        "offers_additional_places": "on",
        "additional_places_per_year": "2",
        "ordering_rule": OrderingRule.APPLICATION_DATE,
        "decision_term_weeks": "8",
        "advice_revives_on_fallback": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# -- access ---------------------------------------------------------------------------------


def all_municipal_urls(municipality, version_pk=1, employer_pk=1, staff_pk=1, chain_pk=1):
    return [
        url("municipality", municipality),
        url("contact_edit", municipality),
        url("verordening_list", municipality),
        url("verordening_create", municipality),
        url("verordening_detail", municipality, pk=version_pk),
        url("verordening_edit", municipality, pk=version_pk),
        url("quota_list", municipality),
        url("wage_subsidy_edit", municipality),
        url("employer_list", municipality),
        url("employer_create", municipality),
        url("employer_edit", municipality, pk=employer_pk),
        url("staff_list", municipality),
        url("staff_invite", municipality),
        url("chain_list", municipality),
        url("chain_create", municipality),
        url("chain_detail", municipality, pk=chain_pk),
        url("chain_edit", municipality, pk=chain_pk),
    ]


def test_another_municipality_answers_404_on_every_page(admin_client):
    other = MunicipalityFactory()
    version = VerordeningFactory(municipality=other)
    employer = Employer.objects.create(
        municipality=other, name="Ander SW-bedrijf", kind=WorkplaceKind.SOCIAL_ENTERPRISE
    )
    agreement = ChainAgreement.objects.create(municipality=other, title="Andere afspraak")
    colleague = UserFactory(consultant=True, municipality=other)

    for address in all_municipal_urls(other, version.pk, employer.pk, colleague.pk, agreement.pk):
        assert admin_client.get(address).status_code == 404, address
    deactivate = url("staff_deactivate", other, pk=colleague.pk)
    assert admin_client.post(deactivate).status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    assert admin_client.post(url("staff_reactivate", other, pk=colleague.pk)).status_code == 404
    colleague.refresh_from_db()
    assert not colleague.is_active


def test_own_objects_of_another_municipality_are_not_found_through_own_url(
    admin_client, municipality
):
    other = MunicipalityFactory()
    version = VerordeningFactory(municipality=other)
    colleague = UserFactory(consultant=True, municipality=other)

    assert (
        admin_client.get(url("verordening_detail", municipality, pk=version.pk)).status_code == 404
    )
    response = admin_client.post(url("staff_deactivate", municipality, pk=colleague.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("trait", ["consultant", "uwv_assessor", None])
def test_other_roles_may_not_open_the_administration(client, municipality, trait):
    user = UserFactory(**({trait: True} if trait else {}))
    if trait == "consultant":
        user.municipality = municipality
        user.save()
    sign_in(client, user)

    assert client.get(reverse("manage:index")).status_code == 403
    assert client.get(url("verordening_list", municipality)).status_code == 403
    assert client.get(reverse("manage:quota_import")).status_code == 403


def test_anonymous_users_are_sent_to_the_login(client, municipality):
    response = client.get(url("quota_list", municipality))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_administrator_goes_straight_to_their_municipality(admin_client, municipality):
    response = admin_client.get(reverse("manage:index"))
    assert response["Location"] == url("municipality", municipality)


def test_operator_sees_every_municipality(client, municipality):
    other = MunicipalityFactory()
    sign_in(client, UserFactory(operator=True, totp=False))

    response = client.get(reverse("manage:index"))

    assert response.status_code == 200
    assert {municipality, other} <= set(response.context["municipalities"])
    assert client.get(url("quota_list", other)).status_code == 200


def test_administrator_menu_links_to_the_administration(admin_client):
    response = admin_client.get("/")
    assert reverse("manage:index") in [u for _label, u in response.context["nav_items"]]


# -- verordening ----------------------------------------------------------------------------


def test_new_version_is_created_and_shown_in_force_today(admin_client, municipality):
    old = VerordeningFactory(municipality=municipality, in_force_from=dt.date(2024, 1, 1))

    response = admin_client.post(url("verordening_create", municipality), verordening_data())

    new = Verordening.objects.get(municipality=municipality, in_force_from=TODAY)
    assert response["Location"] == url("verordening_detail", municipality, pk=new.pk)
    assert new.offers_additional_places and new.additional_places_per_year == 2
    assert new.ordering_rule == OrderingRule.APPLICATION_DATE
    old.refresh_from_db()
    assert old.ordering_rule == OrderingRule.POSITIVE_ADVICE_DATE  # history untouched
    page = admin_client.get(url("verordening_list", municipality))
    assert page.context["in_force"] == new
    assert [row["in_force"] for row in page.context["rows"]] == [True, False]
    assert AuditEntry.objects.filter(action="create_verordening", result="ok").exists()


def test_new_version_form_starts_from_the_version_in_force(admin_client, municipality):
    VerordeningFactory(
        municipality=municipality,
        in_force_from=dt.date(2024, 1, 1),
        provisions="Jobcoach en aangepaste werkplek.",
    )
    form = admin_client.get(url("verordening_create", municipality)).context["form"]
    assert form.initial["provisions"] == "Jobcoach en aangepaste werkplek."
    assert form.initial["in_force_from"] == TODAY


def test_a_new_version_cannot_come_into_force_in_the_past(admin_client, municipality):
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2024, 1, 1))

    response = admin_client.post(
        url("verordening_create", municipality),
        verordening_data(in_force_from="2026-01-01", discussed_with_target_group_on="2025-12-01"),
    )

    assert response.status_code == 400
    assert "in_force_from" in response.context["form"].errors
    assert Verordening.objects.filter(municipality=municipality).count() == 1


def test_the_first_version_may_have_been_in_force_already(admin_client, municipality):
    admin_client.post(
        url("verordening_create", municipality),
        verordening_data(in_force_from="2025-01-01", discussed_with_target_group_on="2024-11-01"),
    )
    assert Verordening.objects.filter(municipality=municipality).count() == 1


def test_discussion_with_the_target_group_is_required_and_before_entry_into_force(
    admin_client, municipality
):
    response = admin_client.post(
        url("verordening_create", municipality),
        verordening_data(discussed_with_target_group_on=""),
    )
    assert "discussed_with_target_group_on" in response.context["form"].errors

    response = admin_client.post(
        url("verordening_create", municipality),
        verordening_data(discussed_with_target_group_on="2026-07-01"),
    )
    assert "discussed_with_target_group_on" in response.context["form"].errors
    assert not Verordening.objects.filter(municipality=municipality).exists()


def test_additional_places_need_a_number(admin_client, municipality):
    response = admin_client.post(
        url("verordening_create", municipality),
        verordening_data(additional_places_per_year="0"),
    )
    assert "additional_places_per_year" in response.context["form"].errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("decision_term_weeks", "0"),  # the database's check constraint
        ("decision_term_weeks", "40000"),  # beyond a smallint
        ("additional_places_per_year", "3000000000"),  # beyond an integer
        ("advice_review_months", "99999"),  # beyond a smallint
    ],
)
def test_a_number_out_of_range_is_a_form_error(admin_client, municipality, field, value):
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2024, 1, 1))

    for button in ("save", "preview"):
        response = admin_client.post(
            url("verordening_create", municipality),
            verordening_data(**{field: value, button: "1"}),
        )

        assert response.status_code == 400
        assert [e.code for e in response.context["form"].errors.as_data()[field]] == [
            "out_of_range"
        ]
    assert Verordening.objects.filter(municipality=municipality).count() == 1


def test_the_out_of_range_message_names_the_numbers_allowed(admin_client, municipality):
    response = admin_client.post(
        url("verordening_create", municipality), verordening_data(decision_term_weeks="0")
    )
    assert "Vul een aantal weken in van 1 tot en met 52." in response.content.decode()


def test_the_service_refuses_numbers_out_of_range_for_every_caller(admin, municipality):
    """The Django admin and any other caller meet the same check as the form."""
    future = VerordeningFactory(municipality=municipality, in_force_from=dt.date(2027, 1, 1))
    values = {name: getattr(future, name) for name in services.VERORDENING_FIELDS}

    with pytest.raises(ValidationError) as created:
        services.create_verordening_version(
            municipality=municipality,
            actor=admin,
            **(values | {"in_force_from": dt.date(2027, 7, 1), "decision_term_weeks": 0}),
        )
    with pytest.raises(ValidationError) as updated:
        services.update_verordening_version(
            verordening_id=future.pk, actor=admin, **(values | {"advice_review_months": 99_999})
        )

    assert set(created.value.error_dict) == {"decision_term_weeks"}
    assert set(updated.value.error_dict) == {"advice_review_months"}
    future.refresh_from_db()
    assert future.advice_review_months == 24


def test_additional_places_not_offered_are_not_checked(admin_client, municipality):
    response = admin_client.post(
        url("verordening_create", municipality),
        verordening_data(offers_additional_places="", additional_places_per_year="3000000000"),
    )
    assert response.status_code == 302
    assert Verordening.objects.get(municipality=municipality).additional_places_per_year == 0


def test_a_version_in_force_is_never_edited(admin_client, admin, municipality):
    version = VerordeningFactory(municipality=municipality, in_force_from=dt.date(2024, 1, 1))

    response = admin_client.post(
        url("verordening_edit", municipality, pk=version.pk),
        verordening_data(in_force_from="2024-01-01", discussed_with_target_group_on="2023-12-01"),
    )

    assert response["Location"] == url("verordening_detail", municipality, pk=version.pk)
    version.refresh_from_db()
    assert version.ordering_rule == OrderingRule.POSITIVE_ADVICE_DATE
    with pytest.raises(ValidationError) as error:
        services.update_verordening_version(
            verordening_id=version.pk,
            actor=admin,
            **{name: getattr(version, name) for name in services.VERORDENING_FIELDS},
        )
    assert error.value.code == "in_force"


def test_the_date_a_version_comes_into_force_is_explained_as_the_service_checks_it(
    admin_client, municipality
):
    """A new version may come into force today; a future version, changed, must stay after
    today: the help text says which."""
    version = VerordeningFactory(municipality=municipality, in_force_from=dt.date(2027, 1, 1))

    new = admin_client.get(url("verordening_create", municipality)).content.decode()
    change = admin_client.get(url("verordening_edit", municipality, pk=version.pk))
    refused = admin_client.post(
        url("verordening_edit", municipality, pk=version.pk),
        verordening_data(in_force_from=TODAY.isoformat()),
    )

    assert "Vandaag of later." in new
    assert "Een datum na vandaag." in change.content.decode()
    assert "Vandaag of later" not in change.content.decode()
    assert refused.status_code == 400
    assert "in_force_from" in refused.context["form"].errors


def test_each_setting_of_the_verordening_has_one_name(admin_client, municipality):
    version = VerordeningFactory(municipality=municipality, in_force_from=dt.date(2027, 1, 1))

    form = admin_client.get(url("verordening_edit", municipality, pk=version.pk))
    detail = admin_client.get(url("verordening_detail", municipality, pk=version.pk))

    for page in (form.content.decode(), detail.content.decode()):
        assert "Voorzieningen tot de baan begint" in page
        assert "Positief advies herleeft na terugval" in page
        assert "dienstbetrekking" not in page
        assert "bij terugval" not in page


def visible_text(response) -> str:
    return re.sub(r"<[^>]*>", " ", response.content.decode())


def test_the_administration_speaks_of_the_taakstelling_as_everywhere_else(
    admin_client, admin, municipality
):
    """Quotum is another legal concept (Wet banenafspraak en quotum arbeidsbeperkten)."""
    services.set_quota(municipality=municipality, year=2026, places=12, actor=admin)
    saved = admin_client.post(
        url("quota_list", municipality), {"year": "2027", "places": "3"}, follow=True
    )
    pages = [
        saved,
        admin_client.get(url("municipality", municipality)),
        admin_client.get(reverse("manage:quota_import")),
    ]

    assert "De taakstelling is opgeslagen." in visible_text(saved)
    for page in pages:
        text = visible_text(page).lower()
        assert "taakstelling" in text
        assert "quotum" not in text, page.request["PATH_INFO"]


def test_a_future_version_may_be_edited(admin_client, municipality):
    version = VerordeningFactory(municipality=municipality, in_force_from=dt.date(2027, 1, 1))

    response = admin_client.post(
        url("verordening_edit", municipality, pk=version.pk),
        verordening_data(in_force_from="2027-01-01", additional_places_per_year="5"),
    )

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.additional_places_per_year == 5
    assert version.ordering_rule == OrderingRule.APPLICATION_DATE


def candidates(municipality, count=3):
    """Three candidates whose order differs by rule: by advice date 0,1,2; by application
    date 2,1,0."""
    cases = []
    for i in range(count):
        case = CaseFactory(
            person=PersonFactory(municipality=municipality),
            state=CaseState.AWAITING_PLACEMENT,
            positive_decision_on=dt.date(2026, 1, 1) + dt.timedelta(days=10 * i),
        )
        case.application.received_on = dt.date(2025, 6, 1) - dt.timedelta(days=10 * i)
        case.application.save(update_fields=["received_on"])
        cases.append(case)
    return cases


def quota_of_one_reached(municipality, start_on=dt.date(2026, 2, 1)):
    """A quota of 1 for 2026 and a full-time job filling it (running, or agreed to start
    later in the year): who gets a place is now up to the verordening's additional places
    and order."""
    YearlyQuotaFactory(municipality=municipality, year=2026, places=1)
    EmploymentFactory(case__person__municipality=municipality, start_on=start_on)


def test_the_preview_counts_a_job_agreed_to_start_later_this_year_as_the_list_does(
    municipality,
):
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2024, 1, 1))
    quota_of_one_reached(municipality, start_on=dt.date(2026, 11, 1))
    candidates(municipality)

    preview = selectors.ordering_preview(
        municipality, ordering_rule=OrderingRule.APPLICATION_DATE, additional_places=1, on=TODAY
    )

    listed = capacity(municipality.pk, 2026, on=TODAY)
    assert listed.realised_places == 0 and listed.taken_places == 1
    assert [row.category for row in preview] == [
        Category.ADDITIONAL,
        Category.WAITING,
        Category.WAITING,
    ]


def test_preview_shows_the_new_order_without_saving(admin_client, municipality):
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2024, 1, 1))
    quota_of_one_reached(municipality)
    cases = candidates(municipality)

    response = admin_client.post(
        url("verordening_create", municipality), {**verordening_data(), "preview": "1"}
    )

    assert response.status_code == 200
    preview = response.context["preview"]
    assert [row.reference for row in preview] == [c.reference for c in reversed(cases)]
    assert [row.current_position for row in preview] == [3, 2, 1]
    assert [row.category for row in preview] == [
        Category.ADDITIONAL,
        Category.ADDITIONAL,
        Category.WAITING,
    ]
    assert Verordening.objects.filter(municipality=municipality).count() == 1
    assert cases[0].reference.encode() in response.content
    assert '<th scope="col">Voorrangsgroep</th>' in response.content.decode()


def test_saved_version_gives_the_order_the_preview_showed(admin, municipality):
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2024, 1, 1))
    quota_of_one_reached(municipality)
    cases = candidates(municipality)
    before = capacity(municipality.pk, 2026, on=TODAY)
    assert [r.case_id for r in before.candidates] == [c.pk for c in cases]
    preview = selectors.ordering_preview(
        municipality,
        ordering_rule=OrderingRule.APPLICATION_DATE,
        additional_places=1,
        on=TODAY,
    )

    services.create_verordening_version(
        municipality=municipality,
        actor=admin,
        in_force_from=TODAY,
        discussed_with_target_group_on=dt.date(2026, 5, 1),
        provisions="Begeleiding.",
        provisions_until_employment="",
        provisions_while_waiting="",
        offers_additional_places=True,
        additional_places_per_year=1,
        ordering_rule=OrderingRule.APPLICATION_DATE,
        decision_term_weeks=8,
        advice_revives_on_fallback=True,
    )

    after = capacity(municipality.pk, 2026, on=TODAY)
    assert [r.case_id for r in after.candidates] == [c.pk for c in reversed(cases)]
    assert [(r.reference, r.category) for r in after.candidates] == [
        (p.reference, p.category) for p in preview
    ]
    assert [r.category for r in after.candidates] == [
        Category.ADDITIONAL,
        Category.WAITING,
        Category.WAITING,
    ]
    # The day before, the earlier version still decides.
    yesterday = capacity(municipality.pk, 2026, on=TODAY - dt.timedelta(days=1))
    assert [r.case_id for r in yesterday.candidates] == [c.pk for c in cases]


def test_verordening_list_query_count(admin_client, municipality, django_assert_num_queries):
    for year in range(2020, 2026):
        VerordeningFactory(municipality=municipality, in_force_from=dt.date(year, 1, 1))
    # session, user, municipality, versions
    # Warm-up: per-user caches of the page chrome (unread notifications) fill once.
    admin_client.get(url("verordening_list", municipality))
    with django_assert_num_queries(4):
        response = admin_client.get(url("verordening_list", municipality))
    assert len(response.context["rows"]) == 6


# -- quota by hand --------------------------------------------------------------------------


def test_quota_by_hand_with_history(admin_client, admin, municipality):
    admin_client.post(url("quota_list", municipality), {"year": "2026", "places": "12"})
    admin_client.post(url("quota_list", municipality), {"year": "2026", "places": "14,5"})
    admin_client.post(url("quota_list", municipality), {"year": "2026", "places": "14.5"})

    assert YearlyQuota.objects.get(municipality=municipality, year=2026).places == Decimal("14.50")
    history = list(QuotaChange.objects.filter(municipality=municipality).order_by("pk"))
    assert [(h.old_places, h.new_places) for h in history] == [
        (None, Decimal("12")),
        (Decimal("12"), Decimal("14.5")),
    ]
    assert {h.changed_by for h in history} == {admin}
    assert {h.source for h in history} == {QuotaChange.Source.MANUAL}


def test_quota_below_one_is_refused(admin_client, municipality):
    response = admin_client.post(url("quota_list", municipality), {"year": "2026", "places": "0"})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not YearlyQuota.objects.filter(municipality=municipality).exists()


def test_quota_beyond_what_the_country_has_is_refused(admin_client, municipality):
    response = admin_client.post(
        url("quota_list", municipality), {"year": "2026", "places": "150000"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["places"] == [
        "Een taakstelling is hoogstens 100000 plekken. Kijk het getal na."
    ]
    assert not YearlyQuota.objects.filter(municipality=municipality).exists()


def test_quota_list_query_count(admin_client, admin, municipality, django_assert_num_queries):
    for year in range(2020, 2027):
        services.set_quota(municipality=municipality, year=year, places=year - 2000, actor=admin)
    # session, user, municipality, quotas, history (with who changed it), wage subsidy method
    # per year (with who changed it)
    # Warm-up: per-user caches of the page chrome (unread notifications) fill once.
    admin_client.get(url("quota_list", municipality))
    with django_assert_num_queries(6):
        response = admin_client.get(url("quota_list", municipality))
    assert len(response.context["history"]) == 7


# -- employers ------------------------------------------------------------------------------


def employer_data(**overrides):
    data = {
        "name": "Werkbedrijf Oost",
        "kind": WorkplaceKind.SOCIAL_ENTERPRISE,
        "contact_name": "J. Jansen",
        "contact_email": "info@werkbedrijf.example",
        "contact_phone": "020-1234567",
        "address": "Straat 1\n1000 AA Stad",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_employers_are_created_and_changed(admin_client, municipality):
    admin_client.post(url("employer_create", municipality), employer_data())
    employer = Employer.objects.get(municipality=municipality)
    assert employer.kind == WorkplaceKind.SOCIAL_ENTERPRISE

    admin_client.post(
        url("employer_edit", municipality, pk=employer.pk),
        employer_data(kind=WorkplaceKind.SOCIAL_FIRM, active=""),
    )
    employer.refresh_from_db()
    assert employer.kind == WorkplaceKind.SOCIAL_FIRM and not employer.active

    response = admin_client.post(
        url("employer_create", municipality), employer_data(name="werkbedrijf oost")
    )
    assert "name" in response.context["form"].errors


def test_employer_list_query_count(admin_client, municipality, django_assert_num_queries):
    for i in range(5):
        Employer.objects.create(
            municipality=municipality, name=f"Bedrijf nummer {i}", kind=WorkplaceKind.REGULAR_DIRECT
        )
    # Warm-up: per-user caches of the page chrome (unread notifications) fill once.
    admin_client.get(url("employer_list", municipality))
    with django_assert_num_queries(4):
        response = admin_client.get(url("employer_list", municipality))
    assert response.content.count(b"Bedrijf nummer ") == 5


# -- staff ----------------------------------------------------------------------------------


def test_invited_staff_member_sets_a_password_and_must_set_up_mfa(
    admin_client, municipality, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url("staff_invite", municipality),
            {
                "email": "nieuwe.consulent@example.nl",
                "first_name": "Nieuwe",
                "last_name": "Consulent",
                "role": Role.CONSULTANT,
            },
        )

    assert response["Location"] == url("staff_list", municipality)
    user = User.objects.get(email="nieuwe.consulent@example.nl")
    assert user.role == Role.CONSULTANT and user.municipality == municipality
    assert not user.has_usable_password()
    assert len(mailoutbox) == 1
    assert municipality.name in mailoutbox[0].subject
    path = re.search(r"http://testserver(/account/password/reset/key/\S+/)", mailoutbox[0].body)
    assert path, mailoutbox[0].body

    invitee = Client()
    form_page = invitee.get(path.group(1), follow=True)
    invitee.post(
        form_page.redirect_chain[-1][0],
        {"password1": "Een-nieuw-wachtwoord-7", "password2": "Een-nieuw-wachtwoord-7"},
    )
    user.refresh_from_db()
    assert user.check_password("Een-nieuw-wachtwoord-7")
    invitee.post("/account/login/", {"login": user.email, "password": "Een-nieuw-wachtwoord-7"})
    assert invitee.get("/")["Location"] == "/account/2fa/totp/activate/"


def closed_port() -> int:
    """A local port nothing listens on: a mail server that is away."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


@pytest.mark.django_db(transaction=True)  # the invitation is sent after the real commit
def test_an_invitation_the_mail_server_did_not_take_can_be_sent_again(
    admin_client, municipality, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    data = {
        "email": "nieuwe.consulent@example.nl",
        "first_name": "Nieuwe",
        "last_name": "Consulent",
        "role": Role.CONSULTANT,
    }

    response = admin_client.post(url("staff_invite", municipality), data, follow=True)

    # The page answers: the account is made and the administrator is told the mail did not go.
    assert response.redirect_chain == [(url("staff_list", municipality), 302)]
    user = User.objects.get(email="nieuwe.consulent@example.nl")
    [told] = response.context["messages"]
    assert told.level_tag == "error" and user.email in told.message
    resend = url("staff_resend_invitation", municipality, pk=user.pk)
    assert f'action="{resend}"' in response.content.decode()

    # Still away: said again, nothing lost.
    [told] = admin_client.post(resend, follow=True).context["messages"]
    assert told.level_tag == "error"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [told] = admin_client.post(resend, follow=True).context["messages"]
    assert told.level_tag == "success"
    [invitation] = mailoutbox
    assert invitation.to == [user.email]
    assert "/account/password/reset/key/" in invitation.body


def test_the_invitation_is_sent_again_only_to_staff_who_never_signed_in(
    admin_client, admin, municipality, mailoutbox
):
    signed_in = UserFactory(consultant=True, municipality=municipality)
    signed_in.last_login = timezone.now()
    signed_in.save(update_fields=["last_login"])
    other_municipality = UserFactory(consultant=True)

    page = admin_client.get(url("staff_list", municipality)).content.decode()
    admin_client.post(url("staff_resend_invitation", municipality, pk=signed_in.pk))
    response = admin_client.post(
        url("staff_resend_invitation", municipality, pk=other_municipality.pk)
    )

    assert url("staff_resend_invitation", municipality, pk=signed_in.pk) not in page
    assert response.status_code == 404
    assert mailoutbox == []


def test_administrator_may_invite_only_municipal_roles(admin_client, municipality):
    response = admin_client.post(
        url("staff_invite", municipality),
        {"email": "x@example.nl", "first_name": "X", "last_name": "Y", "role": Role.OPERATOR},
    )
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="x@example.nl").exists()


def test_an_address_longer_than_an_account_can_hold_is_a_form_error(admin_client, municipality):
    long_email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".nl"  # 310 characters, valid form

    response = admin_client.post(
        url("staff_invite", municipality),
        {"email": long_email, "first_name": "Anna", "last_name": "Jansen", "role": "consultant"},
    )

    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(first_name="Anna").exists()


def test_an_existing_address_cannot_be_invited_again(admin_client, municipality):
    existing = UserFactory()
    response = admin_client.post(
        url("staff_invite", municipality),
        {
            "email": existing.email.upper(),
            "first_name": "X",
            "last_name": "Y",
            "role": Role.CONSULTANT,
        },
    )
    assert "email" in response.context["form"].errors


def test_deactivating_staff_ends_their_sessions_at_once(admin_client, municipality):
    colleague = UserFactory(consultant=True, municipality=municipality)
    theirs = Client()
    theirs.post("/account/login/", {"login": colleague.email, "password": PASSWORD})
    theirs.post("/account/2fa/authenticate/", {"code": current_totp_code(TOTP_SECRET)})
    assert theirs.get("/").status_code == 200
    session_key = theirs.session.session_key
    assert UserSession.objects.filter(user=colleague).exists()

    response = admin_client.post(url("staff_deactivate", municipality, pk=colleague.pk))

    assert response["Location"] == url("staff_list", municipality)
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert not UserSession.objects.filter(user=colleague).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert theirs.get("/").context["current_role"] is None


def test_switching_off_a_case_handler_gives_their_cases_back_to_the_team(
    admin_client, admin, municipality
):
    leaver = UserFactory(consultant=True, municipality=municipality)
    theirs = CaseFactory(
        person=PersonFactory(municipality=municipality), state=CaseState.ADVICE_ISSUED
    )
    other = CaseFactory(
        person=PersonFactory(municipality=municipality), state=CaseState.ADVICE_ISSUED
    )
    colleague = UserFactory(consultant=True, municipality=municipality)
    Case.objects.filter(pk=theirs.pk).update(assignee=leaver)
    Case.objects.filter(pk=other.pk).update(assignee=colleague)

    admin_client.post(url("staff_deactivate", municipality, pk=leaver.pk))

    assert Case.objects.get(pk=theirs.pk).assignee is None
    assert Case.objects.get(pk=other.pk).assignee == colleague
    # The history says who gave the case back and why, as for a reassignment.
    event = CaseEvent.objects.get(case=theirs, action="assigned")
    assert event.actor == admin
    assert event.details == {
        "assignee": None,
        "previous": leaver.pk,
        "reason": "handler_switched_off",
    }
    assert not CaseEvent.objects.filter(case=other, action="assigned").exists()


def test_a_staff_member_moved_by_the_identity_provider_gives_back_only_the_old_cases(
    municipality,
):
    mover = UserFactory(consultant=True, municipality=municipality)
    new = MunicipalityFactory()
    old_case = CaseFactory(person=PersonFactory(municipality=municipality))
    new_case = CaseFactory(person=PersonFactory(municipality=new))
    Case.objects.filter(pk__in=[old_case.pk, new_case.pk]).update(assignee=mover)

    services.update_staff_from_idp(
        user_id=mover.pk, role=Role.MUNICIPAL_ADMIN, municipality=new, actor=mover
    )

    assert Case.objects.get(pk=old_case.pk).assignee is None
    assert Case.objects.get(pk=new_case.pk).assignee == mover
    assert CaseEvent.objects.get(case=old_case, action="assigned").details["reason"] == (
        "handler_left_municipality"
    )


def test_a_switched_off_account_is_switched_on_again(admin_client, admin, municipality):
    colleague = UserFactory(consultant=True, municipality=municipality)
    admin_client.post(url("staff_deactivate", municipality, pk=colleague.pk))
    listed = admin_client.get(url("staff_list", municipality)).content.decode()
    assert url("staff_reactivate", municipality, pk=colleague.pk) in listed
    assert f"{colleague.email} aanzetten" in listed

    response = admin_client.post(
        url("staff_reactivate", municipality, pk=colleague.pk), follow=True
    )

    colleague.refresh_from_db()
    assert colleague.is_active
    assert f"Het account van {colleague.email} is weer aangezet." in response.content.decode()
    assert AuditEntry.objects.filter(
        action="reactivate_staff", actor=admin, object_id=str(colleague.pk), result="ok"
    ).exists()
    theirs = Client()
    theirs.post("/account/login/", {"login": colleague.email, "password": PASSWORD})
    theirs.post("/account/2fa/authenticate/", {"code": current_totp_code(TOTP_SECRET)})
    assert theirs.get("/").context["current_role"] == Role.CONSULTANT


def test_switching_on_needs_a_post(admin_client, municipality):
    colleague = UserFactory(consultant=True, municipality=municipality, is_active=False)
    response = admin_client.get(url("staff_reactivate", municipality, pk=colleague.pk))
    assert response.status_code == 405
    colleague.refresh_from_db()
    assert not colleague.is_active


def test_inviting_a_switched_off_colleague_again_says_how_to_switch_them_on(
    admin_client, municipality
):
    colleague = UserFactory(consultant=True, municipality=municipality, is_active=False)

    response = admin_client.post(
        url("staff_invite", municipality),
        {
            "email": colleague.email,
            "first_name": "X",
            "last_name": "Y",
            "role": Role.CONSULTANT,
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "Er is al een account met dit e-mailadres, maar het is uitgezet. Zet het weer aan in "
        "de lijst met medewerkers."
    ]


def test_administrator_cannot_switch_off_themselves(admin_client, admin, municipality):
    admin_client.post(url("staff_deactivate", municipality, pk=admin.pk))
    admin.refresh_from_db()
    assert admin.is_active


def test_staff_list_shows_mfa_in_one_query(admin_client, municipality, django_assert_num_queries):
    with_mfa = [UserFactory(consultant=True, municipality=municipality) for _ in range(3)]
    without = [UserFactory(consultant=True, municipality=municipality, totp=False)]
    UserFactory(consultant=True)  # another municipality

    # Warm-up: per-user caches of the page chrome (unread notifications) fill once.
    admin_client.get(url("staff_list", municipality))
    with django_assert_num_queries(4):
        response = admin_client.get(url("staff_list", municipality))

    shown = {u.email: u.mfa_enabled for u in response.context["staff"]}
    assert {u.email for u in with_mfa + without} < set(shown)
    assert all(shown[u.email] for u in with_mfa)
    assert not shown[without[0].email]
    assert len(shown) == 5  # the four and the administrator


# -- chain agreements -----------------------------------------------------------------------


def test_chain_agreement_with_partners_and_targets(admin_client, municipality):
    admin_client.post(
        url("chain_create", municipality),
        {"title": "Ketenafspraak beschut werk", "concluded_on": "2026-02-01", "description": ""},
    )
    agreement = ChainAgreement.objects.get(municipality=municipality)
    detail = url("chain_detail", municipality, pk=agreement.pk)

    admin_client.post(
        detail,
        {
            "add_partner": "1",
            "partner-name": "VSO De Brug",
            "partner-kind": ChainPartner.Kind.SCHOOL,
            "partner-role": "Meldt schoolverlaters aan.",
        },
    )
    admin_client.post(
        detail, {"set_target": "1", "target-year": "2026", "target-target_places": "8"}
    )
    admin_client.post(
        detail, {"set_target": "1", "target-year": "2026", "target-target_places": "9"}
    )

    assert list(agreement.partners.values_list("name", flat=True)) == ["VSO De Brug"]
    assert list(ChainTarget.objects.values_list("year", "target_places")) == [(2026, 9)]
    partner = agreement.partners.get()
    admin_client.post(detail, {"remove_partner": str(partner.pk)})
    assert not agreement.partners.exists()


def test_chain_list_query_count(admin_client, municipality, django_assert_num_queries):
    for i in range(3):
        agreement = ChainAgreement.objects.create(municipality=municipality, title=f"Afspraak {i}")
        ChainPartner.objects.create(agreement=agreement, name="UWV", kind="uwv", role="Advies")
        ChainTarget.objects.create(agreement=agreement, year=2026, target_places=5)
    # session, user, municipality, agreements, partners, targets
    # Warm-up: per-user caches of the page chrome (unread notifications) fill once.
    admin_client.get(url("chain_list", municipality))
    with django_assert_num_queries(6):
        admin_client.get(url("chain_list", municipality))


# -- letterhead -----------------------------------------------------------------------------


def test_letterhead_and_contact_texts(admin_client, municipality):
    admin_client.post(
        url("contact_edit", municipality),
        {
            "letterhead": "Gemeente Test\nPostbus 1",
            "contact_email": "beschutwerk@gemeente.example",
            "contact_phone": "14 020",
            "contact_text": "Bel ons op werkdagen.",
        },
    )
    municipality.refresh_from_db()
    assert municipality.letterhead == "Gemeente Test\nPostbus 1"
    assert municipality.contact_phone == "14 020"


def test_placements_choose_from_the_active_employers_of_the_own_municipality(municipality):
    consultant = UserFactory(consultant=True, municipality=municipality, totp=False)
    mine = Employer.objects.create(
        municipality=municipality, name="Eigen SW", kind=WorkplaceKind.SOCIAL_ENTERPRISE
    )
    Employer.objects.create(
        municipality=municipality, name="Oud", kind=WorkplaceKind.SOCIAL_FIRM, active=False
    )
    Employer.objects.create(
        municipality=MunicipalityFactory(), name="Ander", kind=WorkplaceKind.SOCIAL_FIRM
    )

    assert list(selectors.active_employers_for(consultant)) == [mine]


def test_a_long_preview_shows_the_first_rows_and_says_so(admin_client, municipality, monkeypatch):
    from municipalities import views

    monkeypatch.setattr(views, "PREVIEW_ROWS", 2)
    YearlyQuotaFactory(municipality=municipality, year=2026, places=1)
    candidates(municipality)

    response = admin_client.post(
        url("verordening_create", municipality), {**verordening_data(), "preview": "1"}
    )

    assert len(response.context["preview"]) == 2
    assert response.context["preview_total"] == 3
    assert "De eerste 2 van 3 kandidaten" in response.content.decode()
