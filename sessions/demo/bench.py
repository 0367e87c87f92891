"""The benchmark's data: its own database, the generated event, an attendee."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import psycopg
from django.core.management import call_command
from django.db import connections
from django.db.models import Count
from psycopg import sql

from sessions.days import conference_day, day_bounds
from sessions.demo.generator import event_identity
from sessions.models import Event, Session

SAVED_SESSIONS = 20


def busiest_day(starts: Iterable[dt.datetime], tz: ZoneInfo) -> dt.date:
    """The conference day with the most sessions starting on it; the earliest on a tie."""
    counts = Counter(conference_day(start, tz) for start in starts)
    if not counts:
        raise ValueError("No sessions, so no busiest day.")
    return min(counts, key=lambda day: (-counts[day], day))


def spread(items: list, count: int) -> list:
    """count items taken evenly across the list (all of them if it is shorter)."""
    if len(items) <= count:
        return list(items)
    return [items[index * len(items) // count] for index in range(count)]


def recreate_database(database: dict) -> None:
    """Drop and create the benchmark's database, from the server's maintenance database.

    Refuses any database whose name does not say "bench": this drops it.
    """
    name = database["NAME"]
    if "postgresql" not in database["ENGINE"]:
        raise ValueError(f"The benchmark needs PostgreSQL; BENCH_DATABASE_URL names {name!r}.")
    if "bench" not in name:
        raise ValueError(
            f"Refusing to drop the database {name!r}: the benchmark's database name must "
            "contain 'bench' (set BENCH_DATABASE_URL)."
        )
    connections.close_all()
    with psycopg.connect(
        dbname="postgres",
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        autocommit=True,
        connect_timeout=5,
    ) as maintenance:
        # FORCE: a server left over from an interrupted run may still be connected.
        maintenance.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def build_database(*, sessions: int, speakers: int, seed: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("generate_event", sessions=sessions, speakers=speakers, seed=seed, verbosity=0)


@dataclass(frozen=True)
class Fixture:
    event: Event
    day: dt.date
    day_sessions: int
    session: Session
    username: str
    password: str


def prepare(*, seed: int, username: str, password: str) -> Fixture:
    """Pick the busiest day and a session page; save 20 of that day's sessions for an attendee."""
    from confguide.accounts.services import register_attendee
    from sessions.myschedule.services import add_sessions

    _, slug, *_ = event_identity(seed)
    event = Event.objects.published().get(slug=slug)
    public = Session.objects.public().filter(event=event)
    day = busiest_day(public.values_list("starts_at", flat=True), event.tz)
    start, end = day_bounds(day, event.tz)
    on_day = list(
        Session.objects.published()
        .filter(event=event, starts_at__gte=start, starts_at__lt=end)
        .select_related("event")
        .order_by("starts_at", "pk")
    )
    # The session page with the most speakers: the heaviest of the usual pages.
    session = (
        Session.objects.published()
        .filter(pk__in=[s.pk for s in on_day])
        .annotate(speaker_count=Count("appearances"))
        .select_related("event")
        .order_by("-speaker_count", "starts_at", "pk")
        .first()
    )
    user = register_attendee(username=username, email=f"{username}@localhost", password=password)
    add_sessions(user=user, sessions=spread(on_day, SAVED_SESSIONS))
    return Fixture(
        event=event,
        day=day,
        day_sessions=public.filter(starts_at__gte=start, starts_at__lt=end).count(),
        session=session,
        username=username,
        password=password,
    )
