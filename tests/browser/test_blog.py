import pytest
from django.core.management import call_command

from blog.demo import POST, POST_SLUG, SECTIONS

pytestmark = pytest.mark.browser

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
    assert page.get_by_role("heading", level=1).inner_text() == POST["title"]
    assert_accessible(page)

    page.get_by_role("button", name="Add all 4 of these to my schedule").click()

    assert page.get_by_text("Added 4 sessions to your schedule.").is_visible()
    page.get_by_role("link", name="See my schedule").click()
    main = page.get_by_role("main")
    for title in DEMO_SESSIONS:
        assert main.get_by_text(title, exact=True).first.is_visible()


@pytest.mark.django_db(transaction=True)
def test_demo_post_and_author_page_read_well_at_phone_width(phone_page, assert_accessible):
    call_command("load_demo", verbosity=0)

    phone_page.goto(f"/blog/{POST_SLUG}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone_page)
    phone_page.get_by_role("link", name="Louise").first.click()

    assert phone_page.get_by_role("heading", level=1).inner_text() == "Guide posts by Louise"
    assert_accessible(phone_page)
