"""Apply a parsed schedule to the guide in one transaction.

Sessions are matched by the source's stable id (Session.source_id): changed
ones are updated in place, moved ones raise their calendar SEQUENCE, new ones
are created, and those the source no longer lists are cancelled, never
deleted (attendees saved them). What editors added (themes, notes, picks,
slugs, video and slide links) is never touched. Speakers are matched by
normalised name across events, companies by normalised name without legal
suffixes. Everything is read up front and written with bulk operations, so
the number of queries does not grow with the number of sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.text import slugify

from sessions import content
from sessions.days import conference_day
from sessions.importers.base import (
    ParsedSchedule,
    Problem,
    ScheduleImportError,
    normalize_company,
    normalize_name,
)
from sessions.models import Company, Event, Room, Session, SessionSpeaker, Speaker

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
    "status",
)

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    event: Event
    event_created: bool = False
    dry_run: bool = False
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
) -> ImportReport:
    """Write the schedule, or with dry_run=True compute the same report and write nothing."""
    try:
        # One transaction, and one bump of the event's content version for it all.
        with content.batch():
            report = _apply(
                parsed=parsed,
                event_slug=event_slug,
                publish=publish,
                time_zone=time_zone,
                progress=progress,
            )
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


def _unique_slug(base: str, taken: set[str], *, fallback: str, max_length: int) -> str:
    stem = (slugify(base) or fallback)[: max_length - 6].strip("-") or fallback
    slug, number = stem, 2
    while slug in taken:
        slug, number = f"{stem}-{number}", number + 1
    taken.add(slug)
    return slug


def _event(
    parsed: ParsedSchedule, slug: str, publish: bool, time_zone: str, report_warnings: list
) -> tuple[Event, bool]:
    event = Event.objects.filter(slug=slug).first()
    conference = parsed.conference
    if event is None:
        if not (conference.start_date and conference.end_date):
            raise ScheduleImportError(
                f"There is no event “{slug}”, and the file does not say when its conference "
                "takes place; create the event first or import a file with sessions."
            )
        zone = time_zone or conference.time_zone or "UTC"
        event = Event(
            slug=slug,
            name=(conference.name or slug)[:200],
            start_date=conference.start_date,
            end_date=max(conference.end_date, conference.start_date),
            time_zone=zone,
            website_url=conference.website_url[:500],
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
        created = True
    else:
        created = False
        if publish and not event.is_published:
            event.is_published = True
            event.save(update_fields=["is_published", "updated_at"])
    # Sessions must fall on the event's days; widen the dates rather than refuse.
    if parsed.sessions:
        days = [conference_day(s.starts_at, event.tz) for s in parsed.sessions]
        first, last = min(days), max(days)
        if first < event.start_date or last > event.end_date:
            event.start_date = min(first, event.start_date)
            event.end_date = max(last, event.end_date)
            event.save(update_fields=["start_date", "end_date", "updated_at"])
            if not created:
                report_warnings.append(
                    Problem(
                        "event",
                        f"the dates were widened to {event.start_date} to {event.end_date} "
                        "to hold every session",
                    )
                )
    return event, created


def _apply(
    *,
    parsed: ParsedSchedule,
    event_slug: str,
    publish: bool,
    time_zone: str,
    progress: Progress | None,
) -> ImportReport:
    warnings = list(parsed.warnings)
    event, event_created = _event(parsed, event_slug, publish, time_zone, warnings)
    report = ImportReport(
        event=event, event_created=event_created, skipped=parsed.skipped, warnings=warnings
    )
    now = timezone.now()

    # Rooms, by normalised name within the event.
    rooms = {normalize_name(room.name): room for room in Room.objects.filter(event=event)}
    next_order = max((room.order for room in rooms.values()), default=0) + 1
    new_rooms = []
    for name in parsed.rooms:
        key = normalize_name(name)
        if key and key not in rooms:
            rooms[key] = Room(event=event, name=name, order=next_order)
            next_order += 1
            new_rooms.append(rooms[key])
    Room.objects.bulk_create(new_rooms)
    report.rooms_created = [room.name for room in new_rooms]

    # Companies and speakers are shared by every event.
    companies: dict[str, Company] = {}
    company_slugs: set[str] = set()
    for company in Company.objects.only("id", "name", "slug"):
        companies.setdefault(normalize_company(company.name), company)
        company_slugs.add(company.slug)
    speakers: dict[str, Speaker] = {}
    speaker_slugs: set[str] = set()
    for speaker in Speaker.objects.only("id", "name", "slug", "company_id", "job_title"):
        speakers.setdefault(normalize_name(speaker.name), speaker)
        speaker_slugs.add(speaker.slug)

    new_companies: list[Company] = []
    for session in parsed.sessions:
        for person in session.people:
            key = normalize_company(person.company)
            if key and key not in companies:
                companies[key] = Company(
                    name=person.company,
                    slug=_unique_slug(
                        person.company, company_slugs, fallback="company", max_length=200
                    ),
                )
                new_companies.append(companies[key])
    Company.objects.bulk_create(new_companies)
    report.companies_created = [company.name for company in new_companies]

    new_speakers: list[Speaker] = []
    filled_speakers: dict[int, Speaker] = {}
    for session in parsed.sessions:
        for person in session.people:
            key = normalize_name(person.name)
            if not key:
                continue
            company = companies.get(normalize_company(person.company))
            speaker = speakers.get(key)
            if speaker is None:
                speaker = Speaker(
                    name=person.name,
                    slug=_unique_slug(
                        person.name, speaker_slugs, fallback="speaker", max_length=200
                    ),
                    company=company,
                    job_title=person.job_title,
                )
                speakers[key] = speaker
                new_speakers.append(speaker)
            elif (speaker.company_id is None and company is not None) or (
                not speaker.job_title and person.job_title
            ):
                # Fill what is blank; never overwrite what editors wrote.
                if speaker.company_id is None and company is not None:
                    speaker.company = company
                speaker.job_title = speaker.job_title or person.job_title
                if speaker.pk:
                    filled_speakers[speaker.pk] = speaker
    Speaker.objects.bulk_create(new_speakers)
    Speaker.objects.bulk_update(list(filled_speakers.values()), ["company", "job_title"])
    # A speaker's filled-in company shows on every event they speak at.
    content.programme_changed(content.events_showing_speakers(filled_speakers))
    report.speakers_created = [speaker.name for speaker in new_speakers]

    # Sessions, by source id within the event.
    existing = {
        session.source_id: session
        for session in Session.objects.filter(event=event).exclude(source_id="")
    }
    session_slugs = set(Session.objects.filter(event=event).values_list("slug", flat=True))
    to_create: list[Session] = []
    to_update: list[Session] = []
    wanted_people: dict[str, list[tuple[int, int | None]]] = {}
    total = len(parsed.sessions)
    for number, item in enumerate(parsed.sessions, start=1):
        room = rooms.get(normalize_name(item.room)) if item.room else None
        values = {
            "title": item.title,
            "abstract": item.abstract,
            "format": item.format,
            "starts_at": item.starts_at,
            "ends_at": item.ends_at,
            "room_id": room.pk if room else None,
            "track": item.track,
            "schedule_url": item.schedule_url,
        }
        session = existing.get(item.source_id)
        if session is None:
            session = Session(
                event=event,
                source_id=item.source_id,
                slug=_unique_slug(item.title, session_slugs, fallback="session", max_length=300),
                status=Session.Status.PUBLISHED,
                **values,
            )
            to_create.append(session)
            report.created.append(item.title)
        else:
            if session.status == Session.Status.CANCELLED:
                values["status"] = Session.Status.PUBLISHED  # back in the programme
            changed = {name for name, value in values.items() if getattr(session, name) != value}
            if changed:
                for name in changed:
                    setattr(session, name, values[name])
                if changed & {"starts_at", "ends_at", "room_id", "status"}:
                    session.sequence += 1
                    session.schedule_changed_at = now
                    report.moved.append(item.title)
                session.updated_at = now
                to_update.append(session)
                report.updated.append(item.title)
            else:
                report.unchanged += 1
        people: list[tuple[int, int | None]] = []
        seen: set[int] = set()
        for person in item.people:
            speaker = speakers.get(normalize_name(person.name))
            if speaker is None or id(speaker) in seen:
                continue
            seen.add(id(speaker))
            company = companies.get(normalize_company(person.company))
            people.append((speaker, company))
        wanted_people[item.source_id] = people
        if progress:
            progress(number, total)

    gone = [
        session
        for source_id, session in existing.items()
        if source_id not in wanted_people and session.status != Session.Status.CANCELLED
    ]
    for session in gone:
        session.status = Session.Status.CANCELLED
        session.sequence += 1
        session.schedule_changed_at = now
        session.updated_at = now
        report.cancelled.append(session.title)

    Session.objects.bulk_create(to_create)
    Session.objects.bulk_update(
        to_update + gone,
        [
            *(f.removesuffix("_id") for f in SOURCE_FIELDS),
            "sequence",
            "schedule_changed_at",
            "updated_at",
        ],
        batch_size=500,
    )
    _sync_appearances(event, to_create, existing, wanted_people, report)
    return report


def _sync_appearances(event, created, existing, wanted_people, report) -> None:
    """Make each session's speakers match the source, in the source's order."""
    by_source = {session.source_id: session for session in created} | existing
    current: dict[int, list[tuple[int, int | None]]] = {}
    for appearance in SessionSpeaker.objects.filter(session__event=event).order_by(
        "session_id", "order", "pk"
    ):
        current.setdefault(appearance.session_id, []).append(
            (appearance.speaker_id, appearance.company_id)
        )
    stale: list[int] = []
    fresh: list[SessionSpeaker] = []
    for source_id, people in wanted_people.items():
        session = by_source[source_id]
        wanted = [(speaker.pk, company.pk if company else None) for speaker, company in people]
        if current.get(session.pk, []) == wanted:
            continue
        if session.pk in current:
            stale.append(session.pk)
            if session.title not in report.updated:
                report.updated.append(session.title)
                report.unchanged -= 1
        fresh += [
            SessionSpeaker(session=session, speaker_id=speaker, company_id=company, order=order)
            for order, (speaker, company) in enumerate(wanted)
        ]
    SessionSpeaker.objects.filter(session_id__in=stale).delete()
    SessionSpeaker.objects.bulk_create(fresh)
