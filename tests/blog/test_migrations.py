import importlib

import pytest
from django.apps import apps

from blog.models import Post, PostSection
from blog.rendering import render_markdown
from tests.factories import PostFactory, PostSectionFactory

pytestmark = pytest.mark.integration

stored_html_migration = importlib.import_module("blog.migrations.0003_stored_markdown_html")


def test_data_migration_fills_the_html_of_existing_rows(db):
    post = PostFactory(body="Intro *here*.", closing="Bye <script>alert(1)</script>")
    section = PostSectionFactory(post=post, intro="Section **intro**.")
    # Rows as they stood before the migration: Markdown only, no HTML.
    Post.objects.update(body_html="", closing_html="")
    PostSection.objects.update(intro_html="")
    updated_at = Post.objects.get().updated_at

    stored_html_migration.fill_html(apps, schema_editor=None)

    post.refresh_from_db()
    section.refresh_from_db()
    assert (post.body_html, post.closing_html, section.intro_html) == (
        "<p>Intro <em>here</em>.</p>",
        render_markdown("Bye <script>alert(1)</script>"),
        "<p>Section <strong>intro</strong>.</p>",
    )
    assert "<script" not in post.closing_html
    assert post.updated_at == updated_at
