from django import template

from blog.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Editors' Markdown as sanitised HTML (see blog.rendering)."""
    return render_markdown(text or "")
