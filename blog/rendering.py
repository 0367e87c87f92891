"""Markdown for posts, rendered and then sanitised.

Editors write Markdown, which allows raw HTML; nh3 then keeps only the tags
and attributes below and only http, https and mailto links, so a pasted
<script>, an onclick= or a javascript: link never reaches a reader's page.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6", "img",
    "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "abbr", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    html = markdown_lib.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # sanitised by nh3 just above
