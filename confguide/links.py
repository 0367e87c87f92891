"""Links: named URLs without a full reverse() for each one, and absolute URLs on SITE_URL.

A busy schedule day links some 250 sessions, their speakers, companies and
themes: about 2,000 links, and reverse() walks the URL resolver for every
one. The shape of a named URL cannot change while the process runs, so it is
worked out once, with stand-in values, and each link fills the values in.
Only for values that need no quoting (slugs and ids), which is what these are.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse

_STAND_IN_NUMBER = 7_000_000_000_000
_STAND_IN_TEXT = "zqjx{}xjqz"


@functools.cache
def _shape(
    name: str, kinds: tuple[tuple[str, bool], ...], prefix: str
) -> tuple[list[str], list[str]]:
    """The URL's fixed pieces, and which value goes between each two of them."""
    stand_ins = {
        key: str(_STAND_IN_NUMBER + index) if numeric else _STAND_IN_TEXT.format(index)
        for index, (key, numeric) in enumerate(kinds)
    }
    url = reverse(name, kwargs=stand_ins)
    pieces, order = [url], []
    while True:
        found = [(pieces[-1].find(text), key) for key, text in stand_ins.items()]
        found = [(at, key) for at, key in found if at >= 0]
        if not found:
            return pieces, order
        at, key = min(found)
        rest = pieces.pop()
        pieces += [rest[:at], rest[at + len(stand_ins[key]) :]]
        order.append(key)


def link(name: str, **values: str | int) -> str:
    """What reverse(name, kwargs=values) gives, for slug and integer values."""
    kinds = tuple((key, isinstance(value, int)) for key, value in values.items())
    pieces, order = _shape(name, kinds, get_script_prefix())
    parts = [pieces[0]]
    for key, piece in zip(order, pieces[1:], strict=True):
        parts += [str(values[key]), piece]
    return "".join(parts)


def absolute_url(path: str) -> str:
    """`path` on the site's public address (SITE_URL), for feeds, mail and link previews."""
    return f"{settings.SITE_URL}{path}"
