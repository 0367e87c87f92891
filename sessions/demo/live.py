"""The live demo event: a one-day community day that always takes place today.

Both other demo events are in the past, so "now and next" on a schedule and
"Happening now" on the home page could never be seen with demo content. This
event is moved to the current conference day in its own time zone every time
`load_demo` runs: the same rows, matched on their slugs, with new dates and
times (never a second copy). Moved sessions raise their calendar SEQUENCE, as
any schedule change does, and the event's content version moves, so cached
pages follow. The programme runs through the whole conference day (04:00 to
04:00, see sessions.days): a venue programme from 09:00 to 18:15 and an
online stage before and after it for attendees in other time zones, so
something is on, or starts within the hour, at whatever time one looks.

The topics are those of the guide's first post (CSI, persistent memory, COSI,
API Priority and Fairness, hierarchical namespaces, the multi-tenancy
benchmarks, OPA, Falco, Istio, mixed Linux and Windows clusters); the event,
its speakers and their organisations are made up, and the event says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.text import slugify

from sessions import content, services
from sessions.days import conference_day
from sessions.demo.content import EVENT as KUBECON_NA_2020
from sessions.demo.content import THEMES as KUBECON_NA_2020_THEMES
from sessions.demo.content import SyncTally, sync_row
from sessions.models import Company, Event, Room, Session, SessionSpeaker, Speaker, Theme

LIVE_EVENT_SLUG = "cloud-native-community-day-live-demo"
# The demo's time zone: the one the guide's first event was planned in.
TIME_ZONE = KUBECON_NA_2020["time_zone"]

EVENT = {
    "name": "Cloud Native Community Day (live demo)",
    "description": (
        "A one-day community event made up for the demo, which moves it to today whenever "
        "the demo content is loaded, so the guide's live parts can be tried on any day: "
        "what is on now and next, the running banner, a day in progress. Talks and "
        "workshops in the venue from nine until a quarter past six, and an online stage "
        "for other time zones before and after, with replays of the day's talks overnight."
    ),
    "time_zone": TIME_ZONE,
    "is_virtual": False,
    "venue": "Community Hall, Boston, and online",
    "website_url": "",
    "schedule_url": "",
    "is_published": True,
}

ROOMS = ("Main Hall", "Workshop Room", "Online Stage", "Foyer")

# Slug -> name, colour, order, description. The first two are the KubeCon NA 2020
# demo's; the others use the generator's names and colours, so either may come first.
THEMES = {
    **{
        theme["slug"]: (theme["name"], theme["colour"], theme["order"], theme["description"])
        for theme in KUBECON_NA_2020_THEMES
    },
    "security": (
        "Security",
        "#a4262c",
        102,
        "Keeping clusters and what runs on them safe: admission policy, runtime threat "
        "detection, signed images and the rules tenants live by.",
    ),
    "observability": (
        "Observability",
        "#2f6b3a",
        103,
        "Seeing what a cluster and its workloads are doing: metrics, logs and traces, and "
        "the dashboards and alerts built on them.",
    ),
    "networking-service-mesh": (
        "Networking & Service Mesh",
        "#8a4b08",
        104,
        "How workloads reach each other and the world: network policy, ingress and gateways, "
        "and service meshes such as Istio.",
    ),
}

COMPANIES = {
    "harbourline-cloud": "Harbourline Cloud",
    "northfield-platform-labs": "Northfield Platform Labs",
    "quayside-data": "Quayside Data",
    "lanternworks-security": "Lanternworks Security",
    "tidewater-systems": "Tidewater Systems",
}

# Speaker slug -> name, company slug. Made-up people for a made-up event.
SPEAKERS = {
    "amara-okafor": ("Amara Okafor", "harbourline-cloud"),
    "jonas-lindqvist": ("Jonas Lindqvist", "quayside-data"),
    "priya-raman": ("Priya Raman", "northfield-platform-labs"),
    "mateo-alvarez": ("Mateo Álvarez", "tidewater-systems"),
    "hannah-becker": ("Hannah Becker", "lanternworks-security"),
    "wei-zhang": ("Wei Zhang", "harbourline-cloud"),
    "fatima-el-idrissi": ("Fatima El Idrissi", "northfield-platform-labs"),
    "liam-oconnor": ("Liam O'Connor", "quayside-data"),
    "sofia-rossi": ("Sofia Rossi", "lanternworks-security"),
    "kenji-watanabe": ("Kenji Watanabe", "tidewater-systems"),
}

F = Session.Format
L = Session.Level


@dataclass(frozen=True)
class LiveSession:
    room: str
    starts: str  # "HH:MM" from the conference day's midnight; past 24:00 is the night after
    ends: str
    title: str
    format: str
    themes: tuple[str, ...]
    speakers: tuple[str, ...]
    abstract: str
    level: str = L.ANY
    editors_note: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.title)[:300]


def _talk(room, starts, ends, title, themes, speakers, abstract, **more) -> LiveSession:
    return LiveSession(
        room, starts, ends, title, more.pop("format", F.TALK), themes, speakers, abstract, **more
    )


# fmt: off
VENUE = [
    _talk(
        "Main Hall", "09:00", "09:30", "Welcome: one cluster, many teams",
        ("multi-tenancy",), ("amara-okafor",),
        "The day's opening: why sharing clusters between teams keeps coming up, and how the "
        "programme follows it from storage to policy to the network.",
        format=F.KEYNOTE,
    ),
    _talk(
        "Main Hall", "09:30", "10:05", "What CSI's first years taught storage vendors",
        ("storage-csi",), ("jonas-lindqvist",),
        "Since the Container Storage Interface became generally available in Kubernetes 1.13, "
        "drivers have moved out of the tree. A look at what that changed for the people who "
        "write them and for the clusters that run them.",
        format=F.KEYNOTE,
    ),
    _talk(
        "Main Hall", "10:15", "10:50", "Persistent memory volumes for latency-bound workloads",
        ("storage-csi",), ("wei-zhang",),
        "Persistent memory survives a power cut and answers nearly as fast as RAM. How a CSI "
        "driver hands it to pods as ordinary filesystem volumes, and which workloads gain.",
        level=L.ADVANCED,
        editors_note=(
            "For anyone whose service is judged in microseconds: a concrete path from the "
            "hardware to a pod's volume, without custom plumbing."
        ),
    ),
    _talk(
        "Main Hall", "11:00", "11:35", "API Priority and Fairness in practice",
        ("multi-tenancy",), ("priya-raman",),
        "How the API server sorts requests into priority levels and queues them fairly, and "
        "how to tune it so one tenant's runaway controller cannot slow everyone else down.",
        level=L.INTERMEDIATE,
        editors_note=(
            "The feature that keeps a shared API server answering when one team's controller "
            "misbehaves; worth the time for anyone running clusters for several teams."
        ),
    ),
    _talk(
        "Main Hall", "11:45", "12:20", "Hierarchical namespaces for team self-service",
        ("multi-tenancy",), ("fatima-el-idrissi",),
        "Letting a team create its own sub-namespaces that inherit its policies and roles, "
        "with the Hierarchical Namespace Controller, and what to watch for when you do.",
        level=L.BEGINNER,
    ),
    _talk(
        "Foyer", "12:20", "13:20", "Lunch and hallway track",
        (), (),
        "Lunch in the foyer. The online stage streams the morning's questions and answers.",
        format=F.OTHER,
    ),
    _talk(
        "Main Hall", "13:20", "13:55", "Admission policy with Open Policy Agent",
        ("security", "multi-tenancy"), ("hannah-becker",),
        "Writing the rules every workload must meet before it is admitted, with Open Policy "
        "Agent's Gatekeeper, and testing them before they reach production.",
        level=L.INTERMEDIATE,
    ),
    _talk(
        "Main Hall", "14:05", "14:40", "Runtime threat detection with Falco",
        ("security",), ("sofia-rossi",),
        "Spotting a shell in a container or an unexpected outbound connection as it happens, "
        "from the kernel's own events, with rules that stay quiet until they matter.",
        level=L.INTERMEDIATE,
    ),
    _talk(
        "Main Hall", "14:50", "15:25", "A service mesh your teams can read",
        ("networking-service-mesh",), ("mateo-alvarez", "kenji-watanabe"),
        "Istio's traffic and security policies written so that application teams can review "
        "them: mutual TLS by default, retries and timeouts, and what to leave out.",
    ),
    _talk(
        "Foyer", "15:25", "15:45", "Coffee break",
        (), (),
        "Coffee in the foyer between the afternoon's sessions.",
        format=F.OTHER,
    ),
    _talk(
        "Main Hall", "15:45", "16:20", "Object storage buckets the Kubernetes way",
        ("storage-csi",), ("jonas-lindqvist", "liam-oconnor"),
        "The Container Object Storage Interface proposes for buckets what CSI did for file "
        "and block volumes: one contract for creating them and granting workloads access.",
        level=L.BEGINNER,
    ),
    _talk(
        "Main Hall", "16:30", "17:05", "Mixed Linux and Windows node pools: what to watch",
        ("observability",), ("kenji-watanabe",),
        "Running Windows nodes beside Linux ones in one cluster: scheduling each workload on "
        "the right kind, and the metrics and logs that differ between them.",
    ),
    _talk(
        "Main Hall", "17:15", "18:00", "Panel: sharing clusters without sharing incidents",
        ("multi-tenancy", "security"), ("priya-raman", "hannah-becker", "amara-okafor"),
        "Three platform teams on keeping tenants apart: quotas, fair API access, network "
        "policy, and the incidents that taught them each lesson.",
        format=F.PANEL,
    ),
    _talk(
        "Main Hall", "18:00", "18:15", "Closing remarks",
        (), ("amara-okafor",),
        "What the day covered, where the slides and recordings will be, and the replays on "
        "the online stage tonight.",
        format=F.KEYNOTE,
    ),
    _talk(
        "Workshop Room", "10:15", "11:45", "Hands-on: your first CSI driver",
        ("storage-csi",), ("liam-oconnor",),
        "Build a minimal CSI driver that provisions host-path volumes, deploy it to a test "
        "cluster and watch a pod mount what it made. Bring a laptop with a container runtime.",
        format=F.WORKSHOP,
        level=L.INTERMEDIATE,
    ),
    _talk(
        "Workshop Room", "13:20", "14:50", "Hands-on: scoring your cluster with the tenancy "
        "benchmarks",
        ("multi-tenancy", "security"), ("fatima-el-idrissi",),
        "Run the Multi-Tenancy Benchmarks against a shared cluster, read the results, and fix "
        "the two or three findings that matter most.",
        format=F.WORKSHOP,
    ),
    _talk(
        "Workshop Room", "15:45", "17:15", "Hands-on: tracing a request through the mesh",
        ("observability", "networking-service-mesh"), ("mateo-alvarez",),
        "Follow one request across services with distributed tracing from the mesh's proxies, "
        "and find the slow hop without changing application code.",
        format=F.WORKSHOP,
        level=L.BEGINNER,
    ),
]

EARLY_ONLINE = [
    _talk(
        "Online Stage", "04:00", "05:00", "Online: fair GPU sharing between tenants",
        ("multi-tenancy",), ("wei-zhang",),
        "Quotas, priorities and time-slicing for clusters whose teams all want the same few "
        "GPUs, for attendees in Asia and the Pacific.",
    ),
    _talk(
        "Online Stage", "05:00", "06:00", "Online: backups that restore stateful sets",
        ("storage-csi",), ("liam-oconnor",),
        "Volume snapshots, application-consistent backups and the restore drill that proves "
        "they work.",
    ),
    _talk(
        "Online Stage", "06:00", "07:00", "Online: signed images from build to admission",
        ("security",), ("sofia-rossi",),
        "Signing images where they are built and refusing unsigned ones at admission, so that "
        "only what the pipeline produced ever runs.",
    ),
    _talk(
        "Online Stage", "07:00", "08:00", "Online: OpenTelemetry for platform teams",
        ("observability",), ("kenji-watanabe",),
        "One pipeline for metrics, logs and traces that every team's services can use without "
        "choosing a vendor first.",
    ),
    _talk(
        "Online Stage", "08:00", "09:00", "Online: network policies tenants can read",
        ("networking-service-mesh", "multi-tenancy"), ("mateo-alvarez",),
        "Default-deny namespaces and the few allow rules each team needs, written so that "
        "their owners can review them. The venue programme follows at nine.",
    ),
]

# fmt: on

# The evening and night on the online stage: the day's talks again, hour by hour.
REPLAYED = [
    "What CSI's first years taught storage vendors",
    "Persistent memory volumes for latency-bound workloads",
    "API Priority and Fairness in practice",
    "Hierarchical namespaces for team self-service",
    "Admission policy with Open Policy Agent",
    "Runtime threat detection with Falco",
    "A service mesh your teams can read",
    "Object storage buckets the Kubernetes way",
    "Mixed Linux and Windows node pools: what to watch",
    "Panel: sharing clusters without sharing incidents",
]


def _replays() -> list[LiveSession]:
    originals = {session.title: session for session in VENUE}
    replays = []
    for hour, title in enumerate(REPLAYED):
        original = originals[title]
        starts = 18 * 60 + 15 + hour * 60
        # The last one ends as the conference day does, at 04:00.
        ends = min(starts + 60, 28 * 60)
        replays.append(
            LiveSession(
                room="Online Stage",
                starts=f"{starts // 60:02d}:{starts % 60:02d}",
                ends=f"{ends // 60:02d}:{ends % 60:02d}",
                title=f"Replay: {title}",
                format=original.format,
                themes=original.themes,
                speakers=original.speakers,
                abstract=(
                    f"The recording of today's session, with its questions and answers, for "
                    f"attendees in other time zones. {original.abstract}"
                ),
                level=original.level,
            )
        )
    return replays


PROGRAMME = [*EARLY_ONLINE, *VENUE, *_replays()]


def _at(day: dt.date, clock: str, zone: ZoneInfo) -> dt.datetime:
    """The wall-clock time `clock` counted from the day's midnight in `zone` (as
    sessions.days counts the day's end), so "27:15" is 03:15 the next morning."""
    hours, minutes = (int(part) for part in clock.split(":"))
    # Aware arithmetic with a ZoneInfo is wall-clock arithmetic.
    return dt.datetime.combine(day, dt.time(), tzinfo=zone) + dt.timedelta(
        hours=hours, minutes=minutes
    )


def live_day(now: dt.datetime | None = None) -> dt.date:
    """The conference day the live event takes place on: today, in its own zone."""
    return conference_day(now or timezone.now(), ZoneInfo(TIME_ZONE))


@content.batch()
def load_live_event(now: dt.datetime | None = None) -> str:
    """Create the live demo event on today's date, or move it there; a one-line summary."""
    day = live_day(now)
    zone = ZoneInfo(TIME_ZONE)
    tally = SyncTally()
    event_values = EVENT | {"start_date": day, "end_date": day}
    event = Event.objects.filter(slug=LIVE_EVENT_SLUG).first()
    if event is None:
        event = sync_row(Event, lookup={"slug": LIVE_EVENT_SLUG}, values=event_values, tally=tally)
    elif (event.start_date, event.end_date) != (day, day):
        # Span both days while the sessions move, so none is ever outside the event's
        # days; the dates narrow to today once they all have.
        Event.objects.filter(pk=event.pk).update(
            start_date=min(event.start_date, day), end_date=max(event.end_date, day)
        )
        event.refresh_from_db()

    rooms = {
        name: sync_row(
            Room, lookup={"event": event, "name": name}, values={"order": order}, tally=tally
        )
        for order, name in enumerate(ROOMS)
    }
    themes = {
        slug: sync_row(
            Theme,
            lookup={"slug": slug},
            values={"name": name, "colour": colour, "order": order, "description": description},
            tally=tally,
        )
        for slug, (name, colour, order, description) in THEMES.items()
    }
    companies = {
        slug: sync_row(Company, lookup={"slug": slug}, values={"name": name}, tally=tally)
        for slug, name in COMPANIES.items()
    }
    speakers = {
        slug: sync_row(
            Speaker,
            lookup={"slug": slug},
            values={"name": name, "company_id": companies[company].pk},
            tally=tally,
        )
        for slug, (name, company) in SPEAKERS.items()
    }
    for live in PROGRAMME:
        _sync_session(
            event=event,
            live=live,
            starts_at=_at(day, live.starts, zone),
            ends_at=_at(day, live.ends, zone),
            room=rooms[live.room],
            themes=themes,
            speakers=speakers,
            tally=tally,
        )
    gone, _ = (
        Session.objects.filter(event=event)
        .exclude(slug__in=[live.slug for live in PROGRAMME])
        .delete()
    )
    if gone:
        tally.updated["sessions removed"] += gone

    sync_row(Event, lookup={"slug": LIVE_EVENT_SLUG}, values=event_values, tally=tally)
    summary = tally.describe()
    return f"{day:%A %-d %B %Y} in {TIME_ZONE}; {summary}"


def _sync_session(
    *,
    event: Event,
    live: LiveSession,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: Room,
    themes: dict[str, Theme],
    speakers: dict[str, Speaker],
    tally: SyncTally,
) -> Session:
    existing = Session.objects.filter(event=event, slug=live.slug).first()
    columns = {name: Session._meta.get_field(name).attname for name in Session.SCHEDULE_FIELDS}
    before = {name: getattr(existing, column, None) for name, column in columns.items()}
    session = sync_row(
        Session,
        lookup={"event": event, "slug": live.slug},
        values={
            "title": live.title,
            "abstract": live.abstract,
            "editors_note": live.editors_note,
            "is_editors_pick": bool(live.editors_note),
            "format": live.format,
            "level": live.level,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "room_id": room.pk,
            "status": Session.Status.PUBLISHED,
            "language": "en",
        },
        tally=tally,
    )
    if existing is not None:
        moved = [name for name, value in before.items() if getattr(session, columns[name]) != value]
        services.note_schedule_change(session=session, changed_fields=moved)

    wanted_themes = {themes[slug].pk for slug in live.themes}
    if set(session.themes.values_list("pk", flat=True)) != wanted_themes:
        session.themes.set(wanted_themes)
        if existing is not None:
            tally.updated["session themes"] += 1
    for order, slug in enumerate(live.speakers):
        speaker = speakers[slug]
        sync_row(
            SessionSpeaker,
            lookup={"session": session, "speaker": speaker},
            values={"order": order, "company_id": speaker.company_id},
            tally=tally,
            label="session speakers",
        )
    removed, _ = session.appearances.exclude(speaker__slug__in=live.speakers).delete()
    if removed:
        tally.updated["session speakers"] += removed
    return session
