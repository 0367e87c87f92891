import pytest
from django.apps import apps
from playwright.sync_api import expect

from confguide.permissions import grant_to_editors
from sessions.models import SessionTheme, ThemeRule
from tests.factories import EditorFactory, EventFactory, SessionFactory, ThemeFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_an_editor_previews_the_rules_then_applies_them(page, assert_accessible, width):
    # Transactional tests flush the data migrations' group: grant it again.
    grant_to_editors(
        apps,
        "conference",
        ["event", "theme", "session", "themerule", "sessiontheme", "company", "speaker"],
    )
    EditorFactory(username="louise")
    storage = ThemeFactory(name="Storage & CSI")
    ThemeRule.objects.create(theme=storage, name="words", words="storage")
    event = EventFactory(name="CloudConf 2030")
    SessionFactory(event=event, title="Storage at Scale")
    SessionFactory(event=event, title="Lunch")
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/admin/conference/theme/")
    page.get_by_label("Username").fill("louise")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Apply theme rules").click()
    page.wait_for_url("**/apply-rules/")
    page.get_by_label("Sessions of").select_option(label="CloudConf 2030")
    page.get_by_role("button", name="Preview the changes").click()

    preview = page.get_by_role("table", name="Sessions each theme would gain and lose")
    expect(preview).to_contain_text("Storage & CSI: 1 session would be added, 0 removed")
    assert_accessible(page)
    assert SessionTheme.objects.count() == 0
    page.get_by_role("button", name="Apply the rules").click()

    expect(page.get_by_text("Storage & CSI: 1 session was added, 0 removed")).to_be_visible()
    assert list(SessionTheme.objects.values_list("session__title", "source")) == [
        ("Storage at Scale", "rule")
    ]
    assert_accessible(page)

    # The session form says who set its theme.
    talk = SessionTheme.objects.get().session
    page.goto(f"/admin/conference/session/{talk.pk}/change/")
    expect(page.get_by_role("heading", name="Themes")).to_be_visible()
    expect(page.get_by_text("rule “words”, ")).to_be_visible()
    # Each field of the themes' rows has a name of its own (the page as a whole
    # still fails axe on the speakers inline's stock autocomplete widgets).
    expect(page.get_by_role("checkbox", name="Keep Storage & CSI by hand")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Remove Storage & CSI")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Keep this theme by hand")).to_be_checked()
    expect(page.get_by_role("combobox", name="Theme")).to_have_count(2)
