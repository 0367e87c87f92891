"""A large, realistic, reproducible event for trying pages and admin at scale.

`manage.py generate_event` calls `generate_event`. Everything random comes
from one `random.Random(seed)`, so a seed always yields the same event (names,
times, rooms, speakers, even session UIDs) in a database that holds nothing
else under the same slugs. Rows are written with bulk_create: a thousand
sessions take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from sessions import content
from sessions.models import Company, Event, Room, Session, SessionSpeaker, Speaker, Theme
from sessions.services import unique_slug

DAYS = 4
DAY_OPENS = dt.time(9, 0)
BREAKOUTS_OPEN = dt.time(10, 30)
DAY_CLOSES = dt.time(18, 0)
BREAK = dt.timedelta(minutes=10)
MAX_SPEAKERS_PER_SESSION = 6
BATCH = 500

CITIES = [
    ("Lisbon", "Europe/Lisbon", "Centro de Congressos"),
    ("Chicago", "America/Chicago", "Lakeside Center"),
    ("Tokyo", "Asia/Tokyo", "Bay Convention Hall"),
    ("Amsterdam", "Europe/Amsterdam", "RAI"),
    ("Toronto", "America/Toronto", "Metro Convention Centre"),
    ("Sydney", "Australia/Sydney", "Harbour Convention Centre"),
    ("Bengaluru", "Asia/Kolkata", "Tech Park Convention Hall"),
    ("Salt Lake City", "America/Denver", "Salt Palace"),
]

THEMES = [
    ("Storage & CSI", "#1d5f8a"),
    ("Multi-tenancy", "#6b2f8f"),
    ("Security", "#a4262c"),
    ("Observability", "#2f6b3a"),
    ("Networking & Service Mesh", "#8a4b08"),
    ("CI/CD & GitOps", "#0f5e6e"),
    ("Platform Engineering", "#4a4f8c"),
    ("Serverless", "#7a5c00"),
    ("AI & Machine Learning", "#8c2f5f"),
    ("Edge & IoT", "#3d5a2a"),
    ("Runtime & Scheduling", "#5a3d1f"),
    ("Community & Culture", "#1f4f7a"),
]

# Topic -> the theme it belongs to.
TOPICS = {
    "CSI Drivers": "Storage & CSI",
    "Volume Snapshots": "Storage & CSI",
    "Object Storage": "Storage & CSI",
    "Stateful Sets": "Storage & CSI",
    "Hierarchical Namespaces": "Multi-tenancy",
    "Virtual Clusters": "Multi-tenancy",
    "API Priority and Fairness": "Multi-tenancy",
    "Tenant Isolation": "Multi-tenancy",
    "Supply Chain Security": "Security",
    "Admission Policies": "Security",
    "Workload Identity": "Security",
    "Runtime Threat Detection": "Security",
    "OpenTelemetry": "Observability",
    "Prometheus": "Observability",
    "Continuous Profiling": "Observability",
    "Distributed Tracing": "Observability",
    "eBPF": "Networking & Service Mesh",
    "Gateway API": "Networking & Service Mesh",
    "Service Mesh": "Networking & Service Mesh",
    "Multi-Cluster Networking": "Networking & Service Mesh",
    "GitOps": "CI/CD & GitOps",
    "Progressive Delivery": "CI/CD & GitOps",
    "Build Pipelines": "CI/CD & GitOps",
    "Internal Developer Platforms": "Platform Engineering",
    "Cluster API": "Platform Engineering",
    "Crossplane Compositions": "Platform Engineering",
    "Knative": "Serverless",
    "Event-Driven Autoscaling": "Serverless",
    "WebAssembly": "Serverless",
    "GPU Scheduling": "AI & Machine Learning",
    "Model Serving": "AI & Machine Learning",
    "Batch Workloads": "AI & Machine Learning",
    "Edge Clusters": "Edge & IoT",
    "Lightweight Kubernetes": "Edge & IoT",
    "Container Runtimes": "Runtime & Scheduling",
    "Pod Scheduling": "Runtime & Scheduling",
    "Node Autoscaling": "Runtime & Scheduling",
    "Mentoring Contributors": "Community & Culture",
    "Maintainer Burnout": "Community & Culture",
}

TITLES = [
    "{topic} at Scale: What {company} Learned",
    "A Deep Dive into {topic}",
    "{topic} in Production: War Stories from {company}",
    "Getting Started with {topic}",
    "{topic}: Past, Present and Future",
    "Debugging {topic} When Everything Is on Fire",
    "How {company} Cut Its Cloud Bill with {topic}",
    "Securing {topic} Without Slowing Teams Down",
    "{topic} Maintainer Update",
    "Ten Mistakes {company} Made with {topic}",
    "From Zero to {topic} in One Quarter",
    "{topic} Beyond the Happy Path",
    "{topic} Meets {other}",
    "Bridging {topic} and {other}",
    "{topic} with {other}: A Case Study",
    "Running {topic} Alongside {other}",
    "What {other} Teaches Us About {topic}",
    "Lessons from a Year of {topic} at {company}",
    "{topic} on a Budget",
    "The Hidden Costs of {topic}",
]
PANEL_TITLES = ["Panel: The State of {topic}", "Ask the Experts: {topic}"]
KEYNOTE_TITLES = ["Keynote: Where {topic} Goes Next", "Keynote: {topic} for Everyone"]

ABSTRACTS = [
    "This session walks through how a team adopted {topic} and what changed for them.",
    "We share the design decisions behind our {topic} set-up, with measurements.",
    "Expect live demos, honest numbers and a list of pitfalls to avoid with {topic}.",
    "You will leave knowing when {topic} helps, when it hurts and how to tell the difference.",
    "The talk compares three ways to run {topic} and recommends one for most teams.",
]

FIRST_NAMES = (  # noqa: SIM905 (a word list reads better as prose)
    "Ada Aiko Amara Ana Anil Bea Ben Carla Chen Dara Diego Elif Emma Eva Farah Femi Gita Hana "
    "Hugo Ines Ivan Jana Jonas Kai Kofi Lara Leo Lina Luca Maya Mei Mira Nadia Nils Noor Omar "
    "Pablo Priya Quinn Rafael Rosa Sam Sana Sofia Tariq Tom Uma Vera Wei Yara Yusuf Zoe"
).split()
LAST_NAMES = (  # noqa: SIM905 (a word list reads better as prose)
    "Abara Almeida Bauer Bianchi Chowdhury Costa Dubois Eriksen Fischer Garcia Haddad Hansen "
    "Ito Jensen Kaur Kim Kowalski Larsen Lopez Meyer Moreau Nakamura Novak Okafor Osei Park "
    "Patel Petrov Quispe Rossi Sato Schmidt Silva Singh Tanaka Torres Uddin Varga Wang Weber "
    "Xu Yilmaz Zhang Zielinski"
).split()
JOB_TITLES = [
    "Software Engineer",
    "Senior Software Engineer",
    "Staff Engineer",
    "Principal Engineer",
    "Site Reliability Engineer",
    "Platform Engineer",
    "Developer Advocate",
    "Engineering Manager",
    "Security Engineer",
    "Product Manager",
    "CTO",
]
COMPANY_WORDS = (  # noqa: SIM905 (a word list reads better as prose)
    "Acorn Arc Beacon Birch Cedar Cobalt Comet Delta Ember Fjord Granite Harbor Helix Indigo "
    "Juniper Kestrel Lumen Maple Meridian Nimbus Onyx Orbit Pine Quartz Rowan Sable Summit "
    "Tidal Vector Willow"
).split()
COMPANY_SUFFIXES = ["Labs", "Systems", "Cloud", "Data", "Networks", "Software", "Works", "Tech"]

# format -> (weight among breakout sessions, possible lengths in minutes, usual speaker counts)
FORMATS = {
    Session.Format.TALK: (60, (30, 35), (1, 1, 1, 2)),
    Session.Format.LIGHTNING: (10, (5, 10), (1,)),
    Session.Format.PANEL: (8, (45,), (3, 4, 5)),
    Session.Format.TUTORIAL: (7, (75, 90), (2, 3)),
    Session.Format.WORKSHOP: (5, (90,), (1, 2)),
    Session.Format.BOF: (5, (45,), (1, 2)),
}
LEVELS = [
    Session.Level.ANY,
    Session.Level.BEGINNER,
    Session.Level.INTERMEDIATE,
    Session.Level.ADVANCED,
]
CANCELLED_SHARE = 0.03
PICK_SHARE = 0.04


@dataclass(frozen=True)
class GeneratedEvent:
    event: Event
    sessions: int
    speakers: int
    rooms: int
    companies_created: int
    themes_created: int


class GeneratorError(ValueError):
    pass


def event_identity(seed: int) -> tuple[str, str, str, str, dt.date]:
    """Name, slug, time zone, venue and first day the seed gives the event."""
    rng = random.Random(f"event-{seed}")
    city, zone, hall = rng.choice(CITIES)
    year = 2027 + rng.randrange(3)
    first = dt.date(year, rng.randrange(2, 11), 1)
    # Conferences start on a Tuesday and run four days.
    first += dt.timedelta(days=(1 - first.weekday()) % 7 + 7 * rng.randrange(3))
    name = f"Cloud Native Summit {city} {year}"
    return name, f"{slugify(name)}-seed-{seed}", zone, f"{hall}, {city}", first


@content.batch()
def generate_event(
    *, sessions: int, speakers: int, seed: int, replace: bool = False
) -> GeneratedEvent:
    """Create one published four-day event with the given numbers of sessions and speakers."""
    if sessions < 1 or speakers < 1:
        raise GeneratorError("Ask for at least one session and one speaker.")
    if speakers > sessions * MAX_SPEAKERS_PER_SESSION:
        raise GeneratorError(
            f"{sessions} sessions hold at most {sessions * MAX_SPEAKERS_PER_SESSION} speakers; "
            "ask for more sessions or fewer speakers."
        )
    name, slug, zone, venue, first_day = event_identity(seed)
    existing = Event.objects.filter(slug=slug).first()
    if existing is not None:
        if not replace:
            raise GeneratorError(
                f"The event {slug!r} already exists; pass --replace to generate it afresh."
            )
        _delete_generated(existing)

    rng = random.Random(seed)
    themes, themes_created = _themes()
    companies, companies_created = _companies(rng, count=max(3, speakers // 8))
    event = Event.objects.create(
        name=name,
        slug=slug,
        description=(
            f"A four-day cloud-native conference in {venue.split(', ')[-1]}, generated for "
            f"trying the guide with a large programme (seed {seed})."
        ),
        start_date=first_day,
        end_date=first_day + dt.timedelta(days=DAYS - 1),
        time_zone=zone,
        venue=venue,
        is_published=True,
    )
    plan = _plan_sessions(rng, count=sessions, event=event)
    rooms = Room.objects.bulk_create(
        [Room(event=event, name=_room_name(index), order=index) for index in range(plan.room_count)]
    )
    speaker_rows = _speakers(rng, count=speakers, companies=companies)
    session_rows = _sessions(rng, plan=plan, event=event, rooms=rooms, companies=companies)
    _link_themes(rng, session_rows, plan, themes)
    _link_speakers(rng, session_rows, plan, speaker_rows, companies)
    # Rows written in bulk send no signals: record the new programme (search documents).
    content.programme_changed([event.pk])
    return GeneratedEvent(
        event=event,
        sessions=len(session_rows),
        speakers=len(speaker_rows),
        rooms=len(rooms),
        companies_created=companies_created,
        themes_created=themes_created,
    )


def _delete_generated(event: Event) -> None:
    """Remove an event made by an earlier run, with the speakers who spoke nowhere else."""
    elsewhere = SessionSpeaker.objects.exclude(session__event=event).values("speaker_id")
    Speaker.objects.filter(appearances__session__event=event).exclude(pk__in=elsewhere).delete()
    event.delete()


def _themes() -> tuple[dict[str, Theme], int]:
    existing = {theme.name: theme for theme in Theme.objects.all()}
    taken = {theme.slug for theme in existing.values()}
    missing = []
    for order, (name, colour) in enumerate(THEMES):
        if name not in existing:
            slug = unique_slug(name, taken, fallback="theme", max_length=100)
            missing.append(Theme(name=name, slug=slug, colour=colour, order=100 + order))
    for theme in Theme.objects.bulk_create(missing):
        existing[theme.name] = theme
    return existing, len(missing)


def _companies(rng: random.Random, *, count: int) -> tuple[list[Company], int]:
    pool = [f"{word} {suffix}" for word in COMPANY_WORDS for suffix in COMPANY_SUFFIXES]
    names = rng.sample(pool, min(count, len(pool)))
    existing = {c.name: c for c in Company.objects.filter(name__in=names)}
    taken = set(Company.objects.values_list("slug", flat=True))
    missing = [
        Company(name=name, slug=unique_slug(name, taken, fallback="company", max_length=200))
        for name in names
        if name not in existing
    ]
    created = Company.objects.bulk_create(missing, batch_size=BATCH)
    by_name = existing | {c.name: c for c in created}
    return [by_name[name] for name in names], len(created)


def _speakers(rng: random.Random, *, count: int, companies: list[Company]) -> list[Speaker]:
    taken = set(Speaker.objects.values_list("slug", flat=True))
    rows = []
    for _ in range(count):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        company = rng.choice(companies)
        job = rng.choice(JOB_TITLES)
        rows.append(
            Speaker(
                name=name,
                slug=unique_slug(name, taken, fallback="speaker", max_length=200),
                company=company,
                job_title=job,
                bio=f"{name} is a {job.lower()} at {company.name}.",
            )
        )
    return Speaker.objects.bulk_create(rows, batch_size=BATCH)


@dataclass
class _Slot:
    day: dt.date
    room: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    format: str
    speaker_count: int
    topic: str = ""


@dataclass
class _Plan:
    slots: list[_Slot]
    room_count: int


def _plan_sessions(rng: random.Random, *, count: int, event: Event) -> _Plan:
    """Lay sessions out over the days and rooms, spreading them evenly.

    Room 0 is the main hall: a keynote block opens each day there. Breakout
    rooms then fill round-robin (a session per day per room in turn), and a
    room is added whenever every timeline is full.
    """
    tz = ZoneInfo(event.time_zone)
    days = event.days
    slots: list[_Slot] = []
    for day in days:
        cursor = dt.datetime.combine(day, DAY_OPENS, tzinfo=tz)
        for _ in range(3):
            if len(slots) == count:
                break
            ends = cursor + dt.timedelta(minutes=20)
            slots.append(_Slot(day, 0, cursor, ends, Session.Format.KEYNOTE, rng.choice((1, 2))))
            cursor = ends + BREAK
    # Per (day, room) the time the next session may start.
    cursors: dict[tuple[dt.date, int], dt.datetime] = {}
    room_count = 1
    formats = list(FORMATS)
    weights = [FORMATS[f][0] for f in formats]
    while len(slots) < count:
        placed = False
        for room in range(room_count):
            for day in days:
                if len(slots) == count:
                    break
                # Breakouts, in the main hall too, begin once the keynotes end.
                cursor = cursors.get((day, room)) or dt.datetime.combine(
                    day, BREAKOUTS_OPEN, tzinfo=tz
                )
                kind = rng.choices(formats, weights)[0]
                _, lengths, speaker_counts = FORMATS[kind]
                ends = cursor + dt.timedelta(minutes=rng.choice(lengths))
                if ends > dt.datetime.combine(day, DAY_CLOSES, tzinfo=tz):
                    continue
                slots.append(_Slot(day, room, cursor, ends, kind, rng.choice(speaker_counts)))
                cursors[(day, room)] = ends + BREAK
                placed = True
        if not placed:
            room_count += 1
    return _Plan(slots=slots, room_count=room_count)


def _sessions(
    rng: random.Random,
    *,
    plan: _Plan,
    event: Event,
    rooms: list[Room],
    companies: list[Company],
) -> list[Session]:
    taken: set[str] = set()
    topics = list(TOPICS)
    rows = []
    for slot in plan.slots:
        if slot.format == Session.Format.KEYNOTE:
            patterns = KEYNOTE_TITLES
        elif slot.format == Session.Format.PANEL:
            patterns = PANEL_TITLES
        else:
            patterns = TITLES
        # Draw again on a clash, as a programme committee would rename a
        # talk; after a few tries the slug gets a number instead.
        for _ in range(5):
            topic, other = rng.sample(topics, 2)
            company = rng.choice(companies).name
            title = rng.choice(patterns).format(topic=topic, other=other, company=company)
            if slugify(title)[:280] not in taken:
                break
        cancelled = rng.random() < CANCELLED_SHARE
        pick = not cancelled and rng.random() < PICK_SHARE
        abstract = " ".join(rng.sample(ABSTRACTS, 2)).format(topic=topic)
        rows.append(
            Session(
                uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                event=event,
                title=title,
                slug=unique_slug(title, taken, fallback="session", max_length=300),
                abstract=abstract,
                editors_note=(
                    f"A clear, practical session on {topic} from people who run it daily."
                    if pick
                    else ""
                ),
                is_editors_pick=pick,
                format=slot.format,
                level=rng.choice(LEVELS),
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                room=rooms[slot.room],
                status=Session.Status.CANCELLED if cancelled else Session.Status.PUBLISHED,
            )
        )
        slot.topic = topic
    return Session.objects.bulk_create(rows, batch_size=BATCH)


def _link_themes(
    rng: random.Random, sessions: list[Session], plan: _Plan, themes: dict[str, Theme]
) -> None:
    through = Session.themes.through
    all_themes = [themes[name] for name, _ in THEMES]
    links = []
    for session, slot in zip(sessions, plan.slots, strict=True):
        chosen = {themes[TOPICS[slot.topic]].pk}
        if rng.random() < 0.3:
            chosen.add(rng.choice(all_themes).pk)
        links += [through(session_id=session.pk, theme_id=pk) for pk in sorted(chosen)]
    through.objects.bulk_create(links, batch_size=BATCH)


def _link_speakers(
    rng: random.Random,
    sessions: list[Session],
    plan: _Plan,
    speakers: list[Speaker],
    companies: list[Company],
) -> None:
    """Every speaker appears at least once; popular ones appear more often."""
    counts = [slot.speaker_count for slot in plan.slots]
    # Widen the line-ups until there is a seat for every speaker.
    while sum(counts) < len(speakers):
        index = rng.randrange(len(counts))
        if counts[index] < MAX_SPEAKERS_PER_SESSION:
            counts[index] += 1
    queue = rng.sample(speakers, len(speakers))
    queue += [rng.choice(speakers) for _ in range(sum(counts) - len(speakers))]
    appearances = []
    cursor = 0
    for session, count in zip(sessions, counts, strict=True):
        line_up: list[Speaker] = []
        for speaker in queue[cursor : cursor + count]:
            if speaker in line_up:  # a repeat pick: take someone else
                speaker = next(s for s in speakers if s not in line_up)
            line_up.append(speaker)
        cursor += count
        for order, speaker in enumerate(line_up):
            # Now and then the speaker has moved on since: the session keeps
            # the company they represented then.
            company = rng.choice(companies) if rng.random() < 0.05 else speaker.company
            appearances.append(
                SessionSpeaker(session=session, speaker=speaker, company=company, order=order)
            )
    SessionSpeaker.objects.bulk_create(appearances, batch_size=BATCH)


def _room_name(index: int) -> str:
    return "Main Hall" if index == 0 else f"Room {100 + index}"
