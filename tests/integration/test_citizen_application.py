"""The citizen's application: steps saved in the database, eligibility at the step, one case
per draft however often it is sent, and uploads checked on the content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseState, TermKind
from cases.documents.models import Document
from cases.models import Advice, Application, ApplicationDraft, Case
from tests.documents import image_bytes, pdf_bytes
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory, valid_bsn
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db


PNG = image_bytes("PNG")
PDF = pdf_bytes()


@pytest.fixture
def citizen():
    return UserFactory(first_name="Sam", last_name="de Vries")


@pytest.fixture
def municipality():
    return MunicipalityFactory(name="Amsterdam", cbs_code="GM0363")


def step_url(draft, step):
    return reverse("citizen:draft_step", args=[draft.pk, step])


def person_answers(mun, **overrides):
    data = {
        "bsn": valid_bsn(4242),
        "first_name": "Sam",
        "last_name": "de Vries",
        "birth_date": "15-03-2000",
        "municipality": str(mun.pk),
        "email": "sam@example.nl",
        "phone": "",
    }
    data.update(overrides)
    return data


def start(client):
    response = client.post(reverse("citizen:draft_start"))
    assert response.status_code == 302
    return ApplicationDraft.objects.latest("id")


def fill_all(client, draft, municipality, **person):
    for step, data in [
        ("applicant", {"applicant_kind": "person"}),
        ("person", person_answers(municipality, **person)),
        ("situation", {"situation": "school", "benefit_kind": "none"}),
        ("wsw", {"has_wsw": "no"}),
        (
            "support",
            {"support_needed": "Iemand die altijd in de buurt is.", "needs_supervision": "on"},
        ),
    ]:
        response = client.post(step_url(draft, step), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])


def test_the_whole_application_makes_one_submitted_case_with_the_uwv_term(
    client, citizen, municipality
):
    client.force_login(citizen)
    draft = start(client)
    fill_all(client, draft, municipality)

    review = client.get(reverse("citizen:draft_review", args=[draft.pk]))
    assert review.status_code == 200
    assert "UWV" in review.content.decode()
    response = client.post(reverse("citizen:draft_review", args=[draft.pk]))

    case = Case.objects.get()
    assert response["Location"] == reverse("citizen:receipt", args=[case.pk])
    assert case.state == CaseState.SUBMITTED
    assert case.person.account == citizen
    assert case.application.needs_supervision and not case.application.needs_adaptations
    assert case.application.source == "school"
    term = case.terms.get(kind=TermKind.UWV_ADVICE)
    receipt = client.get(response["Location"]).content.decode()
    assert case.reference in receipt
    assert f"{term.end_on.day} " in receipt


def test_sending_twice_back_button_or_second_tab_gives_one_case(client, citizen, municipality):
    client.force_login(citizen)
    draft = start(client)
    fill_all(client, draft, municipality)
    url = reverse("citizen:draft_review", args=[draft.pk])

    first = client.post(url)
    second = client.post(url)
    back = client.get(step_url(draft, "support"))

    assert Case.objects.count() == 1 and Application.objects.count() == 1
    case = Case.objects.get()
    receipt = reverse("citizen:receipt", args=[case.pk])
    assert first["Location"] == second["Location"] == back["Location"] == receipt


def test_answers_survive_logging_out(client, citizen, municipality):
    client.force_login(citizen)
    draft = start(client)
    client.post(step_url(draft, "applicant"), {"applicant_kind": "person"})
    client.post(step_url(draft, "person"), person_answers(municipality, first_name="Robin"))
    client.logout()

    client.force_login(citizen)
    response = client.post(reverse("citizen:draft_start"))

    assert response["Location"] == step_url(draft, "situation")
    page = client.get(step_url(draft, "person")).content.decode()
    assert 'value="Robin"' in page


def test_previous_keeps_what_was_typed_even_if_incomplete(client, citizen, municipality):
    client.force_login(citizen)
    draft = start(client)
    client.post(step_url(draft, "applicant"), {"applicant_kind": "person"})

    response = client.post(step_url(draft, "person"), {"first_name": "Kim", "previous": "1"})

    assert response["Location"] == step_url(draft, "applicant")
    draft.refresh_from_db()
    assert draft.answers["person"]["first_name"] == "Kim"


def test_every_field_error_is_dutch_next_to_the_field_and_in_the_summary(
    client, citizen, municipality
):
    client.force_login(citizen)
    draft = start(client)

    response = client.post(
        step_url(draft, "person"),
        person_answers(municipality, bsn="123456789", birth_date="31-02-2001", email="geen-adres"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Er ging iets mis" in page
    assert 'href="#id_bsn"' in page and 'href="#id_birth_date"' in page
    assert 'aria-describedby="id_bsn_helptext id_bsn_error"' in page
    assert "Dit is geen geldig burgerservicenummer" in page
    assert "dag-maand-jaar" in page


def test_the_aow_age_blocks_at_the_personal_details_step_and_keeps_the_answers(
    client, citizen, municipality
):
    message = "AOW"
    today = timezone.localdate()
    born = today.replace(year=today.year - 70) - dt.timedelta(days=1)
    client.force_login(citizen)
    draft = start(client)

    response = client.post(
        step_url(draft, "person"),
        person_answers(municipality, birth_date=born.strftime("%d-%m-%Y")),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "gemeente" in page
    draft.refresh_from_db()
    assert draft.answers["person"]["birth_date"] == born.strftime("%d-%m-%Y")


@pytest.mark.parametrize(
    ("years", "notices"),
    [
        # 004, "Leeftijdsgrens": applying for an advice has no age limit
        (15, ["U bent jonger dan 16 jaar", "geen leeftijdsgrens", "beschikbaar bent voor werk"]),
        (16, ["U bent 16 of 17 jaar", "geen gat tussen school en werk"]),
    ],
)
def test_young_people_may_apply_with_a_notice_about_school(
    client, citizen, municipality, years, notices
):
    today = timezone.localdate()
    born = today.replace(year=today.year - years) - dt.timedelta(days=1)
    client.force_login(citizen)
    draft = start(client)
    client.post(step_url(draft, "applicant"), {"applicant_kind": "person"})

    response = client.post(
        step_url(draft, "person"),
        person_answers(municipality, birth_date=born.strftime("%d-%m-%Y")),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == step_url(draft, "situation")
    page = response.content.decode()
    assert all(notice in page for notice in notices), page


def test_a_representative_must_say_who_they_are(client, citizen):
    client.force_login(citizen)
    draft = start(client)

    response = client.post(
        step_url(draft, "applicant"),
        {"applicant_kind": "representative", "representative_name": ""},
    )

    page = response.content.decode()
    assert "Vul uw naam in" in page and "Kies wat u bent" in page


def test_twelve_month_rule_asks_for_changes_and_explains_the_alternative(
    client, citizen, municipality
):
    person = PersonFactory(account=citizen, municipality=municipality)
    CaseFactory(person=person, state=CaseState.REJECTED)  # an advice less than 12 months ago
    advice_on = person.cases.get().advice.issued_on
    assert advice_on > timezone.localdate() - dt.timedelta(days=300)
    client.force_login(citizen)
    draft = start(client)
    fill_all(client, draft, municipality, bsn=person.bsn)

    review = client.get(reverse("citizen:draft_review", args=[draft.pk]))
    assert review["Location"] == step_url(draft, "previous")
    step = " ".join(client.get(step_url(draft, "previous")).content.decode().split())
    assert "12 maanden" in step and "Is er niets veranderd? Dan kunt u de aanvraag toch" in step
    assert "de gemeente kan altijd voor u aanvragen" in step
    refused = client.post(step_url(draft, "previous"), {"changed": "yes"})
    assert "Schrijf op wat er is veranderd." in refused.content.decode()

    client.post(
        step_url(draft, "previous"), {"changed": "yes", "changed_circumstances": "Nieuwe diagnose."}
    )
    client.post(reverse("citizen:draft_review", args=[draft.pk]))
    case = Case.objects.get(draft=draft)
    assert case.application.changed_circumstances == "Nieuwe diagnose."
    assert case.events.get(action="application_submitted").details["twelve_month_rule"] == (
        "allowed_changed"
    )


def test_within_12_months_without_a_change_the_application_can_still_be_sent(
    client, citizen, municipality
):
    """Kennisdocument vraag 4: within 12 months of an advice UWV gives a negative advice
    unless the situation changed; vraag 16: after every advice a decision open to objection.
    So the person may send the application anyway, told plainly what will follow; UWV is
    told the rule applies, and the decision letter gives it as the reason."""
    from cases import services
    from cases.documents.letters import decision_letter_html
    from tests.factories import VerordeningFactory

    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    person = PersonFactory(account=citizen, municipality=municipality)
    CaseFactory(person=person, state=CaseState.REJECTED)  # an advice less than 12 months ago
    client.force_login(citizen)
    draft = start(client)
    fill_all(client, draft, municipality, bsn=person.bsn)

    answered = client.post(
        step_url(draft, "previous"), {"changed": "no", "changed_circumstances": "Niets."}
    )
    assert answered.status_code == 302
    review = client.get(reverse("citizen:draft_review", args=[draft.pk]))
    assert review.status_code == 200
    page = " ".join(review.content.decode().split())
    assert 'data-testid="no-change-warning"' in page
    assert "Zonder verandering geeft UWV een negatief advies" in page
    assert "U kunt de aanvraag toch versturen." in page and "Er is niets veranderd" in page

    assert client.post(reverse("citizen:draft_review", args=[draft.pk])).status_code == 302
    case = Case.objects.get(draft=draft)
    assert case.application.changed_circumstances == ""
    submitted = case.events.get(action="application_submitted")
    assert submitted.details["twelve_month_rule"] == "negative_unless_changed"

    # UWV sees that the once-a-year rule decides, with the negative advice filled in
    uwv = Client()
    assessor = UserFactory(uwv_assessor=True)
    sign_in(uwv, assessor)
    shown = uwv.get(reverse("uwv:case_detail", args=[case.pk]))
    assert 'data-testid="twelve-months"' in shown.content.decode()
    assert shown.context["forms"]["advice"]["outcome"].value() == "negative"
    response = uwv.post(
        reverse("uwv:case_advice", args=[case.pk]),
        {  # no findings: under the rule UWV does not assess the criteria
            "advice-outcome": "negative",
            "advice-reasons": "Binnen 12 maanden opnieuw aangevraagd, niets veranderd.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert case.events.exists() and Advice.objects.get(case=case).once_a_year_rule
    decision = services.record_decision(
        case_id=case.pk,
        positive=False,
        actor=UserFactory(consultant=True, municipality=municipality),
    )
    letter = " ".join(decision_letter_html(decision).split())
    assert "binnen 12 maanden na het vorige advies van UWV opnieuw een aanvraag" in letter
    assert "bezwaar" in letter


def test_someone_elses_draft_answers_404(client, citizen):
    other = UserFactory()
    draft = ApplicationDraft.objects.create(owner=other)
    client.force_login(citizen)

    assert client.get(step_url(draft, "person")).status_code == 404
    assert client.post(reverse("citizen:draft_review", args=[draft.pk])).status_code == 404
    assert client.post(reverse("citizen:draft_delete", args=[draft.pk])).status_code == 404


def test_a_tampered_step_or_hidden_value_answers_404_or_an_error(client, citizen, municipality):
    client.force_login(citizen)
    draft = start(client)

    assert client.get(step_url(draft, "nonsense")).status_code == 404
    assert client.get(step_url(draft, "previous")).status_code == 404  # not applicable
    response = client.post(
        step_url(draft, "person"), person_answers(municipality, municipality="999999")
    )
    assert response.status_code == 200 and "Er ging iets mis" in response.content.decode()


def test_staff_cannot_open_the_citizen_pages(client):
    staff = UserFactory(consultant=True)
    client.force_login(staff)
    session = client.session
    session["portal_staff_mfa_ok"] = True
    session.save()

    assert client.get(reverse("citizen:case_list")).status_code == 403


# -- documents -------------------------------------------------------------------------------


def upload(client, draft, name, content, content_type="application/pdf"):
    return client.post(
        reverse("citizen:draft_documents", args=[draft.pk]),
        {"upload": "1", "file": SimpleUploadedFile(name, content, content_type)},
    )


def test_a_pdf_is_stored_under_a_generated_name_outside_the_web_root(client, citizen, settings):
    client.force_login(citizen)
    draft = start(client)

    response = upload(client, draft, "brief huisarts.pdf", PDF)

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.original_name == "brief huisarts.pdf"
    assert document.content_type == "application/pdf"
    assert document.stored_name.endswith(".pdf") and "huisarts" not in document.stored_name
    stored = settings.MEDIA_ROOT / "documents" / document.stored_name
    assert stored.read_bytes() == PDF
    assert not str(stored).startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.png", b"MZ\x90\x00" + b"\x00" * 100, "geen PDF-, JPEG- of PNG-bestand"),
        (
            "rapport.pdf",
            b"<html><script>alert(1)</script></html>",
            "geen PDF-, JPEG- of PNG-bestand",
        ),
        ("leeg.pdf", b"", "leeg"),
    ],
)
def test_disguised_or_empty_uploads_are_rejected_with_a_message(
    client, citizen, name, content, message
):
    client.force_login(citizen)
    draft = start(client)

    response = upload(client, draft, name, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_an_upload_over_10_mb_is_rejected_without_a_500(client, citizen):
    client.force_login(citizen)
    draft = start(client)
    big = PNG + b"\x00" * (10 * 1024 * 1024)

    response = upload(client, draft, "scan.png", big, "image/png")

    assert response.status_code == 200
    assert "groter dan 10 MB" in response.content.decode()
    assert not Document.objects.exists()


def submitted_with_a_document(client, citizen, municipality):
    """The citizen applies with one document: the case and the document."""
    client.force_login(citizen)
    draft = start(client)
    upload(client, draft, "verslag.png", PNG, "image/png")
    fill_all(client, draft, municipality)
    client.post(reverse("citizen:draft_review", args=[draft.pk]))
    case = Case.objects.get()
    return case, case.documents.get()


def test_documents_travel_with_the_application_and_only_the_owner_can_download(
    client, citizen, municipality
):
    case, document = submitted_with_a_document(client, citizen, municipality)
    url = reverse("citizen:document_download", args=[case.pk, document.pk])

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"]

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_removing_a_draft_document_deletes_the_file(
    client, citizen, settings, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    draft = start(client)
    upload(client, draft, "a.pdf", PDF)
    document = Document.objects.get()
    path = settings.MEDIA_ROOT / "documents" / document.stored_name
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("citizen:draft_documents", args=[draft.pk]), {"remove": document.pk})

    assert not Document.objects.exists()
    assert not path.exists()


def test_deleting_a_draft_removes_it_and_its_files(
    client, citizen, settings, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    draft = start(client)
    upload(client, draft, "a.pdf", PDF)
    path = settings.MEDIA_ROOT / "documents" / Document.objects.get().stored_name

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("citizen:draft_delete", args=[draft.pk]))

    assert response.status_code == 302
    assert not ApplicationDraft.objects.exists() and not path.exists()


def test_sending_notifies_the_citizen_and_the_municipality_through_the_notification_engine(
    client, citizen, municipality
):
    from cases.notifications.models import Notification

    consultant = UserFactory(consultant=True, municipality=municipality)
    client.force_login(citizen)
    draft = start(client)
    fill_all(client, draft, municipality)

    client.post(reverse("citizen:draft_review", args=[draft.pk]))

    case = Case.objects.get()
    kinds = set(Notification.objects.filter(case=case).values_list("kind", "recipient_id"))
    assert ("application_received", citizen.pk) in kinds
    assert ("new_application", consultant.pk) in kinds


def test_a_tampered_document_id_answers_404(client, citizen):
    other = UserFactory()
    client.force_login(other)
    other_draft = start(client)
    upload(client, other_draft, "a.pdf", PDF)
    theirs = Document.objects.get()
    client.force_login(citizen)
    draft = start(client)

    response = client.post(
        reverse("citizen:draft_documents", args=[draft.pk]), {"remove": theirs.pk}
    )

    assert response.status_code == 404
    assert Document.objects.filter(pk=theirs.pk).exists()


def test_staff_download_documents_of_their_cases_only_and_every_download_is_audited(
    client, citizen, municipality
):
    from decimal import Decimal

    from cases.audit.models import AuditEntry
    from cases.choices import AdviceOutcome
    from cases.models import Advice

    case, document = submitted_with_a_document(client, citizen, municipality)
    work_url = reverse("work:document_download", args=[case.pk, document.pk])
    uwv_url = reverse("uwv:document_download", args=[case.pk, document.pk])

    def signed_in(user):
        client.force_login(user)
        session = client.session
        session["portal_staff_mfa_ok"] = True
        session.save()
        return client

    consultant = UserFactory(consultant=True, municipality=municipality)
    assessor = UserFactory(uwv_assessor=True)

    # UWV assesses: it sees the documents at once.
    response = signed_in(assessor).get(uwv_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"]
    # The person applied directly: the municipality sees nothing of the content before
    # UWV's advice (DOMAIN, actors), the document included.
    assert signed_in(consultant).get(work_url).status_code == 404
    page = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert "verslag.png" not in page

    Advice.objects.create(
        case=case,
        outcome=AdviceOutcome.POSITIVE,
        needs_supervision=True,
        can_perform_task=True,
        basic_employee_skills=True,
        hours_at_a_stretch=Decimal(2),
        hours_per_day=Decimal(6),
        reasons="Onderzocht.",
        issued_on=timezone.localdate(),
        assessor=assessor,
    )
    page = client.get(reverse("work:case_detail", args=[case.pk])).content.decode()
    assert f'href="{work_url}"' in page
    response = client.get(work_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG

    # Another municipality's consultant, a citizen, a wrong document number: 404.
    assert signed_in(UserFactory(consultant=True)).get(work_url).status_code == 404
    client.force_login(citizen)
    assert client.get(work_url).status_code in (403, 404)
    signed_in(consultant)
    wrong = reverse("work:document_download", args=[case.pk, document.pk + 1000])
    assert client.get(wrong).status_code == 404

    downloads = AuditEntry.objects.filter(
        action="view_personal_data", object_type="document", object_id=str(document.pk)
    )
    assert sorted(downloads.values_list("actor_id", flat=True)) == sorted(
        [assessor.pk, consultant.pk]
    )


def test_the_address_for_letters_is_optional_checked_and_kept_with_the_application(
    client, citizen, municipality
):
    client.force_login(citizen)
    draft = start(client)
    client.post(step_url(draft, "applicant"), {"applicant_kind": "person"})

    partial = client.post(
        step_url(draft, "person"), person_answers(municipality, letter_street="Kerkstraat 1")
    )
    assert "Vul de straat, de postcode en de plaats in, of laat alle drie leeg." in (
        partial.content.decode()
    )
    wrong = client.post(
        step_url(draft, "person"),
        person_answers(
            municipality, letter_street="Kerkstraat 1", letter_postcode="12345", letter_city="X"
        ),
    )
    assert "Vul een postcode in zoals 1234 AB." in wrong.content.decode()

    fill_all(
        client,
        draft,
        municipality,
        letter_street="Kerkstraat 1",
        letter_postcode="1011ab",
        letter_city="Amsterdam",
    )
    assert (
        "Kerkstraat 1"
        in client.get(reverse("citizen:draft_review", args=[draft.pk])).content.decode()
    )
    client.post(reverse("citizen:draft_review", args=[draft.pk]))

    application = Case.objects.get().application
    assert (application.letter_street, application.letter_postcode, application.letter_city) == (
        "Kerkstraat 1",
        "1011 AB",
        "Amsterdam",
    )


# -- applying for someone else (issue #21) ---------------------------------------------------

#: What the steps say to someone who applies for themselves: never to a representative.
SELF_WORDING = [
    "Uw situatie nu",
    "Wat doet u nu",
    "Ik ga naar school",
    "Welke uitkering krijgt u",
    "als u geen uitkering krijgt",
    "Hebt u een Wsw-indicatie",
    "Alleen als u een Wsw-indicatie hebt",
    "Hulp die u nodig hebt",
    "Welke hulp hebt u nodig",
    "Mijn werkplek",
    "Ik heb altijd iemand",
    "welke hulp u nodig hebt",
    "brief van uw arts",
    "wat u kunt in werk",
    "U bent 16 of 17",
]


def test_every_step_and_the_review_speak_about_the_person_a_parent_applies_for(
    client, citizen, municipality
):
    born = timezone.localdate().replace(year=timezone.localdate().year - 16) - dt.timedelta(days=9)
    client.force_login(citizen)
    draft = start(client)
    client.post(
        step_url(draft, "applicant"),
        {
            "applicant_kind": "representative",
            "representative_name": "Sam de Vries",
            "representative_relationship": "parent",
        },
    )
    after_person = client.post(
        step_url(draft, "person"),
        person_answers(
            municipality,
            first_name="Noor",
            last_name="de Vries",
            birth_date=born.strftime("%d-%m-%Y"),
        ),
        follow=True,
    ).content.decode()
    assert "De persoon is 16 of 17 jaar" in after_person
    pages = {"situation": after_person}
    for step, data in [
        ("situation", {"situation": "school", "benefit_kind": "none"}),
        ("wsw", {"has_wsw": "no"}),
        ("support", {"support_needed": "Iemand in de buurt.", "needs_supervision": "on"}),
    ]:
        pages[step] = client.get(step_url(draft, step)).content.decode()
        assert client.post(step_url(draft, step), data).status_code == 302
    pages["documents"] = client.get(
        reverse("citizen:draft_documents", args=[draft.pk])
    ).content.decode()
    pages["review"] = client.get(reverse("citizen:draft_review", args=[draft.pk])).content.decode()

    assert "De situatie van Noor nu" in pages["situation"]
    assert "Wat doet Noor nu?" in pages["situation"]
    assert "Noor gaat naar school" in pages["situation"]
    assert "Welke uitkering krijgt Noor?" in pages["situation"]
    assert "Heeft Noor een Wsw-indicatie?" in pages["wsw"]
    assert "Welke hulp heeft Noor nodig om te kunnen werken?" in pages["support"]
    assert "Noor heeft altijd iemand in de buurt nodig" in pages["support"]
    assert "welke hulp Noor nodig heeft" in pages["documents"]
    assert "Wat Noor nu doet" in pages["review"] and "Hulp die Noor nodig heeft" in pages["review"]
    for step, page in pages.items():
        found = [phrase for phrase in SELF_WORDING if phrase in page]
        assert not found, (step, found)


def test_someone_applying_for_themselves_is_still_addressed_as_you(client, citizen, municipality):
    client.force_login(citizen)
    draft = start(client)
    fill_all(client, draft, municipality)
    situation = client.get(step_url(draft, "situation")).content.decode()
    assert "Wat doet u nu?" in situation and "Uw situatie nu" in situation
