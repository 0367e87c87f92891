"""schema.org BlogPosting data for a post, rendered by `{% json_ld %}`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from blog.models import Post
from confguide.links import absolute_url
from confguide.seo import SCHEMA


def blog_posting(post: Post, *, image_url: str = "") -> dict[str, Any]:
    url = absolute_url(post.get_absolute_url())
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.summary,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": post.published_at.isoformat(),
        "dateModified": post.updated_at.isoformat(),
        "author": {
            "@type": "Person",
            "name": post.author.public_name,
            "url": absolute_url(reverse("blog:posts_by_author", kwargs={"pk": post.author_id})),
        },
        "keywords": [theme.name for theme in post.themes.all()],
    }
    if image_url:
        data["image"] = image_url
    return data
