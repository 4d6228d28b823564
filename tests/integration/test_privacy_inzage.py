"""Inzage (AVG art. 15): a citizen downloads everything the portal holds about them, as JSON
and as a tagged PDF, with who looked at their file; nothing of another citizen, nor the names
of staff."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.audit.models import AuditEntry
from cases.choices import ApplicantKind, CaseState, MessageThread, Side
from cases.documents.models import Document
from cases.models import ApplicationDraft
from cases.notifications.models import Message
from cases.privacy.models import CorrectionRequest
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


def citizen_with_file(tag: str):
    """A citizen who applied for themselves and for their child, each case full of rows that
    carry ``tag``, so that a leak of another citizen's data is found by its tag."""
    municipality = MunicipalityFactory(name=f"Gemeente {tag}")
    user = UserFactory(email=f"{tag.lower()}@example.nl", first_name=f"Ouder{tag}")
    self_person = PersonFactory(
        account=user, municipality=municipality, first_name=f"Zelf{tag}", phone=f"06-{tag}"
    )
    child = PersonFactory(
        account=user,
        municipality=municipality,
        first_name=f"Kind{tag}",
        birth_date=dt.date(2009, 5, 3),
    )
    own_case = CaseFactory(person=self_person, state=CaseState.EMPLOYED)
    child_case = CaseFactory(person=child, state=CaseState.OBJECTION)
    child_case.application.applicant_kind = ApplicantKind.REPRESENTATIVE
    child_case.application.representative_name = f"Ouder{tag}"
    child_case.application.representative_relationship = "ouder"
    child_case.application.support_needed = f"Hulp-{tag}"
    child_case.application.save()
    Message.objects.create(
        case=own_case,
        thread=MessageThread.APPLICANT,
        sender_side=Side.APPLICANT,
        body=f"Bericht-{tag}",
        sent_by=user,
    )
    uwv = UserFactory(uwv_assessor=True, last_name=f"Beoordelaar{tag}")
    Message.objects.create(
        case=child_case,
        thread=MessageThread.UWV,
        sender_side=Side.UWV,
        visible_to_applicant=False,
        body=f"Intern-{tag}",
        sent_by=uwv,
    )
    Document.objects.create(
        case=own_case,
        stored_name=uuid.uuid4().hex,
        original_name=f"brief-{tag}.pdf",
        content_type="application/pdf",
        size=1234,
        uploaded_by=user,
    )
    CorrectionRequest.objects.create(
        case=own_case,
        requested_by=user,
        received_on=dt.date(2026, 1, 5),
        due_on=dt.date(2026, 2, 5),
        what_is_wrong=f"Fout-{tag}",
        what_it_should_be=f"Goed-{tag}",
    )
    ApplicationDraft.objects.create(owner=user, answers={"person": {"first_name": f"Concept{tag}"}})
    return user, own_case, child_case


def test_the_json_holds_all_my_data_and_nothing_of_another_citizen(client):
    mine, own_case, child_case = citizen_with_file("Anna")
    theirs, their_case, _ = citizen_with_file("Bram")
    consultant = UserFactory(
        consultant=True, municipality=own_case.municipality, last_name="Geheimnaam"
    )
    sign_in(client, consultant)
    assert client.get(reverse("work:case_detail", args=[own_case.pk])).status_code == 200
    client.logout()
    client.force_login(mine)

    response = client.get(reverse("citizen:my_data_json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    data = json.loads(text)
    # Everything about me and the child I applied for.
    assert data["account"]["email"] == "anna@example.nl"
    assert {p["first_name"] for p in data["persons"]} == {"ZelfAnna", "KindAnna"}
    assert {c["reference"] for c in data["cases"]} == {own_case.reference, child_case.reference}
    for marker in ("Bericht-Anna", "Intern-Anna", "brief-Anna.pdf", "Fout-Anna", "Hulp-Anna"):
        assert marker in text, marker
    assert "ConceptAnna" in text
    own = next(c for c in data["cases"] if c["reference"] == own_case.reference)
    assert own["employments"] and own["advice"]["outcome"] == "positive"
    child = next(c for c in data["cases"] if c["reference"] == child_case.reference)
    assert child["objections"][0]["grounds"] == "Ik ben het niet eens."
    assert child["application"]["representative_name"] == "OuderAnna"
    # Who looked: the consultant by role and municipality, never by name.
    looked = [e for e in data["access_log"] if e["action"] == "view_personal_data"]
    assert looked and looked[0]["who"] == "Consulent van de gemeente Gemeente Anna"
    assert looked[0]["about"] == own_case.reference
    assert "Geheimnaam" not in text and "BeoordelaarAnna" not in text
    # Nothing of the other citizen.
    for marker in ("Bram", their_case.reference, theirs.email, their_case.person.bsn):
        assert marker not in text, marker


def test_the_download_itself_is_audited(client):
    mine, _own, _child = citizen_with_file("Anna")
    client.force_login(mine)

    client.get(reverse("citizen:my_data_json"))

    assert AuditEntry.objects.filter(
        action="personal_data_export", object_type="user", object_id=str(mine.pk), actor=mine
    ).exists()


def test_the_pdf_is_tagged_dutch_and_holds_my_data_only(client):
    mine, own_case, child_case = citizen_with_file("Anna")
    citizen_with_file("Bram")
    client.force_login(mine)

    response = client.get(reverse("citizen:my_data_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "nl"
    assert reader.metadata.title == "Uw gegevens in het portaal beschut werk"
    text = "".join(page.extract_text() for page in reader.pages)
    assert own_case.reference in text and child_case.reference in text
    assert "KindAnna" in text and "Bericht-Anna" in text
    assert "Wie heeft uw dossier bekeken" in text
    assert "Voornaam" in text and "ConceptAnna" in text  # a draft's answer under its question
    assert "Bram" not in text


def test_someone_without_an_application_gets_their_account_and_nothing_else(client):
    citizen_with_file("Bram")
    lonely = UserFactory(email="alleen@example.nl")
    client.force_login(lonely)

    data = client.get(reverse("citizen:my_data_json")).json()

    assert data["account"]["email"] == "alleen@example.nl"
    assert data["persons"] == [] and data["cases"] == [] and data["drafts"] == []
    assert all(entry["who"] == "U" for entry in data["access_log"])


def test_staff_cannot_use_the_citizens_download(client):
    consultant = UserFactory(consultant=True, municipality=MunicipalityFactory())
    sign_in(client, consultant)

    assert client.get(reverse("citizen:my_data_json")).status_code == 403
    assert client.get(reverse("citizen:my_data")).status_code == 403


def test_my_data_page_lists_my_requests_in_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    mine, own_case, _child = citizen_with_file("Anna")
    citizen_with_file("Bram")
    client.force_login(mine)
    url = reverse("citizen:my_data")

    # session, user, cases, correction requests (with their case)
    with django_assert_num_queries(4):
        response = client.get(url)

    page = response.content.decode()
    assert "Fout-Anna" in page and "Fout-Bram" not in page
    assert reverse("citizen:correction_create", args=[own_case.pk]) in page
    for _ in range(3):
        CorrectionRequest.objects.create(
            case=own_case,
            requested_by=mine,
            received_on=dt.date(2026, 1, 6),
            due_on=dt.date(2026, 2, 6),
            what_is_wrong="x",
            what_it_should_be="y",
        )
    with django_assert_num_queries(4):
        client.get(url)
