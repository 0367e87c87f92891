"""Reads for the blog's pages. Each returns everything its template loops over."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from blog.models import FeaturedSession, Post, PostSection
from blog.querysets import PostQuerySet
from sessions.models import Session, SessionSpeaker, Theme


def can_preview(user) -> bool:
    """Editors see drafts and future posts through the admin's "view on site" link."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("blog.change_post"))


def public_posts(
    *, theme: Theme | None = None, author: AbstractBaseUser | None = None
) -> PostQuerySet:
    """Public posts, newest first, with what a summary shows; of one theme or author if given."""
    posts = Post.objects.public()
    if theme is not None:
        posts = posts.filter(themes=theme)
    if author is not None:
        posts = posts.filter(author=author)
    return posts.for_listing().order_by("-published_at", "-pk")


def latest_posts(*, limit: int) -> PostQuerySet:
    """The newest public posts, for the feeds."""
    return public_posts()[:limit]


def post_author(pk: int) -> AbstractBaseUser | None:
    """Only people who have published something have an author page: None for anyone else."""
    authors = get_user_model().objects.filter(posts__in=Post.objects.public()).distinct()
    return authors.filter(pk=pk).first()


def _featured_sessions() -> Prefetch:
    # Only sessions readers may see appear in a post, with what a session card shows.
    entries = (
        FeaturedSession.objects.filter(session__in=Session.objects.public())
        .select_related("session__event", "session__room")
        .prefetch_related(
            # Into the lists a session card reads (Session.listed_themes, .listed_appearances).
            Prefetch("session__themes", to_attr="_listed_themes"),
            Prefetch(
                "session__appearances",
                queryset=SessionSpeaker.objects.select_related("speaker", "company"),
                to_attr="_listed_appearances",
            ),
        )
    )
    return Prefetch("entries", queryset=entries)


def post_detail(*, slug: str, user=None) -> Post | None:
    """The post with its sections and sessions; drafts and future posts only for editors.

    None when there is no such post, or the user may not see it yet.
    """
    posts = Post.objects.all() if can_preview(user or AnonymousUser()) else Post.objects.public()
    return (
        posts.for_listing()
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=PostSection.objects.select_related("theme").prefetch_related(
                    _featured_sessions()
                ),
            )
        )
        .filter(slug=slug)
        .first()
    )


def featured_sessions(post: Post) -> list[Session]:
    """Every session the (prefetched) post features, once each, in reading order."""
    seen: dict[int, Session] = {}
    for section in post.sections.all():
        for entry in section.entries.all():
            seen.setdefault(entry.session_id, entry.session)
    return list(seen.values())


def post_title(*, slug: str) -> str | None:
    """A public post's title, for the contact form's "you came from"."""
    return Post.objects.public().filter(slug=slug).values_list("title", flat=True).first()
