"""Demo-like rows for the public pages: a slice of KubeCon NA 2020 (virtual, US Eastern)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from sessions.models import Session
from tests.factories import (
    CompanyFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def kubecon(db):
    event = EventFactory(
        name="KubeCon + CloudNativeCon North America 2020",
        slug="kubecon-na-2020",
        start_date=dt.date(2020, 11, 17),
        end_date=dt.date(2020, 11, 20),
        time_zone="America/New_York",
        is_virtual=True,
        website_url="https://events.linuxfoundation.org/kubecon-cloudnativecon-north-america/",
    )
    storage = ThemeFactory(name="Storage & CSI", slug="storage-csi", colour="#1d5f8a")
    security = ThemeFactory(name="Security", slug="security", colour="#f5d142")
    intel = CompanyFactory(name="Intel", slug="intel")
    red_hat = CompanyFactory(name="Red Hat", slug="red-hat")
    patrick = SpeakerFactory(name="Patrick Ohly", slug="patrick-ohly", company=intel)
    alice = SpeakerFactory(name="Alice Example", slug="alice-example", company=red_hat)
    room = RoomFactory(event=event, name="Virtual room 1")
    pmem = SessionFactory(
        event=event,
        title="Persistent Memory in Kubernetes",
        slug="persistent-memory-in-kubernetes",
        abstract="How PMEM-CSI exposes persistent memory to applications.",
        editors_note="The clearest introduction to local persistent memory.",
        is_editors_pick=True,
        schedule_url="https://kccncna20.sched.com/event/ekCa",
        starts_at=utc(2020, 11, 19, 20, 45),
        ends_at=utc(2020, 11, 19, 21, 20),
        room=room,
        speakers=[patrick],
        themes=[storage],
    )
    late = SessionFactory(
        event=event,
        title="After-hours Storage Birds of a Feather",
        slug="after-hours-storage-bof",
        format=Session.Format.BOF,
        # 01:30 EST on 20 November: still the 19th's conference day.
        starts_at=utc(2020, 11, 20, 6, 30),
        ends_at=utc(2020, 11, 20, 7, 30),
        room=room,
        speakers=[alice],
        themes=[storage],
    )
    policy = SessionFactory(
        event=event,
        title="Policy as Code for Admission Control",
        slug="policy-as-code",
        abstract="Gatekeeper and Kyverno side by side.",
        level=Session.Level.ADVANCED,
        starts_at=utc(2020, 11, 18, 15, 0),
        ends_at=utc(2020, 11, 18, 15, 35),
        room=room,
        speakers=[alice],
        themes=[security],
    )
    cancelled = SessionFactory(
        event=event,
        title="Cancelled CSI Deep Dive",
        slug="cancelled-csi-deep-dive",
        status=Session.Status.CANCELLED,
        starts_at=utc(2020, 11, 19, 16, 0),
        ends_at=utc(2020, 11, 19, 16, 35),
        room=room,
        speakers=[patrick],
        themes=[storage],
    )
    draft = SessionFactory(
        event=event,
        title="Secret Draft Session",
        slug="secret-draft",
        status=Session.Status.DRAFT,
        starts_at=utc(2020, 11, 19, 17, 0),
        ends_at=utc(2020, 11, 19, 17, 35),
        room=room,
        speakers=[patrick],
        themes=[storage],
    )
    return SimpleNamespace(
        event=event,
        storage=storage,
        security=security,
        intel=intel,
        red_hat=red_hat,
        patrick=patrick,
        alice=alice,
        room=room,
        pmem=pmem,
        late=late,
        policy=policy,
        cancelled=cancelled,
        draft=draft,
    )


@pytest.fixture
def reader_in_los_angeles(client):
    client.cookies["reader_tz"] = "America%2FLos_Angeles"
    return client
