"""What an import did, or would do: counts, and each session created, updated or cancelled.

apply.py fills an ImportReport as it matches the source's entries to the
event's sessions. Sessions are named by title, time, room and source id, so
two sessions with the same title are two lines. An update lists its field
changes: old → new for short fields, only "changed" for long text. The command
prints report.lines(); the admin keeps report.as_json() with the import and
renders the same groups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import dateformat

from sessions.importers.base import ParsedSchedule, Problem
from sessions.models import Company, Event, Room, Session, Speaker

# The source fields a change is reported for, in the order a reader checks them,
# with the words editors use. Start and end are reported together as the time.
FIELD_LABELS = {
    "title": "title",
    "time": "time",
    "room_id": "room",
    "status": "status",
    "format": "format",
    "track": "track",
    "schedule_url": "official link",
    "language": "language",
    "do_not_record": "do not record",
    "abstract": "abstract",
}
# Too long to quote in a report line: only that it changed is shown.
LONG_FIELDS = {"abstract"}
# Free text that may hold colons and arrows of its own: quoted.
QUOTED = {"title", "track"}
TIME_FIELDS = {"starts_at", "ends_at"}
EN_DASH = "\u2013"
# The command lists this many entries of a group unless asked for all of them (-v 2).
COMMAND_LIMIT = 50


@dataclass(frozen=True)
class FieldChange:
    field: str  # the editors' word: "time", "room", "official link"
    old: str | None = None  # both None: long text, shown only as changed
    new: str | None = None

    def __str__(self) -> str:
        if self.old is None and self.new is None:
            return f"{self.field}: changed"
        return f"{self.field}: {self._show(self.old)} → {self._show(self.new)}"

    def _show(self, value: str | None) -> str:
        if not value:
            return "—"
        return f"“{value}”" if self.field in QUOTED else value

    def as_json(self) -> dict:
        return {"field": self.field, "old": self.old, "new": self.new, "text": str(self)}


@dataclass
class SessionEntry:
    """One session in the report, named so that same-title sessions are told apart."""

    title: str
    when: str  # in the event's time zone: "Tue 6 May 10:00-10:45", with an en dash
    room: str
    source_id: str
    starts_at: dt.datetime
    moved: bool = False
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def place(self) -> str:
        where = ", ".join(part for part in (self.when, self.room) if part)
        return f"{where}; id {self.source_id}" if self.source_id else where

    def __str__(self) -> str:
        return f"{self.title} ({self.place})"

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "when": self.when,
            "room": self.room,
            "source_id": self.source_id,
            "place": self.place,
            "moved": self.moved,
            "changes": [change.as_json() for change in self.changes],
        }


@dataclass
class SpeakerEntry:
    """A known speaker whose blank company or job title the import fills in."""

    name: str
    changes: list[FieldChange]

    def __str__(self) -> str:
        return f"{self.name}: {'; '.join(str(change) for change in self.changes)}"

    def as_json(self) -> dict:
        return {"name": self.name, "changes": [change.as_json() for change in self.changes]}


@dataclass
class ImportReport:
    event: Event
    event_created: bool = False
    dry_run: bool = False
    # Titles, as before the entries below existed: counts and older callers use them.
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    unchanged: int = 0
    rooms_created: list[str] = field(default_factory=list)
    speakers_created: list[str] = field(default_factory=list)
    companies_created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Each session created, updated or cancelled, by its uid (one entry per session).
    entries: dict[str, tuple[str, SessionEntry]] = field(default_factory=dict)
    speakers_changed: list[SpeakerEntry] = field(default_factory=list)
    # How the file was read and why ("Sched iCalendar", "its PRODID … names Sched"),
    # and where the event's time zone came from, when the parser says.
    read_as: str = ""
    read_why: str = ""
    time_zone_source: str = ""
    # What the entries need to name things; filled by apply.py, never serialised.
    _before: dict[str, dict] = field(default_factory=dict, repr=False)
    _speakers_before: dict[int, tuple[int | None, str]] = field(default_factory=dict, repr=False)
    _rooms: Iterable[Room] = field(default=(), repr=False)
    _speakers: Iterable[Speaker] = field(default=(), repr=False)
    _companies: Iterable[Company] = field(default=(), repr=False)
    _names: dict[str, dict[int, str]] | None = field(default=None, repr=False)

    # --- Filled in by apply.py -------------------------------------------------

    def know(
        self,
        *,
        rooms: Iterable[Room],
        speakers: Iterable[Speaker] = (),
        companies: Iterable[Company] = (),
    ) -> None:
        """Where to look up room, speaker and company names by id (read only when needed)."""
        self._rooms, self._speakers, self._companies = rooms, speakers, companies
        self._names = None

    def read_from(self, parsed: ParsedSchedule) -> None:
        """What the parser found out about the file itself."""
        self.read_as, self.read_why = parsed.detected_as, parsed.detected_why
        # The file's zone and its source describe the event only if the event has that zone.
        if parsed.conference.time_zone == self.event.time_zone:
            self.time_zone_source = parsed.conference.time_zone_source

    def remember(self, sessions: Iterable[Session]) -> None:
        """The event's sessions' fields before the import changes them."""
        for session in sessions:
            self._before[str(session.uid)] = {
                field.attname: getattr(session, field.attname)
                for field in Session._meta.concrete_fields
            }

    def session_created(self, session: Session) -> None:
        self.created.append(session.title)
        self._add("created", session, self._entry(session))

    def session_updated(self, session: Session, changed: set[str], *, moved: bool) -> None:
        """`changed`: the names of the fields the source changed (before: remember())."""
        self.updated.append(session.title)
        if moved:
            self.moved.append(session.title)
        before = self._before.get(str(session.uid), {})
        self._add(
            "updated",
            session,
            self._entry(session, moved=moved, changes=self._changes(session, before, changed)),
        )

    def session_cancelled(self, session: Session) -> None:
        self.cancelled.append(session.title)
        old = self._before.get(str(session.uid), {}).get("status", "")
        changes = [FieldChange("status", _status(old), _status(session.status))]
        self._add("cancelled", session, self._entry(session, moved=True, changes=changes))

    def line_up_changed(
        self,
        session: Session,
        *,
        before: list[tuple[int, int | None]],
        after: list[tuple[Speaker, Company | None]],
    ) -> None:
        """An existing session's speakers (or the companies they speak for) changed."""
        change = FieldChange(
            "speakers",
            ", ".join(self._appearance(speaker, company) for speaker, company in before),
            ", ".join(_appearance_of(speaker, company) for speaker, company in after),
        )
        kind_entry = self.entries.get(str(session.uid))
        if kind_entry is not None:
            kind_entry[1].changes.append(change)
            return
        self.updated.append(session.title)
        self.unchanged -= 1
        self._add("updated", session, self._entry(session, changes=[change]))

    def remember_speakers(self, speakers: Iterable[Speaker]) -> None:
        """Known speakers' company and job title, before blanks are filled in."""
        self._speakers_before = {
            speaker.pk: (speaker.company_id, speaker.job_title) for speaker in speakers
        }

    def speakers_filled(self, speakers: Iterable[Speaker]) -> None:
        for speaker in speakers:
            company_id, job_title = self._speakers_before.get(speaker.pk, (None, ""))
            changes = []
            if company_id is None and speaker.company_id is not None:
                # Filled just now with the Company itself: no query.
                changes.append(FieldChange("company", "", speaker.company.name))
            if job_title != speaker.job_title:
                changes.append(FieldChange("job title", job_title, speaker.job_title))
            if changes:
                self.speakers_changed.append(SpeakerEntry(speaker.name, changes))

    # --- Read by the command and the admin ---------------------------------------

    def sessions(self, kind: str) -> list[SessionEntry]:
        """The "created", "updated" or "cancelled" entries, in programme order."""
        return sorted(
            (entry for entry_kind, entry in self.entries.values() if entry_kind == kind),
            key=lambda entry: (entry.starts_at, entry.room, entry.title, entry.source_id),
        )

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb} into “{self.event.name}”{' (new event)' if self.event_created else ''}: "
            f"{len(self.created)} sessions created, {len(self.updated)} updated "
            f"({len(self.moved)} moved), {len(self.cancelled)} cancelled, "
            f"{self.unchanged} unchanged; {len(self.rooms_created)} new rooms, "
            f"{len(self.speakers_created)} new speakers, "
            f"{len(self.companies_created)} new companies; "
            f"{len(self.skipped)} logistics entries left out."
        )

    def read_as_line(self) -> str:
        """The line "Read as: … (why); time zone: … (where from)"; "" if the parser did not say."""
        if not self.read_as:
            return ""
        why = f" ({self.read_why})" if self.read_why else ""
        if self.time_zone_source:
            source = f" ({self.time_zone_source})"
        else:
            source = "" if self.event_created else " (the event's own)"
        return f"Read as: {self.read_as}{why}; time zone: {self.event.time_zone}{source}"

    def lines(self, *, limit: int | None = COMMAND_LIMIT) -> list[str]:
        """The report as text, grouped by kind; each group cut after `limit` entries."""
        lines: list[str] = [self.read_as_line()] if self.read_as else []
        headings = headings_for(self.dry_run)

        def group(heading: str, items: list[list[str]], *, mark: str = "") -> None:
            """Each item: its line, then lines of detail (an update's field changes)."""
            if not items:
                return
            lines.append(f"{heading}:")
            shown = items if limit is None else items[:limit]
            for first, *details in shown:
                lines.append(f"  {mark}{first}")
                lines.extend(f"      {detail}" for detail in details)
            if len(items) > len(shown):
                lines.append(f"  … and {len(items) - len(shown)} more (-v 2 lists them all)")

        def names(heading: str, items: list) -> None:
            group(f"{heading} ({len(items)})", [[str(item)] for item in items])

        created, updated, cancelled = (
            self.sessions(kind) for kind in ("created", "updated", "cancelled")
        )
        group(
            f"{headings['created']} ({len(created)})",
            [[str(entry)] for entry in created],
            mark="+ ",
        )
        group(
            f"{headings['updated']} ({len(updated)}, of which {len(self.moved)} move)",
            [[str(entry), *map(str, entry.changes)] for entry in updated],
            mark="~ ",
        )
        group(
            f"{headings['cancelled']} ({len(cancelled)})",
            [[str(entry)] for entry in cancelled],
            mark="- ",
        )
        if self.unchanged:
            lines.append(f"{headings['unchanged']}: {self.unchanged}")
        names("New rooms", self.rooms_created)
        names("New speakers", self.speakers_created)
        names(headings["speakers_changed"], self.speakers_changed)
        names("New companies", self.companies_created)
        names("Left out as logistics", self.skipped)
        return lines

    def as_json(self) -> dict:
        """What the admin shows of the report, kept with the import between its steps."""
        event = self.event
        return {
            "summary": self.summary(),
            "dry_run": self.dry_run,
            "event_created": self.event_created,
            "event": {
                # A dry run's new event was never saved: it has no id to link to.
                "pk": None if self.dry_run and self.event_created else event.pk,
                "name": event.name,
                "start_date": event.start_date.isoformat(),
                "end_date": event.end_date.isoformat(),
                "time_zone": event.time_zone,
                "is_published": event.is_published,
            },
            "created": self.created,
            "updated": self.updated,
            "moved": self.moved,
            "cancelled": self.cancelled,
            "unchanged": self.unchanged,
            "rooms_created": self.rooms_created,
            "speakers_created": self.speakers_created,
            "companies_created": self.companies_created,
            "skipped": self.skipped,
            "warnings": [str(warning) for warning in self.warnings],
            "sessions": {
                kind: [entry.as_json() for entry in self.sessions(kind)]
                for kind in ("created", "updated", "cancelled")
            },
            "speakers_changed": [entry.as_json() for entry in self.speakers_changed],
            "read_as": self.read_as_line(),
        }

    # --- Helpers ------------------------------------------------------------------

    def _add(self, kind: str, session: Session, entry: SessionEntry) -> None:
        self.entries[str(session.uid)] = (kind, entry)

    def _entry(
        self, session: Session, *, moved: bool = False, changes: list[FieldChange] | None = None
    ) -> SessionEntry:
        return SessionEntry(
            title=session.title,
            when=_when(session.starts_at, session.ends_at, self.event.tz),
            room=self._name("rooms", session.room_id),
            source_id=session.source_id,
            starts_at=session.starts_at,
            moved=moved,
            changes=changes or [],
        )

    def _changes(self, session: Session, before: dict, changed: set[str]) -> list[FieldChange]:
        """The changed fields in the order editors read them; a field the report has no
        word for (one the source gained since) last, under its own name."""
        changes = []
        others = sorted(changed - TIME_FIELDS - FIELD_LABELS.keys())
        for name in [*FIELD_LABELS, *others]:
            if name == "time":
                if changed & TIME_FIELDS and "starts_at" in before:
                    old = _when(before["starts_at"], before["ends_at"], self.event.tz)
                    new = _when(session.starts_at, session.ends_at, self.event.tz)
                    changes.append(FieldChange("time", old, new))
                continue
            if name not in changed:
                continue
            label = FIELD_LABELS.get(name, name.removesuffix("_id").replace("_", " "))
            if name in LONG_FIELDS or name not in before:
                changes.append(FieldChange(label))
                continue
            old, new = before[name], getattr(session, name)
            if name == "room_id":
                old, new = self._name("rooms", old), self._name("rooms", new)
            elif name == "status":
                old, new = _status(old), _status(new)
            elif name == "format":
                old, new = _format(old), _format(new)
            changes.append(FieldChange(label, _text(old), _text(new)))
        return changes

    def _name(self, kind: str, pk: int | None) -> str:
        if pk is None:
            return ""
        if self._names is None:
            self._names = {
                "rooms": {room.pk: room.name for room in self._rooms},
                "speakers": {speaker.pk: speaker.name for speaker in self._speakers},
                "companies": {company.pk: company.name for company in self._companies},
            }
        return self._names[kind].get(pk, f"#{pk}")

    def _appearance(self, speaker_id: int, company_id: int | None) -> str:
        name = self._name("speakers", speaker_id)
        return f"{name} ({self._name('companies', company_id)})" if company_id else name


def _appearance_of(speaker: Speaker, company: Company | None) -> str:
    return f"{speaker.name} ({company.name})" if company else speaker.name


def headings_for(dry_run: bool) -> dict[str, str]:
    """How the report's groups are headed: what a dry run would do, or what was done."""
    if dry_run:
        return {
            "created": "Sessions to create",
            "updated": "Sessions to update",
            "cancelled": "Sessions to cancel",
            "unchanged": "Sessions left alone",
            "speakers_changed": "Speakers to fill in",
        }
    return {
        "created": "Sessions created",
        "updated": "Sessions updated",
        "cancelled": "Sessions cancelled",
        "unchanged": "Sessions left alone",
        "speakers_changed": "Speakers filled in",
    }


def _when(starts_at: dt.datetime, ends_at: dt.datetime, tz: ZoneInfo) -> str:
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    end_format = "H:i" if start.date() == end.date() else "D j M H:i"
    return f"{dateformat.format(start, 'D j M H:i')}{EN_DASH}{dateformat.format(end, end_format)}"


def _text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _status(value: str) -> str:
    return Session.Status(value).label.lower() if value in Session.Status else value


def _format(value: str) -> str:
    return Session.Format(value).label if value in Session.Format else value
