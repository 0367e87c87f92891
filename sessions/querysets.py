from __future__ import annotations

import re

from django.db import connections, models
from django.db.models.functions import Coalesce
from django.utils import timezone

# Words for the full-text query: letters and digits only, so the raw tsquery
# built from them can hold no operator a reader typed.
_SEARCH_WORD = re.compile(r"\w+")


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

    def search(self, text: str) -> SessionQuerySet:
        """Sessions whose title, abstract, editors' note, speakers or companies match.

        PostgreSQL: full-text search with prefix matching ("kube" finds
        "Kubernetes"), English stemming for the prose, no stemming for names.
        Other databases: a case-insensitive substring match.
        """
        from sessions.models import SessionSpeaker

        words = _SEARCH_WORD.findall(text)[:20]
        if connections[self.db].vendor == "postgresql" and words:
            from django.contrib.postgres.search import SearchQuery, SearchVector

            raw = " & ".join(f"{word}:*" for word in words)
            prose = SearchVector("title", "abstract", "editors_note", config="english")
            people = (
                SessionSpeaker.objects.annotate(
                    document=SearchVector("speaker__name", "company__name", config="simple")
                )
                .filter(document=SearchQuery(raw, search_type="raw", config="simple"))
                .values("session_id")
            )
            return self.annotate(document=prose).filter(
                models.Q(document=SearchQuery(raw, search_type="raw", config="english"))
                | models.Q(pk__in=people)
            )
        text = text.strip()
        people = SessionSpeaker.objects.filter(
            models.Q(speaker__name__icontains=text) | models.Q(company__name__icontains=text)
        ).values("session_id")
        return self.filter(
            models.Q(title__icontains=text)
            | models.Q(abstract__icontains=text)
            | models.Q(editors_note__icontains=text)
            | models.Q(pk__in=people)
        )

    def for_listing(self) -> SessionQuerySet:
        """Everything a session card shows, fetched in a fixed number of queries.

        `saved_count` is how many attendees and visitors saved the session: a
        subquery per row on SavedSession's session index, in the same query.
        """
        from sessions.models import SavedSession, SessionSpeaker

        saves = (
            SavedSession.objects.filter(session=models.OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        # Into plain lists (Session.listed_themes, .listed_appearances): a prefetch
        # into the managers builds a queryset per session, a fifth of a cold
        # render of a 250-session day.
        return (
            self.select_related("event", "room")
            .annotate(saved_count=Coalesce(models.Subquery(saves), 0))
            .prefetch_related(
                models.Prefetch("themes", to_attr="_listed_themes"),
                models.Prefetch(
                    "appearances",
                    queryset=SessionSpeaker.objects.select_related("speaker", "company"),
                    to_attr="_listed_appearances",
                ),
            )
        )
