"""What the apps add to site-wide features, registered from their AppConfig.ready().

confguide never imports an app. The apps tell it what they have instead:
demo content for `load_demo`, their sections of sitemap.xml, what a
reader's saved sessions are for the personal parts of cached pages, and the
personal data they keep about an account (for "Download my data" and account
deletion, confguide.privacy). (Pages the contact form can name register in
confguide.contact.sources.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest


@dataclass(frozen=True)
class PersonalData:
    """What one app keeps about an account, for the attendee's download and for deletion.

    `collect(user)` gives it as JSON-ready data (dates may be datetimes) and
    never reads another account's rows; `erase(user)` deletes it and returns
    how many rows went. `label` and `description` tell the attendee what the
    download holds.
    """

    name: str
    label: str
    description: str
    collect: Callable[[AbstractBaseUser], dict | list]
    erase: Callable[[AbstractBaseUser], int]


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
_personal_data: dict[str, PersonalData] = {}


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


def add_personal_data(
    name: str,
    *,
    label: str,
    description: str,
    collect: Callable[[AbstractBaseUser], dict | list],
    erase: Callable[[AbstractBaseUser], int],
) -> None:
    """Register an app's part of an account's data under `name` (its key in the download)."""
    _personal_data[name] = PersonalData(
        name=name, label=label, description=description, collect=collect, erase=erase
    )


def personal_data() -> list[PersonalData]:
    """Every app's part of an account's data, in the order registered."""
    return list(_personal_data.values())
