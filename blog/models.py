from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from blog.querysets import PostQuerySet
from blog.rendering import render_markdown
from blog.validators import validate_post_slug
from sessions.models import Event, Session, Theme


class StoredHTML:
    """Reads a stored `*_html` field as safe HTML for templates.

    This is the one place the blog marks stored HTML safe. The field is not
    editable in forms and `RendersMarkdown.save()` fills it only with
    render_markdown's output, which nh3 has already sanitised.
    """

    def __init__(self, field_name: str) -> None:
        self.field_name = field_name

    def __get__(self, instance, owner=None) -> SafeString | StoredHTML:
        if instance is None:
            return self
        return mark_safe(getattr(instance, self.field_name))  # sanitised when saved


class RendersMarkdown:
    """Renders each Markdown field to its stored HTML field whenever the row is saved.

    Markdown and nh3 are too slow to run on every page view of a busy guide, so
    the work moves to the (rare) save. It lives in save() rather than a service
    because every write path must refresh it: admin forms and inlines, the demo
    loader's sync_row (which saves with update_fields) and the test factories.
    QuerySet.update() bypasses save(): never use it to change Markdown text.
    """

    markdown_fields: ClassVar[dict[str, str]] = {}  # Markdown field -> its HTML field

    def save(self, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        stale = [
            (source, target)
            for source, target in self.markdown_fields.items()
            if update_fields is None or source in update_fields
        ]
        for source, target in stale:
            setattr(self, target, str(render_markdown(getattr(self, source) or "")))
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *(target for _, target in stale)}
        super().save(**kwargs)


class Post(RendersMarkdown, models.Model):
    """A guide post: an introduction, sections by theme that feature sessions, a closing."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_post_slug])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    summary = models.TextField(
        max_length=400, help_text="One or two sentences for lists, feeds and link previews."
    )
    body = models.TextField(
        "introduction",
        help_text="Markdown. Shown before the sections: why this post, what readers will find.",
    )
    closing = models.TextField(
        blank=True, help_text="Markdown. Shown after the sections, such as a question to readers."
    )
    body_html = models.TextField(editable=False, blank=True, default="")
    closing_html = models.TextField(editable=False, blank=True, default="")
    call_to_action = models.CharField(
        "call to action",
        max_length=300,
        blank=True,
        help_text="The line above the contact button; empty for the standard invitation.",
    )
    cover_image = models.ImageField(upload_to="posts/", blank=True)
    cover_alt = models.CharField(
        "cover image description",
        max_length=200,
        blank=True,
        help_text="What the cover shows, for readers who cannot see it.",
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="posts")
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication date",
        default=timezone.now,
        help_text="A published post stays hidden until this moment.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    markdown_fields = {"body": "body_html", "closing": "closing_html"}
    body_as_html = StoredHTML("body_html")
    closing_as_html = StoredHTML("closing_html")

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post_detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()


class PostSection(RendersMarkdown, models.Model):
    """A part of a post about one theme, featuring a few sessions in order."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="post_sections")
    heading = models.CharField(
        max_length=200, blank=True, help_text="Leave empty to use the theme's name."
    )
    intro = models.TextField(blank=True, help_text="Markdown. Introduces the theme's sessions.")
    intro_html = models.TextField(editable=False, blank=True, default="")

    markdown_fields = {"intro": "intro_html"}
    intro_as_html = StoredHTML("intro_html")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "section"

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.heading or self.theme.name


class FeaturedSession(models.Model):
    """A session a section points readers to, with the post's own comment on it."""

    section = models.ForeignKey(PostSection, on_delete=models.CASCADE, related_name="entries")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="post_entries")
    order = models.PositiveSmallIntegerField(default=0)
    comment = models.TextField(
        blank=True,
        max_length=1000,
        help_text="Optional: what this post says about the session (plain text).",
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "featured session"
        constraints = [
            models.UniqueConstraint(
                fields=["section", "session"],
                name="session_once_per_section",
                violation_error_message="This session is already in the section.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.session)
