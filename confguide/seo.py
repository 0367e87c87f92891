"""What every public page puts in <head> for search engines and link previews.

Views add `page_meta(...)` to their context; base.html renders the title,
meta description, canonical URL and the Open Graph / Twitter card tags.
"""

from __future__ import annotations

from django.utils.text import Truncator

from confguide.links import absolute_url

DESCRIPTION_LENGTH = 160
# The vocabulary of the structured data (JSON-LD) pages embed.
SCHEMA = "https://schema.org"


def page_meta(title: str, description: str, path: str, *, og_type: str = "website") -> dict:
    return {
        "page_title": title,
        "page_description": Truncator(" ".join(description.split())).chars(DESCRIPTION_LENGTH),
        "canonical_url": absolute_url(path),
        "og_type": og_type,
    }
