import pytest
from django.urls import reverse

from sessions.admin import SessionAdmin
from tests.factories import SavedSessionFactory, SessionFactory

pytestmark = pytest.mark.integration

CHANGELIST = reverse("admin:conference_session_changelist")


def _saved(title, count):
    session = SessionFactory(title=title)
    for _ in range(count):
        SavedSessionFactory(session=session)
    return session


def _titles_in_order(text, titles):
    return sorted(titles, key=text.index)


def test_editors_see_how_many_attendees_saved_each_session_and_can_sort(editor_client):
    _saved("Rarely saved", 1)
    _saved("Popular", 3)
    _saved("Unsaved", 0)
    column = SessionAdmin.list_display.index("saved_count")

    ascending = editor_client.get(CHANGELIST, {"o": str(column + 1)})
    descending = editor_client.get(CHANGELIST, {"o": f"-{column + 1}"})

    assert '<td class="field-saved_count">3</td>' in ascending.text
    assert '<td class="field-saved_count">0</td>' in ascending.text
    titles = ["Unsaved", "Rarely saved", "Popular"]
    assert _titles_in_order(ascending.text, titles) == titles
    assert _titles_in_order(descending.text, titles) == titles[::-1]


@pytest.mark.parametrize("sessions", [2, 20])
def test_saved_by_column_costs_no_query_per_row(editor_client, django_assert_num_queries, sessions):
    for n in range(sessions):
        _saved(f"Session {n}", n % 3)

    with django_assert_num_queries(13):
        response = editor_client.get(CHANGELIST)

    assert response.text.count('class="field-saved_count"') == sessions


def test_saved_by_counts_anonymous_visitors_too(editor_client):
    from django.contrib.sessions.backends.db import SessionStore

    from sessions.myschedule import services

    session = _saved("Half anonymous", 1)
    for _ in range(2):
        store = SessionStore()
        store.create()
        services.add_session_anonymously(store=store, session=session)

    page = editor_client.get(CHANGELIST)

    assert "saved by (incl. anonymous)" in page.text.lower()
    assert '<td class="field-saved_count">3</td>' in page.text
