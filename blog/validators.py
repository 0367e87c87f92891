from django.core.exceptions import ValidationError

# Paths under /blog/ that are not posts; a post with one of these slugs could
# never be reached.
RESERVED_SLUGS = frozenset({"themes", "authors", "feed", "rss", "atom", "page"})


def validate_post_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            "The slug %(value)s is used by the blog's own pages; choose another.",
            params={"value": value},
        )
