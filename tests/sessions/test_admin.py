"""The editors' admin: who gets in, what the pages show, actions, inline and query counts."""

import datetime as dt
import html

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from sessions.models import Company, Event, Room, Session, SessionSpeaker, Speaker, Theme
from tests.factories import (
    CompanyFactory,
    EventFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
    UserFactory,
)
from tests.sessions.admin_forms import session_data

pytestmark = pytest.mark.integration

MODELS = [Event, Theme, Company, Speaker, Room, Session]


@pytest.fixture
def programme(db):
    """One event with a room, a theme and a two-speaker session, plus a draft session."""
    event = EventFactory(name="CloudConf 2030", slug="cloudconf-2030")
    theme = ThemeFactory(name="Storage & CSI", slug="storage-csi")
    patrick = SpeakerFactory(name="Patrick Ohly", slug="patrick-ohly", company__name="Intel")
    other = SpeakerFactory(name="Fei Guo", company__name="Alibaba")
    session = SessionFactory(
        event=event,
        title="Persistent Memory in Kubernetes",
        slug="persistent-memory",
        speakers=[patrick, other],
        themes=[theme],
    )
    draft = SessionFactory(
        event=event, title="Unfinished Draft", slug="draft", status=Session.Status.DRAFT
    )
    return {
        Event: event,
        Theme: theme,
        Company: patrick.company,
        Speaker: patrick,
        Room: session.room,
        Session: session,
        "draft": draft,
    }


def _url(model, page, *args):
    return reverse(f"admin:conference_{model._meta.model_name}_{page}", args=args)


# --- Who gets in ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_editor_sees_every_changelist_add_and_change_page(editor_client, programme, model):
    row = programme[model]

    changelist = editor_client.get(_url(model, "changelist"))
    add = editor_client.get(_url(model, "add"))
    change = editor_client.get(_url(model, "change", row.pk))

    assert changelist.status_code == 200
    assert escape(str(row)) in changelist.text
    assert add.status_code == 200
    assert 'type="submit"' in add.text
    assert change.status_code == 200
    assert f'value="{escape(str(row))}"' in change.text


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_signed_out_and_non_staff_users_are_sent_to_the_login_page(client, programme, model):
    url = _url(model, "changelist")

    signed_out = client.get(url)
    client.force_login(UserFactory(username="attendee"))
    attendee = client.get(url)

    for response in (signed_out, attendee):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_staff_outside_the_editors_group_are_refused(client, programme, model):
    client.force_login(UserFactory(username="intern", is_staff=True))

    changelist = client.get(_url(model, "changelist"))
    change = client.post(
        _url(model, "change", programme[model].pk), {"name": "Hijacked", "title": "Hijacked"}
    )

    assert changelist.status_code == 403
    assert change.status_code == 403
    assert str(model.objects.get(pk=programme[model].pk)) == str(programme[model])


def test_editor_cannot_manage_users_or_groups(editor_client):
    assert editor_client.get(reverse("admin:confguide_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403


# --- What the pages show ----------------------------------------------------------------------


def test_session_changelist_shows_event_time_speakers_and_status(editor_client, programme):
    response = editor_client.get(_url(Session, "changelist"))

    # 10:00 in New York on the event's first day (factory default), shown in that zone.
    assert "Sun 17 Nov 2030 10:00 EST" in response.text
    assert "Patrick Ohly, Fei Guo" in response.text
    assert "Unfinished Draft" in response.text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=Ohly", "Persistent Memory", "Unfinished Draft"),
        ("q=Intel", "Persistent Memory", "Unfinished Draft"),
        ("status__exact=draft", "Unfinished Draft", "Persistent Memory"),
        ("format__exact=talk", "Persistent Memory", "No sessions"),
        ("day=2030-11-17", "Persistent Memory", "No sessions"),
        ("day=2030-11-18", "0 sessions", "Persistent Memory"),
    ],
)
def test_session_changelist_filters_and_search(editor_client, programme, query, shown, hidden):
    response = editor_client.get(f"{_url(Session, 'changelist')}?{query}")

    assert response.status_code == 200
    assert shown in response.text
    assert hidden not in response.text


def test_session_search_finds_a_session_by_the_company_its_speaker_had_then(
    editor_client, programme
):
    patrick = programme[Speaker]
    patrick.company = CompanyFactory(name="Somewhere New")
    patrick.save()

    response = editor_client.get(f"{_url(Session, 'changelist')}?q=Intel")

    assert "Persistent Memory" in response.text


def test_session_changelist_filters_by_event_and_theme(editor_client, programme):
    other = SessionFactory(title="Another Event's Talk")
    url = _url(Session, "changelist")

    by_event = editor_client.get(f"{url}?event__id__exact={programme[Event].pk}")
    by_theme = editor_client.get(f"{url}?themes__id__exact={programme[Theme].pk}")

    assert "Persistent Memory" in by_event.text
    assert other.title not in by_event.text
    assert "Persistent Memory" in by_theme.text
    assert "Unfinished Draft" not in by_theme.text


def test_day_filter_counts_a_session_after_midnight_on_the_previous_day(editor_client):
    event = EventFactory(time_zone="America/New_York")
    SessionFactory(
        event=event,
        title="Late Night BoF",
        # 02:00 on the 19th in New York belongs to conference day 18.
        starts_at=dt.datetime(2030, 11, 19, 7, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 11, 19, 8, 0, tzinfo=dt.UTC),
    )
    url = _url(Session, "changelist")

    day_18 = editor_client.get(f"{url}?day=2030-11-18")
    day_19 = editor_client.get(f"{url}?day=2030-11-19")

    assert "Late Night BoF" in day_18.text
    assert "Late Night BoF" not in day_19.text
    # The filter offers the event's four days.
    assert "Wed 20 Nov 2030" in day_18.text


@pytest.mark.parametrize(
    "query",
    [
        "day=not-a-day",
        "day=2030-02-30",
        "day=",
        "event__id__exact=abc",
        # A superscript two passes str.isdigit() but not int(): it was a 500.
        "event__id__exact=\u00b2",
        "event__id__exact=99999999999999999999",
        "themes__id__exact=99999",
        "starts_at__year=abc",
        "starts_at__month=13&starts_at__year=2030",
        "o=99",
        "p=999",
        "status__exact=nonsense",
        "q=" + "x" * 2000,
    ],
)
def test_session_changelist_survives_hand_edited_query_strings(editor_client, programme, query):
    response = editor_client.get(f"{_url(Session, 'changelist')}?{query}")

    assert response.status_code in (200, 302)
    if response.status_code == 302:  # Django's own "bad lookup" redirect
        assert "e=1" in response.url


def test_malformed_day_filter_says_what_is_wrong(editor_client, programme):
    response = editor_client.get(f"{_url(Session, 'changelist')}?day=not-a-day")

    assert "“not-a-day” is not a day (YYYY-MM-DD)" in response.text
    assert "Persistent Memory" not in response.text


@pytest.mark.parametrize("model", [Event, Company, Speaker, Room, Theme], ids=lambda m: m.__name__)
def test_other_changelists_search(editor_client, programme, model):
    row = programme[model]

    response = editor_client.get(f"{_url(model, 'changelist')}?q={row.name.split()[0]}")

    assert response.status_code == 200
    assert escape(str(row)) in response.text


def test_session_change_form_shows_times_in_the_events_zone(editor_client, programme):
    session = programme[Session]

    response = editor_client.get(_url(Session, "change", session.pk))

    assert 'name="starts_at_1" value="10:00:00"' in response.text
    assert "Times are in America/New_York" in response.text
    # Rooms are labelled with their event, as rooms of every event share the list.
    assert f"CloudConf 2030 · {session.room.name}" in response.text


def test_session_add_form_opened_from_an_event_preselects_nothing_but_uses_its_zone(
    editor_client, programme
):
    event = programme[Event]

    listing = editor_client.get(_url(Event, "changelist"))
    add = editor_client.get(f"{_url(Session, 'add')}?event={event.pk}")
    plain = editor_client.get(_url(Session, "add"))

    assert f"{_url(Session, 'add')}?event={event.pk}" in listing.text
    assert "Times are in America/New_York" in add.text
    assert "Times are in UTC" in plain.text


def test_session_add_form_with_a_mangled_event_falls_back_to_utc(editor_client, programme):
    response = editor_client.get(_url(Session, "add"), {"event": "\u00b2"})

    assert response.status_code == 200
    assert "Times are in UTC" in response.text


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_view_on_site_link_appears_once_the_model_has_public_pages(editor_client, programme, model):
    response = editor_client.get(_url(model, "change", programme[model].pk))

    has_page = hasattr(model, "get_absolute_url")
    assert ("View on site" in response.text) is has_page


def test_autocomplete_finds_speakers_and_companies(editor_client, programme):
    url = reverse("admin:autocomplete")
    common = {"app_label": "conference", "model_name": "sessionspeaker"}

    speakers = editor_client.get(url, {**common, "field_name": "speaker", "term": "Ohly"})
    companies = editor_client.get(url, {**common, "field_name": "company", "term": "Int"})

    assert [r["text"] for r in speakers.json()["results"]] == ["Patrick Ohly"]
    assert [r["text"] for r in companies.json()["results"]] == ["Intel"]


@pytest.mark.parametrize(
    ("model", "source"),
    [(Event, "name"), (Theme, "name"), (Company, "name"), (Speaker, "name"), (Session, "title")],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_add_forms_prepopulate_the_slug_from_the_name(editor_client, model, source):
    response = editor_client.get(_url(model, "add"))

    expected = f'"id": "#id_slug", "name": "slug", "dependency_ids": ["#id_{source}"]'
    assert expected in html.unescape(response.text)


# --- Actions ------------------------------------------------------------------------------------


def _act(client, model, action, rows):
    return client.post(
        _url(model, "changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
        follow=True,
    )


def test_publish_unpublish_and_cancel_sessions(editor_client, programme):
    session, draft = programme[Session], programme["draft"]

    published = _act(editor_client, Session, "publish", [session, draft])
    draft.refresh_from_db()
    assert draft.status == Session.Status.PUBLISHED
    assert draft.sequence == 1
    assert "1 session published." in published.text  # the other already was

    cancelled = _act(editor_client, Session, "cancel", [session])
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert "1 session cancelled." in cancelled.text

    unpublished = _act(editor_client, Session, "unpublish", [session, draft])
    assert set(Session.objects.values_list("status", flat=True)) == {Session.Status.DRAFT}
    assert "2 sessions unpublished." in unpublished.text


def test_publish_and_unpublish_events(editor_client, programme):
    event = programme[Event]
    hidden = EventFactory(is_published=False)

    _act(editor_client, Event, "unpublish", [event])
    response = _act(editor_client, Event, "publish", [event, hidden])

    assert Event.objects.filter(is_published=True).count() == 2
    assert "2 events published." in response.text


def test_staff_outside_the_editors_group_cannot_run_actions(client, programme):
    client.force_login(UserFactory(username="intern", is_staff=True))

    response = _act(client, Session, "publish", [programme["draft"]])

    assert response.status_code == 403
    assert Session.objects.get(pk=programme["draft"].pk).status == Session.Status.DRAFT


def test_moving_a_session_in_the_admin_raises_its_calendar_sequence(editor_client, programme):
    session = programme[Session]
    data = session_data(
        session.event,
        title=session.title,
        slug=session.slug,
        starts="2030-11-17 11:00",
        ends="2030-11-17 11:35",
        room=session.room.pk,
        theme_links=[
            {
                "id": link.pk,
                "session": session.pk,
                "theme": link.theme_id,
                "by_hand": "on" if link.source == "hand" else "",
            }
            for link in session.theme_links.all()
        ],
        initial_theme_links=session.theme_links.count(),
        appearances=[
            {
                "id": a.pk,
                "session": session.pk,
                "order": a.order,
                "speaker": a.speaker_id,
                "company": a.company_id,
            }
            for a in session.appearances.all()
        ],
        initial_appearances=2,
    )

    response = editor_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == dt.datetime(2030, 11, 17, 16, 0, tzinfo=dt.UTC)
    assert session.sequence == 1


# --- The speakers inline and affiliations -------------------------------------------------------


def test_inline_affiliation_defaults_to_the_speakers_company_and_stays_after_a_move(
    editor_client,
):
    event = EventFactory()
    patrick = SpeakerFactory(name="Patrick Ohly", company__name="Intel")
    tasha = SpeakerFactory(name="Tasha Drew", company__name="VMware")
    former = CompanyFactory(name="Her Former Employer")
    rows = [
        {"order": 0, "speaker": patrick.pk, "company": ""},
        {"order": 1, "speaker": tasha.pk, "company": former.pk},
    ]

    response = editor_client.post(
        f"{_url(Session, 'add')}?event={event.pk}", session_data(event, appearances=rows)
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert [str(a) for a in session.appearances.all()] == [
        "Patrick Ohly @ Intel",
        "Tasha Drew @ Her Former Employer",
    ]

    # Patrick changes jobs; editing the session again keeps 2020's affiliation.
    patrick.company = CompanyFactory(name="Somewhere New")
    patrick.save()
    appearances = list(session.appearances.all())
    data = session_data(
        event,
        appearances=[
            {
                "id": a.pk,
                "session": session.pk,
                "order": a.order,
                "speaker": a.speaker_id,
                "company": a.company_id,
            }
            for a in appearances
        ],
        initial_appearances=2,
        editors_note="Still worth it.",
    )
    response = editor_client.post(_url(Session, "change", session.pk), data)

    assert response.status_code == 302
    assert str(SessionSpeaker.objects.get(speaker=patrick)) == "Patrick Ohly @ Intel"
    assert Session.objects.get().editors_note == "Still worth it."


def test_inline_keeps_speakers_in_the_stated_order(editor_client):
    event = EventFactory()
    first, second = SpeakerFactory(name="Second Billed"), SpeakerFactory(name="First Billed")
    rows = [
        {"order": 1, "speaker": first.pk, "company": ""},
        {"order": 0, "speaker": second.pk, "company": ""},
    ]

    editor_client.post(_url(Session, "add"), session_data(event, appearances=rows))

    session = Session.objects.get()
    assert [a.speaker.name for a in session.appearances.all()] == ["First Billed", "Second Billed"]


# --- Query counts do not grow with the data --------------------------------------------------


def _grow(size: int) -> None:
    """Rows of every kind, all growing with size."""
    events = [EventFactory() for _ in range(max(1, size // 4))]
    themes = [ThemeFactory() for _ in range(max(1, size // 4))]
    for n in range(size):
        SessionFactory(
            event=events[n % len(events)],
            themes=themes[: n % len(themes) + 1],
            speakers=[SpeakerFactory(), SpeakerFactory()],
        )


# The speaker list's "speaking at" filter (the dashboard's links) reads the events once.
CHANGELIST_QUERIES = {Event: 9, Theme: 7, Company: 7, Speaker: 9, Room: 8, Session: 13}


@pytest.fixture(scope="class", params=[2, 20], ids=lambda size: f"{size} rows")
def grown(request, class_db, django_db_blocker):
    """`_grow(size)` once for all six changelists, which only read the rows.

    Each size is rolled back before the next is made, and both before the class ends.
    """
    with django_db_blocker.unblock():
        savepoint = transaction.savepoint_create()
        _grow(request.param)
    yield request.param
    with django_db_blocker.unblock():
        transaction.savepoint_rollback(savepoint)


class TestChangelistQueries:
    @pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
    def test_changelist_query_count_does_not_grow_with_rows(
        self, editor_client, django_assert_max_num_queries, grown, model
    ):
        assert Session.objects.count() == grown  # the class's rows, this size's only
        with django_assert_max_num_queries(CHANGELIST_QUERIES[model]):
            response = editor_client.get(_url(model, "changelist"))

        assert response.status_code == 200


def test_session_change_form_query_count_grows_only_by_the_autocomplete_widgets(
    editor_client, django_assert_max_num_queries
):
    counts = []
    for size in (1, 6):
        session = SessionFactory(speakers=[SpeakerFactory() for _ in range(size)])
        with django_assert_max_num_queries(40) as captured:
            editor_client.get(_url(Session, "change", session.pk))
        counts.append(len(captured))

    # Django's autocomplete widget looks up its selected option itself: one
    # query for the speaker and one for the company of each row, nothing more.
    assert counts[1] - counts[0] <= 5 * 2
