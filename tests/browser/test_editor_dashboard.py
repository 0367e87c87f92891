"""An editor at 1366 px: the event dashboard, one of its links, the contact triage list."""

import pytest
from django.apps import apps
from playwright.sync_api import expect

from confguide.permissions import grant_to_editors
from sessions.demo.generator import generate_event
from tests.factories import ContactMessageFactory, EditorFactory

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}

# Each row's height, and the line height and vertical padding of its cells.
ROW_METRICS = """rows => rows.map(row => {
  const cell = row.querySelector('td');
  const style = getComputedStyle(cell);
  return {
    height: row.getBoundingClientRect().height,
    line: parseFloat(style.lineHeight),
    padding: parseFloat(style.paddingTop) + parseFloat(style.paddingBottom),
  };
})"""
OVERFLOW = """() => {
  const results = document.querySelector('#changelist .results');
  return {
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    table: results.scrollWidth - results.clientWidth,
  };
}"""


@pytest.fixture
def laptop_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_editor_follows_a_dashboard_number_and_triages_contact_messages(
    laptop_page, assert_accessible
):
    page = laptop_page
    # Transactional tests flush the data migrations' grants: give them again.
    grant_to_editors(apps, "conference", ["event", "session", "speaker", "theme", "room"])
    grant_to_editors(apps, "conference", ["feedsync"], actions=("view",))
    grant_to_editors(apps, "confguide", ["contactmessage"], actions=("view", "change"))
    EditorFactory(username="louise")
    event = generate_event(sessions=12, speakers=10, seed=7).event
    untagged = list(event.sessions.order_by("pk")[:2])
    for session in untagged:
        session.themes.clear()
    ContactMessageFactory(
        name="Maximilian Alexander von Hohenberg-Sternfeld",
        company="Interplanetary Logistics and Container Orchestration GmbH",
        email="maximilian.alexander.von.hohenberg-sternfeld@logistics.example.com",
        topic="platform",
        message="We are moving 300 services to Kubernetes next spring. " * 12
        + "https://intranet.example.com/"
        + "very-long-path-segment" * 10,
        source_path="/sessions/" + "a-very-long-session-slug-" * 8 + "/",
        source_label="Persistent Memory in Kubernetes: What We Learned Running It at Scale "
        "Across Four Regions and Twelve Clusters",
    )
    ContactMessageFactory(name="Grace Hopper", message="Short question.")

    page.goto(f"/admin/conference/event/{event.pk}/dashboard/")
    page.get_by_label("Username").fill("louise")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dashboard: {event.name}")
    assert_accessible(page)
    figure = page.locator(".dashboard-figures div").filter(has_text="Without a theme")
    expect(figure.locator("dd")).to_have_text("2")
    figure.get_by_role("link", name="2").click()

    page.wait_for_url("**/admin/conference/session/**")
    titles = page.locator("#result_list tbody th").all_inner_texts()
    assert sorted(titles) == sorted(session.title for session in untagged)

    page.goto("/admin/confguide/contactmessage/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Maximilian Alexander")).to_contain_text("New")
    assert_accessible(page)
    for row in rows.evaluate_all(ROW_METRICS):
        assert row["height"] <= 2 * row["line"] + row["padding"] + 2, row
    assert page.evaluate(OVERFLOW) == {"page": 0, "table": 0}
