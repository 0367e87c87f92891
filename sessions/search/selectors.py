"""Reads for the search page: public sessions of every published event, speakers, companies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from sessions.models import Session
from sessions.public import selectors as public_selectors

# How many of each kind the overview shows; a kind of its own is paged.
OVERVIEW_SIZE = 6
PAGE_SIZE = 30
KINDS = {"sessions": "Sessions", "speakers": "Speakers", "companies": "Companies"}


def matching_sessions(text: str) -> QuerySet[Session]:
    """Public sessions of published events that match, best match first, then newest event."""
    return (
        Session.objects.public()
        .search(text)
        .for_listing()
        .order_by("-search_rank", "-event__start_date", "starts_at", "pk")
    )


def _matching(kind: str, text: str) -> QuerySet:
    if kind == "sessions":
        return matching_sessions(text)
    if kind == "speakers":
        return public_selectors.speaker_list(text=text)
    return public_selectors.company_list(text=text)


@dataclass
class ResultGroup:
    kind: str
    label: str
    count: int
    items: list[Any]

    @property
    def has_more(self) -> bool:
        return self.count > len(self.items)


def search_overview(*, text: str) -> list[ResultGroup]:
    """The first few of each kind, with how many there are: two queries a kind, plus
    the sessions' speakers and themes."""
    groups = []
    for kind, label in KINDS.items():
        found = _matching(kind, text)
        count = found.count()
        items = list(found[:OVERVIEW_SIZE]) if count else []
        groups.append(ResultGroup(kind, label, count, items))
    return groups


def search_kind(*, text: str, kind: str, page_number: int) -> Page:
    """One kind's results, paged; a page past the end shows the last."""
    paginator = Paginator(_matching(kind, text), PAGE_SIZE)
    return paginator.page(min(page_number, paginator.num_pages))
