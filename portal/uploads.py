"""Request bodies and uploaded files are bounded before they are read (issue #18).

- ``RequestBodyLimitMiddleware`` (``portal.middleware``) refuses a body whose declared length is
  over ``UPLOAD_MAX_REQUEST_BYTES`` with 413 before anything reads it.
- Django never reads past the declared length (its ``LimitedStream``), and a body without one
  (``Transfer-Encoding: chunked``) is read as empty.
- ``CappedTemporaryFileUploadHandler`` keeps at most ``DOCUMENT_MAX_BYTES`` + 1 bytes of a file
  part on disk and reports the file's true size, so the form refuses it by size.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler that stops writing a file part past the largest file
    the portal accepts; the parts beyond it are counted, not kept."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.kept = 0

    def receive_data_chunk(self, raw_data, start):
        room = settings.DOCUMENT_MAX_BYTES + 1 - self.kept
        if room > 0:
            part = raw_data[:room]
            self.file.write(part)
            self.kept += len(part)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size  # the true size: the form refuses a file over the limit
        return self.file
