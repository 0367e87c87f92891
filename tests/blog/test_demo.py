import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from blog import demo
from blog.models import FeaturedSession, Post, PostSection
from blog.rendering import render_markdown

# The post features the hand-written KubeCon NA 2020; the real EU 2026 import is not needed.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("without_kubecon_eu_2026")]


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_adds_louises_guide_post_with_its_four_sessions(client, db):
    _load()

    post = Post.objects.get(slug=demo.POST_SLUG)
    assert post.author.public_name == "Louise"
    assert not post.author.has_usable_password()
    assert post.published_at == dt.datetime(2020, 11, 8, 9, 0, tzinfo=dt.UTC)
    assert post.is_public
    assert [
        (section.theme.slug, [entry.session.title for entry in section.entries.all()])
        for section in post.sections.all()
    ] == [
        (
            "storage-csi",
            [
                "Persistent Memory in Kubernetes",
                "Beyond File and Block Storage in Kubernetes",
            ],
        ),
        (
            "multi-tenancy",
            [
                "API Priority and Fairness: Kube-APIServer Flow-control Protection",
                "Kubernetes Working Group for Multi-Tenancy Project Overview",
            ],
        ),
    ]
    page = client.get(post.get_absolute_url())
    assert "how do you plan to spend your hours at the next virtual KubeCon" in page.text
    assert "Tasha Drew" in page.text


def test_load_demo_twice_leaves_the_post_as_it_was(db):
    _load()
    before = list(Post.objects.values("pk", "updated_at"))

    output = _load()

    assert "Guide post on KubeCon NA 2020: already up to date" in output
    assert list(Post.objects.values("pk", "updated_at")) == before
    assert (PostSection.objects.count(), FeaturedSession.objects.count()) == (2, 4)


def test_load_demo_restores_an_edited_demo_post(db):
    _load()
    Post.objects.update(title="Edited", status=Post.Status.DRAFT)
    FeaturedSession.objects.filter(order=2).delete()

    _load()

    post = Post.objects.get()
    assert (post.title, post.status) == (demo.POST["title"], Post.Status.PUBLISHED)
    assert FeaturedSession.objects.count() == 4


def test_load_demo_stores_the_post_as_html_and_restores_it_after_an_edit(db):
    _load()
    post = Post.objects.get()
    post.body = "Edited *introduction*."
    post.save()
    section = post.sections.get(order=1)
    section.intro = "Edited section."
    section.save()

    _load()

    post.refresh_from_db()
    section.refresh_from_db()
    assert post.body_html == render_markdown(demo.INTRODUCTION)
    assert post.closing_html == render_markdown(demo.CLOSING)
    assert section.intro_html == render_markdown(demo.SECTIONS[0][1])
    assert 'href="/blog/feed/atom/"' in post.closing_html


def test_demo_post_prose_is_written_anew(runs_copied_from_seed_post):
    prose = [demo.INTRODUCTION, demo.CLOSING, demo.CALL_TO_ACTION, demo.POST["summary"]]
    for _, intro, picks in demo.SECTIONS:
        prose += [intro, *(comment for _, comment in picks)]

    shared = runs_copied_from_seed_post(prose)

    assert shared == set()
