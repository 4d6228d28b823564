"""Notifications (issue 7) and the municipality's messages to the citizen (issue #4): what a
notification is about, its delivery, the outbox, staff preferences and how far the sweep got.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import MessageThread, Side, choices_constraint


class Message(models.Model):
    """A message in one of the two conversations on a case (issue #22): the municipality with
    the applicant (or their representative), and UWV with the municipality during the advice.

    ``sender_side`` is who wrote it; the applicant reads a UWV message only when it is meant
    for them (``visible_to_applicant``). Each side has its own read state. A question of UWV
    may have suspended UWV's advice term (``suspends_term``); the first answer from another
    side (``answered_at``) resumes it.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    thread = models.CharField(
        _("conversation"),
        max_length=20,
        choices=MessageThread.choices,
        default=MessageThread.APPLICANT,
    )
    sender_side = models.CharField(
        _("from"), max_length=20, choices=Side.choices, default=Side.MUNICIPALITY
    )
    visible_to_applicant = models.BooleanField(_("visible to the applicant"), default=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent on"), auto_now_add=True)
    read_by_applicant_at = models.DateTimeField(
        _("read by the applicant on"), null=True, blank=True
    )
    read_by_municipality_at = models.DateTimeField(
        _("read by the municipality on"), null=True, blank=True
    )
    read_by_uwv_at = models.DateTimeField(_("read by UWV on"), null=True, blank=True)
    suspends_term = models.BooleanField(_("suspends the advice term"), default=False)
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            choices_constraint("thread", MessageThread, "message_thread_valid"),
            choices_constraint("sender_side", Side, "message_sender_side_valid"),
            # The applicant's conversation is the municipality's and the applicant's only.
            models.CheckConstraint(
                condition=~Q(thread=MessageThread.APPLICANT)
                | (Q(visible_to_applicant=True) & ~Q(sender_side=Side.UWV)),
                name="message_applicant_thread",
            ),
            # The applicant writes in UWV's conversation only to answer a question meant for
            # them, and sees what they wrote.
            models.CheckConstraint(
                condition=~Q(sender_side=Side.APPLICANT) | Q(visible_to_applicant=True),
                name="message_applicant_sees_own",
            ),
            models.CheckConstraint(
                condition=Q(suspends_term=False)
                | Q(thread=MessageThread.UWV, sender_side=Side.UWV),
                name="message_only_uwv_suspends",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.case_id}: {self.get_thread_display()}"


class NotificationKind(models.TextChoices):
    """What a notification is about. Citizens' kinds marked legally required cannot be
    switched off (``LEGALLY_REQUIRED``)."""

    # to the citizen
    APPLICATION_RECEIVED = "application_received", _("Application received")
    TERM_MOVED = "term_moved", _("Term suspended or moved")
    ADVICE_ISSUED = "advice_issued", _("Advice issued")
    DECISION_SENT = "decision_sent", _("Decision")
    OBJECTION_RECEIVED = "objection_received", _("Objection received")
    EMPLOYMENT_OFFERED = "employment_offered", _("Employment offered")
    EMPLOYMENT_CALLED_OFF = "employment_called_off", _("Job does not go ahead")
    DEEMED_REFUSAL = "deemed_refusal", _("No decision in time: counts as a refusal")
    PLACE_REFUSED = "place_refused", _("Refused place recorded")
    # to staff
    NEW_APPLICATION = "new_application", _("New application")
    UWV_TERM_DUE_SOON = "uwv_term_due_soon", _("UWV term ends in two weeks")
    UWV_TERM_DUE = "uwv_term_due", _("UWV term ends in three days")
    UWV_TERM_OVERDUE = "uwv_term_overdue", _("UWV term overdue")
    DECISION_DUE_SOON = "decision_due_soon", _("Decision due in two weeks")
    DECISION_DUE = "decision_due", _("Decision due in three days")
    DECISION_OVERDUE = "decision_overdue", _("Decision term overdue")
    OBJECTION_TERM_ENDED = "objection_term_ended", _("Objection term ended")
    PLACEMENT_SIGNAL = "placement_signal", _("Not placed after three months")
    ADVICE_FOR_MUNICIPALITY = "advice_for_municipality", _("Advice issued to the municipality")
    OBJECTION_FILED = "objection_filed", _("Objection received")
    AVAILABLE_AGAIN = "available_again", _("Person available again")
    AOW_AGE_REACHED = "aow_age_reached", _("AOW age reached: case closed")
    YOUR_AOW_AGE_REACHED = "your_aow_age_reached", _("AOW age reached: no more waiting")
    ADVICE_REVIEW_DUE = "advice_review_due", _("Time to review the advice")
    # the conversations on a case (to whoever takes part and did not write it)
    MESSAGE_FOR_APPLICANT = "message_for_applicant", _("New message about your application")
    MESSAGE_FOR_MUNICIPALITY = "message_for_municipality", _("New message on a case")
    MESSAGE_FOR_UWV = "message_for_uwv", _("New message on an advice request")
    CONTRACT_END_DUE = "contract_end_due", _("Fixed-term contract ends in two months")
    # a correction request (AVG art. 16): to the municipality, and its answer to the citizen
    CORRECTION_REQUESTED = "correction_requested", _("Request to correct data")
    CORRECTION_ANSWERED = "correction_answered", _("Answer to your request to correct data")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    INBOX = "inbox", _("Inbox")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    UNCERTAIN = "uncertain", _("Uncertain: check by hand")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to one recipient over one channel, at most once.

    The unique key (case, kind, term end date, recipient, channel) is enforced by the
    database, so a rerun, a retry, a second worker or a second beat inserts nothing new
    (``INSERT … ON CONFLICT DO NOTHING``). ``recipient_key`` is ``user:<id>`` or the
    e-mail address of a person without an account, so the key never holds a NULL. A
    notification of a new message has its own key instead: (message, recipient, channel);
    so has one that a term was suspended or resumed: (term event, recipient, channel).
    """

    # An insert-only ledger written in bulk by the sweep: no FK triggers and no extra indexes
    # (the unique key starts with the case; the inbox index covers the recipient). Django
    # still cascades deletes.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("case"),
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NotificationChannel.choices)
    term_end = models.DateField(
        _("term end date"),
        help_text=_("The end date of the term the message is about, or the day of the event."),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
        db_constraint=False,
    )
    recipient_key = models.CharField(max_length=254)
    #: The message a notification of a new message is about: one notification per message,
    #: recipient and channel (the other kinds: one per term end date).
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    #: The suspension or resumption a notification that a term moved is about: one
    #: notification per event, recipient and channel. A suspension leaves the term's end date
    #: as it was, so keyed on the date a second suspension would fold into an earlier notice.
    term_event = models.ForeignKey(
        "cases.TermEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    created_at = models.DateTimeField(_("created on"))
    read_at = models.DateTimeField(_("read on"), null=True, blank=True)
    state = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "term_end", "recipient_key", "channel"],
                condition=Q(message__isnull=True, term_event__isnull=True),
                name="notification_once",
            ),
            models.UniqueConstraint(
                fields=["message", "recipient_key", "channel"],
                condition=Q(message__isnull=False),
                name="notification_once_per_message",
            ),
            models.UniqueConstraint(
                fields=["term_event", "recipient_key", "channel"],
                condition=Q(term_event__isnull=False),
                name="notification_once_per_term_event",
            ),
            choices_constraint("kind", NotificationKind, "notification_kind_valid"),
            choices_constraint("channel", NotificationChannel, "notification_channel_valid"),
            choices_constraint("state", DeliveryState, "notification_state_valid"),
            models.CheckConstraint(
                condition=~Q(channel="inbox") | Q(recipient__isnull=False),
                name="notification_inbox_has_user",
            ),
            models.CheckConstraint(
                condition=~Q(channel="email") | ~Q(email=""),
                name="notification_email_has_address",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_inbox",
                condition=Q(channel="inbox"),
            ),
            models.Index(
                fields=["state"],
                name="notification_problem",
                condition=Q(state__in=["uncertain", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} → {self.recipient_key} ({self.channel})"


class OutboxMessage(models.Model):
    """The transactional outbox: written in the same transaction as its notification, drained
    by ``cases.notifications.tasks.drain_outbox`` after commit. The web request never talks
    to the broker.
    Deleted once the notification reaches a final state."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="outbox", db_constraint=False
    )
    created_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # After a send the mail server did not take: not enqueued again before this moment.
    not_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"outbox {self.notification_id}"


class NotificationPreference(models.Model):
    """A staff member switched e-mail off (or back on) for one kind. The in-app inbox always
    receives it; legally required mail to citizens cannot be switched off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    email = models.BooleanField(_("send e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} email={self.email}"


class SweepMark(models.Model):
    """How far the sweep got, per notification kind: the local date it last ran for and the
    highest term and term-event ids it had seen. A rerun then only looks at terms that
    entered a window since, that are new, or that moved (an event), instead of every open
    term again."""

    kind = models.CharField(max_length=30, unique=True, choices=NotificationKind.choices)
    through = models.DateField()
    term_id_high = models.BigIntegerField(default=0)
    event_id_high = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} through {self.through}"
