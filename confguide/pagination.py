"""One pagination policy for every paged list on the site.

A missing, malformed or out-of-range ?page= shows the nearest page that
exists, with a 200 rather than a 404: an old link to page 7 of a list that
has since shrunk still lands on a real page (the last). Each page's canonical
URL is the page actually shown: page 1 without ?page=, page N with ?page=N,
so search engines index every page once, under one address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_PARAMETER = "page"
# A number with more digits is past any last page; it is not worth converting.
MAX_PAGE_DIGITS = 9


def requested_page(request: HttpRequest) -> int:
    """The page number asked for: 1 when it is missing, malformed or below 1."""
    value = request.GET.get(PAGE_PARAMETER, "").strip()
    # isascii(): "²" and other Unicode digits pass isdigit() but are no number.
    if not (value.isascii() and value.isdigit()):
        return 1
    digits = value.lstrip("0")
    if len(digits) > MAX_PAGE_DIGITS:
        return 10**MAX_PAGE_DIGITS
    return max(int(digits or "0"), 1)


def paginate(request: HttpRequest, items: QuerySet | Sequence, *, per_page: int) -> Page:
    """The page of `items` the request asks for, or the nearest one that exists."""
    paginator = Paginator(items, per_page)
    # num_pages is at least 1: an empty list has one (empty) page.
    return paginator.page(min(requested_page(request), paginator.num_pages))


def page_url(path: str, page: Page, query: Mapping[str, str] | None = None) -> str:
    """The address of `page`: `path` with the list's own `query`, and ?page=N past page 1."""
    params = dict(query or {})
    if page.number > 1:
        params[PAGE_PARAMETER] = str(page.number)
    return f"{path}?{urlencode(params)}" if params else path


def page_key(request: HttpRequest) -> tuple[tuple[str, str], ...]:
    """The page asked for, as part of a cached page's key (see confguide.pagecache).

    Normalised the way paginate() reads it, so values that show the same page
    share one copy (none, "abc", "0" and "1" are all page 1) and a copy is
    never served for a value that would show another page. Numbers past the
    end stay apart: which page is last is known only once the list is counted.
    """
    number = requested_page(request)
    return ((PAGE_PARAMETER, str(number)),) if number > 1 else ()
