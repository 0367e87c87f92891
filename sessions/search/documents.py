"""Each session's stored search document (PostgreSQL full-text search).

A session is found by its title (weight A), its editors' note and abstract
(B), and the names of its speakers and the companies they spoke for (C). The
document is a stored column, kept up to date by `refresh_search_vectors`,
which sessions.content calls whenever it records that a programme changed:
admin saves, imports, merges, status changes and the demo loaders all go
through it. On other databases the column stays empty and searches fall back
to substring matches (SessionQuerySet.search).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import connections, models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat

# Prose is stemmed ("clusters" finds "cluster"); names are kept as written.
PROSE_CONFIG = "english"
NAMES_CONFIG = "simple"


class SearchVectorIndex(GinIndex):
    """A GIN index on PostgreSQL; elsewhere an ordinary index on the (empty) column.

    SQLite knows no GIN, but it rebuilds a table from the model's declared
    indexes whenever a migration alters it, so the index must have some form there.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


def session_document(appearance_model: type[models.Model]) -> SearchVector:
    """The expression of a session's search document, for an UPDATE of the sessions.

    `appearance_model` is SessionSpeaker (or its historical copy in a migration).
    """
    names = (
        appearance_model._default_manager.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(
            text=models.StringAgg(
                Concat(
                    Coalesce("speaker__name", Value("")),
                    Value(" "),
                    Coalesce("company__name", Value("")),
                    output_field=models.TextField(),
                ),
                delimiter=Value(" "),
            )
        )
        .values("text")
    )
    return (
        SearchVector("title", weight="A", config=PROSE_CONFIG)
        + SearchVector("editors_note", "abstract", weight="B", config=PROSE_CONFIG)
        + SearchVector(Subquery(names), weight="C", config=NAMES_CONFIG)
    )


def update_search_vectors(sessions: models.QuerySet, appearance_model: type[models.Model]) -> None:
    """Recompute the stored document of these sessions (PostgreSQL only): one UPDATE."""
    if connections[sessions.db].vendor != "postgresql":
        return
    sessions.update(search_vector=session_document(appearance_model))


def refresh_search_vectors(
    *, event_ids: Iterable[int] = (), session_ids: Iterable[int] = ()
) -> None:
    """Recompute the documents of every session of these events, and of these sessions."""
    from sessions.models import Session, SessionSpeaker

    event_ids, session_ids = set(event_ids), set(session_ids)
    if not (event_ids or session_ids):
        return
    sessions = Session.objects.filter(Q(event_id__in=event_ids) | Q(pk__in=session_ids))
    update_search_vectors(sessions, SessionSpeaker)
