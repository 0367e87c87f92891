"""QR codes of my schedule's addresses (calendar feed, share links), as inline SVG.

segno draws the code as one <path> with presentation attributes (fill, stroke),
never a style attribute, so the strict CSP holds; the size comes from CSS.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.utils.safestring import SafeString, mark_safe

# A module's width in the SVG's own units; CSS scales the whole drawing.
SCALE = 4


def qr_svg(url: str, *, title: str) -> SafeString:
    """An SVG image of the QR code of `url`, its <title> the text alternative."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=SCALE,
        border=2,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="qr-code-image",
        title=title,  # segno escapes it
    )
    # segno builds the SVG from the matrix and the title, which it escapes.
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


@dataclass(frozen=True)
class Address:
    """An address to copy or scan: the calendar feed or a share link."""

    id: str
    label: str
    url: str

    @property
    def qr(self) -> SafeString:
        return qr_svg(self.url, title=f"QR code of the {self.label.lower()}")
