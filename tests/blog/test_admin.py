import pytest

from blog.models import FeaturedSession, Post, PostSection
from tests.factories import PostFactory, PostSectionFactory, SessionFactory, ThemeFactory

pytestmark = pytest.mark.integration


def test_editor_composes_a_post_with_ordered_sections_and_sessions(editor_client, editor):
    storage, tenancy = ThemeFactory(name="Storage & CSI"), ThemeFactory(name="Multi-tenancy")
    pmem, cosi = SessionFactory(title="PMEM"), SessionFactory(title="COSI")

    editor_client.post(
        "/admin/blog/post/add/",
        {
            "title": "Our picks",
            "slug": "our-picks",
            "author": editor.pk,
            "status": "draft",
            "published_at_0": "2020-11-08",
            "published_at_1": "09:00:00",
            "summary": "Picks.",
            "body": "Intro.",
            "closing": "",
            "call_to_action": "",
            "cover_alt": "",
            "sections-TOTAL_FORMS": "2",
            "sections-INITIAL_FORMS": "0",
            "sections-0-order": "2",
            "sections-0-theme": tenancy.pk,
            "sections-1-order": "1",
            "sections-1-theme": storage.pk,
            "sections-1-intro": "CSI is GA.",
        },
    )
    post = Post.objects.get(slug="our-picks")
    section = post.sections.get(theme=storage)
    editor_client.post(
        f"/admin/blog/postsection/{section.pk}/change/",
        {
            "order": "1",
            "theme": storage.pk,
            "heading": "",
            "intro": "CSI is GA.",
            "entries-TOTAL_FORMS": "2",
            "entries-INITIAL_FORMS": "0",
            "entries-0-order": "2",
            "entries-0-session": cosi.pk,
            "entries-0-comment": "",
            "entries-1-order": "1",
            "entries-1-session": pmem.pk,
            "entries-1-comment": "Fast state.",
        },
    )

    assert [s.title for s in PostSection.objects.filter(post=post)] == [
        "Storage & CSI",
        "Multi-tenancy",
    ]
    assert list(
        FeaturedSession.objects.filter(section=section).values_list("session__title", "comment")
    ) == [("PMEM", "Fast state."), ("COSI", "")]
    change_page = editor_client.get(f"/admin/blog/post/{post.pk}/change/")
    assert "Choose and order its sessions" in change_page.text


def test_editing_markdown_in_the_admin_changes_the_stored_html_and_the_page(
    editor_client, editor, client
):
    storage = ThemeFactory(name="Storage & CSI")
    post = PostFactory(author=editor, body="Old introduction.", closing="Old closing.")
    section = PostSectionFactory(post=post, theme=storage, order=1, intro="Old intro.")

    response = editor_client.post(
        f"/admin/blog/post/{post.pk}/change/",
        {
            "title": post.title,
            "slug": post.slug,
            "author": editor.pk,
            "status": "published",
            "published_at_0": "2020-11-08",
            "published_at_1": "09:00:00",
            "summary": post.summary,
            "body": "New **introduction** <script>alert(1)</script>",
            "closing": "New [closing](javascript:alert(2)).",
            "call_to_action": "",
            "cover_alt": "",
            "sections-TOTAL_FORMS": "1",
            "sections-INITIAL_FORMS": "1",
            "sections-0-id": section.pk,
            "sections-0-post": post.pk,
            "sections-0-order": "1",
            "sections-0-theme": storage.pk,
            "sections-0-intro": "New *section* intro.",
        },
    )
    page = client.get(post.get_absolute_url())

    assert response.status_code == 302
    post.refresh_from_db()
    section.refresh_from_db()
    assert post.body_html == "<p>New <strong>introduction</strong> </p>"
    assert post.closing_html == '<p>New <a rel="noopener noreferrer nofollow">closing</a>.</p>'
    assert section.intro_html == "<p>New <em>section</em> intro.</p>"
    article = page.text.split('id="post-title"')[1].split("</article>")[0]
    for old in ("Old introduction.", "Old intro.", "Old closing."):
        assert old not in article
    for new in (post.body_html, post.closing_html, section.intro_html):
        assert new in article
    for hostile in ("<script", "alert(", "javascript:"):
        assert hostile not in article


def test_editing_a_section_intro_on_its_own_page_changes_the_stored_html(editor_client):
    section = PostSectionFactory(intro="Old intro.")

    editor_client.post(
        f"/admin/blog/postsection/{section.pk}/change/",
        {
            "order": section.order,
            "theme": section.theme_id,
            "heading": "",
            "intro": 'New <b onclick="alert(1)">intro</b>.',
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
        },
    )

    section.refresh_from_db()
    assert section.intro_html == "<p>New <b>intro</b>.</p>"
