"""Talking on a case (issue #22): the municipality with the applicant, UWV with the
municipality (a question may suspend UWV's advice term until it is answered), documents staff
add; who sees and may write what, the notifications (never the content), read state per side,
and the upload checks on attachments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import conversations
from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import ApplicantKind, CaseState, MessageThread, TermKind
from cases.documents import files
from cases.documents.models import Document
from cases.notifications import dispatch
from cases.notifications.models import Message, Notification, NotificationKind
from cases.terms.models import Term, TermEvent
from tests.documents import image_bytes, pdf_bytes
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

K = NotificationKind
SECRET = "Mijn rugklachten zijn erger geworden"


@pytest.fixture
def citizen():
    return UserFactory(email="inwoner@example.nl")


@pytest.fixture
def case(municipality, citizen):
    """A case at UWV of the citizen, in the consultant's municipality."""
    person = PersonFactory(municipality=municipality, account=citizen, email="")
    return CaseFactory(person=person, state=CaseState.WITH_UWV)


@pytest.fixture
def assessor():
    return UserFactory(uwv_assessor=True, email="uwv@example.nl")


def client_for(user) -> Client:
    client = Client()
    if user.role == "citizen":
        client.force_login(user)
    else:
        sign_in(client, user)
    return client


def png(name="brief.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def _open_action_script(writer) -> None:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hallo');"),
        }
    )


def active_pdf() -> SimpleUploadedFile:
    """A PDF that runs a script when it is opened."""
    content = pdf_bytes(_open_action_script)
    return SimpleUploadedFile("formulier.pdf", content, content_type="application/pdf")


def post(case, actor, body=SECRET, thread=MessageThread.APPLICANT, **kwargs) -> Message:
    return conversations.post_message(
        case_id=case.pk, thread=thread, body=body, actor=actor, **kwargs
    )


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def stored_files() -> set[str]:
    return {path.name for path in files.storage_dir().iterdir()}


# -- the municipality and the applicant -------------------------------------------------------


def test_the_consultant_writes_and_the_citizen_reads_and_answers_on_the_case_pages(
    case, consultant, citizen
):
    staff, own = client_for(consultant), client_for(citizen)
    assert "Schrijf aan de aanvrager" in page(staff, reverse("work:case_detail", args=[case.pk]))
    form = page(staff, reverse("work:case_message", args=[case.pk]))
    assert 'enctype="multipart/form-data"' in form
    assert "Bijlage" in form and "(niet verplicht) (niet verplicht)" not in form

    response = staff.post(
        reverse("work:case_message", args=[case.pk]), {"message-body": "Kunt u dinsdag komen?"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/werk/zaken/{case.pk}/#gesprek-aanvrager")
    listing = page(own, reverse("citizen:case_list"))
    assert "1 nieuw bericht" in listing
    mine = page(own, reverse("citizen:case_detail", args=[case.pk]))
    assert "Kunt u dinsdag komen?" in mine and "nieuw" in mine and "De gemeente" in mine
    assert "nieuw bericht" not in page(own, reverse("citizen:case_list"))  # read now

    answer = own.post(
        reverse("citizen:message_post", args=[case.pk]), {"message-body": "Ja, om tien uur."}
    )

    assert answer.status_code == 302
    thread = list(case.messages.order_by("sent_at", "id"))
    assert [(m.thread, m.sender_side, m.body) for m in thread] == [
        ("applicant", "municipality", "Kunt u dinsdag komen?"),
        ("applicant", "applicant", "Ja, om tien uur."),
    ]
    staff_page = page(staff, reverse("work:case_detail", args=[case.pk]))
    assert "1 nieuw bericht op deze zaak" in staff_page
    assert staff_page.index("Kunt u dinsdag komen?") < staff_page.index("Ja, om tien uur.")
    assert "De aanvrager" in staff_page
    # the history names the messages, never their content
    history = staff_page.split("Geschiedenis", 1)[1]
    assert "Bericht aan de aanvrager" in history and "Bericht van de aanvrager" in history
    assert "tien uur" not in history
    events = CaseEvent.objects.filter(case=case, action="message_posted")
    assert events.count() == 2 and all("body" not in e.details for e in events)
    assert AuditEntry.objects.filter(action="post_message", result="ok").count() == 2


def test_read_state_is_kept_per_side_and_opening_the_thread_marks_it_read(
    case, consultant, citizen
):
    message = post(case, consultant, "Welkom")
    assert message.read_by_municipality_at is not None  # the side that wrote has read it
    assert message.read_by_applicant_at is None

    page(client_for(consultant), reverse("work:case_detail", args=[case.pk]))
    message.refresh_from_db()
    assert message.read_by_applicant_at is None  # a colleague opening the case: not the citizen

    page(client_for(citizen), reverse("citizen:case_detail", args=[case.pk]))
    message.refresh_from_db()
    assert message.read_by_applicant_at is not None

    answer = post(case, citizen, "Dank u")
    assert answer.read_by_municipality_at is None
    page(client_for(consultant), reverse("work:case_detail", args=[case.pk]))
    answer.refresh_from_db()
    assert answer.read_by_municipality_at is not None


def test_each_new_message_notifies_the_other_side_and_the_mail_holds_no_content(
    municipality, case, consultant, citizen
):
    case.assignee = consultant
    case.save(update_fields=["assignee"])
    colleague = UserFactory(consultant=True, municipality=municipality)

    first = post(case, consultant, SECRET)
    second = post(case, consultant, "Nog een vraag")

    to_citizen = Notification.objects.filter(kind=K.MESSAGE_FOR_APPLICANT)
    assert {(n.message_id, n.channel, n.recipient_id) for n in to_citizen} == {
        (m.pk, channel, citizen.pk) for m in (first, second) for channel in ("inbox", "email")
    }
    assert not Notification.objects.filter(kind=K.MESSAGE_FOR_MUNICIPALITY).exists()

    email = to_citizen.get(message=first, channel="email")
    assert dispatch.deliver(email.pk) == "sent"
    sent = mail.outbox[-1]
    text = sent.body + sent.alternatives[0][0]
    assert "nieuw bericht" in sent.subject.lower() and case.reference in sent.subject
    assert "nieuw bericht" in text and "Log in" in text
    assert SECRET not in text and SECRET not in sent.subject
    # it links to the message on the citizen's case page
    assert f"/mijn/dossier/{case.pk}/#bericht-{first.pk}" in sent.body

    post(case, citizen, SECRET)
    to_staff = Notification.objects.filter(kind=K.MESSAGE_FOR_MUNICIPALITY)
    assert {n.recipient_id for n in to_staff} == {consultant.pk}  # the case handler
    assert colleague.pk not in {n.recipient_id for n in to_staff}
    assert dispatch.deliver(to_staff.get(channel="email").pk) == "sent"
    assert SECRET not in mail.outbox[-1].body
    assert f"/werk/zaken/{case.pk}/#bericht-" in mail.outbox[-1].body


def test_attachments_pass_the_checks_of_the_application(case, consultant, citizen):
    own = client_for(citizen)
    before = stored_files()

    refused = own.post(
        reverse("citizen:message_post", args=[case.pk]),
        {"message-body": "Hierbij het formulier", "message-attachment": active_pdf()},
    )

    assert refused.status_code == 400
    assert "Hierbij het formulier" in refused.content.decode()  # what they wrote is kept
    assert "kunnen doen" in refused.content.decode()  # why: active content
    assert not case.messages.exists() and not Document.objects.filter(case=case).exists()
    assert stored_files() == before

    not_a_document = own.post(
        reverse("citizen:message_post", args=[case.pk]),
        {
            "message-body": "Hierbij",
            "message-attachment": SimpleUploadedFile("brief.html", b"<html>hallo</html>"),
        },
    )
    assert not_a_document.status_code == 400 and not case.messages.exists()

    accepted = own.post(
        reverse("citizen:message_post", args=[case.pk]),
        {"message-body": "Hierbij de brief", "message-attachment": png("brief van de dokter.png")},
    )

    assert accepted.status_code == 302
    document = Document.objects.get(case=case)
    message = case.messages.get()
    assert (document.message, document.added_by_side, document.uploaded_by) == (
        message,
        "applicant",
        citizen,
    )
    assert document.visible_to_applicant and not document.visible_to_uwv
    staff = client_for(consultant)
    staff_page = page(staff, reverse("work:case_detail", args=[case.pk]))
    url = reverse("work:document_download", args=[case.pk, document.pk])
    assert url in staff_page
    assert staff.get(url).status_code == 200
    assert (
        own.get(reverse("citizen:document_download", args=[case.pk, document.pk])).status_code
        == 200
    )


def test_a_message_needs_words_and_fits_a_limit(case, consultant):
    staff = client_for(consultant)
    empty = staff.post(reverse("work:case_message", args=[case.pk]), {"message-body": "  "})
    assert empty.status_code == 400 and "Schrijf een bericht" in empty.content.decode()
    with pytest.raises(ValidationError) as refused:
        post(case, consultant, "x" * (conversations.MESSAGE_MAX_LENGTH + 1))
    assert refused.value.code == "message_too_long"
    assert not case.messages.exists()


# -- who sees and may write what ------------------------------------------------------------


def test_another_municipality_sees_nothing_and_cannot_write(case, consultant, citizen):
    message = post(case, citizen, SECRET, attachment=png())
    document = message.attachments.get()
    stranger = UserFactory(consultant=True)
    other = client_for(stranger)

    for url in (
        reverse("work:case_detail", args=[case.pk]),
        reverse("work:case_message", args=[case.pk]),
        reverse("work:case_uwv_message", args=[case.pk]),
        reverse("work:case_document_add", args=[case.pk]),
        reverse("work:document_download", args=[case.pk, document.pk]),
    ):
        assert other.get(url).status_code == 404, url
    response = other.post(reverse("work:case_message", args=[case.pk]), {"message-body": "Hoi"})
    assert response.status_code == 404
    with pytest.raises(ValidationError) as refused:
        post(case, stranger, "Hoi")
    assert refused.value.code == "case_not_found"
    assert case.messages.count() == 1
    assert AuditEntry.objects.filter(action="post_message", result="refused").exists()


def test_another_citizen_sees_nothing_and_cannot_write(case, citizen, consultant):
    message = post(case, consultant, SECRET, attachment=png())
    document = message.attachments.get()
    stranger = UserFactory()
    other = client_for(stranger)

    assert other.get(reverse("citizen:case_detail", args=[case.pk])).status_code == 404
    url = reverse("citizen:document_download", args=[case.pk, document.pk])
    assert other.get(url).status_code == 404
    response = other.post(reverse("citizen:message_post", args=[case.pk]), {"message-body": "Hoi"})
    assert response.status_code == 404
    assert SECRET not in page(other, reverse("citizen:case_list"))
    with pytest.raises(ValidationError):
        post(case, stranger, "Hoi")
    assert case.messages.count() == 1


def test_uwv_sees_only_its_own_conversation_and_roles_that_may_not_post_get_403(
    case, consultant, citizen, assessor
):
    private = post(case, consultant, SECRET, attachment=png("intern.png"))
    document = private.attachments.get()
    uwv = client_for(assessor)

    uwv_page = page(uwv, reverse("uwv:case_detail", args=[case.pk]))
    assert SECRET not in uwv_page and "intern.png" not in uwv_page
    url = reverse("uwv:document_download", args=[case.pk, document.pk])
    assert uwv.get(url).status_code == 404
    # a role that may not write in a conversation is refused outright
    assert uwv.post(reverse("work:case_message", args=[case.pk]), {}).status_code == 403
    staff = client_for(consultant)
    assert staff.post(reverse("citizen:message_post", args=[case.pk]), {}).status_code == 403
    assert staff.post(reverse("uwv:case_message", args=[case.pk]), {}).status_code == 403
    own = client_for(citizen)
    assert own.post(reverse("work:case_message", args=[case.pk]), {}).status_code == 403
    assert own.post(reverse("uwv:case_message", args=[case.pk]), {}).status_code == 403
    # no question of UWV meant for the citizen: nothing to answer
    answer = own.post(reverse("citizen:uwv_answer", args=[case.pk]), {"uwv-body": "Hallo"})
    assert answer.status_code == 403
    with pytest.raises(ValidationError) as refused:
        post(case, assessor, "Hallo", thread=MessageThread.APPLICANT)
    assert refused.value.code == "may_not_post"
    assert case.messages.count() == 1


# -- UWV and the municipality -----------------------------------------------------------------


def uwv_term(case) -> Term:
    return Term.objects.get(case=case, kind=TermKind.UWV_ADVICE, met_on__isnull=True)


def test_a_uwv_question_suspends_the_term_until_the_municipality_answers(
    case, consultant, citizen, assessor
):
    end_before = uwv_term(case).end_on
    uwv = client_for(assessor)
    form = page(uwv, reverse("uwv:case_detail", args=[case.pk]))
    assert "Termijn opschorten tot het antwoord er is" in form

    asked = uwv.post(
        reverse("uwv:case_message", args=[case.pk]),
        {"message-body": "Wie begeleidt de persoon nu?", "message-suspend_term": "on"},
    )

    assert asked.status_code == 302
    question = case.messages.get()
    assert (question.thread, question.sender_side, question.suspends_term) == ("uwv", "uwv", True)
    assert not question.visible_to_applicant
    term = uwv_term(case)
    assert term.suspended_since == timezone.localdate()
    to_staff = Notification.objects.filter(kind=K.MESSAGE_FOR_MUNICIPALITY, message=question)
    assert {n.recipient_id for n in to_staff} == {consultant.pk}
    assert not Notification.objects.filter(kind=K.MESSAGE_FOR_APPLICANT).exists()
    assert Notification.objects.filter(kind=K.TERM_MOVED, recipient=citizen).exists()
    # the citizen does not see a question that is not meant for them
    assert "Wie begeleidt" not in page(
        client_for(citizen), reverse("citizen:case_detail", args=[case.pk])
    )

    staff = client_for(consultant)
    staff_page = page(staff, reverse("work:case_detail", args=[case.pk]))
    assert "Wie begeleidt de persoon nu?" in staff_page
    assert "De adviestermijn is opgeschort tot het antwoord er is." in staff_page
    answered = staff.post(
        reverse("work:case_uwv_message", args=[case.pk]),
        {"message-body": "Een jobcoach van de gemeente."},
    )

    assert answered.status_code == 302
    question.refresh_from_db()
    assert question.answered_at is not None
    term = uwv_term(case)
    assert term.suspended_since is None
    assert term.end_on >= end_before
    # history kept: the suspension and the resumption, both still there
    assert list(TermEvent.objects.filter(term=term).values_list("kind", flat=True)) == [
        "suspended",
        "resumed",
    ]
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["term_suspended", "message_posted", "term_resumed", "message_posted"]
    to_uwv = Notification.objects.filter(kind=K.MESSAGE_FOR_UWV)
    assert {n.recipient_id for n in to_uwv} == {assessor.pk}  # the assessor who asked
    uwv_page = page(uwv, reverse("uwv:case_detail", args=[case.pk]))
    assert "Een jobcoach van de gemeente." in uwv_page and "nieuw" in uwv_page


def test_a_question_meant_for_the_citizen_is_theirs_to_read_and_answer(
    case, consultant, citizen, assessor
):
    question = post(
        case,
        assessor,
        "Wilt u het verslag van uw jobcoach sturen?",
        thread=MessageThread.UWV,
        visible_to_applicant=True,
        suspend_term=True,
    )
    assert Notification.objects.filter(kind=K.MESSAGE_FOR_APPLICANT, recipient=citizen).exists()
    own = client_for(citizen)
    mine = page(own, reverse("citizen:case_detail", args=[case.pk]))
    assert "Vragen van UWV" in mine and "Wilt u het verslag" in mine
    assert "Antwoord aan UWV" in mine

    response = own.post(
        reverse("citizen:uwv_answer", args=[case.pk]),
        {"uwv-body": "Hierbij het verslag.", "uwv-attachment": png("verslag.png")},
    )

    assert response.status_code == 302
    answer = case.messages.get(sender_side="applicant")
    assert (answer.thread, answer.visible_to_applicant) == ("uwv", True)
    assert answer.attachments.get().visible_to_uwv
    question.refresh_from_db()
    assert question.answered_at is not None
    assert uwv_term(case).suspended_since is None
    uwv_page = page(client_for(assessor), reverse("uwv:case_detail", args=[case.pk]))
    assert "Hierbij het verslag." in uwv_page and "verslag.png" in uwv_page
    # answered: nothing left for the citizen to answer
    again = own.post(reverse("citizen:uwv_answer", args=[case.pk]), {"uwv-body": "Nog iets"})
    assert again.status_code == 403


def test_before_the_advice_the_municipality_sees_nothing_of_uwvs_talk_with_the_applicant(
    case, consultant, citizen, assessor
):
    """DOMAIN, actors (004 §5): on a direct application the municipality learns only that
    there is one; what UWV asks the applicant and what they answer is the application's
    content, for the municipality once the advice is there."""
    assert case.application.is_direct
    question = post(
        case,
        assessor,
        "Wilt u de brief van uw huisarts sturen?",
        thread=MessageThread.UWV,
        visible_to_applicant=True,
    )
    for_staff = post(case, assessor, "Krijgt de persoon een uitkering?", thread=MessageThread.UWV)
    own = client_for(citizen)
    answered = own.post(
        reverse("citizen:uwv_answer", args=[case.pk]),
        {"uwv-body": SECRET, "uwv-attachment": png("huisarts.png")},
    )
    assert answered.status_code == 302
    letter = Document.objects.get(original_name="huisarts.png")
    staff = client_for(consultant)
    url = reverse("work:case_detail", args=[case.pk])

    before = page(staff, url)

    assert "Krijgt de persoon een uitkering?" in before  # meant for the municipality alone
    assert "brief van uw huisarts" not in before and SECRET not in before
    assert "huisarts.png" not in before
    download = reverse("work:document_download", args=[case.pk, letter.pk])
    assert staff.get(download).status_code == 404
    told = Notification.objects.filter(kind=K.MESSAGE_FOR_MUNICIPALITY, recipient=consultant)
    assert set(told.values_list("message_id", flat=True)) == {for_staff.pk}
    # the municipality's answer answers what it was asked, not the applicant's question
    staff.post(reverse("work:case_uwv_message", args=[case.pk]), {"message-body": "Nee."})
    for_staff.refresh_from_db()
    question.refresh_from_db()
    assert for_staff.answered_at is not None
    # the applicant's answer answered theirs; a new question to them stays open
    again = post(
        case,
        assessor,
        "En het verslag van school?",
        thread=MessageThread.UWV,
        visible_to_applicant=True,
    )
    staff.post(reverse("work:case_uwv_message", args=[case.pk]), {"message-body": "Weet ik niet."})
    again.refresh_from_db()
    assert again.answered_at is None
    # what it could not see is not counted as read: it is new once the advice is there
    assert Message.objects.get(sender_side="applicant").read_by_municipality_at is None

    from tests.integration.test_case_page import advise

    advise(case, assessor)
    after = page(staff, url)

    assert "brief van uw huisarts" in after and SECRET in after and "huisarts.png" in after
    assert staff.get(download).status_code == 200
    assert Message.objects.get(sender_side="applicant").read_by_municipality_at is not None


def test_the_term_is_suspended_only_where_the_rule_allows(
    municipality, case, consultant, citizen, assessor
):
    term = uwv_term(case)
    Term.objects.filter(pk=term.pk).update(suspended_since=timezone.localdate())
    uwv = client_for(assessor)

    refused = uwv.post(
        reverse("uwv:case_message", args=[case.pk]),
        {"message-body": "Nog een vraag", "message-suspend_term": "on"},
    )

    assert refused.status_code == 400
    assert "al opgeschort" in refused.content.decode()
    assert not case.messages.exists()
    with pytest.raises(ValidationError) as only_uwv:
        post(case, consultant, "Vraag", thread=MessageThread.UWV, suspend_term=True)
    assert only_uwv.value.code == "may_not_suspend"

    # after the advice UWV no longer asks: the conversation is closed to new questions
    advised = CaseFactory(
        person=PersonFactory(municipality=municipality, account=citizen),
        state=CaseState.ADVICE_ISSUED,
    )
    assert "Termijn opschorten" not in page(uwv, reverse("uwv:case_detail", args=[advised.pk]))
    with pytest.raises(ValidationError) as closed:
        post(advised, assessor, "Vraag", thread=MessageThread.UWV)
    assert closed.value.code == "uwv_conversation_closed"
    staff = client_for(consultant)
    assert staff.get(reverse("work:case_uwv_message", args=[advised.pk])).status_code == 404


# -- documents staff add --------------------------------------------------------------------


def test_staff_documents_are_marked_who_added_them_and_shown_only_to_whom_they_are_for(
    case, consultant, citizen, assessor
):
    staff = client_for(consultant)
    assert page(staff, reverse("work:case_document_add", args=[case.pk]))

    internal = staff.post(
        reverse("work:case_document_add", args=[case.pk]),
        {"document-file": png("gespreksverslag.png")},
    )
    shared = staff.post(
        reverse("work:case_document_add", args=[case.pk]),
        {"document-file": png("uitnodiging.png"), "document-visible_to_applicant": "on"},
    )

    assert internal.status_code == shared.status_code == 302
    notes = Document.objects.get(original_name="gespreksverslag.png")
    invitation = Document.objects.get(original_name="uitnodiging.png")
    assert (notes.added_by_side, notes.uploaded_by, notes.visible_to_applicant) == (
        "municipality",
        consultant,
        False,
    )
    assert timezone.localdate(notes.uploaded_at) == timezone.localdate()  # the local day
    assert CaseEvent.objects.filter(case=case, action="document_added").count() == 2
    staff_page = page(staff, reverse("work:case_detail", args=[case.pk]))
    assert "gespreksverslag.png" in staff_page and "Alleen voor de gemeente" in staff_page
    assert "Toegevoegd door de gemeente op" in staff_page and str(consultant) in staff_page

    own = client_for(citizen)
    mine = page(own, reverse("citizen:case_detail", args=[case.pk]))
    assert "uitnodiging.png" in mine and "gespreksverslag.png" not in mine
    assert (
        own.get(reverse("citizen:document_download", args=[case.pk, notes.pk])).status_code == 404
    )
    assert (
        own.get(reverse("citizen:document_download", args=[case.pk, invitation.pk])).status_code
        == 200
    )
    uwv = client_for(assessor)
    assert uwv.get(reverse("uwv:document_download", args=[case.pk, notes.pk])).status_code == 404

    refused = staff.post(
        reverse("work:case_document_add", args=[case.pk]), {"document-file": active_pdf()}
    )
    assert refused.status_code == 400
    assert not Document.objects.filter(original_name="formulier.pdf").exists()


def test_uwv_documents_follow_the_rule_on_the_application_content(
    municipality, consultant, citizen, assessor
):
    direct = CaseFactory(
        person=PersonFactory(municipality=municipality, account=citizen),
        state=CaseState.WITH_UWV,
    )
    uwv = client_for(assessor)

    response = uwv.post(
        reverse("uwv:case_document_add", args=[direct.pk]),
        {"document-file": png("rapport.png")},
    )

    assert response.status_code == 302
    report = Document.objects.get(original_name="rapport.png")
    assert (report.added_by_side, report.uploaded_by, report.visible_to_uwv) == (
        "uwv",
        assessor,
        True,
    )
    assert "rapport.png" in page(uwv, reverse("uwv:case_detail", args=[direct.pk]))
    # a direct application: the municipality sees its content once UWV has advised
    staff = client_for(consultant)
    assert "rapport.png" not in page(staff, reverse("work:case_detail", args=[direct.pk]))
    url = reverse("work:document_download", args=[direct.pk, report.pk])
    assert staff.get(url).status_code == 404
    assert "rapport.png" not in page(
        client_for(citizen), reverse("citizen:case_detail", args=[direct.pk])
    )
    by_college = direct
    by_college.application.applicant_kind = ApplicantKind.MUNICIPALITY
    by_college.application.preselection_done_on = timezone.localdate() - dt.timedelta(days=30)
    by_college.application.save()
    assert staff.get(url).status_code == 200


def test_the_case_page_reads_the_conversation_in_one_query_however_long(case, consultant, citizen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = client_for(consultant)
    url = reverse("work:case_detail", args=[case.pk])
    post(case, citizen, "Eerste", attachment=png())
    page(staff, url)  # marks it read

    with CaptureQueriesContext(connection) as few:
        page(staff, url)
    for i in range(5):
        post(case, consultant, f"Bericht {i}", attachment=png(f"bijlage{i}.png"))
    with CaptureQueriesContext(connection) as many:
        text = page(staff, url)

    assert "bijlage4.png" in text
    assert len(many) == len(few)
