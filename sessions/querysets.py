from __future__ import annotations

import functools
import operator
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

        Every word must match. Annotates `search_rank`, higher for better matches.
        PostgreSQL: the stored document (sessions.search.documents), with prefix
        matching ("kube" finds "Kubernetes") and titles ranked over abstracts
        over names. Other databases: case-insensitive substring matches, titles first.
        """
        from sessions.models import SessionSpeaker

        text = text.replace("\x00", "").strip()
        words = _SEARCH_WORD.findall(text)[:20]
        if connections[self.db].vendor == "postgresql" and words:
            from django.contrib.postgres.search import SearchQuery, SearchRank

            # Each word as a prefix, stemmed as prose or kept as a name: "will"
            # is an English stop word but also a speaker's first name.
            query = functools.reduce(
                operator.and_,
                (
                    SearchQuery(f"{word}:*", search_type="raw", config="english")
                    | SearchQuery(f"{word}:*", search_type="raw", config="simple")
                    for word in words
                ),
            )
            return self.filter(search_vector=query).annotate(
                search_rank=SearchRank(models.F("search_vector"), query)
            )
        terms = words or [text]
        matches = models.Q()
        for term in terms:
            people = SessionSpeaker.objects.filter(
                models.Q(speaker__name__icontains=term) | models.Q(company__name__icontains=term)
            ).values("session_id")
            matches &= (
                models.Q(title__icontains=term)
                | models.Q(abstract__icontains=term)
                | models.Q(editors_note__icontains=term)
                | models.Q(pk__in=people)
            )
        in_title = models.Q()
        for term in terms:
            in_title &= models.Q(title__icontains=term)
        return self.filter(matches).annotate(
            search_rank=models.Case(
                models.When(in_title, then=models.Value(1.0)),
                default=models.Value(0.0),
                output_field=models.FloatField(),
            )
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
            # The stored search document is for the database alone: a listing
            # would otherwise carry it for every row.
            .defer("search_vector")
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
