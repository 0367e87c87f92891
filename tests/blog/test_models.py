import pytest

from blog.models import Post, PostSection
from tests.factories import PostFactory, PostSectionFactory

pytestmark = pytest.mark.integration

HOSTILE = (
    'Hi **there** <script>alert(1)</script> [x](javascript:alert(2)) <b onclick="alert(3)">b</b>'
)


def _assert_harmless(html: str) -> None:
    for fragment in ("<script", "alert(1)", "javascript:", "onclick", "onerror"):
        assert fragment not in html.lower()


def test_post_save_stores_its_markdown_as_sanitised_html(db):
    post = PostFactory(body=HOSTILE, closing="Bye <img src=x onerror=alert(4)>")

    stored = Post.objects.values("body_html", "closing_html").get(pk=post.pk)

    assert "<strong>there</strong>" in stored["body_html"]
    assert stored["closing_html"].startswith("<p>Bye ")
    _assert_harmless(stored["body_html"])
    _assert_harmless(stored["closing_html"])


def test_section_save_stores_its_intro_as_sanitised_html(db):
    section = PostSectionFactory(intro=f"CSI went *GA*. {HOSTILE}")

    stored = PostSection.objects.values_list("intro_html", flat=True).get(pk=section.pk)

    assert "<em>GA</em>" in stored
    _assert_harmless(stored)


def test_empty_markdown_stores_empty_html(db):
    section = PostSectionFactory(intro="")
    post = PostFactory(closing="")

    assert (section.intro_html, post.closing_html) == ("", "")


def test_save_with_update_fields_refreshes_the_html_it_depends_on(db):
    # The demo loader saves only the fields it changed; the HTML must follow.
    post = PostFactory(body="Old.", closing="Keep.")
    post.body = "New *text*."
    post.closing_html = "<p>not written: closing is not in update_fields</p>"

    post.save(update_fields=["body"])

    stored = Post.objects.values("body_html", "closing_html").get(pk=post.pk)
    assert stored == {"body_html": "<p>New <em>text</em>.</p>", "closing_html": "<p>Keep.</p>"}


def test_post_page_shows_the_stored_html_not_a_fresh_rendering(client, db):
    post = PostFactory(body="Rendered when saved.")
    section = PostSectionFactory(post=post, intro="Section, rendered when saved.")
    # Bypass save() on purpose: the page must print what is stored, not render body again.
    Post.objects.filter(pk=post.pk).update(body_html="<p>Stored <em>body</em></p>")
    PostSection.objects.filter(pk=section.pk).update(intro_html="<p>Stored intro</p>")

    response = client.get(post.get_absolute_url())

    assert "<p>Stored <em>body</em></p>" in response.text
    assert "<p>Stored intro</p>" in response.text
    assert "Rendered when saved." not in response.text
