"""HTTP answers for what views find: selectors return None, views turn it into a 404."""

from __future__ import annotations

from django.http import Http404


def or_404[T](value: T | None, message: str = "Nothing here.") -> T:
    """`value`, or a 404 when the selector found nothing (None)."""
    if value is None:
        raise Http404(message)
    return value
