"""Talking on a case (issue #22): the services that post a message, add a document and mark
a conversation read. Like ``cases.services``: one transaction under the case's row lock, the
rules applied, the case history and the audit trail written, notifications through the
outbox in the same transaction.

Two conversations run on a case (``MessageThread``): the municipality with the applicant (or
their representative), and UWV with the municipality during the advice; a UWV message can be
meant for the applicant too, who may then answer it. Who may see and write what is decided by
``portal.permissions``; which cases someone may touch at all by ``selectors.case_in_scope``.
A UWV question may suspend UWV's advice term until the answer arrives (DOMAIN §0): the answer
resumes it. Mails say only that there is a message, never what it says.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.permissions import can_add_document, can_post_message, side_of, side_sees_message

from . import rules, selectors
from .audit.models import CaseEvent
from .audit.trail import audited
from .choices import MessageThread, Side, TermKind
from .documents import files
from .documents.models import Document
from .notifications import dispatch
from .notifications.models import Message
from .services import _from_rule, _lock_case, _refuse
from .terms.lifecycle import open_term, record_resumption, record_suspension

#: The longest message (characters): a message, not a document.
MESSAGE_MAX_LENGTH = 5000

#: The notification each side gets of a new message.
NOTIFY_KIND = {
    Side.APPLICANT: dispatch.K.MESSAGE_FOR_APPLICANT,
    Side.MUNICIPALITY: dispatch.K.MESSAGE_FOR_MUNICIPALITY,
    Side.UWV: dispatch.K.MESSAGE_FOR_UWV,
}


def _event(case, *, actor, action: str, details: dict) -> None:
    CaseEvent.objects.create(case=case, actor=actor, action=action, details=details)


def _open_questions(case, side: str):
    """UWV's questions on the case not yet answered that ``side`` may answer."""
    questions = Message.objects.filter(
        case=case, thread=MessageThread.UWV, sender_side=Side.UWV, answered_at__isnull=True
    )
    if side == Side.APPLICANT:
        questions = questions.filter(visible_to_applicant=True)
    elif side == Side.MUNICIPALITY and not selectors.municipality_sees_content(case):
        # Before it may see the application's content, the municipality answers only what
        # is meant for it alone (``side_sees_message``).
        questions = questions.filter(visible_to_applicant=False)
    return questions


def uwv_conversation_open(case, side: str, messages=None) -> bool:
    """Whether ``side`` may write in UWV's conversation of ``case``: UWV asks during the advice
    (the case is at UWV); the municipality writes to UWV then, or to answer a question still
    open; the applicant only answers a question meant for them. ``messages``: the case's
    messages ``side`` sees, when the caller has them (else they are asked for)."""
    if side == Side.UWV:
        return case.state in selectors.AT_UWV_STATES
    if side == Side.MUNICIPALITY and case.state in selectors.AT_UWV_STATES:
        return True
    if messages is None:
        return _open_questions(case, side).exists()
    return any(
        m.thread == MessageThread.UWV
        and m.sender_side == Side.UWV
        and m.answered_at is None
        and (side != Side.APPLICANT or m.visible_to_applicant)
        for m in messages
    )


def _suspend_for_question(case, message: Message, actor) -> None:
    term = open_term(case, TermKind.UWV_ADVICE)
    try:
        rules.check_question_may_suspend(
            at_uwv=case.state in selectors.AT_UWV_STATES,
            term_open=term is not None,
            term_suspended=term is not None and term.suspended_since is not None,
        )
    except rules.RuleViolation as violation:
        raise _from_rule(violation) from None
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        reason = str(_("Waiting for the answer to a question of UWV"))
    suspension = record_suspension(term, on=today, reason=reason, actor=actor)
    _event(
        case,
        actor=actor,
        action="term_suspended",
        details={"term": TermKind.UWV_ADVICE, "on": today.isoformat(), "message": message.pk},
    )
    dispatch.notify_term_moved(case, term, event=suspension)


def _answer_questions(case, message: Message, actor) -> None:
    """A message of the municipality or the applicant in UWV's conversation answers UWV's open
    questions; the term a question suspended runs again from today."""
    questions = list(_open_questions(case, message.sender_side).select_for_update())
    if not questions:
        return
    Message.objects.filter(pk__in=[q.pk for q in questions]).update(answered_at=message.sent_at)
    if not any(q.suspends_term for q in questions):
        return
    term = open_term(case, TermKind.UWV_ADVICE)
    if term is None or term.suspended_since is None:
        return
    today = timezone.localdate()
    resumption = record_resumption(term, on=today, actor=actor)
    _event(
        case,
        actor=actor,
        action="term_resumed",
        details={
            "term": TermKind.UWV_ADVICE,
            "on": today.isoformat(),
            "end_on": term.end_on.isoformat(),
            "message": message.pk,
        },
    )
    dispatch.notify_term_moved(case, term, event=resumption)


def _notify(case, message: Message) -> None:
    """Everyone who takes part in the conversation, except the side that wrote."""
    sides = [Side.MUNICIPALITY]
    if message.visible_to_applicant:
        sides.append(Side.APPLICANT)
    if message.thread == MessageThread.UWV:
        sides.append(Side.UWV)
    for side in sides:
        if side == message.sender_side:
            continue
        if side == Side.MUNICIPALITY and not side_sees_message(
            side,
            thread=message.thread,
            sender_side=message.sender_side,
            visible_to_applicant=message.visible_to_applicant,
            application_content=selectors.municipality_sees_content(case),
        ):
            continue  # the applicant's part of UWV's conversation, before the advice
        dispatch.notify_message(case, NOTIFY_KIND[side], message=message)


def post_message(
    *,
    case_id: int,
    thread: str,
    body: str,
    actor,
    visible_to_applicant: bool = False,
    suspend_term: bool = False,
    attachment=None,
    subject: str = "",
    origin: str = "",
) -> Message:
    """Write a message in a conversation of the case, with at most one attachment (checked
    as the application's documents are). In the applicant's conversation every message is
    the applicant's to read; in UWV's only when ``visible_to_applicant`` (an applicant's own
    answer always). ``suspend_term``: a UWV question suspends UWV's advice term until it is
    answered."""
    side = side_of(actor)
    stored: list[str] = []
    with audited("post_message", actor=actor, object_type="case", object_id=case_id, origin=origin):
        if side is None or not can_post_message(actor, thread):
            raise _refuse(_("You cannot write in this conversation."), "may_not_post")
        body = body.strip()
        if not body:
            raise _refuse(_("Write a message."), "message_empty")
        if len(body) > MESSAGE_MAX_LENGTH:
            raise _refuse(
                _("Your message is too long. Write at most %(max)s characters."),
                "message_too_long",
                max=MESSAGE_MAX_LENGTH,
            )
        if suspend_term and side != Side.UWV:
            raise _refuse(_("Only UWV can suspend its advice term."), "may_not_suspend")
        checked = files.inspect(attachment) if attachment else None  # before any lock
        try:
            with transaction.atomic():
                case = _lock_case(case_id)
                if not selectors.case_in_scope(actor, case.pk):
                    raise _refuse(_("This case does not exist."), "case_not_found")
                if thread == MessageThread.APPLICANT or side == Side.APPLICANT:
                    visible_to_applicant = True
                if thread == MessageThread.UWV and not uwv_conversation_open(case, side):
                    raise _refuse(
                        _(
                            "UWV and the municipality write to each other here only while UWV "
                            "works on the advice."
                        ),
                        "uwv_conversation_closed",
                    )
                message = Message.objects.create(
                    case=case,
                    thread=thread,
                    sender_side=side,
                    visible_to_applicant=visible_to_applicant,
                    subject=subject.strip()[:200],
                    body=body,
                    sent_by=actor,
                    suspends_term=suspend_term,
                    **{selectors.READ_FIELD[side]: timezone.now()},
                )
                if checked is not None:
                    document = files.store_document(
                        attachment,
                        checked,
                        siblings=Document.objects.filter(case=case),
                        case=case,
                        uploaded_by=actor,
                        added_by_side=side,
                        message=message,
                        visible_to_applicant=visible_to_applicant,
                        visible_to_uwv=thread == MessageThread.UWV,
                    )
                    stored.append(document.stored_name)
                if suspend_term:
                    _suspend_for_question(case, message, actor)
                elif thread == MessageThread.UWV and side != Side.UWV:
                    _answer_questions(case, message, actor)
                _event(
                    case,
                    actor=actor,
                    action="message_posted",
                    details={
                        "message": message.pk,
                        "thread": thread,
                        "side": side,
                        "visible_to_applicant": visible_to_applicant,
                        "attachment": checked is not None,
                    },
                )
                _notify(case, message)
        except BaseException:
            for name in stored:  # the row went with the rollback: the file goes too
                files.remove(name)
            raise
        return message


def add_case_document(
    *,
    case_id: int,
    upload,
    actor,
    visible_to_applicant: bool = False,
    visible_to_uwv: bool = False,
    origin: str = "",
) -> Document:
    """Staff add a document to a case they may see, checked as the application's documents
    are, marked with who added it and when. The applicant sees it only when it is meant for
    them; UWV sees its own documents and those the municipality shares with it."""
    side = side_of(actor)
    with audited("add_case_document", actor=actor, object_type="document", origin=origin) as record:
        if not can_add_document(actor):
            raise _refuse(_("You cannot add documents to this case."), "may_not_add_document")
        if side == Side.UWV:
            visible_to_uwv = True
        checked = files.inspect(upload)  # the slow part, before any lock is taken
        stored: list[str] = []
        try:
            with transaction.atomic():
                case = _lock_case(case_id)
                if not selectors.case_in_scope(actor, case.pk):
                    raise _refuse(_("This case does not exist."), "case_not_found")
                document = files.store_document(
                    upload,
                    checked,
                    siblings=Document.objects.filter(case=case),
                    case=case,
                    uploaded_by=actor,
                    added_by_side=side,
                    visible_to_applicant=visible_to_applicant,
                    visible_to_uwv=visible_to_uwv,
                )
                stored.append(document.stored_name)
                _event(
                    case,
                    actor=actor,
                    action="document_added",
                    details={
                        "document": document.pk,
                        "side": side,
                        "visible_to_applicant": visible_to_applicant,
                        "visible_to_uwv": visible_to_uwv,
                    },
                )
        except BaseException:
            for name in stored:
                files.remove(name)
            raise
        record.object_id = str(document.pk)
        return document


def mark_conversation_read(*, case, actor) -> int:
    """The user opened the case page: the messages new to their side count as read by that
    side. Nothing is written when nothing is new."""
    side = side_of(actor)
    if side is None:
        return 0
    new = Message.objects.filter(case=case).filter(selectors.unread_messages_q(side))
    if side == Side.MUNICIPALITY and not selectors.municipality_sees_content(case):
        # Not what it may not see yet (``side_sees_message``): that is new once it may.
        seen = [m.pk for m in new if selectors.may_see_message(actor, m, content=False)]
        new = Message.objects.filter(pk__in=seen)
    return new.update(**{selectors.READ_FIELD[side]: timezone.now()})
