"""Documents of a case: supporting documents (DOMAIN §1.6) uploaded by citizens, documents
staff add, and the attachments of messages (issue #22)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import Side, choices_constraint


class Document(models.Model):
    """A supporting document (DOMAIN §1.6). Stored under a generated name in MEDIA_ROOT
    (outside the web root) and served only through a permission-checked view."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("case"),
    )
    draft = models.ForeignKey(
        "cases.ApplicationDraft",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("application draft"),
    )
    stored_name = models.CharField(_("stored name"), max_length=100, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)
    #: Who added it: the applicant with the application (or a message), the municipality or
    #: UWV (issue #22).
    added_by_side = models.CharField(
        _("added by"), max_length=20, choices=Side.choices, default=Side.APPLICANT
    )
    visible_to_applicant = models.BooleanField(_("visible to the applicant"), default=True)
    visible_to_uwv = models.BooleanField(_("visible to UWV"), default=True)
    #: The message it came with, if it is an attachment; it is seen by whoever sees that.
    message = models.ForeignKey(
        "cases.Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(draft__isnull=False),
                name="document_belongs_somewhere",
            ),
            choices_constraint("added_by_side", Side, "document_added_by_side_valid"),
            models.CheckConstraint(
                condition=Q(message__isnull=True) | Q(case__isnull=False),
                name="document_attachment_on_case",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
