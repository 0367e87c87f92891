"""What page a visitor opened the contact form from.

The form takes the page as a query parameter (`?from=/events/.../`). Anything a
visitor can type ends up here, so the value is only ever accepted as a path on
this site that resolves to one of its pages: never a scheme, a host or a
protocol-relative URL, so it can neither redirect elsewhere nor smuggle markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

MAX_SOURCE_LENGTH = 300

# Namespaces a visitor never "comes from": the form itself and the admin.
_IGNORED_NAMESPACES = {"contact", "admin"}


@dataclass(frozen=True)
class Source:
    path: str
    # What the page is about, such as a session's title; empty for pages that
    # are about nothing in particular (the home page, a list).
    label: str = ""


# URL name -> a function of the URL's arguments giving the page's title, or
# None when the object is not (or no longer) public. Apps register their pages.
_DESCRIBERS: dict[str, Callable[..., str | None]] = {}


def describe_pages(describers: dict[str, Callable[..., str | None]]) -> None:
    """Let the contact form name the object behind each of these URL names."""
    _DESCRIBERS.update(describers)


def resolve_source(raw: str | None) -> Source | None:
    """The validated source page, or None when `raw` is not a page of this site."""
    if not raw or len(raw) > MAX_SOURCE_LENGTH:
        return None
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in raw):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if _IGNORED_NAMESPACES & set(match.namespaces):
        return None
    describe = _DESCRIBERS.get(match.view_name)
    if describe is None:
        return Source(path=parts.path)
    label = describe(**match.kwargs)
    if label is None:
        return None
    return Source(path=parts.path, label=label)
