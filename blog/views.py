from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST, require_safe

from blog import selectors
from blog.structured_data import blog_posting
from confguide.http import or_404
from confguide.links import absolute_url
from confguide.pagination import page_url, paginate
from confguide.redirects import redirect_to
from confguide.seo import page_meta
from sessions.myschedule.services import add_sessions_for_visitor
from sessions.public import selectors as programme

NO_POST = "No post here."
POSTS_PER_PAGE = 10
LIST_DESCRIPTION = (
    "Guide posts: our engineers pick the conference sessions worth your time, theme by theme."
)


def _post_list(request: HttpRequest, posts, *, heading: str, **context) -> HttpResponse:
    """The three post lists (all, by theme, by author) differ only in rows and heading."""
    page = paginate(request, posts, per_page=POSTS_PER_PAGE)
    return render(
        request,
        "blog/post_list.html",
        {"page_obj": page, "posts": page.object_list, "heading": heading, **context}
        | page_meta(heading, LIST_DESCRIPTION, page_url(request.path, page)),
    )


@require_safe
def post_list(request: HttpRequest) -> HttpResponse:
    return _post_list(request, selectors.public_posts(), heading="Guide posts")


@require_safe
def posts_by_theme(request: HttpRequest, slug: str) -> HttpResponse:
    theme = or_404(programme.public_theme(slug), "No theme here.")
    return _post_list(
        request,
        selectors.public_posts(theme=theme),
        heading=f"Guide posts about {theme.name}",
        theme=theme,
    )


@require_safe
def posts_by_author(request: HttpRequest, pk: int) -> HttpResponse:
    author = or_404(selectors.post_author(pk), "No author here.")
    return _post_list(
        request,
        selectors.public_posts(author=author),
        heading=f"Guide posts by {author.public_name}",
        author=author,
    )


@require_safe
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    post = or_404(selectors.post_detail(slug=slug, user=request.user), NO_POST)
    image_url = absolute_url(post.cover_image.url) if post.cover_image else ""
    context = {
        "post": post,
        "sections": post.sections.all(),
        # Cancelled sessions keep their card but cannot be added to a schedule.
        "addable_count": sum(
            not session.is_cancelled for session in selectors.featured_sessions(post)
        ),
        "image_url": image_url,
        "structured_data": blog_posting(post, image_url=image_url),
        "is_preview": not post.is_public,
    }
    context |= page_meta(post.title, post.summary, post.get_absolute_url(), og_type="article")
    response = render(request, "blog/post_detail.html", context)
    if not post.is_public:
        # An editor's preview: never cached by a proxy, never indexed.
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def add_all_to_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Add all of these to my schedule": every session the post features, in one POST."""
    post = or_404(selectors.post_detail(slug=slug, user=request.user), NO_POST)
    added = add_sessions_for_visitor(request=request, sessions=selectors.featured_sessions(post))
    if added:
        messages.success(
            request, f"Added {added} session{'s' if added != 1 else ''} to your schedule."
        )
    else:
        messages.info(request, "Every session in this post is already in your schedule.")
    return redirect_to(post.get_absolute_url() + "#add-all")
