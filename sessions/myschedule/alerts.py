"""Change emails: attendees who ask are told when sessions in their schedule change.

The changes are logged where the schedule is written (sessions.services
.record_schedule_changes), with a ChangeNotice for each opted-in attendee who
has the session saved. Every few minutes the task worker runs
send_due_emails(): it claims, in one UPDATE, the attendees whose last email
is an hour old or more, so two workers never mail the same person, and sends
each of them one email with all their changes, in the event's time zone and
in theirs. Each email carries a signed link to stop them, and the RFC 8058
one-click headers a mail client posts to.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from confguide.links import absolute_url
from confguide.timezones import available_time_zones
from sessions.models import ChangeNotice, SavedSession, ScheduleAlerts, ScheduleChange, Session

logger = logging.getLogger(__name__)

# At most one email per attendee in this time.
BATCH_EVERY = dt.timedelta(hours=1)
UNSUBSCRIBE_SALT = "confguide.myschedule.change-emails.unsubscribe"
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"
EN_DASH = "\u2013"
ARROW = "\u2192"


# --- The preference -----------------------------------------------------------


def change_emails_enabled(*, user: AbstractBaseUser) -> bool:
    return ScheduleAlerts.objects.filter(user=user, enabled=True).exists()


def set_change_emails(*, user: AbstractBaseUser, enabled: bool) -> None:
    """Turn the attendee's change emails on or off.

    Off forgets what was still to be sent; on tells only of changes from now.
    """
    with transaction.atomic():
        ScheduleAlerts.objects.update_or_create(
            user=user, defaults={"enabled": enabled, "changed_at": timezone.now()}
        )
        if not enabled:
            ChangeNotice.objects.filter(user=user, sent_at__isnull=True).delete()
    if enabled:
        from sessions.tasks import schedule_change_emails

        schedule_change_emails()


def unsubscribe_token(user: AbstractBaseUser) -> str:
    """The signed part of the attendee's stop-the-emails links (it names only the account)."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def subscriber_for_token(token: str) -> ScheduleAlerts | None:
    """The preference a stop link is for; None if its account is gone.

    Raises signing.BadSignature for a token this site did not sign.
    """
    user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(user_id, int):
        raise signing.BadSignature("not an account")
    return ScheduleAlerts.objects.select_related("user").filter(user_id=user_id).first()


def unsubscribe(*, subscriber: ScheduleAlerts) -> None:
    set_change_emails(user=subscriber.user, enabled=False)


# --- What an email says -------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    """One change of one session, as the email words it."""

    what: str  # "time", "room", "status"
    text: str  # in the event's time zone
    yours: str = ""  # the same in the attendee's zone, when they chose another


@dataclass
class SessionNews:
    session: Session
    url: str
    lines: list[ChangeLine] = field(default_factory=list)


def _span(starts_at: dt.datetime, ends_at: dt.datetime, zone: ZoneInfo) -> str:
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    day = f"{start:%a} {start.day} {start:%b}"
    if start.date() == end.date():
        return f"{day} {start:%H:%M}{EN_DASH}{end:%H:%M}"
    return f"{day} {start:%H:%M} {EN_DASH} {end:%a} {end.day} {end:%b %H:%M}"


def _net(changes: list[ScheduleChange]) -> ScheduleChange | None:
    """Several changes of one kind in one email: from the first's old to the last's new."""
    first, last = changes[0], changes[-1]
    net = ScheduleChange(
        what=first.what,
        old_starts_at=first.old_starts_at,
        old_ends_at=first.old_ends_at,
        new_starts_at=last.new_starts_at,
        new_ends_at=last.new_ends_at,
        old_value=first.old_value,
        new_value=last.new_value,
    )
    if net.what == ScheduleChange.What.TIME:
        unchanged = (net.old_starts_at, net.old_ends_at) == (net.new_starts_at, net.new_ends_at)
    else:
        unchanged = net.old_value == net.new_value
    return None if unchanged else net


def _line(change: ScheduleChange, event_zone: ZoneInfo, own_zone: ZoneInfo | None) -> ChangeLine:
    if change.what == ScheduleChange.What.TIME:

        def moved(zone: ZoneInfo) -> str:
            old = _span(change.old_starts_at, change.old_ends_at, zone)
            new = _span(change.new_starts_at, change.new_ends_at, zone)
            return f"Moved from {old} to {new} ({zone.key})"

        return ChangeLine(
            what=change.what,
            text=moved(event_zone),
            yours=moved(own_zone) if own_zone else "",
        )
    if change.what == ScheduleChange.What.ROOM:
        old, new = change.old_value or "no room", change.new_value or "no room"
        return ChangeLine(what=change.what, text=f"Room: {old} {ARROW} {new}")
    if change.new_value == Session.Status.CANCELLED:
        return ChangeLine(what=change.what, text="Cancelled")
    return ChangeLine(what=change.what, text="Back in the programme: no longer cancelled")


_LINE_ORDER = {
    ScheduleChange.What.STATUS: 0,
    ScheduleChange.What.TIME: 1,
    ScheduleChange.What.ROOM: 2,
}


def describe(*, notices: list[ChangeNotice], time_zone: str) -> list[SessionNews]:
    """The attendee's changes by session (in programme order), each kind once, net."""
    own = ZoneInfo(time_zone) if time_zone in available_time_zones() else None
    by_session: dict[int, dict[str, list[ScheduleChange]]] = {}
    sessions: dict[int, Session] = {}
    for notice in sorted(notices, key=lambda n: (n.change.changed_at, n.change.pk)):
        change = notice.change
        sessions[change.session_id] = change.session
        by_session.setdefault(change.session_id, {}).setdefault(change.what, []).append(change)
    news = []
    for session_id, kinds in by_session.items():
        session = sessions[session_id]
        zone = session.event.tz
        shown_zone = own if own is not None and own.key != zone.key else None
        nets = [net for changes in kinds.values() if (net := _net(changes)) is not None]
        if not nets:
            continue
        nets.sort(key=lambda net: _LINE_ORDER[net.what])
        news.append(
            SessionNews(
                session=session,
                url=absolute_url(session.get_absolute_url()),
                lines=[_line(net, zone, shown_zone) for net in nets],
            )
        )
    news.sort(key=lambda item: (item.session.starts_at, item.session.pk))
    return news


def build_email(
    *, user: AbstractBaseUser, news: list[SessionNews]
) -> EmailMultiAlternatives | None:
    """One email with every change, plain text and HTML, and the one-click stop headers."""
    if not news or not user.email:
        return None
    token = unsubscribe_token(user)
    one_click = absolute_url(reverse("myschedule:unsubscribe_one_click", args=[token]))
    context = {
        "user": user,
        "news": news,
        "my_schedule_url": absolute_url(reverse("myschedule:index")),
        "unsubscribe_url": absolute_url(reverse("myschedule:unsubscribe", args=[token])),
    }
    count = len(news)
    subject = (
        f"A session in your schedule changed: {news[0].session.title}"
        if count == 1
        else f"{count} sessions in your schedule changed"
    )
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=render_to_string("myschedule/email/changes.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{one_click}>",
            "List-Unsubscribe-Post": ONE_CLICK_BODY,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("myschedule/email/changes.html", context), "text/html"
    )
    return message


# --- Sending --------------------------------------------------------------------


def forget_untellable() -> int:
    """Drop unsent notices there is nothing to tell about any more.

    The attendee took the session off their schedule, or saw the change on
    My schedule already, or the session or its event is no longer published.
    """
    still_to_tell = SavedSession.objects.filter(
        user_id=OuterRef("user_id"),
        session_id=OuterRef("change__session_id"),
        seen_at__lt=OuterRef("change__changed_at"),
    )
    deleted, _ = (
        ChangeNotice.objects.filter(sent_at__isnull=True)
        .filter(
            ~Exists(still_to_tell)
            | Q(change__session__event__is_published=False)
            | Q(change__session__status=Session.Status.DRAFT)
        )
        .delete()
    )
    return deleted


def claim_due(*, now: dt.datetime) -> uuid.UUID | None:
    """Claim every opted-in attendee with news whose last email is an hour old or more.

    One UPDATE: a second worker running at the same moment finds the rows
    already claimed (its own UPDATE re-checks `last_sent_at` once the first
    commits), so nobody gets two emails. Returns the claim, or None.
    """
    claim = uuid.uuid4()
    pending = ChangeNotice.objects.filter(user_id=OuterRef("user_id"), sent_at__isnull=True)
    claimed = (
        ScheduleAlerts.objects.filter(enabled=True)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - BATCH_EVERY))
        .filter(Exists(pending))
        .update(last_sent_at=now, claim=claim)
    )
    return claim if claimed else None


def send_due_emails(*, now: dt.datetime | None = None) -> int:
    """Email every attendee whose batch is due; returns how many emails went out.

    A fixed number of queries, however many attendees and changes.
    """
    now = now or timezone.now()
    forget_untellable()
    claim = claim_due(now=now)
    return 0 if claim is None else send_claimed(claim=claim, now=now)


def send_claimed(*, claim: uuid.UUID, now: dt.datetime) -> int:
    """Email the attendees of this claim every change not yet sent to them."""
    subscribers = list(ScheduleAlerts.objects.filter(claim=claim).select_related("user"))
    notices = list(
        ChangeNotice.objects.filter(
            user__schedule_alerts__claim=claim, sent_at__isnull=True
        ).select_related("change__session__event")
    )
    by_user: dict[int, list[ChangeNotice]] = {}
    for notice in notices:
        by_user.setdefault(notice.user_id, []).append(notice)
    settled: list[int] = []
    failed: list[int] = []
    sent = 0
    for subscriber in subscribers:
        mine = by_user.get(subscriber.user_id, [])
        user = subscriber.user
        message = build_email(user=user, news=describe(notices=mine, time_zone=user.time_zone))
        if message is not None:
            try:
                message.send()
            except Exception:  # any backend failure: try again on the next run
                logger.exception("Could not email schedule changes to user %s", user.pk)
                failed.append(user.pk)
                continue
            sent += 1
        settled += [notice.pk for notice in mine]
    ChangeNotice.objects.filter(pk__in=settled).update(sent_at=now)
    if failed:
        # They were due (their last email is an hour old or more), and nothing went out.
        ScheduleAlerts.objects.filter(user_id__in=failed, claim=claim).update(last_sent_at=None)
    return sent
