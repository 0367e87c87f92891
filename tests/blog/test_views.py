import datetime as dt
import html
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from blog.models import Post
from sessions.models import Session
from tests.factories import (
    FeaturedSessionFactory,
    PostFactory,
    PostSectionFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration


def test_post_list_shows_public_posts_newest_first(client, db):
    PostFactory(title="Older", published_at=timezone.now() - dt.timedelta(days=9))
    PostFactory(title="Newer", published_at=timezone.now() - dt.timedelta(days=1))
    PostFactory(title="Draft", status=Post.Status.DRAFT)
    PostFactory(title="Tomorrow", published_at=timezone.now() + dt.timedelta(days=1))

    response = client.get("/blog/")

    assert [post.title for post in response.context["posts"]] == ["Newer", "Older"]
    assert "Draft" not in response.text
    assert "Tomorrow" not in response.text


def canonical(response) -> str:
    (url,) = re.findall(r'<link rel="canonical" href="([^"]+)">', response.text)
    return html.unescape(url)


def test_post_list_is_paginated_and_shows_the_nearest_real_page_for_any_other(client, db):
    PostFactory.create_batch(12)

    first = client.get("/blog/")
    second = client.get("/blog/", {"page": "2"})
    past_the_end = client.get("/blog/", {"page": "3"})
    malformed = client.get("/blog/", {"page": "abc"})

    def titles(response):
        return [post.title for post in response.context["posts"]]

    assert len(first.context["posts"]) == 10
    assert 'href="?page=2" rel="next">Older posts' in first.text
    assert len(second.context["posts"]) == 2
    assert 'href="?page=1" rel="prev">Newer posts' in second.text
    assert (past_the_end.status_code, titles(past_the_end)) == (200, titles(second))
    assert (malformed.status_code, titles(malformed)) == (200, titles(first))


@pytest.mark.parametrize("page", ["list", "theme", "author"])
def test_post_list_page_two_is_canonical_under_its_own_address(client, db, page):
    theme = ThemeFactory(slug="storage")
    posts = PostFactory.create_batch(11, themes=[theme])
    path = {
        "list": "/blog/",
        "theme": "/blog/themes/storage/",
        "author": f"/blog/authors/{posts[0].author.pk}/",
    }[page]

    first = client.get(path, {"page": "1"})
    second = client.get(path, {"page": "2"})

    assert canonical(first) == f"http://127.0.0.1:8000{path}"
    assert canonical(second) == f"http://127.0.0.1:8000{path}?page=2"


def test_a_post_list_page_past_the_end_shows_the_last_page(client, db, django_assert_num_queries):
    oldest = PostFactory(
        title="The oldest post", published_at=timezone.now() - dt.timedelta(days=30)
    )
    PostFactory.create_batch(10)

    with django_assert_num_queries(3):
        response = client.get("/blog/", {"page": "999"})

    assert response.status_code == 200
    assert [post.title for post in response.context["posts"]] == [oldest.title]
    assert "Page 2 of 2" in response.text
    assert canonical(response) == "http://127.0.0.1:8000/blog/?page=2"


@pytest.mark.parametrize("page", ["list", "theme", "author"])
def test_post_list_pages_run_a_constant_number_of_queries(
    client, db, django_assert_num_queries, page
):
    theme = ThemeFactory()

    def add_posts(count):
        for _ in range(count):
            PostFactory(themes=[theme, ThemeFactory()])

    add_posts(2)
    author = Post.objects.first().author
    url = {
        "list": "/blog/",
        "theme": f"/blog/themes/{theme.slug}/",
        "author": f"/blog/authors/{author.pk}/",
    }[page]
    # The posts, their themes, and on a theme's or author's page that theme or author.
    queries = {"list": 3, "theme": 4, "author": 4}[page]
    with django_assert_num_queries(queries):
        assert len(client.get(url).context["posts"]) == 2
    add_posts(8)
    with django_assert_num_queries(queries):
        assert len(client.get(url).context["posts"]) == 10


def test_post_detail_shows_sections_sessions_and_comments(client, guide_post):
    response = client.get(guide_post.get_absolute_url())

    text = response.text
    assert '<h1 id="post-title">Sessions we would not miss</h1>' in text
    assert "CSI went <em>GA</em> in 1.13." in text
    assert text.index("Persistent Memory in Kubernetes") < text.index(
        "Beyond File and Block Storage"
    )
    assert "Patrick Ohly @ Intel" in re.sub(r"<[^>]+>", "", text)
    assert "Fast state." in text
    assert f'href="/contact/?from=/blog/{guide_post.slug}/"' in text


def test_post_detail_leaves_out_sessions_readers_cannot_see(client, guide_post):
    Session.objects.filter(title="Beyond File and Block Storage").update(
        status=Session.Status.DRAFT
    )

    response = client.get(guide_post.get_absolute_url())

    assert "Persistent Memory in Kubernetes" in response.text
    assert "Beyond File and Block Storage" not in response.text


def test_post_detail_queries_stay_constant(client, guide_post, django_assert_num_queries):
    with django_assert_num_queries(6):
        client.get(guide_post.get_absolute_url())
    section = PostSectionFactory(post=guide_post)
    for _ in range(5):
        FeaturedSessionFactory(section=section, session=SessionFactory(themes=[ThemeFactory()]))
    with django_assert_num_queries(6):
        client.get(guide_post.get_absolute_url())


def test_post_detail_carries_open_graph_and_blog_posting_data(client, guide_post):
    response = client.get(guide_post.get_absolute_url())

    url = f"http://127.0.0.1:8000/blog/{guide_post.slug}/"
    assert f'<meta property="og:url" content="{url}">' in response.text
    assert '<meta property="og:type" content="article">' in response.text
    raw = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', response.text)
    data = json.loads(raw.group(1))
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Sessions we would not miss"
    assert data["author"] == {
        "@type": "Person",
        "name": "Louise",
        "url": f"http://127.0.0.1:8000/blog/authors/{guide_post.author_id}/",
    }
    assert data["keywords"] == ["Storage & CSI"]


def test_structured_data_cannot_close_its_script_element(client, db):
    post = PostFactory(title="</script><script>alert(1)</script>")

    response = client.get(post.get_absolute_url())

    assert "<script>alert(1)" not in response.text
    assert "\\u003C/script\\u003E" in response.text


def test_post_detail_renders_hostile_markdown_harmlessly(client, db):
    post = PostFactory(
        body='Hi <script>alert(1)</script> [x](javascript:alert(2)) <b onclick="alert(3)">b</b>',
        closing="<img src=x onerror=alert(4)>",
    )

    response = client.get(post.get_absolute_url())

    body = response.text.split('id="post-title"')[1]
    for fragment in ("<script>alert(1)", "javascript:", "onclick", "onerror"):
        assert fragment not in body


def test_future_dated_post_is_hidden_until_its_time(client, db):
    post = PostFactory(published_at=timezone.now() + dt.timedelta(hours=1))

    hidden = client.get(post.get_absolute_url())
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - dt.timedelta(minutes=1))
    shown = client.get(post.get_absolute_url())

    assert hidden.status_code == 404
    assert shown.status_code == 200
    assert post.title in shown.text


def test_editor_previews_a_draft_and_nobody_else_sees_it(editor_client, db):
    draft = PostFactory(title="Work in progress", status=Post.Status.DRAFT)
    attendee = UserFactory()
    plain_staff = UserFactory(is_staff=True)
    client = Client()

    preview = editor_client.get(draft.get_absolute_url())
    anonymous = client.get(draft.get_absolute_url())
    client.force_login(attendee)
    as_attendee = client.get(draft.get_absolute_url())
    client.force_login(plain_staff)
    as_staff_without_permission = client.get(draft.get_absolute_url())

    assert "Preview: only editors can see this post. It is a draft." in preview.text
    assert preview["X-Robots-Tag"] == "noindex"
    assert "no-store" in preview["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in preview.text
    assert (anonymous.status_code, as_attendee.status_code) == (404, 404)
    assert as_staff_without_permission.status_code == 404


def test_admin_view_on_site_link_leads_an_editor_to_the_preview(editor_client, db):
    draft = PostFactory(status=Post.Status.DRAFT)
    change_page = editor_client.get(f"/admin/blog/post/{draft.pk}/change/")
    view_on_site = re.search(r'href="(/admin/r/[^"]+)"', change_page.text).group(1)

    response = editor_client.get(view_on_site, follow=True)

    assert response.redirect_chain[-1][0].endswith(f"/blog/{draft.slug}/")
    assert response.status_code == 200
    assert "Preview: only editors can see this post" in response.text


def test_posts_by_theme_lists_only_that_themes_public_posts(client, db):
    storage, tenancy = ThemeFactory(name="Storage"), ThemeFactory(name="Tenancy")
    PostFactory(title="About storage", themes=[storage])
    PostFactory(title="About tenancy", themes=[tenancy])
    PostFactory(title="Draft on storage", themes=[storage], status=Post.Status.DRAFT)

    response = client.get(f"/blog/themes/{storage.slug}/")

    assert [post.title for post in response.context["posts"]] == ["About storage"]
    assert "Guide posts about Storage" in response.text
    assert client.get("/blog/themes/no-such-theme/").status_code == 404


def test_posts_by_author_shows_the_display_name(client, db):
    louise = UserFactory(username="louise", display_name="Louise", is_staff=True)
    PostFactory(title="Louise writes", author=louise)
    PostFactory(title="Someone else writes")
    drafter = UserFactory(is_staff=True)
    PostFactory(author=drafter, status=Post.Status.DRAFT)

    response = client.get(f"/blog/authors/{louise.pk}/")

    assert [post.title for post in response.context["posts"]] == ["Louise writes"]
    assert "Guide posts by Louise" in response.text
    assert "louise@example.com" not in response.text
    assert client.get(f"/blog/authors/{drafter.pk}/").status_code == 404


def test_feeds_list_public_posts(client, db):
    PostFactory(title="Public post", summary="Sessions <b>worth</b> it")
    PostFactory(title="Draft post", status=Post.Status.DRAFT)

    atom = client.get("/blog/feed/atom/")
    rss = client.get("/blog/feed/rss/")

    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "<title>Public post</title>" in atom.text
    assert "<name>Louise</name>" in atom.text
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "<title>Public post</title>" in rss.text
    assert "Draft post" not in atom.text + rss.text


@pytest.mark.parametrize("url", ["/blog/feed/rss/", "/blog/feed/atom/"])
def test_feeds_link_to_the_public_site_not_the_host_they_were_fetched_from(
    client, db, settings, url
):
    settings.SITE_URL = "https://guide.example.org"
    settings.ALLOWED_HOSTS = ["internal.example", "testserver"]
    PostFactory(slug="public-post", title="Public post")

    feed = client.get(url, HTTP_HOST="internal.example").text

    assert "https://guide.example.org/blog/public-post/" in feed
    assert "https://guide.example.org/blog/" in feed
    assert "https://guide.example.org" + url in feed
    assert "internal.example" not in feed


@pytest.mark.parametrize("url", ["/blog/feed/rss/", "/blog/feed/atom/"])
def test_feeds_run_a_constant_number_of_queries(client, db, django_assert_num_queries, url):
    def add_posts(count):
        for _ in range(count):
            PostFactory(themes=[ThemeFactory(), ThemeFactory()])

    add_posts(2)
    with django_assert_num_queries(2):
        assert client.get(url).text.count("Guide post ") == 2
    add_posts(10)
    with django_assert_num_queries(2):
        assert client.get(url).text.count("Guide post ") == 12


def test_contact_form_opened_from_a_post_says_what_it_is_about(client, guide_post):
    response = client.get("/contact/", {"from": guide_post.get_absolute_url()})
    client.post(
        "/contact/",
        {
            "name": "Ada",
            "email": "ada@example.com",
            "topic": "storage",
            "message": "Tell me more about persistent memory.",
            "consent": "on",
            "source": guide_post.get_absolute_url(),
        },
    )

    assert "About: <strong>Sessions we would not miss</strong>" in response.text
    from confguide.models import ContactMessage

    message = ContactMessage.objects.get()
    assert (message.source_path, message.source_label) == (
        "/blog/sessions-we-would-not-miss/",
        "Sessions we would not miss",
    )


def test_contact_form_from_a_draft_post_does_not_reveal_its_title(client, db):
    draft = PostFactory(title="Secret plans", status=Post.Status.DRAFT)

    response = client.get("/contact/", {"from": draft.get_absolute_url()})

    assert "Secret plans" not in response.text


def test_reserved_slug_is_refused(db):
    from django.core.exceptions import ValidationError

    post = PostFactory.build(slug="feed", author=UserFactory())

    with pytest.raises(ValidationError, match="used by the blog"):
        post.full_clean()


def test_editors_group_may_write_posts(editor):
    assert editor.has_perm("blog.change_post")
    assert editor.has_perm("blog.add_featuredsession")
    assert Permission.objects.filter(codename="delete_post").exists()


def test_sitemap_lists_public_posts_only(client, db):
    public = PostFactory(slug="public-post")
    PostFactory(slug="draft-post", status=Post.Status.DRAFT)
    PostFactory(slug="future-post", published_at=timezone.now() + dt.timedelta(days=2))

    index = client.get("/sitemap.xml")
    response = client.get("/sitemap-posts.xml")

    assert "<loc>http://127.0.0.1:8000/sitemap-posts.xml</loc>" in index.text
    assert f"<loc>http://127.0.0.1:8000{public.get_absolute_url()}</loc>" in response.text
    assert "draft-post" not in response.text
    assert "future-post" not in response.text


def test_post_session_cards_show_the_day_and_the_readers_time(client, guide_post):
    client.cookies["reader_tz"] = "Europe/Berlin"

    response = client.get(guide_post.get_absolute_url())

    # SessionFactory: 17 Nov 2030, 10:00 in New York, which is 16:00 in Berlin.
    assert "Sunday 17 November" in response.text
    assert "16:00" in response.text


def test_cover_image_is_shown_and_offered_to_link_previews(client, db, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#14375e").save(buffer, format="PNG")
    post = PostFactory(
        cover_image=SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png"),
        cover_alt="A conference hall seen from the stage",
    )

    response = client.get(post.get_absolute_url())

    url = post.cover_image.url
    assert f'<img class="img-fluid rounded" src="{url}" alt="A conference hall' in response.text
    assert f'<meta property="og:image" content="http://127.0.0.1:8000{url}">' in response.text
    data = json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', response.text).group(
            1
        )
    )
    assert data["image"] == f"http://127.0.0.1:8000{url}"
