"""What the apps add to site-wide features, registered from their AppConfig.ready().

confguide never imports an app. The apps tell it what they have instead:
demo content for `load_demo`, their sections of sitemap.xml, and what a
reader's saved sessions are for the personal parts of cached pages. (Pages the
contact form can name register in confguide.contact.sources.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest


@dataclass(frozen=True)
class DemoStep:
    """One piece of demo content: `run` is idempotent and returns a one-line summary.

    Steps run in ascending `order`, so an app's content can follow what it
    builds on (a blog post after the event it features).
    """

    label: str
    run: Callable[[], str]
    order: int


_demo_steps: list[DemoStep] = []
_sitemap_sections: dict[str, type[Sitemap]] = {}
_saved_session_lookups: list[Callable[[HttpRequest], set[int]]] = []


def add_demo_step(label: str, run: Callable[[], str], *, order: int) -> None:
    if any(step.label == label for step in _demo_steps):
        return  # ready() may run more than once in tests
    _demo_steps.append(DemoStep(label=label, run=run, order=order))


def demo_steps() -> list[DemoStep]:
    return sorted(_demo_steps, key=lambda step: step.order)


def add_sitemap_sections(sections: dict[str, type[Sitemap]]) -> None:
    """Sections of sitemap.xml, by name (/sitemap-<name>.xml), in the order added."""
    _sitemap_sections.update(sections)


def sitemap_sections() -> dict[str, type[Sitemap]]:
    return dict(_sitemap_sections)


def provide_saved_sessions(lookup: Callable[[HttpRequest], set[int]]) -> None:
    """`lookup(request)` gives the ids of the sessions the reader has saved."""
    if lookup not in _saved_session_lookups:
        _saved_session_lookups.append(lookup)


def saved_session_ids(request: HttpRequest) -> set[int]:
    ids: set[int] = set()
    for lookup in _saved_session_lookups:
        ids |= lookup(request)
    return ids
