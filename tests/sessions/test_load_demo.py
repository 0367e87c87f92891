import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from sessions.demo import content as demo
from sessions.models import Company, Event, Room, Session, SessionSpeaker, Speaker, Theme

pytestmark = pytest.mark.integration

MODELS = (Event, Theme, Company, Speaker, Room, Session, SessionSpeaker)


@pytest.fixture(autouse=True)
def _hand_written_demo_only(without_kubecon_eu_2026):
    """These tests pin the hand-written demo; the real KubeCon EU 2026 import has its own."""


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _snapshot():
    """Every row the demo touches, with its updated_at where it has one."""
    return {
        model.__name__: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items())) for row in model.objects.values()
        )
        for model in MODELS
    }


def test_load_demo_creates_kubecon_na_2020_published_and_virtual(db):
    _load()

    event = Event.objects.get(slug=demo.KUBECON_NA_2020_SLUG)
    assert event.name == "KubeCon + CloudNativeCon North America 2020"
    assert (event.start_date, event.end_date) == (dt.date(2020, 11, 17), dt.date(2020, 11, 20))
    assert event.is_virtual and event.is_published
    assert event.time_zone == "America/New_York"
    assert event.schedule_url == ""
    # Its themes; the live demo event (sessions/demo/live.py) adds its own beside them.
    themes = Theme.objects.filter(sessions__event=event).distinct()
    assert list(themes.values_list("name", "colour")) == [
        ("Storage & CSI", "#1d5f8a"),
        ("Multi-tenancy", "#6b2f8f"),
    ]
    assert all(theme.description for theme in Theme.objects.all())


def test_load_demo_sessions_carry_gmt_times_speakers_in_order_and_their_2020_companies(db):
    _load()

    na_2020 = Session.objects.filter(event__slug=demo.KUBECON_NA_2020_SLUG)
    sessions = {s.title: s for s in na_2020.for_listing()}
    assert len(sessions) == 4
    team = sessions["Kubernetes Working Group for Multi-Tenancy Project Overview"]
    assert [str(a) for a in team.appearances.all()] == [
        "Tasha Drew @ VMware",
        "Adrian Ludwin @ Google",
        "Fei Guo @ Alibaba",
        "Jim Bugwadia @ Nirmata",
    ]
    assert team.starts_at == dt.datetime(2020, 11, 20, 22, 5, tzinfo=dt.UTC)
    assert team.ends_at == dt.datetime(2020, 11, 20, 22, 40, tzinfo=dt.UTC)
    pmem = sessions["Persistent Memory in Kubernetes"]
    assert [str(a) for a in pmem.appearances.all()] == ["Patrick Ohly @ Intel"]
    assert pmem.starts_at == dt.datetime(2020, 11, 19, 20, 45, tzinfo=dt.UTC)
    assert [t.name for t in pmem.themes.all()] == ["Storage & CSI"]
    assert pmem.conference_day == dt.date(2020, 11, 19)
    for session in sessions.values():
        assert session.status == Session.Status.PUBLISHED
        assert session.is_editors_pick
        assert session.editors_note and session.abstract
        assert session.schedule_url == ""
        session.full_clean()  # inside the event's days, valid in every field


def test_load_demo_twice_changes_no_row(db):
    _load()
    first = _snapshot()

    output = _load()

    assert _snapshot() == first
    assert "already up to date" in output
    na_2020 = {"session__event__slug": demo.KUBECON_NA_2020_SLUG}
    assert Session.objects.filter(event__slug=demo.KUBECON_NA_2020_SLUG).count() == 4
    assert (
        Speaker.objects.filter(**{f"appearances__{k}": v for k, v in na_2020.items()})
        .distinct()
        .count()
        == 7
    )
    assert SessionSpeaker.objects.filter(**na_2020).count() == 7


def test_load_demo_restores_edited_demo_text_and_times(db):
    _load()
    session = Session.objects.get(slug="persistent-memory-in-kubernetes")
    original_note = session.editors_note
    Session.objects.filter(pk=session.pk).update(
        editors_note="Scribbled over.",
        starts_at=session.starts_at + dt.timedelta(hours=1),
        ends_at=session.ends_at + dt.timedelta(hours=1),
    )
    Theme.objects.filter(slug="storage-csi").update(colour="#000000")

    output = _load()

    session.refresh_from_db()
    assert session.editors_note == original_note
    assert session.starts_at == dt.datetime(2020, 11, 19, 20, 45, tzinfo=dt.UTC)
    # Moving it back is a schedule change calendars must notice.
    assert session.sequence == 1
    assert Theme.objects.get(slug="storage-csi").colour == "#1d5f8a"
    assert "updated" in output


def test_load_demo_keeps_a_speakers_new_job_and_the_2020_affiliation(db):
    _load()
    patrick = Speaker.objects.get(name="Patrick Ohly")
    patrick.company = Company.objects.create(name="Elsewhere Inc", slug="elsewhere")
    patrick.save()

    _load()

    patrick.refresh_from_db()
    assert patrick.company.name == "Elsewhere Inc"
    appearance = SessionSpeaker.objects.get(speaker=patrick)
    assert str(appearance) == "Patrick Ohly @ Intel"


def test_load_demo_removes_a_speaker_added_to_a_demo_session(db):
    _load()
    session = Session.objects.get(slug="persistent-memory-in-kubernetes")
    intruder = Speaker.objects.create(name="Someone Else", slug="someone-else")
    SessionSpeaker.objects.create(session=session, speaker=intruder, order=5)

    _load()

    assert [a.speaker.name for a in session.appearances.all()] == ["Patrick Ohly"]


def test_load_demo_runs_each_apps_content_after_what_it_builds_on(db):
    lines = _load().splitlines()

    labels = [line.split(":")[0] for line in lines[:-1]]
    assert labels == [
        "KubeCon + CloudNativeCon North America 2020",
        "Guide post on KubeCon NA 2020",
        "Theme rules",
        "KubeCon + CloudNativeCon Europe 2026",
        "Live demo event (today)",
    ]
    assert lines[-1] == "Demo content loaded."


def test_demo_prose_is_written_anew_not_copied_from_the_seed_post(runs_copied_from_seed_post):
    prose = [demo.EVENT["description"]]
    prose += [theme["description"] for theme in demo.THEMES]
    prose += [s.abstract for s in demo.SESSIONS] + [s.editors_note for s in demo.SESSIONS]

    shared = runs_copied_from_seed_post(prose)

    assert shared == set()
