import pytest
from django.apps import apps
from playwright.sync_api import expect

from confguide.permissions import grant_to_editors
from tests.factories import EditorFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_visitor_fixes_a_bad_field_sends_a_message_and_an_editor_finds_it(page, assert_accessible):
    page.goto("/")
    page.get_by_role("link", name="Contact us").click()
    # axe needs the new document: running it mid-navigation finds none.
    page.wait_for_url("**/contact/**")
    assert_accessible(page)

    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email address").fill("grace@navy")
    page.get_by_label("What can we help with?").select_option(label="Training and workshops")
    page.get_by_label("Your message").fill("Could you run a Kubernetes workshop for our team?")
    page.get_by_label("I agree that the consultancy may store this message").check()
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("alert")).to_contain_text("The message was not sent yet")
    assert page.get_by_label("Your name").input_value() == "Grace Hopper"
    assert page.get_by_label("Your message").input_value().startswith("Could you run")
    assert_accessible(page)
    page.get_by_label("Email address").fill("grace@example.com")
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your message is with us")
    assert_accessible(page)

    # Transactional tests flush the database, data migrations included, so the
    # group is granted again here exactly as the migration does.
    grant_to_editors(apps, "confguide", ["contactmessage"], actions=("view", "change"))
    EditorFactory(username="louise")
    page.goto("/admin/confguide/contactmessage/")
    page.get_by_label("Username").fill("louise")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Grace Hopper")
    expect(row).to_contain_text("grace@example.com")
