"""A municipality's house style as a few design tokens: colours and fonts, pure functions.

The portal's pages map these onto the NL Design System's tokens (``static/css/portal.css``,
the ``--portal-*`` properties); letters and mails use the same values. A colour is
``#rrggbb``; a font is one of ``FONTS`` (stacks of fonts that computers have, since the
portal loads no fonts from elsewhere). Every colour pair that people read or use is checked
against WCAG 2.1 AA: 4.5:1 for text on its background, 3:1 for a part of the page that
people use (success criteria 1.4.3 and 1.4.11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
WHITE = "#ffffff"
#: WCAG 2.1 AA.
TEXT_CONTRAST = 4.5
COMPONENT_CONTRAST = 3.0


class Font(models.TextChoices):
    SYSTEM = "system", _("The computer's own font (standard)")
    ARIAL = "arial", "Arial"
    VERDANA = "verdana", "Verdana"
    TAHOMA = "tahoma", "Tahoma"
    TREBUCHET = "trebuchet", "Trebuchet MS"
    GEORGIA = "georgia", _("Georgia (with serifs)")


#: The CSS font stack of each choice; each ends in a generic family.
FONTS = {
    Font.SYSTEM: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    Font.ARIAL: 'Arial, "Helvetica Neue", Helvetica, "Liberation Sans", sans-serif',
    Font.VERDANA: 'Verdana, Geneva, "DejaVu Sans", sans-serif',
    Font.TAHOMA: 'Tahoma, Verdana, "DejaVu Sans", sans-serif',
    Font.TREBUCHET: '"Trebuchet MS", "Lucida Grande", "DejaVu Sans", sans-serif',
    Font.GEORGIA: 'Georgia, "Times New Roman", "DejaVu Serif", serif',
}

#: The theme's colour fields, in the order of the form.
COLOUR_FIELDS = (
    "primary_color",
    "primary_text_color",
    "header_background_color",
    "header_text_color",
    "link_color",
    "heading_color",
)
FONT_FIELDS = ("font", "heading_font")
TOKEN_FIELDS = COLOUR_FIELDS + FONT_FIELDS

#: The neutral portal theme: the values of ``static/css/portal.css`` (a test holds them equal).
NEUTRAL = {
    "primary_color": "#01689b",
    "primary_text_color": "#ffffff",
    "header_background_color": "#154273",
    "header_text_color": "#ffffff",
    "link_color": "#01689b",
    "heading_color": "#154273",
    "font": Font.SYSTEM.value,
    "heading_font": Font.SYSTEM.value,
}

#: Each token's CSS custom property (``static/css/portal.css`` maps them onto the tokens).
PROPERTIES = {
    "primary_color": "--portal-color-primary",
    "primary_text_color": "--portal-color-primary-text",
    "header_background_color": "--portal-color-header-background",
    "header_text_color": "--portal-color-header-text",
    "link_color": "--portal-color-link",
    "heading_color": "--portal-color-heading",
    "font": "--portal-font-family",
    "heading_font": "--portal-heading-font-family",
}


@dataclass(frozen=True)
class ContrastRule:
    """``field``'s colour on ``background`` (a field, or a fixed colour) needs ``minimum``."""

    field: str
    background: str
    minimum: float
    message: str


CONTRAST_RULES = (
    ContrastRule(
        "primary_text_color",
        "primary_color",
        TEXT_CONTRAST,
        _(
            "The text colour on the main colour is too hard to read: the contrast is "
            "%(ratio)s to 1, and must be at least %(minimum)s to 1. Choose a lighter or darker "
            "colour."
        ),
    ),
    ContrastRule(
        "primary_color",
        WHITE,
        COMPONENT_CONTRAST,
        _(
            "Buttons in the main colour are too hard to see on the white page: the contrast is "
            "%(ratio)s to 1, and must be at least %(minimum)s to 1. Choose a darker colour."
        ),
    ),
    ContrastRule(
        "header_text_color",
        "header_background_color",
        TEXT_CONTRAST,
        _(
            "The text in the top bar is too hard to read: the contrast with the colour of the "
            "bar is %(ratio)s to 1, and must be at least %(minimum)s to 1. Choose a lighter or "
            "darker colour."
        ),
    ),
    ContrastRule(
        "link_color",
        WHITE,
        TEXT_CONTRAST,
        _(
            "Links in this colour are too hard to read on the white page: the contrast is "
            "%(ratio)s to 1, and must be at least %(minimum)s to 1. Choose a darker colour."
        ),
    ),
    ContrastRule(
        "heading_color",
        WHITE,
        TEXT_CONTRAST,
        _(
            "Headings in this colour are too hard to read on the white page: the contrast is "
            "%(ratio)s to 1, and must be at least %(minimum)s to 1. Choose a darker colour."
        ),
    ),
)


def normalise_colour(value: str) -> str:
    """``#RRGGBB``, ``RRGGBB`` or ``#RGB`` as ``#rrggbb``; ``ValueError`` for anything else."""
    text = value.strip().lower()
    if not text.startswith("#"):
        text = "#" + text
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        text = "#" + "".join(c * 2 for c in text[1:])
    if not HEX_COLOUR.fullmatch(text):
        raise ValueError(value)
    return text


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour ``#rrggbb`` (0 black … 1 white)."""
    channels = []
    for start in (1, 3, 5):
        c = int(colour[start : start + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_problems(values: dict[str, str]) -> dict[str, str]:
    """The colour fields whose contrast is too low, each with its Dutch message (through the
    catalogue). The ratio is rounded down, so a shown ratio never passes by rounding."""
    problems: dict[str, str] = {}
    for rule in CONTRAST_RULES:
        background = values.get(rule.background, rule.background)
        ratio = contrast_ratio(values[rule.field], background)
        if ratio < rule.minimum and rule.field not in problems:
            problems[rule.field] = rule.message % {
                "ratio": f"{int(ratio * 10) / 10:.1f}".replace(".", ","),
                "minimum": f"{rule.minimum:g}".replace(".", ","),
            }
    return problems


def css_properties(values: dict[str, str]) -> list[tuple[str, str]]:
    """The theme as CSS custom properties: (name, value), values safe to write in CSS (colours
    are checked ``#rrggbb``, fonts come from ``FONTS``)."""
    properties = []
    for field in TOKEN_FIELDS:
        value = values[field]
        if field in FONT_FIELDS:
            value = FONTS[Font(value)]
        elif not HEX_COLOUR.fullmatch(value):
            raise ValueError(f"{field} is not a colour: {value!r}")
        properties.append((PROPERTIES[field], value))
    return properties


def font_stack(key: str) -> str:
    return FONTS[Font(key)]
