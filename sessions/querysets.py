from __future__ import annotations

from django.db import models
from django.utils import timezone


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        return self.filter(is_published=True)

    def upcoming_or_current(self) -> EventQuerySet:
        return self.filter(end_date__gte=timezone.localdate())


class SessionQuerySet(models.QuerySet):
    def public(self) -> SessionQuerySet:
        """Sessions readers may see: published or cancelled, of a published event."""
        return self.filter(
            status__in=[self.model.Status.PUBLISHED, self.model.Status.CANCELLED],
            event__is_published=True,
        )

    def published(self) -> SessionQuerySet:
        return self.filter(status=self.model.Status.PUBLISHED, event__is_published=True)

    def for_listing(self) -> SessionQuerySet:
        """Everything a session card shows, fetched in a fixed number of queries."""
        from .models import SessionSpeaker

        return self.select_related("event", "room").prefetch_related(
            "themes",
            models.Prefetch(
                "appearances",
                queryset=SessionSpeaker.objects.select_related("speaker", "company"),
            ),
        )
