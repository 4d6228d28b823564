"""The decision letter: letterhead, recipient (or representative), the decision and its
grounds, the exact objection end date and where to object, contact and signature; a tagged
PDF/UA-1 read back with pypdf; and no letter (nor decision) while the letterhead is not
complete, with a warning where it matters."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases import services
from cases.choices import ApplicantKind, CaseState, TermKind
from cases.documents.letters import LetterheadIncomplete, decision_letter_html, decision_letter_pdf
from cases.models import Advice, Case, Decision, Objection, Person, Term
from portal.models import Role
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality():
    return MunicipalityFactory(
        name="Testdorp",
        letterhead="Gemeente Testdorp\nWerk en Inkomen",
        postal_address="Postbus 100\n9999 ZZ Testdorp",
        objection_address="College van burgemeester en wethouders\nBezwaarschriften\n"
        "Postbus 200\n9999 ZY Testdorp",
        team_name="Team Beschut Werk",
        signatory_name="A. de Tester",
        signatory_role="teamleider Werk",
        contact_phone="14 0999",
        contact_email="werk@testdorp.example",
        website="https://www.testdorp.example",
    )


def decided_case(municipality, *, state=CaseState.REJECTED, account=None, **application):
    person = PersonFactory(
        municipality=municipality, account=account, first_name="Sam", last_name="Jansen"
    )
    case = CaseFactory(person=person, state=state)
    for field, value in {
        "letter_street": "Dorpsstraat 1",
        "letter_postcode": "9999 AA",
        "letter_city": "Testdorp",
        **application,
    }.items():
        setattr(case.application, field, value)
    case.application.save()
    case.decision.sent_on = dt.date(2026, 3, 25)
    case.decision.save()
    Term.objects.create(
        case=case,
        kind=TermKind.OBJECTION,
        starts_on=dt.date(2026, 3, 25),
        weeks=6,
        end_on=dt.date(2026, 5, 6),
    )
    return case


def staff_login(client, user):
    client.force_login(user)
    session = client.session
    session["portal_staff_mfa_ok"] = True
    session.save()


def test_the_letter_has_letterhead_recipient_objection_address_contact_and_signature(
    municipality,
):
    citizen = UserFactory()
    case = decided_case(municipality, account=citizen)

    html = decision_letter_html(Decision.objects.get(case=case))

    for text in (
        "Gemeente Testdorp",  # the sender
        "Retouradres: Postbus 100, 9999 ZZ Testdorp",
        "Sam Jansen",
        "Dorpsstraat 1",
        "9999 AA  Testdorp",
        "25 maart 2026",
        case.reference,
        "Besluit over beschut werk",
        "U komt niet in aanmerking voor beschut werk.",
        "artikel 10b van de Participatiewet",
        "6 mei 2026",  # the objection term's own end date
        "Bezwaarschriften",
        "Postbus 200",
        f"http://testserver{reverse('citizen:case_detail', args=[case.pk])}",
        "14 0999",
        "werk@testdorp.example",
        "https://www.testdorp.example",
        "Het college van burgemeester en wethouders van Testdorp",
        "namens dezen",
        "A. de Tester",
        "teamleider Werk",
    ):
        assert text in html, text


def test_the_letter_says_an_objection_posted_by_the_end_date_is_in_time(municipality):
    """Awb 6:9: an objection posted within the term (and received within a week after it) is
    in time, so the letter does not say it must have arrived by the end date."""
    case = decided_case(municipality)

    html = " ".join(decision_letter_html(Decision.objects.get(case=case)).split())

    assert (
        "wij moeten uw bezwaar uiterlijk op 6 mei 2026 ontvangen, of u moet het uiterlijk op "
        "die dag op de post doen." in html
    )


def test_a_letter_for_a_representative_is_addressed_to_them_on_behalf_of_the_person(
    municipality,
):
    case = decided_case(
        municipality,
        state=CaseState.AWAITING_PLACEMENT,
        applicant_kind=ApplicantKind.REPRESENTATIVE,
        representative_name="Petra Jansen",
        representative_relationship="parent",
        letter_street="Ouderweg 5",
    )

    html = decision_letter_html(case.decision)

    assert "Petra Jansen" in html and "namens Sam Jansen" in html
    assert "Ouderweg 5" in html and "Beste Petra Jansen," in html
    assert "Sam Jansen komt in aanmerking voor beschut werk." in html
    assert "U komt in aanmerking" not in html


@pytest.mark.parametrize(
    ("findings", "reason"),
    [
        # UWV decided on the Wsw indication, without investigating (§2.4)
        (
            {"without_investigation": True},
            "zonder nieuw onderzoek, omdat er een geldige Wsw-indicatie is met het advies "
            "begeleid werken",
        ),
        # fewer than 4 hours a day (§2.3)
        ({"hours_per_day": Decimal(3)}, "werken in een organisatie is nog niet mogelijk"),
        # work capacity, but no help a regular employer cannot give (§2.2)
        (
            {"needs_supervision": False, "needs_adaptations": False},
            "een gewone werkgever kan de hulp geven die nodig is bij het werk",
        ),
        # every criterion met, still negative: again within 12 months (§1.2)
        ({"needs_supervision": True}, "binnen 12 maanden na het vorige advies van UWV"),
    ],
)
def test_a_negative_advice_is_explained_by_its_own_reason(municipality, findings, reason):
    """Awb 3:46: the letter gives the reason the advice was negative, not a general one."""
    case = decided_case(municipality)
    Advice.objects.filter(case=case).update(outcome="negative", **findings)

    html = decision_letter_html(Decision.objects.get(case=case))

    assert reason in html
    others = {"Wsw-indicatie", "nog niet mogelijk", "werkgever kan de hulp geven", "12 maanden"}
    assert [other for other in others if other in html and other not in reason] == []


@pytest.mark.parametrize(("benefit", "told"), [("participatiewet", True), ("none", False)])
def test_a_positive_letter_tells_a_participatiewet_recipient_to_accept_a_place(
    municipality, benefit, told
):
    """§3.4: whoever gets a Participatiewet benefit must accept a suitable place."""
    case = decided_case(municipality, state=CaseState.AWAITING_PLACEMENT)
    Person.objects.filter(pk=case.person_id).update(benefit_kind=benefit)

    html = decision_letter_html(Decision.objects.get(case=case))

    assert ("Daarom moet u een passende plek aannemen" in html) is told


def test_a_late_decision_says_the_pending_objection_now_counts_against_it(municipality):
    """Awb 6:20: an objection against not deciding in time counts against the late decision;
    the letter does not invite a second one the portal would not take."""
    case = decided_case(municipality, account=UserFactory())
    Case.objects.filter(pk=case.pk).update(deemed_refusal_on=dt.date(2026, 3, 1))
    Objection.objects.create(
        case=case, filed_on=dt.date(2026, 3, 10), grounds="Te laat.", in_time=True
    )

    html = decision_letter_html(Decision.objects.get(case=case))

    assert "Op 10 maart 2026 hebt u bezwaar gemaakt" in html
    assert "telt nu ook tegen dit besluit" in html
    assert "U kunt online bezwaar maken" not in html and "6 mei 2026" not in html


def test_the_pdf_is_tagged_pdf_ua_with_title_language_and_reading_order(municipality):
    case = decided_case(municipality)

    pdf = decision_letter_pdf(case.decision)

    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "nl"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == f"Besluit over beschut werk {case.reference}"
    assert b"pdfuaid:part" in reader.xmp_metadata.stream.get_data()
    structure = _structure_types(catalog["/StructTreeRoot"])
    assert {"H1", "H2", "P", "Table"} <= structure
    text = "".join(page.extract_text() for page in reader.pages)
    order = [
        "Gemeente Testdorp",
        "Sam Jansen",
        "Besluit over beschut werk",
        "Ons besluit",
        "Waarom wij dit besluiten",
        "Bent u het niet eens?",
        "6 mei 2026",
        "Postbus 200",
        "A. de Tester",
    ]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)


def _structure_types(node, seen=None) -> set[str]:
    """The structure types (H1, P, Table, ...) in the tagged PDF's structure tree."""
    seen = set() if seen is None else seen
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            _structure_types(child, seen)
        return seen
    if not hasattr(node, "get"):
        return seen
    if "/S" in node:
        seen.add(str(node["/S"]).lstrip("/"))
    if "/K" in node:
        kids = node["/K"]
        _structure_types(kids if isinstance(kids, list) else [kids], seen)
    return seen


def test_no_letter_while_the_letterhead_is_incomplete(client, municipality):
    citizen = UserFactory()
    case = decided_case(municipality, account=citizen)
    municipality.objection_address = ""
    municipality.signatory_name = ""
    municipality.save()
    case.refresh_from_db()

    with pytest.raises(LetterheadIncomplete) as refused:
        decision_letter_pdf(case.decision)
    assert "adres voor bezwaar" in refused.value.messages[0]

    client.force_login(citizen)
    response = client.get(reverse("citizen:decision_letter", args=[case.pk]))
    assert response.status_code == 409
    assert "De brief is nog niet klaar" in response.content.decode()

    consultant = UserFactory(role=Role.CONSULTANT, municipality=municipality)
    staff_login(client, consultant)
    response = client.get(reverse("work:decision_letter", args=[case.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "adres voor bezwaar" in page and "naam van de ondertekenaar" in page

    page = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="letterhead-missing"' in page


def test_no_decision_is_recorded_while_the_letterhead_is_incomplete(municipality):
    municipality.postal_address = ""
    municipality.save()
    consultant = UserFactory(role=Role.CONSULTANT, municipality=municipality)
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    case = CaseFactory(person=PersonFactory(municipality=municipality), state="advice_issued")

    with pytest.raises(LetterheadIncomplete):
        services.record_decision(case_id=case.pk, positive=False, actor=consultant)

    assert not Decision.objects.filter(case=case).exists()


def test_the_administrator_is_told_what_the_letterhead_lacks_and_fills_it_in(client, municipality):
    municipality.team_name = ""
    municipality.save()
    administrator = UserFactory(role=Role.MUNICIPAL_ADMIN, municipality=municipality)
    staff_login(client, administrator)

    page = client.get(reverse("manage:municipality", args=[municipality.pk])).content.decode()
    assert 'data-testid="letterhead-missing"' in page and "team" in page

    data = {
        "letterhead": "Gemeente Testdorp",
        "postal_address": "Postbus 100\n9999 ZZ Testdorp",
        "objection_address": "Bezwaarschriften\nPostbus 200\n9999 ZY Testdorp",
        "team_name": "Team Werk",
        "signatory_name": "A. de Tester",
        "signatory_role": "teamleider",
        "contact_phone": "14 0999",
        "contact_email": "werk@testdorp.example",
        "website": "www.testdorp.example",
        "contact_text": "",
    }
    wrong = client.post(
        reverse("manage:contact_edit", args=[municipality.pk]),
        {**data, "contact_email": "geen e-mailadres"},
    )
    assert wrong.status_code == 400  # the form again, with its error
    response = client.post(reverse("manage:contact_edit", args=[municipality.pk]), data)
    assert response.status_code == 302
    municipality.refresh_from_db()
    assert municipality.missing_letterhead_fields == []
    assert municipality.website == "https://www.testdorp.example"
    page = client.get(reverse("manage:municipality", args=[municipality.pk])).content.decode()
    assert 'data-testid="letterhead-missing"' not in page
