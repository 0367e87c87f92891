"""Writes to guide posts: what editors do to them from the admin."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from blog.models import Post
from blog.querysets import PostQuerySet


def _set_status(posts: PostQuerySet, status: Post.Status) -> int:
    # update() skips save(), which is fine here: only the status changes, no Markdown.
    return posts.exclude(status=status).update(status=status, updated_at=timezone.now())


@transaction.atomic
def publish_posts(*, posts: PostQuerySet) -> int:
    """Publish the posts that are drafts; returns how many changed.

    Each appears to readers at its publication date, which may still be ahead.
    """
    return _set_status(posts, Post.Status.PUBLISHED)


@transaction.atomic
def unpublish_posts(*, posts: PostQuerySet) -> int:
    """Take published posts back to draft; returns how many changed."""
    return _set_status(posts, Post.Status.DRAFT)
