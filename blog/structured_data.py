"""Open Graph and schema.org data describing a post to search engines and link previews."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from .models import Post

# As in django.utils.html.json_script: keep "</script>" and friends out of the markup.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def blog_posting(post: Post, *, image_url: str = "") -> SafeString:
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.summary,
        "url": absolute(post.get_absolute_url()),
        "mainEntityOfPage": absolute(post.get_absolute_url()),
        "datePublished": post.published_at.isoformat(),
        "dateModified": post.updated_at.isoformat(),
        "author": {"@type": "Person", "name": post.author.public_name},
        "keywords": [theme.name for theme in post.themes.all()],
    }
    if image_url:
        data["image"] = image_url
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))
