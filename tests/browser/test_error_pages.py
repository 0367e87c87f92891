"""The designed 404 on a phone: readable, searchable, and accessible to WCAG 2.2 AA."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_390(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_404_on_a_phone_fits_passes_axe_and_searches(phone_390, assert_accessible):
    blocked: list[str] = []
    phone_390.on(
        "console",
        lambda m: (
            m.type == "error" and "Content Security Policy" in m.text and blocked.append(m.text)
        ),
    )

    response = phone_390.goto("/events/no-such-event/")

    assert response.status == 404
    expect(phone_390.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    # Nothing sideways to scroll at 390 px.
    assert phone_390.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone_390)
    # Every way on is a target of at least 24 by 24 CSS px.
    for link in phone_390.locator(".error-links a").all():
        box = link.bounding_box()
        assert box["height"] >= 24, link.inner_text()
    assert blocked == []  # the strict CSP blocked nothing

    search = phone_390.get_by_role("searchbox", name="Search the guide for it instead")
    search.fill("kubernetes")
    search.press("Enter")
    phone_390.wait_for_url("**/search/?q=kubernetes")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test-errors/broken/", 500, "Something went wrong on our side"),
        ("/test-errors/database/", 503, "The guide is back in a moment"),
    ],
)
def test_the_pages_that_need_no_database_fit_a_phone_and_pass_axe(
    phone_390, settings, path, status, heading, assert_accessible
):
    settings.ROOT_URLCONF = "tests.confguide.error_urls"

    response = phone_390.goto(path)

    assert response.status == status
    expect(phone_390.get_by_role("heading", level=1)).to_have_text(heading)
    assert phone_390.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone_390)
