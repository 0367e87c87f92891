from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sessions.importers import ScheduleImportError
from sessions.importers.fetch import check_url, fetch
from sessions.models import Event, Session, Speaker
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration


def call(*args, **kwargs):
    out, err = StringIO(), StringIO()
    call_command("import_schedule", *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_command_imports_a_sched_file_with_a_summary():
    out, err = call(
        str(FIXTURES / "schedules/minimal-sched.ics"),
        "--event",
        "tiny-sched",
        "--time-zone",
        "Europe/Berlin",
        verbosity=2,
    )

    event = Event.objects.get(slug="tiny-sched")
    assert (event.name, event.time_zone, event.is_published) == (
        "Tiny Sched Conf 2031",
        "Europe/Berlin",
        False,
    )
    assert "2 sessions created" in out
    assert "1 logistics entries left out" in out
    assert "is a draft" in out
    assert "2/2 [" in err  # tqdm's progress bar, drawn because of -v 2
    scaling = Session.objects.get(source_id="s1")
    assert scaling.title == "Scaling Things: A Story"
    assert scaling.room.name == "Hall 1 | Room A"
    assert scaling.schedule_url == "https://tiny.sched.com/event/s1"
    assert scaling.track == "Platform Engineering"
    assert [a.speaker.name for a in scaling.appearances.all()] == ["Ada Lovelace", "Grace Hopper"]
    assert Speaker.objects.get(name="Ada Lovelace").job_title == "Chief Engineer"


@pytest.mark.django_db
def test_a_zone_chosen_for_an_existing_event_is_said_not_to_be_used():
    sched = str(FIXTURES / "schedules/minimal-sched.ics")
    call(sched, "--event", "tiny-sched", "--time-zone", "Europe/Berlin")

    out, err = call(sched, "--event", "tiny-sched", "--time-zone", "America/New_York")

    assert "The event keeps its own zone, Europe/Berlin" in out + err
    assert "(America/New_York) was not used" in out + err
    assert Event.objects.get(slug="tiny-sched").time_zone == "Europe/Berlin"


@pytest.mark.django_db
def test_command_dry_run_writes_nothing():
    out, _ = call(str(FIXTURES / "schedules/minimal-frab.xml"), "--event", "tiny", "--dry-run")

    assert out.startswith("Would import into “Tiny Conf” (new event): 3 sessions created")
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_command_dry_run_lists_each_change_and_writes_nothing(tmp_path):
    data = (FIXTURES / "schedules/minimal-frab.xml").read_bytes()
    call(str(FIXTURES / "schedules/minimal-frab.xml"), "--event", "tiny")
    changed = tmp_path / "changed.xml"
    changed.write_bytes(
        data.replace(b"2031-05-06T10:00:00+02:00", b"2031-05-06T12:00:00+02:00")
        .replace(b"The Next Ten Years", b"The Next Twenty Years")
        .replace(b'guid="talk-2"', b'guid="talk-5"')
    )

    out, _ = call(str(changed), "--event", "tiny", "--dry-run")

    _, read_as, *changes = out.splitlines()
    assert read_as.startswith("Read as: frab/pretalx XML (")
    assert "; time zone: Europe/Berlin (" in read_as
    assert changes == [
        "Sessions to create (1):",
        "  + Hands-on eBPF (Tue 6 May 14:00\u201315:30, Workshop Room; id talk-5)",
        "Sessions to update (2, of which 1 move):",
        "  ~ Operators in Anger (Tue 6 May 12:00\u201312:45, Main Hall; id talk-1)",
        "      time: Tue 6 May 10:00\u201310:45 → Tue 6 May 12:00\u201312:45",
        "  ~ Keynote: The Next Twenty Years (Wed 7 May 09:00\u201309:30, Main Hall; id talk-3)",
        "      title: “Keynote: The Next Ten Years” → “Keynote: The Next Twenty Years”",
        "Sessions to cancel (1):",
        "  - Hands-on eBPF (Tue 6 May 14:00\u201315:30, Workshop Room; id talk-2)",
    ]
    assert Session.objects.get(source_id="talk-3").title == "Keynote: The Next Ten Years"
    assert not Session.objects.filter(source_id="talk-5").exists()
    assert Session.objects.get(source_id="talk-2").status == Session.Status.PUBLISHED


@pytest.mark.django_db
def test_command_lists_what_it_changed_and_is_quiet_at_verbosity_0():
    path = str(FIXTURES / "schedules/minimal-frab.xml")

    quiet, _ = call(path, "--event", "tiny", verbosity=0)
    out, _ = call(path, "--event", "tiny")

    assert quiet == ""
    assert Event.objects.get(slug="tiny").sessions.count() == 3
    summary, read_as, *changes = out.splitlines()
    assert summary == (
        "Imported into “Tiny Conf”: 0 sessions created, 0 updated (0 moved), 0 cancelled, "
        "3 unchanged; 0 new rooms, 0 new speakers, 0 new companies; "
        "0 logistics entries left out."
    )
    assert read_as.startswith("Read as: frab/pretalx XML")
    assert changes == ["Sessions left alone: 3"]


@pytest.mark.django_db
def test_command_publish_flag():
    call(str(FIXTURES / "schedules/minimal-frab.json"), "--event", "tiny", "--publish")

    assert Event.objects.get(slug="tiny").is_published


@pytest.mark.django_db
def test_command_reports_where_a_file_is_broken():
    with pytest.raises(CommandError) as caught:
        call(str(FIXTURES / "schedules/broken-frab.xml"), "--event", "broken")

    assert "Nothing was imported." in str(caught.value)
    assert "<event> #2 (day 1) (source id bad-2)" in str(caught.value)
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_hostile_file():
    with pytest.raises(CommandError, match="refused unread for safety"):
        call(str(FIXTURES / "schedules/entity-bomb.xml"), "--event", "bomb")


@pytest.mark.django_db
def test_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="There is no file"):
        call("/nonexistent/schedule.xml", "--event", "nothing")


@pytest.mark.django_db
def test_command_forced_format_that_does_not_fit():
    with pytest.raises(CommandError, match="malformed"):
        call(str(FIXTURES / "schedules/minimal-sched.ics"), "--event", "x", "--format", "frab-json")


@pytest.mark.django_db
def test_command_imports_from_a_feed_url(shared_data, file_server):
    base = file_server(shared_data / "good2025")

    out, _ = call(f"{base}/good2025-schedule.json", "--event", "good-2025")

    assert "72 sessions created" in out
    assert Event.objects.get(slug="good-2025").sessions.count() == 72


@pytest.mark.django_db
def test_feed_url_errors_are_clear(file_server, tmp_path):
    base = file_server(tmp_path)
    (tmp_path / "big.json").write_bytes(b"{" + b" " * 2048 + b"}")

    with pytest.raises(CommandError, match="404"):
        call(f"{base}/missing.json", "--event", "x")
    with pytest.raises(ScheduleImportError, match="larger than"):
        fetch(f"{base}/big.json", max_bytes=1024)


@pytest.mark.parametrize(
    "url",
    ["http://example.org/schedule.xml", "ftp://example.org/x", "file:///etc/passwd", "https://"],
)
def test_only_https_feeds(url):
    with pytest.raises(ScheduleImportError, match="Only https"):
        check_url(url)


def test_plain_http_is_refused_even_from_loopback():
    with pytest.raises(ScheduleImportError, match="Only https"):
        check_url("http://127.0.0.1:8000/schedule.xml")
    check_url("https://schedule.example.org/schedule.xml")
