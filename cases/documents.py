"""Supporting documents (DOMAIN §1.6): checked on the server, stored out of reach.

The type is taken from the file's *content* (magic bytes, ``filetype``), never from its name
or the browser's claim; at most 10 MB; stored under a generated name in
``settings.MEDIA_ROOT``, which lies outside the web root. Files are only ever served by a
view that first checks who is asking.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: MIME type found in the content → extension of the stored file.
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
DOCUMENTS_DIR = "documents"


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int


def check_upload(upload) -> CheckedFile:
    """Raise ``ValidationError`` (Dutch via the catalogue) unless ``upload`` is a PDF, JPEG or
    PNG of at most 10 MB, judged by its content."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty. Choose another file."), code="empty")
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _(
                "The file is larger than 10 MB. Choose a smaller file, or scan it at a lower "
                "quality."
            ),
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("This file is not a PDF, JPEG or PNG file. Choose a PDF, JPEG or PNG file."),
            code="wrong_type",
        )
    return CheckedFile(content_type=kind.mime, extension=ALLOWED_TYPES[kind.mime], size=size)


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / DOCUMENTS_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(upload, checked: CheckedFile) -> str:
    """Write the upload under a generated name; return that name (never the original)."""
    name = f"{uuid.uuid4().hex}.{checked.extension}"
    with open(storage_dir() / name, "xb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return name


def path_of(stored_name: str) -> Path:
    """The file on disk for a stored name; refuses anything that is not a generated name."""
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError("not a stored document name")
    return storage_dir() / stored_name


def remove(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)


def download(document) -> FileResponse:
    """The stored file of ``document`` as a download under its original name. The caller has
    checked who is asking; a file missing from storage is a 404."""
    try:
        handle = open(path_of(document.stored_name), "rb")  # noqa: SIM115 - FileResponse closes it
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
