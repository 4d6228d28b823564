"""Supporting documents (DOMAIN §1.6): checked on the server, stored out of reach.

The type is taken from the file's *content* (magic bytes, ``filetype``), never from its name
or the browser's claim. Then the content itself is checked (issue #18):

- a PDF must parse (pypdf) and may hold no active content: no JavaScript, no Launch,
  SubmitForm or ImportData action, no embedded or attached files, no XFA form, no rich
  media; it may not be encrypted with a password; its streams may inflate to at most
  ``PDF_MAX_INFLATED_BYTES`` in all (decoded under pypdf's limits, so a bomb stops there),
  and its images may have at most ``IMAGE_MAX_PIXELS`` each;
- a JPEG or PNG must decode in full (Pillow) with at most ``IMAGE_MAX_PIXELS``, and is
  stored **re-encoded**: only its pixels are kept, so nothing appended to or hidden in the
  file (a PHP script, a comment, EXIF data) is ever stored;
- when a virus scanner is configured (``cases.documents.virus_scan``), it must call the file clean.

Files are stored under a generated name in ``settings.MEDIA_ROOT`` (outside the web root)
and only ever served by a view that first checks who is asking, as an attachment named with
the extension of the detected type.
"""

from __future__ import annotations

import io
import logging
import re
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

from . import virus_scan
from .models import Document

logger = logging.getLogger(__name__)

#: MIME type found in the content → extension of the stored (and downloaded) file.
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
DOCUMENTS_DIR = "documents"
MEGABYTE = 1024 * 1024

#: PDF dictionary keys, and values of an action's /S or an annotation's /Subtype, that make
#: a PDF do something by itself (run a script, open a program, send data, carry a file).
ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/EF",
        "/XFA",
        "/RichMedia",
        "/RichMediaContent",
    }
)
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"}
)
ACTIVE_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/3D"})
#: Objects visited in one PDF at most (a 10 MB file has far fewer).
MAX_PDF_OBJECTS = 500_000


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    #: What is stored instead of the upload (a re-encoded image); ``None``: the upload itself.
    content: bytes | None = None


def _megabytes(size: int) -> int:
    return max(1, size // MEGABYTE)


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def check_upload(upload) -> CheckedFile:
    """Raise ``ValidationError`` (Dutch via the catalogue) unless ``upload`` is a PDF, JPEG or
    PNG of at most ``DOCUMENT_MAX_BYTES``, judged by its content's first bytes. Cheap: the
    form's check; ``inspect`` is the full one."""
    size = upload.size or 0
    if size == 0:
        raise _refuse(_("The file is empty. Choose another file."), "empty")
    if size > settings.DOCUMENT_MAX_BYTES:
        raise _refuse(
            _(
                "The file is larger than %(megabytes)s MB. Choose a smaller file, or scan it "
                "at a lower quality."
            ),
            "too_large",
            megabytes=_megabytes(settings.DOCUMENT_MAX_BYTES),
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise _refuse(
            _("This file is not a PDF, JPEG or PNG file. Choose a PDF, JPEG or PNG file."),
            "wrong_type",
        )
    return CheckedFile(content_type=kind.mime, extension=ALLOWED_TYPES[kind.mime], size=size)


def inspect(upload) -> CheckedFile:
    """The full check of an upload before it is stored: ``check_upload``, then its content
    (PDF or image, see the module's text), then the virus scanner if one is configured.
    Raises ``ValidationError`` with a Dutch message; returns what to store."""
    checked = check_upload(upload)
    if checked.content_type == "application/pdf":
        upload.seek(0)
        check_pdf(upload)
    else:
        content = reencode_image(upload, checked.content_type)
        checked = CheckedFile(checked.content_type, checked.extension, len(content), content)
    _scan(upload)
    upload.seek(0)
    return checked


#: The image types a picture (a municipality's logo) may have.
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}


def inspect_image(upload, *, max_bytes: int) -> CheckedFile:
    """The full check of an uploaded picture (a municipality's logo): a PNG or JPEG by its
    content, of at most ``max_bytes``, decoded and encoded again (``reencode_image``), and
    scanned if a scanner is configured. Raises ``ValidationError`` with a Dutch message;
    returns what to store (``content``)."""
    size = upload.size or 0
    if size == 0:
        raise _refuse(_("The file is empty. Choose another file."), "empty")
    if size > max_bytes:
        raise _refuse(
            _("The image is larger than %(kilobytes)s kB. Choose a smaller image."),
            "too_large",
            kilobytes=max(1, max_bytes // 1024),
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise _refuse(
            _("This file is not a PNG or JPEG image. Choose a PNG or JPEG file."), "wrong_type"
        )
    content = reencode_image(upload, kind.mime)
    _scan(upload)
    upload.seek(0)
    return CheckedFile(kind.mime, IMAGE_TYPES[kind.mime], len(content), content)


def _scan(upload) -> None:
    """Ask the virus scanner, if one is configured; refuse on a virus or without an answer."""
    if virus_scan.configured():
        upload.seek(0)
        try:
            verdict = virus_scan.scan(upload)
        except virus_scan.ScannerUnavailable as error:
            logger.error("virus scanner unavailable, upload refused: %s", error)
            raise _refuse(
                _(
                    "We cannot check files for viruses at the moment, so we cannot accept "
                    "your file now. Please try again later. Your other answers have been kept."
                ),
                "scanner_unavailable",
            ) from None
        if not verdict.clean:
            logger.warning("upload refused by the virus scanner: %s", verdict.signature)
            raise _refuse(
                _(
                    "This file contains a virus, so we have not saved it. Have your computer "
                    "checked, or choose another file."
                ),
                "infected",
            )


# -- PDF -------------------------------------------------------------------------------------


def _pdf_unreadable() -> ValidationError:
    return _refuse(
        _(
            "This file says it is a PDF, but it cannot be read. Save or scan the document as "
            "a PDF again, and add that file."
        ),
        "pdf_unreadable",
    )


def _pdf_active() -> ValidationError:
    return _refuse(
        _(
            "This PDF contains parts that can do something by themselves, such as a script or "
            "an attached file. For safety we do not accept those. Print the document to a new "
            "PDF or scan it, and add that file."
        ),
        "pdf_active_content",
    )


def _pdf_too_large() -> ValidationError:
    return _refuse(
        _(
            "This PDF becomes too large when it is opened. Split it into smaller files, or "
            "scan it at a lower quality."
        ),
        "pdf_too_large",
    )


def check_pdf(stream) -> None:
    """Refuse a PDF that does not parse, is encrypted with a password, holds active content or
    inflates beyond ``PDF_MAX_INFLATED_BYTES`` (images: beyond ``IMAGE_MAX_PIXELS`` each)."""
    import pypdf
    from pypdf.errors import LimitReachedError, PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    budget = settings.PDF_MAX_INFLATED_BYTES
    try:
        with pypdf.apply_configuration(**_pdf_limits(budget)):
            reader = pypdf.PdfReader(stream, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise _refuse(
                    _(
                        "This PDF is protected with a password. Save it without a password, "
                        "and add that file."
                    ),
                    "pdf_encrypted",
                )
            if len(reader.pages) == 0:
                raise _pdf_unreadable()
            seen: set[tuple[int, int]] = set()
            pending: list = [reader.trailer]
            while pending:
                item = pending.pop()
                if isinstance(item, IndirectObject):
                    key = (item.idnum, item.generation)
                    if key in seen:
                        continue
                    seen.add(key)
                    if len(seen) > MAX_PDF_OBJECTS:
                        raise _pdf_too_large()
                    item = item.get_object()
                if isinstance(item, DictionaryObject):
                    if _is_active(item):
                        raise _pdf_active()
                    if isinstance(item, StreamObject):
                        budget = _account_stream(item, budget)
                    pending.extend(dict.values(item))  # unresolved: references are walked once
                elif isinstance(item, ArrayObject):
                    pending.extend(list.__iter__(item))
    except ValidationError:
        raise
    except LimitReachedError:
        raise _pdf_too_large() from None
    except (PdfReadError, RecursionError, MemoryError):
        raise _pdf_unreadable() from None
    except Exception:  # pypdf on a hostile file: any failure to read it is a refusal
        logger.info("PDF refused as unreadable", exc_info=True)
        raise _pdf_unreadable() from None


def _pdf_limits(budget: int) -> dict[str, int]:
    """pypdf's own decompression limits, each at most what is left of the budget."""
    return {
        "zlib_maximum_output_length": budget,
        "lzw_maximum_output_length": budget,
        "run_length_maximum_output_length": budget,
        "brotli_maximum_output_length": budget,
        "array_based_stream_maximum_output_length": budget,
        "stream_decoding_work_maximum_length": budget,
        "image_maximum_buffer_size": budget,
    }


def _name(item, key: str) -> str:
    """A dictionary's value under ``key`` (followed if it is a reference) if it is a name."""
    value = item.get(key)
    if value is not None and hasattr(value, "get_object"):
        value = value.get_object()
    return value if isinstance(value, str) else ""


def _is_active(item) -> bool:
    return (
        any(key in ACTIVE_KEYS for key in item)
        or _name(item, "/S") in ACTIVE_ACTIONS
        or _name(item, "/Subtype") in ACTIVE_SUBTYPES
    )


def _account_stream(stream, budget: int) -> int:
    """Inflate one stream within what is left of the budget; what is left after it. An image
    is not inflated here: its pixels count (a viewer inflates no more than those)."""
    import pypdf
    from pypdf.errors import LimitReachedError

    if _name(stream, "/Subtype") == "/Image":
        try:
            pixels = int(stream["/Width"]) * int(stream["/Height"])
        except (KeyError, TypeError, ValueError):
            raise _pdf_unreadable() from None
        if pixels > settings.IMAGE_MAX_PIXELS:
            raise _pdf_too_large()
        return budget
    with pypdf.apply_configuration(**_pdf_limits(max(budget, 1))):
        size = len(stream.get_data())
    if size >= budget:
        raise LimitReachedError("inflation budget spent")
    return budget - size


# -- images ----------------------------------------------------------------------------------


def reencode_image(upload, content_type: str) -> bytes:
    """Decode the image in full and encode its pixels again: the bytes to store. Refuses an
    image that does not decode or has more than ``IMAGE_MAX_PIXELS`` (a decompression bomb)."""
    from PIL import Image, ImageOps

    image_format = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
    unreadable = _refuse(
        _("This image cannot be read. Take the photo or make the scan again, and add that file."),
        "image_unreadable",
    )
    too_large = _refuse(
        _("This image has too many pixels. Make the image smaller, or scan it at a lower quality."),
        "image_too_large",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload, formats=[image_format]) as image:
                if image.width * image.height > settings.IMAGE_MAX_PIXELS:
                    raise too_large
                image.verify()
            upload.seek(0)
            with Image.open(upload, formats=[image_format]) as image:
                image.load()
                return _encode(image, image_format, ImageOps)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except Exception:  # Pillow on a hostile file: any failure to decode it is a refusal
        logger.info("image refused as unreadable", exc_info=True)
        raise unreadable from None


def _encode(image, image_format: str, image_ops) -> bytes:
    """The pixels only: no comment, EXIF, ICC profile or text chunk is carried over (the
    orientation is applied to the pixels instead); the resolution and a palette's
    transparency are kept."""
    keep = {key: image.info[key] for key in ("dpi", "transparency") if key in image.info}
    orientation = image.getexif().get(0x0112, 1)
    out = io.BytesIO()
    if image_format == "JPEG" and orientation == 1:
        image.info = {}
        # The original quantisation: no second loss of quality.
        image.save(out, "JPEG", quality="keep", subsampling="keep", **keep)
        return out.getvalue()
    upright = image_ops.exif_transpose(image)
    upright.info = {}
    if image_format == "JPEG":
        if upright.mode not in ("L", "RGB", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=90, **keep)
    else:
        upright.save(out, "PNG", **keep)
    return out.getvalue()


# -- caps per case ---------------------------------------------------------------------------


def check_room(*, count: int, total_bytes: int, size: int) -> None:
    """Refuse a document that would pass the caps of one case (or application draft): at most
    ``DOCUMENTS_MAX_PER_CASE`` documents of at most ``DOCUMENTS_MAX_TOTAL_BYTES`` together.
    The caller holds the row lock of the case or draft while it counts and stores."""
    if count >= settings.DOCUMENTS_MAX_PER_CASE:
        raise _refuse(
            _(
                "You have added %(max)s documents. That is the most you can add. Remove a "
                "document first if you want to add another."
            ),
            "too_many_documents",
            max=settings.DOCUMENTS_MAX_PER_CASE,
        )
    if total_bytes + size > settings.DOCUMENTS_MAX_TOTAL_BYTES:
        raise _refuse(
            _(
                "Your documents may be at most %(megabytes)s MB together. Remove a document "
                "first, or choose a smaller file."
            ),
            "documents_too_large",
            megabytes=_megabytes(settings.DOCUMENTS_MAX_TOTAL_BYTES),
        )


def store_document(upload, checked: CheckedFile, *, siblings, **fields) -> Document:
    """Keep a checked upload: the caps counted over ``siblings`` (the documents of its case or
    draft, under the caller's row lock of that case or draft), the file stored and its
    ``Document`` made with ``fields`` (the file removed again if the row cannot be made)."""
    present = siblings.aggregate(count=Count("id"), total=Sum("size"))
    check_room(count=present["count"], total_bytes=present["total"] or 0, size=checked.size)
    stored_name = store(upload, checked)
    try:
        return Document.objects.create(
            stored_name=stored_name,
            original_name=(upload.name or "document")[-255:],
            content_type=checked.content_type,
            size=checked.size,
            **fields,
        )
    except Exception:
        remove(stored_name)
        raise


# -- storage ---------------------------------------------------------------------------------


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / DOCUMENTS_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(upload, checked: CheckedFile) -> str:
    """Write the checked content (or the upload) under a generated name; return that name
    (never the original)."""
    name = f"{uuid.uuid4().hex}.{checked.extension}"
    with open(storage_dir() / name, "xb") as target:
        if checked.content is not None:
            target.write(checked.content)
        else:
            upload.seek(0)
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


def download_name(original_name: str, content_type: str) -> str:
    """The name a download gets: the original name's stem (without any folder, control or
    quote characters) with the extension of the type detected on upload, never the uploaded
    one (``brief.html`` holding a PDF downloads as ``brief.pdf``)."""
    extension = ALLOWED_TYPES.get(content_type, "bin")
    stem = PurePath(original_name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r'[\x00-\x1f\x7f"/\\;]', "", stem).strip(" .") or "document"
    return f"{stem[:100]}.{extension}"


def download(document) -> FileResponse:
    """The stored file of ``document`` as an attachment, named and typed after the type
    detected on upload, never sniffed nor kept in a cache. The caller has checked who is
    asking; a file missing from storage is a 404."""
    try:
        handle = open(path_of(document.stored_name), "rb")  # noqa: SIM115 - FileResponse closes it
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = (
        document.content_type
        if document.content_type in ALLOWED_TYPES
        else "application/octet-stream"
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(document.original_name, document.content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
