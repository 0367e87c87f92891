import pytest

from blog.models import FeaturedSession, Post, PostSection
from tests.factories import SessionFactory, ThemeFactory

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
