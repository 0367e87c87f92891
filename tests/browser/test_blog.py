import pytest
from django.core.management import call_command

from blog.demo import POST

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_reader_finds_the_demo_post_and_its_pages_are_accessible(page, assert_accessible):
    call_command("load_demo", verbosity=0)

    page.goto("/")
    page.get_by_role("link", name="Guide posts").click()
    assert_accessible(page)
    page.get_by_role("link", name=POST["title"]).click()

    assert page.get_by_role("heading", level=1).inner_text() == POST["title"]
    assert page.get_by_role("heading", name="Persistent Memory in Kubernetes").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Louise").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Guide posts by Louise"
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_demo_post_reads_well_at_phone_width(phone_page, assert_accessible):
    call_command("load_demo", verbosity=0)

    phone_page.goto("/blog/kubecon-na-2020-storage-and-multi-tenancy-picks/")

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert_accessible(phone_page)
