"""Uploads under attack (issue #18): caps per case, bodies over the limit, hostile PDFs and
images, downloads named after the detected type, and the optional ClamAV scanner.

Every hostile file is made here with the library that checks it (pypdf, Pillow), through the
citizen's upload page, the service that stores documents, or a real socket.
"""

from __future__ import annotations

import io
import logging
import socket
import socketserver
import struct
import threading
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from cases import services
from cases.audit.models import AuditEntry
from cases.documents.models import Document
from cases.models import ApplicationDraft
from tests.documents import image_bytes, pdf_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises every write transaction; CI runs this on PostgreSQL",
)


@pytest.fixture
def citizen():
    return UserFactory()


@pytest.fixture
def draft(client, citizen):
    client.force_login(citizen)
    return ApplicationDraft.objects.create(owner=citizen)


def upload(client, draft, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("citizen:draft_documents", args=[draft.pk]),
        {"upload": "1", "file": SimpleUploadedFile(name, content, content_type)},
    )


def refused(response, message: str) -> bool:
    return response.status_code == 200 and message in response.content.decode()


# -- caps per case ----------------------------------------------------------------------------


def test_a_draft_takes_no_more_documents_than_the_cap(client, draft, settings):
    settings.DOCUMENTS_MAX_PER_CASE = 3
    for number in range(3):
        assert upload(client, draft, f"{number}.pdf", pdf_bytes()).status_code == 302

    response = upload(client, draft, "vierde.pdf", pdf_bytes())

    assert refused(response, "U hebt 3 documenten toegevoegd")
    assert Document.objects.count() == 3
    refusal = AuditEntry.objects.filter(action="add_document").latest("id")
    assert (refusal.result, refusal.message) == (AuditEntry.Result.REFUSED, "too_many_documents")


def test_the_documents_of_a_draft_stay_under_the_total_size(client, draft, settings):
    document = pdf_bytes()
    settings.DOCUMENTS_MAX_TOTAL_BYTES = 2 * len(document) + 10
    upload(client, draft, "a.pdf", document)
    upload(client, draft, "b.pdf", document)

    response = upload(client, draft, "c.pdf", document)

    assert refused(response, "samen maximaal")
    assert Document.objects.count() == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_cannot_pass_the_cap_together(settings):
    """16 uploads released at the same moment, each in its own transaction: the draft's row
    lock lets exactly the cap through."""
    settings.DOCUMENTS_MAX_PER_CASE = 5
    citizen = UserFactory()
    draft = ApplicationDraft.objects.create(owner=citizen)
    document = pdf_bytes()
    barrier = threading.Barrier(16, timeout=30)
    outcomes: list[object] = []

    def worker(number):
        try:
            barrier.wait()
            services.add_document(
                upload=SimpleUploadedFile(f"{number}.pdf", document), actor=citizen, draft=draft
            )
            outcomes.append("stored")
        except ValidationError as error:
            outcomes.append(error.code)
        except Exception as error:  # surfaced by the assertion below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(map(str, outcomes)) == ["stored"] * 5 + ["too_many_documents"] * 11
    assert Document.objects.filter(draft=draft).count() == 5


def test_a_sent_application_takes_no_new_draft_documents(draft, citizen):
    ApplicationDraft.objects.filter(pk=draft.pk).update(submitted_at="2026-01-05T10:00Z")

    with pytest.raises(ValidationError) as refusal:
        services.add_document(
            upload=SimpleUploadedFile("a.pdf", pdf_bytes()), actor=citizen, draft=draft
        )

    assert refusal.value.code == "draft_closed"
    assert not Document.objects.exists()


# -- request bodies over the limit ------------------------------------------------------------


def test_a_body_over_the_limit_gets_413_and_a_dutch_page_before_it_is_read(client, draft):
    """The declared length is 100 MB, the body a few bytes: the test client's payload fails
    the test if anything tries to read more than it holds."""
    response = client.post(
        reverse("citizen:draft_documents", args=[draft.pk]),
        data=b"x" * 100,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "Het bestand is te groot" in page and "maximaal 10 MB" in page
    assert "page-header" in page  # the site's own layout
    assert not Document.objects.exists()


def test_a_real_request_over_the_limit_is_answered_before_its_body_is_sent(live_server):
    """Over a socket: the headers announce 100 MB, only 64 KB follow, and the 413 comes back
    at once (the server never waits for the rest)."""
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /mijn/aanvraag/1/documenten/ HTTP/1.1\r\n"
            + f"Host: {host}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=BoUnDaRy\r\n"
            + f"Content-Length: {100 * 1024 * 1024}\r\n\r\n".encode()
            + b"x" * 65536
        )
        reply = b""
        while b"\r\n\r\n" not in reply:
            data = sock.recv(4096)
            if not data:
                break
            reply += data

    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_a_lying_length_reads_no_more_than_it_declares(client, draft):
    """A body far larger than its declared length: only the declared bytes are read, so the
    multipart is cut short and nothing is stored (and no 500)."""
    response = client.post(
        reverse("citizen:draft_documents", args=[draft.pk]),
        {"upload": "1", "file": SimpleUploadedFile("groot.pdf", b"%PDF-" + b"0" * 3_000_000)},
        CONTENT_LENGTH="2000",
    )

    assert response.status_code in (200, 400)
    assert not Document.objects.exists()


def test_a_file_part_is_kept_no_further_than_the_largest_file(settings):
    """The upload handler writes at most DOCUMENT_MAX_BYTES + 1 of a file part to disk and
    reports its true size, which the form then refuses."""
    settings.DOCUMENT_MAX_BYTES = 1000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # to the temporary file, as a large file goes
    request = RequestFactory().post(
        "/", {"file": SimpleUploadedFile("scan.png", b"\x89PNG" + b"0" * 5000)}
    )

    received = request.FILES["file"]

    assert received.size == 5004
    assert len(received.read()) == 1001


# -- PDFs -------------------------------------------------------------------------------------


def _with_javascript(writer):
    """Document-level JavaScript, in the catalogue's /Names tree."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hallo');"),
        }
    )
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("init"), action])}
            )
        }
    )


def _with_open_action_javascript(writer):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.launchURL('https://example.org');"),
        }
    )


def _with_launch_action(writer):
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    writer.add_annotation(
        0,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 100)]),
                NameObject("/A"): DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/Launch"),
                        NameObject("/F"): TextStringObject("C:\\Windows\\System32\\calc.exe"),
                    }
                ),
            }
        ),
    )


def _with_embedded_file(writer):
    writer.add_attachment("factuur.exe", b"MZ\x90\x00" + b"\x00" * 100)


def _with_xfa_form(writer):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/XFA"): TextStringObject("<xdp:xdp><script>app.alert(1)</script></xdp:xdp>")}
    )


def _flate_bomb(writer, megabytes=500):
    """A page whose content stream inflates to ``megabytes`` MB of zeros (about 0.5 MB)."""
    from pypdf.generic import EncodedStreamObject, NameObject

    compressor = zlib.compressobj(9)
    zeros = bytes(1024 * 1024)
    data = b"".join(compressor.compress(zeros) for _ in range(megabytes)) + compressor.flush()
    stream = EncodedStreamObject()
    stream._data = data  # the compressed bytes as they are: pypdf would compress them again
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[0].replace_contents(stream)


def _huge_image(writer):
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    image = DecodedStreamObject()
    image.set_data(b"\x00" * 16)
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(100_000),
            NameObject("/Height"): NumberObject(100_000),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    page = writer.pages[0]
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): image})}
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (_with_javascript, "onderdelen die zelf iets kunnen doen"),
        (_with_open_action_javascript, "onderdelen die zelf iets kunnen doen"),
        (_with_launch_action, "onderdelen die zelf iets kunnen doen"),
        (_with_embedded_file, "onderdelen die zelf iets kunnen doen"),
        (_with_xfa_form, "onderdelen die zelf iets kunnen doen"),
        (_flate_bomb, "wordt te groot"),
        (_huge_image, "wordt te groot"),
        (lambda writer: writer.encrypt("geheim"), "beveiligd met een wachtwoord"),
    ],
    ids=[
        "javascript",
        "open-action",
        "launch",
        "embedded-file",
        "xfa",
        "inflates-500-mb",
        "image-10-gigapixels",
        "password",
    ],
)
def test_hostile_pdfs_are_refused_with_a_message(client, draft, build, message):
    response = upload(client, draft, "brief.pdf", pdf_bytes(build))

    assert refused(response, message)
    assert not Document.objects.exists()


def test_a_zip_bomb_behind_a_pdf_header_and_a_pdf_that_does_not_parse_are_refused(client, draft):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nul.bin", bytes(50 * 1024 * 1024))

    for content in (b"%PDF-1.7\n" + bomb.getvalue(), b"%PDF-1.4\nnot really a pdf\n%%EOF"):
        response = upload(client, draft, "brief.pdf", content)
        assert refused(response, "kan niet worden gelezen")
    assert not Document.objects.exists()


def test_an_ordinary_pdf_with_a_link_and_text_is_accepted(client, draft, settings):
    from pypdf.annotations import Link

    def build(writer):
        writer.add_annotation(0, Link(rect=(0, 0, 100, 20), url="https://www.uwv.nl"))
        writer.add_metadata({"/Title": "Brief van de huisarts"})

    content = pdf_bytes(build)
    assert upload(client, draft, "brief.pdf", content).status_code == 302
    stored = settings.MEDIA_ROOT / "documents" / Document.objects.get().stored_name
    assert stored.read_bytes() == content


# -- images -----------------------------------------------------------------------------------

PHP = b"<?php system($_GET['c']); ?>"


def test_a_jpeg_carrying_php_is_stored_as_its_pixels_only(client, draft, settings):
    jpeg = image_bytes("JPEG", comment=PHP) + PHP

    assert upload(client, draft, "foto.jpg", jpeg).status_code == 302

    document = Document.objects.get()
    stored = (settings.MEDIA_ROOT / "documents" / document.stored_name).read_bytes()
    assert b"<?php" not in stored
    assert document.size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("JPEG", (40, 30))


def test_a_png_carrying_php_in_a_text_chunk_and_after_its_end_is_stored_clean(
    client, draft, settings
):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", PHP.decode())
    png = image_bytes("PNG", pnginfo=info) + PHP

    assert upload(client, draft, "scan.png", png).status_code == 302

    stored = (settings.MEDIA_ROOT / "documents" / Document.objects.get().stored_name).read_bytes()
    assert b"<?php" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("PNG", (40, 30))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack("!I", len(data)) + body + struct.pack("!I", zlib.crc32(body))

    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(1000)))
        + chunk(b"IEND", b"")
    )


def test_an_image_decompression_bomb_is_refused(client, draft, settings):
    response = upload(client, draft, "scan.png", _png_header_only(100_000, 100_000))
    assert refused(response, "te veel pixels")

    # Below the portal's own cap, Pillow's bomb check still holds.
    settings.IMAGE_MAX_PIXELS = 10**12
    response = upload(client, draft, "scan.png", _png_header_only(100_000, 100_000))
    assert refused(response, "te veel pixels")
    assert not Document.objects.exists()


def test_a_broken_image_is_refused(client, draft):
    response = upload(client, draft, "scan.png", image_bytes("PNG")[:60])

    assert refused(response, "Deze afbeelding kan niet worden gelezen")
    assert not Document.objects.exists()


# -- downloads --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected_name", "expected_type"),
    [
        ("brief.html", pdf_bytes(), "brief.pdf", "application/pdf"),
        ("setup.exe", image_bytes("JPEG"), "setup.jpg", "image/jpeg"),
        ('../"rapport".pdf.exe', image_bytes("PNG"), "rapport.pdf.png", "image/png"),
    ],
)
def test_a_download_is_an_attachment_named_after_the_detected_type(
    client, draft, citizen, name, content, expected_name, expected_type
):
    from tests.factories import CaseFactory

    upload(client, draft, name, content)
    case = CaseFactory(person__account=citizen)
    Document.objects.update(case=case)
    document = Document.objects.get()

    response = client.get(reverse("citizen:document_download", args=[case.pk, document.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    assert response["Content-Type"] == expected_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


# -- the virus scanner (ClamAV's clamd, INSTREAM) ---------------------------------------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd(socketserver.ThreadingTCPServer):
    """A tiny clamd on loopback that speaks INSTREAM: it reads ``zINSTREAM\\0`` and the
    length-prefixed chunks up to the zero length, and finds the EICAR test string."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, reply: bytes | None = None):
        self.received: list[bytes] = []
        self.reply = reply
        super().__init__(("127.0.0.1", 0), FakeClamdHandler)


class FakeClamdHandler(socketserver.StreamRequestHandler):
    def handle(self):
        assert self.rfile.read(10) == b"zINSTREAM\0"
        data = b""
        while True:
            (length,) = struct.unpack("!L", self.rfile.read(4))
            if length == 0:
                break
            data += self.rfile.read(length)
        self.server.received.append(data)
        if self.server.reply is not None:
            self.wfile.write(self.server.reply)
        elif EICAR in data:
            self.wfile.write(b"stream: Eicar-Signature FOUND\0")
        else:
            self.wfile.write(b"stream: OK\0")


@pytest.fixture
def clamd(settings):
    servers = []

    def start(reply: bytes | None = None) -> FakeClamd:
        server = FakeClamd(reply)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        settings.CLAMD_HOST, settings.CLAMD_PORT = server.server_address
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_clean_file_is_scanned_whole_and_stored(client, draft, clamd):
    server = clamd()
    content = pdf_bytes()

    assert upload(client, draft, "brief.pdf", content).status_code == 302

    assert server.received == [content]
    assert Document.objects.count() == 1


def test_an_infected_file_is_refused(client, draft, clamd, caplog):
    server = clamd()
    content = image_bytes("JPEG", comment=EICAR)  # the scanner gets the upload as it came

    with caplog.at_level(logging.WARNING, logger="cases.documents"):
        response = upload(client, draft, "brief.pdf", content)

    assert refused(response, "bevat een virus")
    assert server.received == [content]
    assert "Eicar-Signature" in caplog.text
    assert not Document.objects.exists()


def test_an_unreachable_scanner_refuses_the_upload_and_is_logged(client, draft, settings, caplog):
    with socket.socket() as probe:  # a port on which nothing listens
        probe.bind(("127.0.0.1", 0))
        settings.CLAMD_HOST, settings.CLAMD_PORT = probe.getsockname()

    with caplog.at_level(logging.ERROR, logger="cases.documents"):
        response = upload(client, draft, "brief.pdf", pdf_bytes())

    assert refused(response, "Probeer het later opnieuw")
    assert "virus scanner unavailable" in caplog.text
    assert not Document.objects.exists()


def test_a_scanner_error_refuses_the_upload(client, draft, clamd):
    clamd(reply=b"INSTREAM size limit exceeded. ERROR\0")

    response = upload(client, draft, "brief.pdf", pdf_bytes())

    assert refused(response, "Probeer het later opnieuw")
    assert not Document.objects.exists()
