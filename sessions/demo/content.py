"""Demo content: the event this guide started from, KubeCon + CloudNativeCon North America 2020.

The facts (sessions, speakers, companies, times) come from the blog post this
project began with; every description and editors' note here is the guide's
own writing. `manage.py load_demo` runs `load_kubecon_na_2020` as one of its
steps. Loading is a sync, not an append: rows are matched on their slugs and
only fields that differ from the values below are written, so a second run
changes nothing and a run after an editor's edit puts the demo text back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.text import slugify

from sessions import content, services
from sessions.models import Company, Event, Session, SessionSpeaker, Speaker, Theme


@dataclass
class SyncTally:
    """What a demo step created and changed, for the command's summary."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        if not self.created and not self.updated:
            return "already up to date"
        parts = []
        for verb, counts in (("created", self.created), ("updated", self.updated)):
            if counts:
                listed = ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))
                parts.append(f"{verb} {listed}")
        return "; ".join(parts)


def sync_row[ModelT: models.Model](
    model: type[ModelT],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    tally: SyncTally,
    label: str = "",
) -> ModelT:
    """Create the row, or bring the fields named in `values` up to date.

    Unlike update_or_create, an unchanged row is not saved, so its updated_at
    stays put and running the demo twice really changes nothing. Foreign keys
    are passed by their attname (`company_id`), which compares as plain values.
    """
    label = label or str(model._meta.verbose_name_plural)
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **values)
        row.full_clean()
        row.save()
        tally.created[label] += 1
        return row
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.full_clean()
        auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        row.save(update_fields=[*changed, *auto_now])
        tally.updated[label] += 1
    return row


# --- KubeCon + CloudNativeCon North America 2020 -----------------------------------------

KUBECON_NA_2020_SLUG = "kubecon-cloudnativecon-north-america-2020"


def _utc(day: int, hour: int, minute: int) -> dt.datetime:
    # The source post gives every time in GMT; November 2020 has no summer time.
    return dt.datetime(2020, 11, day, hour, minute, tzinfo=dt.UTC)


EVENT = {
    "name": "KubeCon + CloudNativeCon North America 2020",
    "description": (
        "The Cloud Native Computing Foundation's North American gathering of the Kubernetes "
        "community, held online in 2020: four days of keynotes, maintainer updates and "
        "technical talks, streamed to a virtual audience across every time zone."
    ),
    "start_date": dt.date(2020, 11, 17),
    "end_date": dt.date(2020, 11, 20),
    # The in-person edition had been planned for Boston, and the virtual
    # programme kept North American east-coast hours, so Eastern Time is the
    # zone attendees planned in. Readers elsewhere switch to their own zone.
    "time_zone": "America/New_York",
    "is_virtual": True,
    "venue": "",
    # The exact official pages for the 2020 edition are not in our sources;
    # an empty link is better than an invented one.
    "website_url": "",
    "schedule_url": "",
    "is_published": True,
}

THEMES = [
    {
        "slug": "storage-csi",
        "name": "Storage & CSI",
        "colour": "#1d5f8a",
        "order": 10,
        "description": (
            "Where stateful workloads keep their data. Since the Container Storage Interface "
            "became generally available in Kubernetes 1.13, storage vendors ship drivers of "
            "their own outside the Kubernetes tree, and the list of file and block systems a "
            "pod can mount keeps growing. Sessions under this theme look at the storage "
            "options that are coming next."
        ),
    },
    {
        "slug": "multi-tenancy",
        "name": "Multi-tenancy",
        "colour": "#6b2f8f",
        "order": 20,
        "description": (
            "Several teams, customers or environments sharing one cluster without treading on "
            "each other: keeping their data and resources apart, and making sure no single "
            "tenant can hog the API server that everyone depends on."
        ),
    },
]

# Kinds: Ant Group runs Kubernetes for its own payments business (an end
# user); the others sell the storage, cloud and policy products their talks
# were about (vendors). Alibaba's speaker came from its cloud arm.
COMPANIES = [
    {
        "slug": "intel",
        "name": "Intel",
        "website_url": "https://www.intel.com/",
        "kind": Company.Kind.VENDOR,
    },
    {
        "slug": "minio",
        "name": "MinIO",
        "website_url": "https://min.io/",
        "kind": Company.Kind.VENDOR,
    },
    {
        "slug": "ant-group",
        "name": "Ant Group",
        "website_url": "https://www.antgroup.com/",
        "kind": Company.Kind.END_USER,
    },
    {
        "slug": "vmware",
        "name": "VMware",
        "website_url": "https://www.vmware.com/",
        "kind": Company.Kind.VENDOR,
    },
    {
        "slug": "google",
        "name": "Google",
        "website_url": "https://about.google/",
        "kind": Company.Kind.VENDOR,
    },
    {
        "slug": "alibaba",
        "name": "Alibaba",
        "website_url": "https://www.alibabagroup.com/",
        "kind": Company.Kind.VENDOR,
    },
    {
        "slug": "nirmata",
        "name": "Nirmata",
        "website_url": "https://nirmata.com/",
        "kind": Company.Kind.VENDOR,
    },
]

# Speaker slug -> (name, company slug at the time of the event).
SPEAKERS = {
    "patrick-ohly": ("Patrick Ohly", "intel"),
    "sidhartha-mani": ("Sidhartha Mani", "minio"),
    "min-jin": ("Min Jin", "ant-group"),
    "tasha-drew": ("Tasha Drew", "vmware"),
    "adrian-ludwin": ("Adrian Ludwin", "google"),
    "fei-guo": ("Fei Guo", "alibaba"),
    "jim-bugwadia": ("Jim Bugwadia", "nirmata"),
}


@dataclass(frozen=True)
class DemoSession:
    title: str
    speakers: tuple[str, ...]  # speaker slugs, in billing order
    themes: tuple[str, ...]  # theme slugs
    starts_at: dt.datetime
    ends_at: dt.datetime
    abstract: str
    editors_note: str
    format: str = Session.Format.TALK

    @property
    def slug(self) -> str:
        return slugify(self.title)


SESSIONS = [
    DemoSession(
        title="Persistent Memory in Kubernetes",
        speakers=("patrick-ohly",),
        themes=("storage-csi",),
        starts_at=_utc(19, 20, 45),
        ends_at=_utc(19, 21, 20),
        abstract=(
            "An introduction to Intel's CSI driver for persistent memory (PMEM), which offers "
            "Intel Optane persistent memory to pods as ordinary filesystem volumes."
        ),
        editors_note=(
            "Persistent memory sits between RAM and SSD: it survives a power cut yet answers "
            "at nearly the speed of memory, and the price keeps falling. If your workload lives "
            "or dies by latency (order matching for a trading desk is the classic case), this "
            "shows how to keep its state there from inside Kubernetes without writing the "
            "plumbing yourself."
        ),
    ),
    DemoSession(
        title="Beyond File and Block Storage in Kubernetes",
        speakers=("sidhartha-mani",),
        themes=("storage-csi",),
        starts_at=_utc(18, 17, 45),
        ends_at=_utc(18, 18, 20),
        abstract=(
            "A look at the proposed Container Object Storage Interface (COSI), which aims to do "
            "for object storage buckets what CSI did for file and block volumes."
        ),
        editors_note=(
            "CSI settled how file and block storage reach containers, while object storage has "
            "been left to flexvolume plugins and hand-rolled client set-up. COSI proposes one "
            "contract for creating buckets and granting workloads access to them. It is early "
            "days, which makes this a good moment to learn its shape before it turns up in "
            "your clusters."
        ),
    ),
    DemoSession(
        title="API Priority and Fairness: Kube-APIServer Flow-control Protection",
        speakers=("min-jin",),
        themes=("multi-tenancy",),
        starts_at=_utc(20, 17, 55),
        ends_at=_utc(20, 18, 30),
        abstract=(
            "How API Priority and Fairness, alpha since Kubernetes 1.18, sorts the requests "
            "reaching kube-apiserver into priority levels and queues them fairly, so that one "
            "flood of traffic cannot starve everything else."
        ),
        editors_note=(
            "On a shared cluster, one tenant's runaway controller can swamp the API server and "
            "slow every other tenant down with it. Priority and fairness gives each kind of "
            "traffic its own share of capacity, so the controllers that keep workloads healthy "
            "still get their writes through. Worth your time if you run clusters for more "
            "than one team."
        ),
    ),
    DemoSession(
        title="Kubernetes Working Group for Multi-Tenancy Project Overview",
        speakers=("tasha-drew", "adrian-ludwin", "fei-guo", "jim-bugwadia"),
        themes=("multi-tenancy",),
        starts_at=_utc(20, 22, 5),
        ends_at=_utc(20, 22, 40),
        abstract=(
            "The multi-tenancy working group presents its projects, among them the "
            "Hierarchical Namespace Controller and the Multi-Tenancy Benchmarks."
        ),
        editors_note=(
            "No big launch here, but a handy map of the tools the community is building for "
            "sharing clusters. Hierarchical namespaces let a team hand out sub-namespaces that "
            "inherit its policies; the benchmarks are a checklist for testing how well your "
            "tenants really are kept apart. Bring questions about your own production set-up."
        ),
    ),
]


@content.batch()
def load_kubecon_na_2020() -> str:
    """Load (or restore) the KubeCon NA 2020 demo event; returns a one-line summary."""
    tally = SyncTally()
    event = sync_row(Event, lookup={"slug": KUBECON_NA_2020_SLUG}, values=EVENT, tally=tally)
    themes = {
        theme["slug"]: sync_row(
            Theme,
            lookup={"slug": theme["slug"]},
            values={k: v for k, v in theme.items() if k != "slug"},
            tally=tally,
        )
        for theme in THEMES
    }
    companies = {
        company["slug"]: sync_row(
            Company,
            lookup={"slug": company["slug"]},
            values={k: v for k, v in company.items() if k != "slug"},
            tally=tally,
        )
        for company in COMPANIES
    }
    # A speaker's company is where they work now. Only a new speaker gets the
    # company from the post: an editor who records a job change must not be
    # overruled, and the session keeps the 2020 affiliation either way.
    speakers = {}
    for slug, (name, company_slug) in SPEAKERS.items():
        speaker = Speaker.objects.filter(slug=slug).first()
        if speaker is None:
            speaker = sync_row(
                Speaker,
                lookup={"slug": slug},
                values={"name": name, "company_id": companies[company_slug].pk},
                tally=tally,
            )
        speakers[slug] = speaker
    for demo in SESSIONS:
        _sync_session(
            event=event,
            demo=demo,
            themes=themes,
            companies=companies,
            speakers=speakers,
            tally=tally,
        )
    return tally.describe()


def _sync_session(
    *,
    event: Event,
    demo: DemoSession,
    themes: dict[str, Theme],
    companies: dict[str, Company],
    speakers: dict[str, Speaker],
    tally: SyncTally,
) -> Session:
    existing = Session.objects.filter(event=event, slug=demo.slug).first()
    before = {name: getattr(existing, name, None) for name in Session.SCHEDULE_FIELDS}
    session = sync_row(
        Session,
        lookup={"event": event, "slug": demo.slug},
        values={
            "title": demo.title,
            "abstract": demo.abstract,
            "editors_note": demo.editors_note,
            "is_editors_pick": True,
            "format": demo.format,
            "level": Session.Level.ANY,
            "starts_at": demo.starts_at,
            "ends_at": demo.ends_at,
            "status": Session.Status.PUBLISHED,
            # Unknown for this edition: left empty rather than guessed.
            "schedule_url": "",
        },
        tally=tally,
    )
    if existing is not None:
        moved = [name for name, value in before.items() if getattr(session, name) != value]
        services.note_schedule_change(session=session, changed_fields=moved)

    wanted_themes = {themes[slug].pk for slug in demo.themes}
    if set(session.themes.values_list("pk", flat=True)) != wanted_themes:
        session.themes.set(wanted_themes)
        if existing is not None:
            tally.updated["session themes"] += 1

    for order, speaker_slug in enumerate(demo.speakers):
        # The affiliation is the 2020 one, whatever the speaker's company is today.
        company = companies[SPEAKERS[speaker_slug][1]]
        sync_row(
            SessionSpeaker,
            lookup={"session": session, "speaker": speakers[speaker_slug]},
            values={"order": order, "company_id": company.pk},
            tally=tally,
            label="session speakers",
        )
    extra = session.appearances.exclude(speaker__slug__in=demo.speakers)
    removed, _ = extra.delete()
    if removed:
        tally.updated["session speakers"] += removed
    return session
