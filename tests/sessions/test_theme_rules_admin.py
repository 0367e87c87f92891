"""Theme rules in the admin: the rules inline, the bulk "apply rules" page with its
preview, and themes an editor sets on a session."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from sessions.models import Event, SessionTheme, ThemeRule
from tests.factories import (
    EventFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)
from tests.sessions.admin_forms import inline, session_data

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

APPLY = reverse("admin:conference_theme_apply_rules")


@pytest.fixture
def programme():
    """Storage & CSI: two sessions a rule would add, one rule-set theme that no longer
    matches, and a hand-set one that never goes; another event with one match."""
    storage = ThemeFactory(name="Storage & CSI")
    ThemeRule.objects.create(theme=storage, name="words", words="storage\nCSI")
    event, other = EventFactory(name="CloudConf 2030"), EventFactory(name="OtherConf 2030")
    adds = [
        SessionFactory(event=event, title="Storage at Scale"),
        SessionFactory(event=event, title="CSI Drivers"),
    ]
    stale = SessionFactory(event=event, title="Ingress Basics")
    SessionTheme.objects.create(session=stale, theme=storage, source=SessionTheme.Source.RULE)
    pinned = SessionFactory(event=event, title="Gateways", themes=[storage])
    elsewhere = SessionFactory(event=other, title="Storage Elsewhere")
    return {
        "theme": storage,
        "event": event,
        "other": other,
        "adds": adds,
        "stale": stale,
        "pinned": pinned,
        "elsewhere": elsewhere,
    }


def _storage_sessions():
    return set(
        SessionTheme.objects.filter(theme__name="Storage & CSI").values_list(
            "session__title", "source"
        )
    )


BEFORE = {("Ingress Basics", "rule"), ("Gateways", "hand")}


def test_the_preview_of_one_event_says_what_would_change_and_changes_nothing(
    editor_client, programme
):
    response = editor_client.get(APPLY, {"event": programme["event"].pk, "preview": "1"})

    assert response.status_code == 200
    text = response.text
    assert "Storage &amp; CSI: 2 sessions would be added, 1 removed" in text
    assert "Storage at Scale" in text and "CSI Drivers" in text and "Ingress Basics" in text
    assert "Storage Elsewhere" not in text  # another event's
    assert _storage_sessions() == BEFORE


def test_the_preview_of_every_event(editor_client, programme):
    response = editor_client.get(APPLY, {"event": "", "preview": "1"})

    assert "Storage &amp; CSI: 3 sessions would be added, 1 removed" in response.text
    assert "Storage Elsewhere" in response.text


def test_applying_to_one_event_changes_its_themes_and_says_so(editor_client, programme):
    event = programme["event"]
    version = Event.objects.get(pk=event.pk).content_version

    response = editor_client.post(APPLY, {"event": event.pk})

    assert response.status_code == 302
    assert response.url == reverse("admin:conference_theme_changelist")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Storage & CSI: 2 sessions were added, 1 removed"
    ]
    assert _storage_sessions() == {
        ("Storage at Scale", "rule"),
        ("CSI Drivers", "rule"),
        ("Gateways", "hand"),
    }
    assert Event.objects.get(pk=event.pk).content_version == version + 1
    # The preview now has nothing to show for it.
    again = editor_client.get(APPLY, {"event": event.pk, "preview": "1"})
    assert "Nothing would change" in again.text


def test_applying_to_every_event(editor_client, programme):
    editor_client.post(APPLY, {"event": ""})

    assert ("Storage Elsewhere", "rule") in _storage_sessions()


UNKNOWN = "There is no such event; choose one from the list."


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("abc", UNKNOWN),
        ("999999", UNKNOWN),
        ("1 OR 1=1", UNKNOWN),
        ("\x00", "Null characters are not allowed."),
    ],
)
def test_an_unknown_event_is_a_clear_400_on_preview_and_apply(
    editor_client, programme, event, message
):
    preview = editor_client.get(APPLY, {"event": event, "preview": "1"})
    applied = editor_client.post(APPLY, {"event": event})

    for response in (preview, applied):
        assert response.status_code == 400
        assert message in response.text
    assert _storage_sessions() == BEFORE


def test_only_editors_may_preview_or_apply(client, programme):
    anonymous = client.get(APPLY)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.url

    client.force_login(UserFactory(username="intern", is_staff=True))
    assert client.get(APPLY, {"event": "", "preview": "1"}).status_code == 403
    assert client.post(APPLY, {"event": ""}).status_code == 403
    assert _storage_sessions() == BEFORE


def test_applying_needs_a_post_with_the_csrf_token(editor, programme):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    refused = browser.post(APPLY, {"event": ""})
    form = browser.get(APPLY, {"event": "", "preview": "1"})

    assert refused.status_code == 403
    assert 'name="csrfmiddlewaretoken"' in form.text
    assert _storage_sessions() == BEFORE


def test_other_methods_are_refused(editor_client, programme):
    assert editor_client.put(APPLY).status_code == 405
    assert editor_client.delete(APPLY).status_code == 405
    assert _storage_sessions() == BEFORE


def test_the_theme_list_links_to_the_page_for_editors(editor_client, programme):
    response = editor_client.get(reverse("admin:conference_theme_changelist"))

    assert f'href="{APPLY}"' in response.text


@pytest.mark.parametrize("size", [4, 40])
def test_the_preview_takes_the_same_number_of_queries_whatever_the_size(
    editor_client, size, django_assert_max_num_queries
):
    theme = ThemeFactory(name="Storage")
    ThemeRule.objects.create(theme=theme, name="words", words="storage")
    event = EventFactory()
    for n in range(size):
        SessionFactory(event=event, title=f"Storage {n}", themes=[theme] if n % 3 else [])

    with django_assert_max_num_queries(12):
        response = editor_client.get(APPLY, {"event": event.pk, "preview": "1"})

    added = len([n for n in range(size) if not n % 3])
    noun = "session" if added == 1 else "sessions"
    assert f"Storage: {added} {noun} would be added, 0 removed" in response.text


# --- The rules inline and a session's themes -------------------------------------------------


def test_a_rule_written_in_the_theme_form_is_checked_and_saved(editor_client):
    theme = ThemeFactory(name="Security", slug="security")
    change = reverse("admin:conference_theme_change", args=[theme.pk])
    data = {
        "name": "Security",
        "slug": "security",
        "description": "",
        "colour": "#a4262c",
        "order": 0,
    }
    rule = {
        "name": "Supply chain",
        "is_active": "on",
        "in_title": "on",
        "in_abstract": "on",
        "in_track": "on",
        "words": "",
        "companies": "",
        "exclusions": "",
    }

    empty = editor_client.post(change, data | inline("rules", [rule]))
    saved = editor_client.post(change, data | inline("rules", [rule | {"words": "SBOM\nsigstore"}]))

    assert empty.status_code == 200
    assert "Give at least one word, phrase or company to match." in empty.text
    assert saved.status_code == 302
    assert ThemeRule.objects.get(theme=theme).words == "SBOM\nsigstore"


def _post_themes(client, session, rows: list[dict]):
    """The session's change form, unchanged but for its themes inline."""
    data = session_data(
        session.event,
        title=session.title,
        slug=session.slug,
        starts=f"{session.starts_at:%Y-%m-%d %H:%M}",
        ends=f"{session.ends_at:%Y-%m-%d %H:%M}",
        room=session.room_id,
        abstract=session.abstract,
        theme_links=[{"session": session.pk} | row for row in rows],
        initial_theme_links=len([row for row in rows if "id" in row]),
    )
    return client.post(reverse("admin:conference_session_change", args=[session.pk]), data)


def _how_set(session) -> set[tuple[str, str, int | None]]:
    return {(t.theme.name, t.source, t.set_by_id) for t in session.theme_links.all()}


def test_themes_an_editor_sets_on_a_session_are_hand_set_and_kept_by_the_rules(
    editor_client, editor
):
    storage, mesh = ThemeFactory(name="Storage"), ThemeFactory(name="Mesh")
    rule = ThemeRule.objects.create(theme=storage, name="words", words="storage")
    session = SessionFactory(title="Quiet Talk", abstract="")  # no rule matches it
    SessionTheme.objects.create(
        session=session, theme=storage, source=SessionTheme.Source.RULE, rule=rule
    )
    version = Event.objects.get(pk=session.event_id).content_version
    link = session.theme_links.get()

    response = _post_themes(
        editor_client,
        session,
        [{"id": link.pk, "theme": storage.pk}, {"theme": mesh.pk, "by_hand": "on"}],
    )

    assert response.status_code == 302
    assert _how_set(session) == {
        ("Storage", "rule", None),  # left as the rule set it
        ("Mesh", "hand", editor.pk),
    }
    assert Event.objects.get(pk=session.event_id).content_version > version
    page = editor_client.get(reverse("admin:conference_session_change", args=[session.pk]))
    assert f"by hand, {editor}" in page.text
    assert "rule “words”" in page.text
    # Applying the rules takes away the rule's theme, never the editor's.
    editor_client.post(APPLY, {"event": session.event_id})
    assert _how_set(session) == {("Mesh", "hand", editor.pk)}


def test_an_editor_keeps_a_rule_set_theme_by_hand_or_hands_one_back_to_the_rules(
    editor_client, editor
):
    storage, mesh = ThemeFactory(name="Storage"), ThemeFactory(name="Mesh")
    session = SessionFactory(title="Quiet Talk", abstract="")  # no rule matches it
    by_rule = SessionTheme.objects.create(
        session=session, theme=storage, source=SessionTheme.Source.RULE
    )
    by_hand = SessionTheme.objects.create(session=session, theme=mesh)

    _post_themes(
        editor_client,
        session,
        [
            {"id": by_rule.pk, "theme": storage.pk, "by_hand": "on"},
            {"id": by_hand.pk, "theme": mesh.pk},  # unticked
        ],
    )

    assert _how_set(session) == {("Storage", "hand", editor.pk), ("Mesh", "rule", None)}
    editor_client.post(APPLY, {"event": session.event_id})
    assert _how_set(session) == {("Storage", "hand", editor.pk)}
