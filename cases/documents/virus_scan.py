"""An optional virus scan of uploaded documents by ClamAV's ``clamd`` (issue #18).

Used when ``CLAMD_HOST`` (with ``CLAMD_PORT``) or ``CLAMD_SOCKET`` is set. It speaks clamd's
INSTREAM command: ``zINSTREAM\\0``, then chunks each preceded by their length as a 4-byte
big-endian number, then a zero length; clamd answers ``stream: OK`` or
``stream: <signature> FOUND``. (The PyPI clients ``clamd`` and ``pyclamd`` are unmaintained
since 2014 and 2017; the protocol is this small.)

Fail closed: a scanner that is configured but cannot be reached, times out or answers with an
error raises ``ScannerUnavailable``, and the upload is refused.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

CHUNK_BYTES = 64 * 1024
MAX_REPLY_BYTES = 4096


class ScannerUnavailable(Exception):
    """The scanner is configured but gave no verdict."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(settings.CLAMD_SOCKET)
        return sock
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)


def scan(stream: BinaryIO) -> Verdict:
    """Send ``stream`` (read from where it stands to its end) to clamd; its verdict."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK_BYTES):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while b"\0" not in reply and len(reply) < MAX_REPLY_BYTES:
                data = sock.recv(1024)
                if not data:
                    break
                reply += data
    except OSError as error:  # refused, reset, timed out, no such socket
        raise ScannerUnavailable(f"clamd: {error}") from error
    return parse_reply(reply)


def parse_reply(reply: bytes) -> Verdict:
    text = reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
    _stream, _colon, result = text.partition(": ")
    if result == "OK":
        return Verdict(clean=True)
    if result.endswith(" FOUND"):
        return Verdict(clean=False, signature=result.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(f"clamd answered {text!r}")
