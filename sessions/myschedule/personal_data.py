"""An attendee's schedule as personal data: what "Download my data" gets, and its erasure.

Registered with confguide.contributions from the app's ready(); confguide's
privacy pages gather it without knowing what a schedule is.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse

from confguide.links import absolute_url
from sessions.models import ChangeNotice, SavedSession, ScheduleAlerts, Session

LABEL = "My schedule"
DESCRIPTION = (
    "The sessions you saved, with their event, times and addresses; your calendar "
    "address and your share links, if you made them."
)


CHANGE_EMAILS_LABEL = "Change emails"
CHANGE_EMAILS_DESCRIPTION = (
    "Whether you asked to be emailed when sessions in your schedule change, when "
    "the last such email went out, and each change it told you of or still will."
)


def collect(user: AbstractBaseUser) -> dict:
    saved = list(
        SavedSession.objects.filter(user=user)
        .select_related("session__event")
        .order_by("session__starts_at", "pk")
    )
    public_ids = set(
        Session.objects.public()
        .filter(pk__in=[row.session_id for row in saved])
        .values_list("pk", flat=True)
    )
    return {
        "saved_sessions": [_saved_session(row, row.session_id in public_ids) for row in saved],
        "calendar_feed": _calendar_feed(user),
        "sharing": _sharing(user, [row.session.event for row in saved]),
    }


def erase(user: AbstractBaseUser) -> int:
    deleted, _ = SavedSession.objects.filter(user=user).delete()
    return deleted


def _saved_session(row: SavedSession, is_public: bool) -> dict:
    session = row.session
    entry = {"saved_at": row.created_at, "seen_at": row.seen_at, "plan": row.get_plan_display()}
    if not is_public:
        # What a draft is called is the editors' business, as on every other page.
        return entry | {"session": None, "note": "This session is no longer published."}
    return entry | {
        "event": session.event.name,
        "event_url": absolute_url(session.event.get_absolute_url()),
        "session": session.title,
        "session_url": absolute_url(session.get_absolute_url()),
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "status": session.get_status_display(),
    }


def _calendar_feed(user: AbstractBaseUser) -> dict:
    if not user.calendar_token:
        return {"address_made": False}
    url = absolute_url(reverse("myschedule:feed", args=[user.calendar_token]))
    return {
        "address_made": True,
        "url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
    }


def _sharing(user: AbstractBaseUser, events: list) -> dict:
    if not (user.share_enabled and user.share_token):
        return {"enabled": False, "links": []}
    slugs = dict.fromkeys(event.slug for event in events if event.is_published)
    return {
        "enabled": True,
        "links": [
            absolute_url(reverse("myschedule:shared", args=[user.share_token, slug]))
            for slug in slugs
        ],
    }


def collect_change_emails(user: AbstractBaseUser) -> dict:
    alerts = ScheduleAlerts.objects.filter(user=user).first()
    notices = (
        ChangeNotice.objects.filter(user=user)
        .select_related("change__session")
        .order_by("change__changed_at", "pk")
    )
    return {
        "enabled": bool(alerts and alerts.enabled),
        "chosen_at": alerts.changed_at if alerts else None,
        "last_email_at": alerts.last_sent_at if alerts else None,
        "changes": [_notice(notice) for notice in notices],
    }


def erase_change_emails(user: AbstractBaseUser) -> int:
    notices, _ = ChangeNotice.objects.filter(user=user).delete()
    preference, _ = ScheduleAlerts.objects.filter(user=user).delete()
    return notices + preference


def _notice(notice: ChangeNotice) -> dict:
    change = notice.change
    entry = {
        "session": change.session.title,
        "what": change.what,
        "changed_at": change.changed_at,
        "emailed_at": notice.sent_at,
    }
    if change.what == change.What.TIME:
        return entry | {
            "old_starts_at": change.old_starts_at,
            "old_ends_at": change.old_ends_at,
            "new_starts_at": change.new_starts_at,
            "new_ends_at": change.new_ends_at,
        }
    return entry | {"old": change.old_value, "new": change.new_value}
