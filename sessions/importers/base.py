"""The intermediate representation every importer produces.

Parsers turn a file into these plain objects and validate them; only
sessions.importers.apply writes to the database. A parser that meets a
problem it cannot recover from raises ScheduleImportError naming where.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from sessions.exports.text import printable

# Uploads and feeds larger than this are refused before parsing: the biggest
# real schedule we know (KubeCon, 600 entries) is under 1 MB.
MAX_IMPORT_BYTES = 10 * 1024 * 1024

# Times outside these years are typing errors or attacks (year 1 and 9999 overflow
# every time-zone conversion), never a conference.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2100

# A report lists this many problems; a file broken everywhere needs no more to be fixed.
MAX_REPORTED_PROBLEMS = 100

# (entries done, entries in all): how far a parser or the apply step has got.
Progress = Callable[[int, int], None]

ZERO_LENGTH_REPLACEMENT = dt.timedelta(minutes=15)

# What an import reads, each by its name for --format and the form; sessions.importers
# recognises them (detect_format) or the editor names one.
FORMATS = ("sched-ics", "pretalx-ics", "ics", "frab-xml", "frab-json")
FORMAT_LABELS = {
    "sched-ics": "Sched iCalendar",
    "pretalx-ics": "pretalx iCalendar",
    "ics": "iCalendar",
    "frab-xml": "frab/pretalx XML",
    "frab-json": "frab/pretalx JSON",
}


def shorten(text: str, length: int = 80) -> str:
    """At most `length` characters: a message quotes the file, never the whole of it."""
    return text if len(text) <= length else text[: length - 1] + "…"


def without_nul(text: str) -> str:
    """PostgreSQL stores no NUL character in text or JSON, and no name or title needs one."""
    return text.replace("\x00", "")


@dataclass(frozen=True)
class Problem:
    where: str  # "line 12", "<event> #4", "days[0].rooms.Hall 1[3]"
    what: str
    source_id: str = ""

    def __post_init__(self) -> None:
        # Parts of a hostile file end up in these; keep a report readable.
        object.__setattr__(self, "where", shorten(without_nul(self.where), 200))
        object.__setattr__(self, "what", shorten(without_nul(self.what), 500))
        object.__setattr__(self, "source_id", shorten(without_nul(self.source_id), 100))

    def __str__(self) -> str:
        ident = f" (source id {self.source_id})" if self.source_id else ""
        return f"{self.where}{ident}: {self.what}"


class ScheduleImportError(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(where="file", what=problems)]
        if len(problems) > MAX_REPORTED_PROBLEMS:
            more = len(problems) - MAX_REPORTED_PROBLEMS
            problems = [
                *problems[:MAX_REPORTED_PROBLEMS],
                Problem("file", f"… and {more:,} more problems"),
            ]
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class ScheduleTooLargeError(ScheduleImportError):
    """The file is over the size limit; it was refused before it was parsed."""


def check_size(size: int, *, limit: int = MAX_IMPORT_BYTES, exact: bool = True) -> None:
    """Refuse a file or feed over the limit: the one size rule of every way in.

    `size` is the file's length, or (exact=False) what was read of it when
    reading stopped past the limit, so only "larger than" is known.
    """
    if size <= limit:
        return
    measured = f" ({size / 1024 / 1024:.1f} MB)" if exact else ""
    raise ScheduleTooLargeError(
        f"The file{measured} is larger than the import accepts: "
        f"schedules are refused above {limit // 1024 // 1024} MB."
    )


@dataclass
class ImportLimits:
    """What one import may take: entries in the file, and seconds to read and apply it.

    One instance spans the reading and the applying of one file, so the budget
    is for both together. A budget of 0 seconds is spent before the first entry.
    """

    max_entries: int
    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @classmethod
    def from_settings(cls) -> ImportLimits:
        return cls(
            max_entries=settings.IMPORT_MAX_ENTRIES,
            seconds=settings.IMPORT_TIME_BUDGET_SECONDS,
        )

    def check_entries(self, count: int, noun: str, *, exact: bool = True) -> None:
        """Refuse a file with more entries than an import takes, before they are read."""
        if count <= self.max_entries:
            return
        found = f"{count:,}" if exact else f"more than {self.max_entries:,}"
        raise ScheduleImportError(
            f"The file has {found} {noun}; an import takes at most {self.max_entries:,} "
            "(the IMPORT_MAX_ENTRIES setting)."
        )

    def check_time(self, where: str) -> None:
        """Stop an import that has spent its time budget; `where` says how far it got."""
        if self.clock() - self.started < self.seconds:
            return
        raise ScheduleImportError(
            [
                Problem(
                    where,
                    f"the import took longer than its time budget of {self.seconds:g} seconds "
                    "(the IMPORT_TIME_BUDGET_SECONDS setting) and was stopped here",
                )
            ]
        )


@dataclass(frozen=True)
class ReadOptions:
    """How every parser reads a file: within `limits`, telling `progress(done,
    total)`, and reading local times the file does not place in `time_zone`
    (the editor's choice, or a re-import's event's zone; `time_zone_source`
    says which, for the report)."""

    limits: ImportLimits
    progress: Progress | None = None
    time_zone: str = ""
    time_zone_source: str = ""


def check_year[D: dt.date](moment: D) -> D:
    """The date or time itself, or ValueError when it is outside the years any conference has."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(
            f"{moment.isoformat()} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}"
        )
    return moment


EMPTY_FILE_MESSAGE = "The file is empty."


def check_not_empty(data: bytes) -> None:
    """Refuse a file with nothing but white space in it."""
    if not data.strip():
        raise ScheduleImportError(EMPTY_FILE_MESSAGE)


@dataclass
class ParsedPerson:
    name: str
    company: str = ""
    job_title: str = ""
    # The person's guid in the file (frab <person guid>): a guide's export names
    # its speakers so, and an import finds them by it before it compares names.
    guid: str = ""


@dataclass
class ParsedSession:
    source_id: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    where: str
    room: str = ""
    track: str = ""
    format: str = "talk"
    abstract: str = ""
    schedule_url: str = ""
    people: list[ParsedPerson] = field(default_factory=list)
    # Its guid and its room's (frab guid attributes, our calendars' UID): an
    # import finds the event's session and room by them first.
    guid: str = ""
    room_guid: str = ""
    language: str = ""  # "en", "de-AT"; "" when the file does not say
    do_not_record: bool = False
    # Editors' work that a guide's own export carries; set on new sessions only.
    slug: str = ""
    level: str = ""
    themes: list[str] = field(default_factory=list)
    editors_note: str = ""
    is_editors_pick: bool = False
    video_url: str = ""
    slides_url: str = ""
    # The session's fields the file gives (as in apply.SOURCE_FIELDS, and
    # "speakers"), where it gives fewer than a schedule does (a guide's
    # calendar): an import leaves the others as they are. None: all of them.
    fields_given: frozenset[str] | None = None


@dataclass
class ParsedConference:
    name: str = ""
    acronym: str = ""
    time_zone: str = ""
    # Where time_zone came from, for the preview ("the file's time_zone_name “US/Eastern”");
    # when no zone is known, what to ask the editor instead.
    time_zone_source: str = ""
    time_zone_question: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    website_url: str = ""
    # What a guide's own JSON export says of its event.
    description: str = ""
    venue: str = ""
    is_virtual: bool = False
    schedule_url: str = ""


@dataclass
class ParsedSchedule:
    format: str
    conference: ParsedConference
    sessions: list[ParsedSession]
    # Entries deliberately left out (badge pick-up, coffee breaks...).
    skipped: list[str] = field(default_factory=list)
    # Things the importer repaired and the editor should know about.
    warnings: list[Problem] = field(default_factory=list)
    # How the file was read, for the preview: "pretalx iCalendar", and why
    # ("its PRODID “-//pretalx//…” names pretalx", or that the editor chose it).
    detected_as: str = ""
    detected_why: str = ""

    @property
    def rooms(self) -> list[str]:
        return sorted({s.room for s in self.sessions if s.room})

    @property
    def people(self) -> list[str]:
        """The different people, as the import tells them apart."""
        # Imported here: people.py builds on this module.
        from sessions.importers.people import person_key

        return sorted({person_key(p.name) for s in self.sessions for p in s.people})


_COMPANY_SUFFIXES = {
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "gmbh",
    "corp",
    "corporation",
    "co",
    "bv",
    "ag",
    "sa",
    "plc",
    "srl",
    "ab",
    "oy",
    "as",
    "se",
    "pty",
    "kg",
}


def normalize_name(name: str) -> str:
    """Case-, accent- and spacing-blind form of a room's or company's name.

    Not for people: sessions.importers.people.person_key() tells them apart.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^\w]+", " ", folded.casefold()).split())


def normalize_company(name: str) -> str:
    """'Red Hat', 'Red Hat, Inc.' and 'RED HAT INC' all give 'red hat'."""
    words = normalize_name(name).split()
    while len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
        words.pop()
    return " ".join(words)


FORMAT_WORDS = (
    ("keynote", "keynote"),
    ("lightning", "lightning"),
    ("tutorial", "tutorial"),
    ("workshop", "workshop"),
    ("contribfest", "workshop"),
    ("hands-on", "workshop"),
    ("panel", "panel"),
    ("birds of a feather", "bof"),
    ("bof", "bof"),
    ("talk", "talk"),
    ("presentation", "talk"),
    ("session", "talk"),
)


def guess_format(*texts: str, default: str = "other") -> str:
    """A Session.Format value from the source's type, category or title prefix."""
    for text in texts:
        lowered = text.casefold()
        for word, value in FORMAT_WORDS:
            if word in lowered:
                return value
    return default


def validate(parsed: ParsedSchedule) -> ParsedSchedule:
    """Checks every importer shares; raises with every problem at once."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    _drop_nul(parsed)
    for session in parsed.sessions:
        if not session.source_id:
            problems.append(Problem(session.where, "the entry has no id"))
        elif session.source_id in seen:
            problems.append(
                Problem(
                    session.where,
                    f"the id is used twice (also at {seen[session.source_id]})",
                    session.source_id,
                )
            )
        else:
            seen[session.source_id] = session.where
        if not session.title.strip():
            problems.append(Problem(session.where, "the entry has no title", session.source_id))
        if session.ends_at == session.starts_at:
            # Sched lists a few demos with no length; the model needs one.
            session.ends_at = session.starts_at + ZERO_LENGTH_REPLACEMENT
            parsed.warnings.append(
                Problem(
                    session.where,
                    f"no duration given; shown as {ZERO_LENGTH_REPLACEMENT.seconds // 60} minutes",
                    session.source_id,
                )
            )
        elif session.ends_at < session.starts_at:
            problems.append(
                Problem(session.where, "the entry ends before it starts", session.source_id)
            )
        if len(session.title) > 300:
            session.title = session.title[:299] + "…"
        if len(session.source_id) > 200:
            problems.append(Problem(session.where, "the id is too long", session.source_id[:40]))
        for name in ("schedule_url", "video_url", "slides_url"):
            setattr(session, name, web_address(getattr(session, name)))
        session.room = session.room[:200]
        session.track = session.track[:100]
        session.guid, session.room_guid = guid(session.guid), guid(session.room_guid)
        session.language = session.language.strip()[:35]
        session.slug = session.slug[:300]
        session.themes = [theme[:100] for theme in session.themes if theme.strip()]
        for person in session.people:
            person.name = person.name[:200]
            person.company = person.company[:200]
            person.job_title = person.job_title[:200]
            person.guid = guid(person.guid)
    parsed.conference.schedule_url = web_address(parsed.conference.schedule_url)
    parsed.conference.venue = parsed.conference.venue[:200]
    if problems:
        raise ScheduleImportError(problems)
    return parsed


# A guid as frab writes it (and uuid.UUID prints it): a Sched UID of 32 bare hex
# digits is an id, not a guid.
GUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def guid(text: str) -> str:
    """The guid in its lowercase form, or "" when the text is none."""
    text = text.strip().lower()
    return text if GUID.fullmatch(text) else ""


def web_address(url: str) -> str:
    """An http(s) address that fits a URLField, or ""."""
    url = url.strip()
    return url[:500] if re.match(r"https?://", url) else ""


_SESSION_TEXTS = (
    *("source_id", "title", "room", "track", "abstract", "schedule_url", "guid", "room_guid"),
    *("language", "slug", "level", "editors_note", "video_url", "slides_url"),
)


def _drop_nul(parsed: ParsedSchedule) -> None:
    conference = parsed.conference
    for name in ("name", "acronym", "website_url", "description", "venue", "schedule_url"):
        setattr(conference, name, without_nul(getattr(conference, name)))
    parsed.skipped = [without_nul(title) for title in parsed.skipped]
    for session in parsed.sessions:
        # What no export could write back (control characters, carriage returns)
        # never comes in: an import of our own export then gives back the same text.
        for name in _SESSION_TEXTS:
            setattr(session, name, printable(getattr(session, name)))
        session.themes = [printable(theme) for theme in session.themes]
        for person in session.people:
            person.name = without_nul(person.name)
            person.company = without_nul(person.company)
            person.job_title = without_nul(person.job_title)
            person.guid = without_nul(person.guid)


def gather[T](entries: Iterable[T | Problem], options: ReadOptions, *, total: int = 0) -> list[T]:
    """The entries a parser could read, or ScheduleImportError with every problem at once.

    Each entry (anything with a `where`) counts against the time budget and the progress.
    """
    found: list[T] = []
    problems: list[Problem] = []
    for done, entry in enumerate(entries, start=1):
        (problems if isinstance(entry, Problem) else found).append(entry)
        options.limits.check_time(entry.where)
        if options.progress:
            options.progress(done, max(total, done))
    if problems:
        raise ScheduleImportError(problems)
    return found


def finish(
    fmt: str,
    conference: ParsedConference,
    sessions: list[ParsedSession],
    skipped: list[str] | None = None,
    warnings: list[Problem] | None = None,
) -> ParsedSchedule:
    """The validated schedule; a conference with no dates spans its sessions' days."""
    if sessions and not (conference.start_date and conference.end_date):
        tz = ZoneInfo(conference.time_zone or "UTC")
        conference.start_date = min(s.starts_at for s in sessions).astimezone(tz).date()
        conference.end_date = max(s.starts_at for s in sessions).astimezone(tz).date()
    return validate(
        ParsedSchedule(
            format=fmt,
            conference=conference,
            sessions=sessions,
            skipped=skipped or [],
            warnings=warnings or [],
        )
    )


def zone_warning(where: str, given: str) -> Problem:
    """The file names a time zone that does not exist; its floating times are read as UTC."""
    return Problem(
        where,
        f"“{shorten(given, 64)}” is not a known IANA time zone; times without a zone of "
        "their own are read as UTC (choose the event's zone when importing a new event)",
    )


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or refuse: guessing encodings corrupts names."""
    check_not_empty(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ScheduleImportError(
            [
                Problem(
                    f"line {line}",
                    "the file is not UTF-8 text; export it again as UTF-8",
                )
            ]
        ) from None
