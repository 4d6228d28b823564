"""Real documents for the upload tests, made with the libraries the portal checks them with
(no binary fixtures): a PDF by pypdf, a JPEG and a PNG by Pillow."""

from __future__ import annotations

import io


def pdf_bytes(build=None) -> bytes:
    """A one-page PDF; ``build(writer)`` may add to it first."""
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if build is not None:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(image_format: str = "PNG", size=(40, 30), **save) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    image.save(out, image_format, **save)
    return out.getvalue()
