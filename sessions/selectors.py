"""Reads that pages share. Each returns everything its page loops over."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from .models import Event, Session, Theme


def home_page(*, picks: int = 6) -> dict[str, Any]:
    events = list(Event.objects.published().upcoming_or_current().order_by("start_date")[:6])
    if not events:
        events = list(Event.objects.published()[:3])
    themes = list(
        Theme.objects.annotate(
            public_sessions=Count("sessions", filter=Q(sessions__in=Session.objects.public()))
        ).filter(public_sessions__gt=0)
    )
    latest_picks = list(
        Session.objects.published()
        .filter(is_editors_pick=True)
        .for_listing()
        .order_by("-event__start_date", "starts_at")[:picks]
    )
    return {"events": events, "themes": themes, "picks": latest_picks}
