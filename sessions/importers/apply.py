"""Apply a parsed schedule to the guide in one transaction.

Sessions are matched by the guid a guide published for them (Session.uid, so
our own export finds its own sessions), then by the source's stable id
(Session.source_id; for Sched, the UID): changed ones are updated in place,
moved ones raise their calendar SEQUENCE, new ones are created, and those the
source no longer lists are cancelled, never deleted (attendees saved them).
What editors added (themes, notes, picks, level, slugs, video and slide links)
is never touched; a new session takes them from a file that carries them (a
guide's own export). Last, the editors' theme rules theme the sessions as they
now read (sessions.theming). Rooms are matched by guid, then by normalised name;
speakers by guid, then by name across events; companies by normalised name
without legal suffixes. Everything is read up front and written with bulk
operations, so the number of queries does not grow with the number of sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone

from sessions import content, theming
from sessions.days import conference_day
from sessions.importers.base import (
    ImportLimits,
    ParsedPerson,
    ParsedSchedule,
    ParsedSession,
    Problem,
    Progress,
    ScheduleImportError,
    normalize_company,
    normalize_name,
)
from sessions.importers.people import person_key
from sessions.importers.report import ImportReport
from sessions.importers.zones import HOW_TO_CHOOSE
from sessions.models import (
    Company,
    Event,
    Room,
    ScheduleChange,
    Session,
    SessionSpeaker,
    Speaker,
    Theme,
    one_kind_of_line_break,
)
from sessions.services import (
    ScheduleSlot,
    record_schedule_changes,
    schedule_changes,
    unique_slug,
)

# Fields the organisers own: a re-import overwrites them.
SOURCE_FIELDS = (
    "title",
    "abstract",
    "format",
    "starts_at",
    "ends_at",
    "room_id",
    "track",
    "schedule_url",
    "language",
    "do_not_record",
    "status",
)

# Where a time budget spent while applying stops the import.
APPLYING = "saving the schedule"
# A change to one of these moves the session in attendees' calendars.
MOVING_FIELDS = {"starts_at", "ends_at", "room_id", "status"}
# A session's speakers as the source lists them, each with the company they speak for.
LineUp = list[tuple[Speaker, Company | None]]


class _DryRunRollback(Exception):
    pass


def apply_schedule(
    *,
    parsed: ParsedSchedule,
    event_slug: str,
    publish: bool = False,
    dry_run: bool = False,
    time_zone: str = "",
    progress: Progress | None = None,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Write the schedule, or with dry_run=True compute the same report and write nothing.

    Within the time budget of `limits` (the one its parsing started), or nothing
    is written; `progress(done, total)` follows the sessions.
    """
    limits = limits or ImportLimits.from_settings()
    try:
        # One transaction, and at most one bump of the event's content version for it all.
        with content.batch():
            report = _apply(
                parsed=parsed,
                event_slug=event_slug,
                publish=publish,
                time_zone=time_zone,
                progress=progress,
                limits=limits,
            )
            if report.created or report.updated or report.cancelled or report.rooms_created:
                # A re-import that changes nothing moves no version: apps would
                # re-fetch, and pretalx-downstream release, an unchanged schedule.
                content.programme_changed([report.event.pk])
            report.dry_run = dry_run
            if dry_run:
                raise _DryRunRollback(report)
    except _DryRunRollback as rollback:
        return rollback.args[0]
    except DatabaseError as error:
        raise ScheduleImportError(
            [Problem("database", f"the schedule could not be saved ({error})")]
        ) from None
    return report


def _apply(
    *,
    parsed: ParsedSchedule,
    event_slug: str,
    publish: bool,
    time_zone: str,
    progress: Progress | None,
    limits: ImportLimits,
) -> ImportReport:
    def step(done: int, total: int) -> None:
        limits.check_time(APPLYING)
        if progress:
            progress(done, total)

    warnings = list(parsed.warnings)
    limits.check_time(APPLYING)
    event, event_created = _event(parsed, event_slug, publish, time_zone, warnings)
    report = ImportReport(
        event=event, event_created=event_created, skipped=parsed.skipped, warnings=warnings
    )
    report.read_from(parsed)
    now = timezone.now()
    rooms = _create_rooms(event, parsed, report)
    directory = _Directory.load()
    limits.check_time(APPLYING)
    _create_companies(parsed, directory, report)
    _create_and_fill_speakers(parsed, directory, report)
    report.know(
        rooms=rooms.values(),
        speakers=directory.speakers.values(),
        companies=directory.companies.values(),
    )
    limits.check_time(APPLYING)
    changes = _match_sessions(event, parsed, rooms, directory, report, now, step)
    _cancel_missing(changes, report, now)
    _save_sessions(changes)
    _link_themes(changes)
    limits.check_time(APPLYING)
    _sync_appearances(event, changes, report)
    _apply_theme_rules(event)
    return report


def _event(
    parsed: ParsedSchedule, slug: str, publish: bool, time_zone: str, report_warnings: list
) -> tuple[Event, bool]:
    """The event to import into, created from the file's conference data if need be."""
    event = Event.objects.filter(slug=slug).first()
    created = event is None
    if created:
        event = _new_event(parsed, slug, publish, time_zone)
    elif publish and not event.is_published:
        event.is_published = True
        event.save(update_fields=["is_published", "updated_at"])
    if _widen_dates(event, parsed) and not created:
        report_warnings.append(
            Problem(
                "event",
                f"the dates were widened to {event.start_date} to {event.end_date} "
                "to hold every session",
            )
        )
    return event, created


def _new_event(parsed: ParsedSchedule, slug: str, publish: bool, time_zone: str) -> Event:
    conference = parsed.conference
    if not (conference.start_date and conference.end_date):
        raise ScheduleImportError(
            f"There is no event “{slug}”, and the file does not say when its conference "
            "takes place; create the event first or import a file with sessions."
        )
    if not (time_zone or conference.time_zone):
        # Times would show shifted in a zone nobody chose: ask (sessions.importers.zones).
        raise ScheduleImportError(
            conference.time_zone_question
            or f"The file names no time zone; {HOW_TO_CHOOSE} for the new event “{slug}”."
        )
    event = Event(
        slug=slug,
        name=(conference.name or slug)[:200],
        start_date=conference.start_date,
        end_date=max(conference.end_date, conference.start_date),
        time_zone=time_zone or conference.time_zone,
        website_url=conference.website_url[:500],
        description=conference.description,
        venue=conference.venue,
        is_virtual=conference.is_virtual,
        schedule_url=conference.schedule_url,
        is_published=publish,
    )
    try:
        event.full_clean()
    except ValidationError as error:
        problems = [
            Problem(f"event {name}", " ".join(messages))
            for name, messages in error.message_dict.items()
        ]
        raise ScheduleImportError(problems) from None
    event.save()
    return event


def _widen_dates(event: Event, parsed: ParsedSchedule) -> bool:
    """Sessions must fall on the event's days: widen the dates rather than refuse.

    Returns whether the dates changed.
    """
    if not parsed.sessions:
        return False
    days = [conference_day(s.starts_at, event.tz) for s in parsed.sessions]
    first, last = min(days), max(days)
    if event.start_date <= first and last <= event.end_date:
        return False
    event.start_date = min(first, event.start_date)
    event.end_date = max(last, event.end_date)
    event.save(update_fields=["start_date", "end_date", "updated_at"])
    return True


def _create_rooms(event: Event, parsed: ParsedSchedule, report: ImportReport) -> dict[str, Room]:
    """The event's rooms by guid and by normalised name, with the ones the source adds created.

    A room the file names by a guid the event knows is that room, whatever its
    name; a new room keeps the file's guid.
    """
    rooms: dict[str, Room] = {}
    for room in Room.objects.filter(event=event):
        rooms[str(room.guid)] = room
        rooms.setdefault(normalize_name(room.name), room)
    next_order = max((room.order for room in rooms.values()), default=0) + 1
    new_rooms = []
    for name, guid in sorted({(s.room, s.room_guid) for s in parsed.sessions if s.room}):
        key = normalize_name(name)
        if not key or guid in rooms or (key in rooms and not guid):
            continue
        if key in rooms:  # a new guid for a name the event has: the file's rooms differ
            rooms[guid] = rooms[key]
            continue
        rooms[key] = Room(event=event, name=name, order=next_order)
        if guid:
            rooms[guid] = rooms[key]
            rooms[key].guid = guid
        next_order += 1
        new_rooms.append(rooms[key])
    Room.objects.bulk_create(new_rooms)
    report.rooms_created = [room.name for room in new_rooms]
    return rooms


@dataclass
class _Directory:
    """Companies and speakers, which every event shares, by normalised name; their slugs.

    Speakers also by guid: a file that names people by guid (a guide's export)
    finds them by it, so two speakers of one name stay two.
    """

    companies: dict[str, Company]
    company_slugs: set[str]
    speakers: dict[str, Speaker]
    speaker_slugs: set[str]
    speakers_by_guid: dict[str, Speaker] = field(default_factory=dict)
    # The person guids of the file being imported, and the guid each speaker
    # found by name stands for in it.
    file_guids: set[str] = field(default_factory=set)
    standing_for: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Directory:
        directory = cls({}, set(), {}, set())
        for company in Company.objects.only("id", "name", "slug"):
            directory.companies.setdefault(normalize_company(company.name), company)
            directory.company_slugs.add(company.slug)
        for speaker in Speaker.objects.only(
            "id", "guid", "name", "slug", "company_id", "job_title"
        ):
            directory.speakers.setdefault(person_key(speaker.name), speaker)
            directory.speakers_by_guid[str(speaker.guid)] = speaker
            directory.speaker_slugs.add(speaker.slug)
        return directory

    def company(self, person: ParsedPerson) -> Company | None:
        return self.companies.get(normalize_company(person.company))

    def speaker(self, person: ParsedPerson) -> Speaker | None:
        """The speaker a person of the file is: the one of its guid, else the one of its name.

        A person with a guid takes the speaker of their name only if no other
        person of the file is that speaker by guid or took them first.
        """
        if person.guid in self.speakers_by_guid:
            return self.speakers_by_guid[person.guid]
        speaker = self.speakers.get(person_key(person.name))
        if speaker is None or not person.guid:
            return speaker
        if str(speaker.guid) in self.file_guids or id(speaker) in self.standing_for:
            return None
        self.standing_for[id(speaker)] = person.guid
        self.speakers_by_guid[person.guid] = speaker
        return speaker

    def add(self, speaker: Speaker, person: ParsedPerson) -> None:
        self.speakers.setdefault(person_key(person.name), speaker)
        self.speakers_by_guid[str(speaker.guid)] = speaker


def _people(parsed: ParsedSchedule) -> Iterator[ParsedPerson]:
    for session in parsed.sessions:
        yield from session.people


def _create_companies(parsed: ParsedSchedule, directory: _Directory, report: ImportReport) -> None:
    new_companies: list[Company] = []
    for person in _people(parsed):
        key = normalize_company(person.company)
        if key and key not in directory.companies:
            directory.companies[key] = Company(
                name=person.company,
                slug=unique_slug(
                    person.company, directory.company_slugs, fallback="company", max_length=200
                ),
            )
            new_companies.append(directory.companies[key])
    Company.objects.bulk_create(new_companies)
    report.companies_created = [company.name for company in new_companies]


def _create_and_fill_speakers(
    parsed: ParsedSchedule, directory: _Directory, report: ImportReport
) -> None:
    """Create the speakers not known yet; fill in known ones' blank company and job title."""
    new_speakers: list[Speaker] = []
    filled_speakers: dict[int, Speaker] = {}
    report.remember_speakers(directory.speakers.values())
    directory.file_guids = {person.guid for person in _people(parsed) if person.guid}
    for person in _people(parsed):
        key = person_key(person.name)
        if not key:
            continue
        company = directory.company(person)
        speaker = directory.speaker(person)
        if speaker is None:
            speaker = Speaker(
                name=person.name,
                slug=unique_slug(
                    person.name, directory.speaker_slugs, fallback="speaker", max_length=200
                ),
                company=company,
                job_title=person.job_title,
            )
            if person.guid:
                speaker.guid = person.guid
            directory.add(speaker, person)
            new_speakers.append(speaker)
        elif _fill_blanks(speaker, company, person.job_title) and speaker.pk:
            filled_speakers[speaker.pk] = speaker
    Speaker.objects.bulk_create(new_speakers)
    Speaker.objects.bulk_update(list(filled_speakers.values()), ["company", "job_title"])
    # A speaker's filled-in company shows on every event they speak at.
    content.programme_changed(content.events_showing_speakers(filled_speakers))
    report.speakers_filled(filled_speakers.values())
    report.speakers_created = [speaker.name for speaker in new_speakers]


def _fill_blanks(speaker: Speaker, company: Company | None, job_title: str) -> bool:
    """Fill what is blank; never overwrite what editors wrote. Returns whether it filled any."""
    fill_company = speaker.company_id is None and company is not None
    if not (fill_company or (not speaker.job_title and job_title)):
        return False
    if fill_company:
        speaker.company = company
    speaker.job_title = speaker.job_title or job_title
    return True


@dataclass
class _SessionChanges:
    existing: dict[str, Session]  # the event's sessions from a source, by source id
    by_uid: dict[str, Session]  # every session of the event, by its guid
    to_create: list[Session] = field(default_factory=list)
    to_update: list[Session] = field(default_factory=list)
    cancelled: list[Session] = field(default_factory=list)
    # Each entry's session, with the speakers the source lists and its themes
    # (given to new sessions only).
    line_ups: list[tuple[Session, LineUp]] = field(default_factory=list)
    themes: list[tuple[Session, list[str]]] = field(default_factory=list)
    matched: set[int] = field(default_factory=set)  # ids of existing sessions the source lists
    # What attendees are told: moves, new rooms, cancellations (sessions.services).
    room_names: dict[int, str] = field(default_factory=dict)
    schedule_log: list[ScheduleChange] = field(default_factory=list)


def _match_sessions(
    event: Event,
    parsed: ParsedSchedule,
    rooms: dict[str, Room],
    directory: _Directory,
    report: ImportReport,
    now: dt.datetime,
    progress: Progress | None,
) -> _SessionChanges:
    """Match each source entry to the event's session by guid, then by source id:
    new, changed or not."""
    sessions = list(Session.objects.filter(event=event))
    changes = _SessionChanges(
        existing={session.source_id: session for session in sessions if session.source_id},
        by_uid={str(session.uid): session for session in sessions},
        room_names={room.pk: room.name for room in rooms.values()},
    )
    report.remember(sessions)  # matched by guid or by source id: both show old -> new
    session_slugs = {session.slug for session in sessions}
    total = len(parsed.sessions)
    for number, item in enumerate(parsed.sessions, start=1):
        values = _source_values(item, rooms)
        session = _existing_session(item, changes)
        if session is None:
            session = _new_session(event, item, values, session_slugs, changes.by_uid)
            changes.to_create.append(session)
            changes.themes.append((session, item.themes))
            report.session_created(session)
        elif changed := _update_session(session, values, now, changes):
            changes.to_update.append(session)
            report.session_updated(session, changed, moved=bool(changed & MOVING_FIELDS))
        else:
            report.unchanged += 1
        if item.fields_given is None or "speakers" in item.fields_given:
            changes.line_ups.append((session, _line_up(item, directory)))
        if progress:
            progress(number, total)
    return changes


def _existing_session(item: ParsedSession, changes: _SessionChanges) -> Session | None:
    """The event's session the entry is: by its guid, else by its source id; each once."""
    for session in (changes.by_uid.get(item.guid), changes.existing.get(item.source_id)):
        if session is not None and session.pk not in changes.matched:
            changes.matched.add(session.pk)
            return session
    return None


def _source_values(item: ParsedSession, rooms: dict[str, Room]) -> dict:
    """The fields the organisers own, as the source gives them."""
    room = None
    if item.room:
        room = rooms.get(item.room_guid) or rooms.get(normalize_name(item.room))
    values = {
        "title": item.title,
        # Line breaks as the admin's form stores them, so neither side shows a change.
        "abstract": one_kind_of_line_break(item.abstract),
        "format": item.format,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "room_id": room.pk if room else None,
        "track": item.track,
        "schedule_url": item.schedule_url,
        "language": item.language,
        "do_not_record": item.do_not_record,
    }
    if item.fields_given is None:
        return values
    # A file that gives fewer fields (a guide's calendar) leaves the others as they are.
    return {name: value for name, value in values.items() if name in item.fields_given}


def _new_session(
    event: Event, item: ParsedSession, values: dict, slugs: set[str], uids: dict[str, Session]
) -> Session:
    """A session of the source's values, and of the editors' work a guide's export carries."""
    session = Session(
        event=event,
        source_id=item.source_id,
        slug=unique_slug(item.slug or item.title, slugs, fallback="session", max_length=300),
        status=Session.Status.PUBLISHED,
        level=item.level if item.level in Session.Level.values else Session.Level.ANY,
        editors_note=item.editors_note,
        is_editors_pick=item.is_editors_pick,
        video_url=item.video_url,
        slides_url=item.slides_url,
        **values,
    )
    if item.guid and item.guid not in uids:
        # Its guid elsewhere: calendars that know the session there know it here.
        session.uid = item.guid
    uids[str(session.uid)] = session
    return session


def _slot(session: Session, changes: _SessionChanges) -> ScheduleSlot:
    room = changes.room_names.get(session.room_id, "") if session.room_id else ""
    return ScheduleSlot(session.starts_at, session.ends_at, room, session.status)


def _update_session(
    session: Session, values: dict, now: dt.datetime, changes: _SessionChanges
) -> set[str]:
    """Set what the source changed, and return the names; a move raises the SEQUENCE."""
    if session.status == Session.Status.CANCELLED:
        values = values | {"status": Session.Status.PUBLISHED}  # back in the programme
    changed = {name for name, value in values.items() if getattr(session, name) != value}
    if not changed:
        return changed
    before = _slot(session, changes)
    for name in changed:
        setattr(session, name, values[name])
    if changed & MOVING_FIELDS:
        session.sequence += 1
        session.schedule_changed_at = now
        changes.schedule_log += schedule_changes(
            session_id=session.pk, before=before, after=_slot(session, changes), at=now
        )
    session.updated_at = now
    return changed


def _line_up(item: ParsedSession, directory: _Directory) -> LineUp:
    """The entry's speakers in the source's order, each once."""
    people: LineUp = []
    seen: set[int] = set()
    for person in item.people:
        speaker = directory.speaker(person) if person_key(person.name) else None
        if speaker is None or id(speaker) in seen:
            continue
        seen.add(id(speaker))
        people.append((speaker, directory.company(person)))
    return people


def _cancel_missing(changes: _SessionChanges, report: ImportReport, now: dt.datetime) -> None:
    """Cancel, never delete, the sessions the source no longer lists."""
    for session in changes.existing.values():
        if session.pk in changes.matched or session.status == Session.Status.CANCELLED:
            continue
        before = _slot(session, changes)
        session.status = Session.Status.CANCELLED
        changes.schedule_log += schedule_changes(
            session_id=session.pk, before=before, after=_slot(session, changes), at=now
        )
        session.sequence += 1
        session.schedule_changed_at = now
        session.updated_at = now
        changes.cancelled.append(session)
        report.session_cancelled(session)


def _save_sessions(changes: _SessionChanges) -> None:
    Session.objects.bulk_create(changes.to_create)
    Session.objects.bulk_update(
        changes.to_update + changes.cancelled,
        [
            *(f.removesuffix("_id") for f in SOURCE_FIELDS),
            "sequence",
            "schedule_changed_at",
            "updated_at",
        ],
        batch_size=500,
    )
    record_schedule_changes(changes=changes.schedule_log)


def _link_themes(changes: _SessionChanges) -> None:
    """Give new sessions the themes the file names (a guide's export): themes the
    guide has by name, others created."""
    wanted = {name for _, names in changes.themes for name in names}
    if not wanted:
        return
    themes = {theme.name: theme for theme in Theme.objects.filter(name__in=wanted)}
    slugs = set(Theme.objects.values_list("slug", flat=True))
    missing = [
        Theme(name=name, slug=unique_slug(name, slugs, fallback="theme", max_length=100))
        for name in sorted(wanted - set(themes))
    ]
    themes |= {theme.name: theme for theme in Theme.objects.bulk_create(missing)}
    Session.themes.through.objects.bulk_create(
        [
            Session.themes.through(session_id=session.pk, theme_id=themes[name].pk)
            for session, names in changes.themes
            for name in dict.fromkeys(names)
        ]
    )


def _sync_appearances(event: Event, changes: _SessionChanges, report: ImportReport) -> None:
    """Make each session's speakers match the source, in the source's order."""
    current = _current_line_ups(event)
    stale: list[int] = []
    fresh: list[SessionSpeaker] = []
    for session, people in changes.line_ups:
        wanted = [(speaker.pk, company.pk if company else None) for speaker, company in people]
        if current.get(session.pk, []) == wanted:
            continue
        if session.pk in current:
            stale.append(session.pk)
        if session.pk in changes.matched:
            report.line_up_changed(session, before=current.get(session.pk, []), after=people)
        fresh += [
            SessionSpeaker(session=session, speaker_id=speaker, company_id=company, order=order)
            for order, (speaker, company) in enumerate(wanted)
        ]
    SessionSpeaker.objects.filter(session_id__in=stale).delete()
    SessionSpeaker.objects.bulk_create(fresh)


def _apply_theme_rules(event: Event) -> None:
    """Let the editors' theme rules theme the event's sessions as they now read.

    After the speakers, whose companies rules match; hand-set themes stay
    (sessions.theming). Its own bump of the version joins the import's one.
    """
    theming.apply_rules(event_ids=[event.pk])


def _current_line_ups(event: Event) -> dict[int, list[tuple[int, int | None]]]:
    """(speaker id, company id) of each session's appearances, by session id, in order."""
    current: dict[int, list[tuple[int, int | None]]] = {}
    for appearance in SessionSpeaker.objects.filter(session__event=event).order_by(
        "session_id", "order", "pk"
    ):
        current.setdefault(appearance.session_id, []).append(
            (appearance.speaker_id, appearance.company_id)
        )
    return current
