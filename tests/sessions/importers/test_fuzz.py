"""Generated and mutated schedules: parse_schedule reads them or says why, and nothing else.

"Says why" means a ScheduleImportError of its own: the catch-all for failures no
rule foresaw (a generic message and a logged traceback) must not be needed, so
every shape found here gets a message that names what is wrong. What it does
read is safe to apply: aware times within the years any conference has, and a
time zone that exists.

Derandomized with a fixed number of examples, so a run is the same everywhere
and takes a few seconds; raise FUZZ_EXAMPLES locally to search harder.
"""

import datetime as dt
import json
import logging
import os
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confguide.timezones import available_time_zones
from sessions.importers import ScheduleImportError, parse_schedule
from sessions.importers.base import EARLIEST_YEAR, LATEST_YEAR
from tests.conftest import FIXTURES

pytestmark = pytest.mark.unit

fuzz = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SCHEDULES = FIXTURES / "schedules"
SEEDS = {
    "sched-ics": (SCHEDULES / "minimal-sched.ics").read_bytes(),
    "frab-xml": (SCHEDULES / "minimal-frab.xml").read_bytes(),
    "frab-json": (SCHEDULES / "minimal-frab.json").read_bytes(),
}


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def read_or_refuse(data: bytes, fmt: str = "auto") -> None:
    """Parse; a refusal must be a ScheduleImportError with its own message."""
    recorder = _Recorder()
    logger = logging.getLogger("sessions.importers")
    logger.addHandler(recorder)
    try:
        parsed = parse_schedule(data, fmt=fmt)
    except ScheduleImportError:
        parsed = None
    finally:
        logger.removeHandler(recorder)
    unforeseen = [r.exc_info[1] for r in recorder.records if r.exc_info]
    assert unforeseen == [], f"the catch-all was needed for {unforeseen!r}"
    if parsed is None:
        return
    zone = parsed.conference.time_zone
    assert zone == "" or zone in available_time_zones()
    for session in parsed.sessions:
        for moment in (session.starts_at, session.ends_at):
            assert moment.tzinfo is not None
            assert EARLIEST_YEAR <= moment.year <= LATEST_YEAR
        assert session.ends_at > session.starts_at


# --- Mutations of real files -------------------------------------------------


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """The file with a few bytes deleted, inserted, repeated or swapped for digits."""
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 60)))
        match draw(st.sampled_from(["delete", "insert", "repeat", "digits", "brackets"])):
            case "delete":
                data = data[:start] + data[end:]
            case "insert":
                data = data[:start] + draw(st.binary(max_size=20)) + data[start:]
            case "repeat":
                data = data[:end] + data[start:end] * draw(st.integers(2, 50)) + data[end:]
            case "digits":
                data = data[:start] + b"9" * draw(st.integers(1, 5000)) + data[end:]
            case "brackets":
                depth = draw(st.integers(1, 3000))
                opening, closing = draw(st.sampled_from([(b"[", b"]"), (b"{", b"}")]))
                data = data[:start] + opening * depth + closing * depth + data[start:]
    return data


@pytest.mark.parametrize("fmt", list(SEEDS))
def test_mutated_files_are_read_or_refused_with_a_message(fmt):
    @fuzz
    @given(mutated(SEEDS[fmt]), st.booleans())
    def check(data, forced):
        read_or_refuse(data, fmt if forced else "auto")

    check()


# --- iCalendar ----------------------------------------------------------------

ZONE_NAMES = st.one_of(
    st.sampled_from(
        [
            "UTC",
            "Europe/Berlin",
            "US/Eastern",
            "Europe",
            "America/",
            "../../../../etc/passwd",
            "/etc/localtime",
            "Mars/Olympus_Mons",
            "Factory",
            "posixrules",
            "Etc/GMT+14",
            "",
        ]
    ),
    st.text(max_size=30),
)


def _stamp(moment: dt.datetime) -> str:
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


ICS_TIMES = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(_stamp),
    st.datetimes(min_value=dt.datetime(1960, 1, 1), max_value=dt.datetime(2110, 1, 1)).map(
        lambda moment: _stamp(moment) + "Z"
    ),
    st.dates().map(lambda day: f"{day.year:04d}{day.month:02d}{day.day:02d}"),
    st.text(alphabet="0123456789TZ:+-", max_size=20),
)
TEXT = st.text(max_size=40)


@st.composite
def ics_event(draw) -> str:
    lines = []
    for name in ("UID", "SUMMARY", "DTSTART", "DTEND", "CATEGORIES", "LOCATION", "URL"):
        if not draw(st.integers(0, 9)):
            continue  # now and then a property is missing
        if name in ("DTSTART", "DTEND"):
            zone = draw(st.none() | ZONE_NAMES)
            parameter = f";TZID={zone}" if zone is not None else ""
            lines.append(f"{name}{parameter}:{draw(ICS_TIMES)}")
        else:
            lines.append(f"{name}:{draw(TEXT)}")
    return "BEGIN:VEVENT\r\n" + "".join(f"{line}\r\n" for line in lines) + "END:VEVENT\r\n"


@st.composite
def ics_file(draw) -> bytes:
    header = "".join(
        f"{name}:{draw(value)}\r\n"
        for name, value in (
            ("X-WR-TIMEZONE", ZONE_NAMES),
            ("X-WR-CALNAME", TEXT),
            ("PRODID", st.just("-//Sched.com Fuzz Conf//EN") | TEXT),
        )
        if draw(st.booleans())
    )
    events = "".join(draw(st.lists(ics_event(), max_size=5)))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{header}{events}END:VCALENDAR\r\n".encode()


@fuzz
@given(ics_file())
def test_generated_ics_is_read_or_refused_with_a_message(data):
    read_or_refuse(data)


# --- frab XML -------------------------------------------------------------------

ISO_TIMES = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=14))]),
    ).map(lambda moment: moment.isoformat()),
    st.text(alphabet="0123456789T:+-.Z", max_size=30),
)
DURATIONS = st.one_of(
    st.from_regex(r"\d{1,6}(:\d{1,6}){0,4}", fullmatch=True),
    st.text(max_size=10),
)
EVENT_FIELDS = {
    "date": ISO_TIMES,
    "start": st.from_regex(r"\d{1,3}:\d{1,3}", fullmatch=True) | TEXT,
    "duration": DURATIONS,
    "title": TEXT,
    "room": TEXT,
    "track": TEXT,
    "type": TEXT,
    "abstract": TEXT,
    "url": TEXT,
}


@st.composite
def xml_event(draw) -> str:
    fields = draw(st.dictionaries(st.sampled_from(list(EVENT_FIELDS)), st.none(), max_size=9))
    children = "".join(f"<{name}>{escape(draw(EVENT_FIELDS[name]))}</{name}>" for name in fields)
    people = "".join(f"<person>{escape(p)}</person>" for p in draw(st.lists(TEXT, max_size=3)))
    guid = draw(st.none() | TEXT)
    attribute = f" guid={quoteattr(guid)}" if guid is not None else ""
    return f"<event{attribute}>{children}<persons>{people}</persons></event>"


@st.composite
def frab_xml_file(draw) -> bytes:
    conference = "".join(
        f"<{name}>{escape(draw(value))}</{name}>"
        for name, value in (
            ("title", TEXT),
            ("start", ISO_TIMES),
            ("end", ISO_TIMES),
            ("time_zone_name", ZONE_NAMES),
        )
        if draw(st.booleans())
    )
    days = ""
    for _ in range(draw(st.integers(0, 2))):
        rooms = "".join(
            f"<room name={quoteattr(draw(TEXT))}>{''.join(draw(st.lists(xml_event(), max_size=3)))}"
            "</room>"
            for _ in range(draw(st.integers(0, 2)))
        )
        days += f"<day date={quoteattr(draw(ISO_TIMES))}>{rooms}</day>"
    return f"<schedule><conference>{conference}</conference>{days}</schedule>".encode()


@fuzz
@given(frab_xml_file())
def test_generated_frab_xml_is_read_or_refused_with_a_message(data):
    read_or_refuse(data)


# --- frab JSON -------------------------------------------------------------------

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def json_event(draw):
    if not draw(st.integers(0, 9)):
        return draw(ANY_JSON)  # not an object at all
    event = {}
    for name, plausible in (*EVENT_FIELDS.items(), ("guid", TEXT), ("end", ISO_TIMES)):
        if draw(st.booleans()):
            event[name] = draw(plausible | ANY_JSON)
    if draw(st.booleans()):
        event["persons"] = draw(
            st.lists(st.fixed_dictionaries({"public_name": TEXT}) | TEXT | ANY_JSON, max_size=3)
            | ANY_JSON
        )
    return event


@st.composite
def frab_json_file(draw) -> bytes:
    days = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "date": ISO_TIMES | ANY_JSON,
                    "rooms": st.dictionaries(TEXT, st.lists(json_event(), max_size=3), max_size=2)
                    | ANY_JSON,
                }
            )
            | ANY_JSON,
            max_size=2,
        )
        | ANY_JSON
    )
    conference = {
        "title": draw(TEXT | ANY_JSON),
        "time_zone_name": draw(ZONE_NAMES | ANY_JSON),
        "start": draw(ISO_TIMES | ANY_JSON),
        "end": draw(ISO_TIMES | ANY_JSON),
        "days": days,
    }
    return json.dumps({"schedule": {"conference": conference}}).encode()


@fuzz
@given(frab_json_file())
def test_generated_frab_json_is_read_or_refused_with_a_message(data):
    read_or_refuse(data)


# --- The review's shapes, as the generators see them -----------------------------


@pytest.mark.parametrize(
    "data",
    [
        SEEDS["sched-ics"].replace(b"X-WR-TIMEZONE:UTC", b"X-WR-TIMEZONE:Europe"),
        SEEDS["sched-ics"].replace(b"DTSTART:20310506T090000Z", b"DTSTART:00010101T000000"),
        SEEDS["sched-ics"].replace(b"DTEND:20310506T093000Z", b"DTEND:99991231T235959"),
        b'{"schedule": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"schedule": {"conference": {"days": ' + b"1" * 5000 + b"}}}",
    ],
    ids=["zone folder", "year 1", "year 9999", "deep JSON", "5000 digits"],
)
def test_the_reviews_files_are_read_or_refused_with_a_message(data):
    read_or_refuse(data)
