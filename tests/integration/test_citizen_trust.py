"""Issue #18 in the citizen's application: no oracle on who has a file (the person step answers
the same for every valid BSN, a BSN on file elsewhere is settled by staff after sending, BSN
entries are limited per account), and bad input (NUL characters, fields sent twice, drafts an
older version stored) gets a clear answer, never a 500 and never a corrupted draft."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import CaseState
from cases.models import ApplicationDraft, BsnEntry, Case, Person
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory, valid_bsn
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return UserFactory(first_name="Sam", last_name="de Vries")


def bsn(n: int) -> str:
    return valid_bsn(n, base=6_000_000)


def step_url(draft, step):
    return reverse("citizen:draft_step", args=[draft.pk, step])


def review_url(draft):
    return reverse("citizen:draft_review", args=[draft.pk])


def answers_for(municipality, **person) -> dict[str, dict]:
    """Valid answers for every step (the "previous" step only where it applies)."""
    return {
        "applicant": {
            "applicant_kind": "person",
            "representative_name": "",
            "representative_relationship": "",
        },
        "person": {
            "bsn": bsn(1),
            "first_name": "Sam",
            "last_name": "de Vries",
            "birth_date": "15-03-2000",
            "municipality": str(municipality.pk),
            "email": "sam@example.nl",
            "phone": "0612345678",
            "letter_street": "Kerkstraat 1",
            "letter_postcode": "1011 AB",
            "letter_city": "Amsterdam",
            **person,
        },
        "situation": {"situation": "school", "benefit_kind": "none"},
        "wsw": {"has_wsw": "yes", "wsw_end": "01-01-2030", "wsw_supported": "no"},
        "previous": {"changed": "yes", "changed_circumstances": "Nieuwe school."},
        "support": {
            "support_needed": "Iemand die altijd in de buurt is.",
            "needs_adaptations": "on",
            "needs_supervision": "on",
        },
    }


STEPS = ["applicant", "person", "situation", "wsw", "previous", "support"]


def start(client) -> ApplicationDraft:
    assert client.post(reverse("citizen:draft_start")).status_code == 302
    return ApplicationDraft.objects.latest("id")


def fill(client, draft, answers, steps=("applicant", "person", "situation", "wsw", "support")):
    for step in steps:
        response = client.post(step_url(draft, step), answers[step])
        assert response.status_code == 302, (step, response.content.decode()[:1500])


def submit(client, citizen, municipality, **person) -> Case:
    client.force_login(citizen)
    draft = start(client)
    fill(client, draft, answers_for(municipality, **person))
    response = client.post(review_url(draft))
    assert response.status_code == 302
    return Case.objects.get(draft=draft)


# -- no oracle at the person step ----------------------------------------------------------


def test_the_person_step_answers_the_same_for_a_bsn_on_file_and_one_that_is_not(client):
    municipality = MunicipalityFactory()
    with_account = PersonFactory(bsn=bsn(10), account=UserFactory(), municipality=municipality)
    registered = PersonFactory(bsn=bsn(11), account=None, municipality=municipality)
    CaseFactory(person=with_account)
    CaseFactory(person=registered)
    outcomes = []
    for i, typed in enumerate((with_account.bsn, registered.bsn, bsn(12))):
        user = UserFactory(first_name="Kim", last_name="Smit", email=f"kim{i}@example.nl")
        client.force_login(user)
        draft = start(client)
        client.post(step_url(draft, "applicant"), {"applicant_kind": "person"})
        data = answers_for(municipality, bsn=typed)["person"]
        with CaptureQueriesContext(connection) as queries:
            response = client.post(step_url(draft, "person"), data)
        incomplete = client.post(step_url(draft, "person"), {**data, "first_name": ""})
        page = incomplete.content.decode().replace(f"/{draft.pk}/", "/N/").replace(typed, "B")
        page = page.replace(user.email, "E")
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
        # The session notice counts down the wall clock: the same answer a second later.
        page = re.sub(r'<div class="session-notice".*?</div>', "", page, flags=re.S)
        outcomes.append(
            (
                response.status_code,
                response["Location"] == step_url(draft, "situation"),
                len(queries),
                incomplete.status_code,
                page,
            )
        )

    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert outcomes[0][:2] == (302, True)
    assert "dossier" not in outcomes[0][-1].lower()


def test_sending_with_a_bsn_of_another_account_makes_a_new_flagged_application_only_the_sender_sees(
    client, citizen, municipality
):
    other_account = UserFactory()
    on_file = PersonFactory(
        bsn=bsn(20), account=other_account, municipality=municipality, last_name="Jansen"
    )
    their_case = CaseFactory(person=on_file)

    case = submit(client, citizen, municipality, bsn=on_file.bsn)

    assert case.state == CaseState.SUBMITTED
    assert case.person != on_file and case.person.account == citizen
    assert case.person.duplicate_of == on_file
    assert CaseEvent.objects.filter(case=case, action="possible_duplicate_person").exists()
    on_file.refresh_from_db()
    assert (on_file.account, on_file.last_name) == (other_account, "Jansen")
    assert list(Case.objects.filter(person=on_file)) == [their_case]
    mine = client.get(reverse("citizen:case_list")).content.decode()
    assert case.reference in mine and their_case.reference not in mine
    receipt = client.get(reverse("citizen:receipt", args=[case.pk])).content.decode()
    assert "Jansen" not in receipt and "dossier bestaat" not in receipt.lower()
    detail = reverse("citizen:case_detail", args=[their_case.pk])
    assert client.get(detail).status_code == 404


def test_sending_twice_with_ones_own_bsn_keeps_one_person(client, citizen, municipality):
    first = submit(client, citizen, municipality, bsn=bsn(21))
    first.person.refresh_from_db()
    second = submit(client, citizen, municipality, bsn=bsn(21), phone="0687654321")

    assert second.person == first.person and second.person.duplicate_of is None
    assert Person.objects.filter(bsn=bsn(21)).count() == 1
    second.person.refresh_from_db()
    assert second.person.phone == "0687654321"


def test_the_college_can_still_apply_for_a_person_with_a_possible_duplicate(
    client, citizen, municipality, consultant
):
    from cases import services

    on_file = PersonFactory(bsn=bsn(22), account=None, municipality=municipality)
    submit(client, citizen, municipality, bsn=on_file.bsn)

    case = services.apply_on_behalf_of_college(
        bsn=on_file.bsn,
        first_name="Sam",
        last_name="X",
        birth_date=dt.date(2000, 3, 15),
        benefit_kind="none",
        source="school",
        preselection_done_on=timezone.localdate(),
        preselection_notes="Kan werken.",
        actor=consultant,
    )

    assert case.person == on_file


def test_a_possible_duplicate_keeps_the_12_month_rule_of_the_person_on_file(
    client, citizen, municipality
):
    """§1.2 holds for the person, not for one record of them: to UWV the BSN is the person.
    The citizen is told nothing of the file (no oracle); UWV's negative advice is accepted."""
    from cases import rules, services
    from cases.choices import AdviceOutcome

    existing = PersonFactory(bsn=bsn(40), account=None, municipality=municipality, email="")
    CaseFactory(person=existing, state=CaseState.ADVICE_ISSUED)  # advised 14 weeks ago
    client.force_login(citizen)
    draft = start(client)
    answers = answers_for(municipality, bsn=existing.bsn)
    answers["wsw"] = {"has_wsw": "no", "wsw_end": "", "wsw_supported": ""}  # assessed in full
    fill(client, draft, answers)
    assert client.post(review_url(draft)).status_code == 302
    case = Case.objects.get(draft=draft)
    assert case.person.duplicate_of == existing

    event = CaseEvent.objects.get(case=case, action="application_submitted")
    assert event.details["twelve_month_rule"] == "negative_unless_changed"
    advice = services.record_advice(
        case_id=case.pk,
        outcome=AdviceOutcome.NEGATIVE,
        reasons="Binnen 12 maanden opnieuw aangevraagd.",
        needs_supervision=True,
        work_capacity=rules.WorkCapacity(True, True, Decimal(2), Decimal(6)),
        actor=UserFactory(uwv_assessor=True),
    )
    assert advice.outcome == AdviceOutcome.NEGATIVE


# -- staff settle the possible duplicate -----------------------------------------------------


def flagged_case(client, citizen, municipality, *, existing_account=None, lives_in=None):
    existing = PersonFactory(
        bsn=bsn(30),
        account=existing_account,
        municipality=lives_in or municipality,
        last_name="Op-Dossier",
        email="",
    )
    existing_case = CaseFactory(person=existing)
    case = submit(client, citizen, municipality, bsn=existing.bsn)
    client.logout()
    return existing, existing_case, case


def link_url(case):
    return reverse("work:case_link_person", args=[case.pk])


def test_a_consultant_links_an_application_to_a_person_the_municipality_registered(
    client, citizen, municipality, consultant
):
    existing, existing_case, case = flagged_case(client, citizen, municipality)
    duplicate_pk = case.person_id
    sign_in(client, consultant)

    page = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert "Mogelijk dezelfde persoon" in page and link_url(case) in page
    check = client.get(link_url(case))
    assert check.status_code == 200 and "Op-Dossier" in check.content.decode()
    unchecked = client.post(link_url(case), {})
    assert unchecked.status_code == 400 and "Controleer eerst" in unchecked.content.decode()
    assert Case.objects.get(pk=case.pk).person_id == duplicate_pk

    response = client.post(link_url(case), {"identity_checked": "on"})

    assert response["Location"] == reverse("work:case_detail", args=[case.pk])
    case.refresh_from_db()
    existing.refresh_from_db()
    assert case.person == existing and existing.account == citizen
    assert existing.email == "sam@example.nl"
    assert not Person.objects.filter(pk=duplicate_pk).exists()
    assert CaseEvent.objects.filter(case=case, action="person_linked").exists()
    assert AuditEntry.objects.filter(
        action="link_duplicate_person", object_id=str(case.pk), result="ok", actor=consultant
    ).exists()
    assert client.get(link_url(case)).status_code == 404
    client.force_login(citizen)
    mine = client.get(reverse("citizen:case_list")).content.decode()
    assert case.reference in mine and existing_case.reference in mine


def test_linking_to_a_person_with_an_account_of_their_own_keeps_that_account(
    client, citizen, municipality, consultant
):
    owner = UserFactory()
    existing, _existing_case, case = flagged_case(
        client, citizen, municipality, existing_account=owner
    )
    sign_in(client, consultant)
    assert "eigen account" in client.get(link_url(case)).content.decode()

    client.post(link_url(case), {"identity_checked": "on"})

    existing.refresh_from_db()
    case.refresh_from_db()
    assert case.person == existing and existing.account == owner
    client.force_login(citizen)
    assert client.get(reverse("citizen:case_detail", args=[case.pk])).status_code == 404


def test_another_municipality_cannot_see_or_link_the_possible_duplicate(
    client, citizen, municipality
):
    _existing, _case_on_file, case = flagged_case(client, citizen, municipality)
    sign_in(client, UserFactory(consultant=True))

    assert client.get(link_url(case)).status_code == 404
    assert client.post(link_url(case), {"identity_checked": "on"}).status_code == 404


def test_a_file_in_another_municipality_is_not_revealed_to_this_municipality(
    client, citizen, municipality, consultant
):
    elsewhere = MunicipalityFactory(name="Elders")
    existing, _existing_case, case = flagged_case(client, citizen, municipality, lives_in=elsewhere)
    sign_in(client, consultant)

    case_page = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()

    assert "Elders" not in case_page and "Mogelijk dezelfde persoon" not in case_page
    assert client.get(link_url(case)).status_code == 404
    assert client.post(link_url(case), {"identity_checked": "on"}).status_code == 404
    case.refresh_from_db()
    assert case.person.duplicate_of == existing  # kept apart, as the database requires
    assert not case.events.filter(action="possible_duplicate_person").exists()


# -- BSN entries per account -------------------------------------------------------------------


def test_bsn_entries_are_limited_per_account_and_day(client, citizen, settings):
    settings.CITIZEN_BSNS_PER_DAY = 2
    municipality = MunicipalityFactory()
    client.force_login(citizen)
    draft = start(client)
    client.post(step_url(draft, "applicant"), {"applicant_kind": "person"})

    def enter(n):
        data = answers_for(municipality, bsn=bsn(n))["person"]
        return client.post(step_url(draft, "person"), data)

    assert enter(40).status_code == 302
    assert enter(41).status_code == 302
    refused = enter(42)
    again = enter(40)

    assert refused.status_code == 429
    assert "te veel verschillende burgerservicenummers" in refused.content.decode()
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["person"]["bsn"] == bsn(40)
    digests = list(BsnEntry.objects.values_list("digest", flat=True))
    assert len(digests) == 2 and not any(bsn(n) in d for n in (40, 41) for d in digests)
    assert AuditEntry.objects.filter(action="enter_bsn", result="refused", actor=citizen).exists()
    tomorrow = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(12))
    with time_machine.travel(tomorrow.replace(tzinfo=dt.UTC)):
        assert enter(42).status_code == 302


def test_the_limit_counts_per_account(client, settings):
    settings.CITIZEN_BSNS_PER_DAY = 1
    municipality = MunicipalityFactory()
    for n in (50, 51):
        client.force_login(UserFactory())
        draft = start(client)
        data = answers_for(municipality, bsn=bsn(n))["person"]
        assert client.post(step_url(draft, "person"), data).status_code == 302


# -- bad input ---------------------------------------------------------------------------------


@pytest.fixture
def complete_draft(client, citizen, municipality):
    """A draft with every step answered, the "previous" step included (an advice of the
    citizen's own person less than 12 months ago)."""
    person = PersonFactory(bsn=bsn(60), account=citizen, municipality=municipality)
    CaseFactory(person=person, state=CaseState.REJECTED)
    client.force_login(citizen)
    draft = start(client)
    answers = answers_for(municipality, bsn=person.bsn)
    fill(client, draft, answers, steps=STEPS)
    draft.refresh_from_db()
    assert set(draft.answers) == set(STEPS)
    return draft, answers


FIELDS = [
    (step, field) for step in STEPS for field in answers_for(MunicipalityFactory.build(pk=1))[step]
]


def test_the_form_has_twenty_three_fields_and_this_test_covers_them_all():
    from portal.citizen.wizard import BY_SLUG

    fields = {(step, name) for step in STEPS for name in BY_SLUG[step].form_class.base_fields}
    assert len(fields) == 23 and fields == set(FIELDS)


@pytest.mark.parametrize("where", ["value", "name", "query"])
def test_a_nul_character_in_any_field_of_any_step_is_refused_and_nothing_is_stored(
    client, complete_draft, where
):
    draft, answers = complete_draft
    before = ApplicationDraft.objects.get(pk=draft.pk).answers

    for step, field in FIELDS:
        data = dict(answers[step])
        url = step_url(draft, step)
        if where == "value":
            data[field] = f"{data[field]}\x00"
        elif where == "name":
            data[f"{field}\x00"] = data.pop(field)
        else:
            url = f"{url}?{field}=%00"
        response = client.post(url, data)
        assert response.status_code == 400, (step, field, response.status_code)
        assert "Er is niets opgeslagen" in response.content.decode()
        assert ApplicationDraft.objects.get(pk=draft.pk).answers == before, (step, field)

    assert client.get(review_url(draft)).status_code == 200


def test_a_nul_character_elsewhere_on_the_citizen_pages_answers_400(client, citizen, municipality):
    case = submit(client, citizen, municipality, bsn=bsn(61))
    draft = start(client)
    pages = [
        ("get", reverse("citizen:case_list") + "?q=%00"),
        ("get", reverse("citizen:draft_start") + "?x=%00"),
        ("post", reverse("citizen:draft_documents", args=[draft.pk]), {"remove": "1\x00"}),
        ("post", reverse("citizen:draft_documents", args=[draft.pk]), {"next\x00": "1"}),
        ("post", reverse("citizen:contact_update", args=[case.pk]), {"email": "a@b.nl\x00"}),
        ("post", reverse("citizen:withdraw", args=[case.pk]), {"x": "\x00"}),
        ("post", reverse("citizen:draft_delete", args=[draft.pk]), {"x": "\x00"}),
    ]
    for method, url, *data in pages:
        response = getattr(client, method)(url, *data)
        assert response.status_code == 400, url
    assert ApplicationDraft.objects.filter(pk=draft.pk).exists()
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_removing_a_document_with_a_tampered_number_answers_400_not_500(client, citizen):
    client.force_login(citizen)
    draft = start(client)
    url = reverse("citizen:draft_documents", args=[draft.pk])

    assert client.post(url, {"remove": "abc"}).status_code == 400
    assert client.post(url, {"remove": "9" * 30}).status_code == 404


def test_every_field_sent_twice_stores_one_value_the_form_would_take(client, complete_draft):
    draft, answers = complete_draft

    for step in STEPS:
        payload = []
        for field, value in answers[step].items():
            junk = "31-12-1999" if field in ("birth_date", "wsw_end") else "onzin"
            payload += [(field, junk), (field, value)]
        body = urlencode(payload)
        response = client.post(
            step_url(draft, step), body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 302, (step, response.content.decode()[:1500])

    draft.refresh_from_db()
    for step in STEPS:
        for field, value in draft.answers[step].items():
            assert isinstance(value, str | bool), (step, field, value)
    assert draft.answers["person"]["birth_date"] == "15-03-2000"
    assert draft.answers["wsw"]["wsw_end"] == "01-01-2030"
    assert draft.answers["support"]["needs_supervision"] is True
    assert client.get(review_url(draft)).status_code == 200
    assert client.post(review_url(draft)).status_code == 302
    assert Case.objects.get(draft=draft).state == CaseState.SUBMITTED


def test_only_the_fields_that_pass_are_stored(client, citizen, municipality):
    client.force_login(citizen)
    draft = start(client)
    data = answers_for(municipality)["person"]

    response = client.post(
        step_url(draft, "person"), {**data, "birth_date": "31-02-2001", "bsn": "123456789"}
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    stored = draft.answers["person"]
    assert "birth_date" not in stored and "bsn" not in stored
    assert stored["first_name"] == "Sam" and stored["municipality"] == str(municipality.pk)


def test_a_draft_an_older_version_stored_with_bad_answers_still_opens(
    client, citizen, municipality
):
    answers = answers_for(municipality)
    bad = {
        "applicant": {"applicant_kind": ["representative", "person"]},
        "person": {
            **answers["person"],
            "birth_date": ["01-01-1990", "15-03-2000"],
            "municipality": {"pk": municipality.pk},
            "phone": 612345678,
        },
        "situation": "not a dict",
        "wsw": {"has_wsw": ["no"], "wsw_end": [], "wsw_supported": None},
        "support": {**answers["support"], "needs_adaptations": ["on", "on"]},
    }
    draft = ApplicationDraft.objects.create(owner=citizen, answers=bad)
    client.force_login(citizen)

    review = client.get(review_url(draft))
    assert review.status_code == 302
    assert review["Location"] == step_url(draft, "person")  # its municipality is unreadable
    for step in ("applicant", "person", "situation", "wsw", "support"):
        assert client.get(step_url(draft, step)).status_code == 200, step
    assert client.post(reverse("citizen:draft_start"))["Location"] == step_url(draft, "person")

    client.post(step_url(draft, "person"), answers["person"])
    client.post(step_url(draft, "situation"), answers["situation"])
    assert client.get(review_url(draft)).status_code == 200


def test_a_draft_whose_answers_are_not_a_mapping_still_opens(client, citizen):
    draft = ApplicationDraft.objects.create(owner=citizen, answers=["garbage"])
    client.force_login(citizen)

    review = client.get(review_url(draft))

    assert review.status_code == 302 and review["Location"] == step_url(draft, "applicant")
    assert client.get(review["Location"]).status_code == 200


# -- error pages -----------------------------------------------------------------------------


def test_the_error_pages_say_plainly_what_happened_and_what_to_do():
    from django.template import loader
    from django.utils import translation

    with translation.override("nl"):
        server_error = loader.get_template("500.html").render()
        bad_request = loader.get_template("400.html").render()

    assert "niet verloren" not in server_error
    assert "misschien niet opgeslagen" in server_error and "gemeente" in server_error
    assert "Er is niets opgeslagen" in bad_request and "gemeente" in bad_request
