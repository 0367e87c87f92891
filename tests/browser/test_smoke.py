import pytest

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_home_page_renders_and_is_accessible(page, assert_accessible):
    page.goto("/")

    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Your guide to cloud-native conferences"
    )
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_admin_login_page_offers_sign_in(page):
    page.goto("/admin/login/")

    assert page.get_by_label("Username").is_visible()
    assert page.get_by_role("button", name="Log in").is_visible()


@pytest.mark.django_db(transaction=True)
def test_skip_link_moves_keyboard_focus_to_main_content(page):
    page.goto("/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
