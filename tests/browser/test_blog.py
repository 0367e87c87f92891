import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from blog.demo import POST, POST_SLUG, SECTIONS

# The demo post's pages need only the hand-written KubeCon NA 2020.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("without_kubecon_eu_2026")]

DEMO_SESSIONS = [title for _, _, picks in SECTIONS for title, _ in picks]


@pytest.mark.django_db(transaction=True)
def test_reader_adds_all_sessions_of_the_demo_post_and_finds_them_in_my_schedule(
    page, assert_accessible
):
    call_command("load_demo", verbosity=0)

    page.goto("/")
    page.get_by_role("link", name="Guide posts").click()
    assert_accessible(page)
    page.get_by_role("link", name=POST["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(POST["title"])
    assert_accessible(page)

    page.get_by_role("button", name="Add all 4 of these to my schedule").click()

    # expect() waits for the redirect's page; is_visible() would check at once.
    expect(page.get_by_text("Added 4 sessions to your schedule.")).to_be_visible()
    page.get_by_role("link", name="See my schedule").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("KubeCon")
    main = page.get_by_role("main")
    for title in DEMO_SESSIONS:
        expect(main.get_by_text(title, exact=True).first).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_demo_post_author_and_theme_pages_read_well_at_phone_width(phone_page, assert_accessible):
    call_command("load_demo", verbosity=0)

    phone_page.goto(f"/blog/{POST_SLUG}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone_page)
    phone_page.get_by_role("link", name="Louise").first.click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Guide posts by Louise")
    assert_accessible(phone_page)
    phone_page.get_by_role("link", name="Storage & CSI").first.click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Guide posts about Storage & CSI"
    )
    assert_accessible(phone_page)
