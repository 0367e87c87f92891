"""The search page: parse the query string, call a selector, render (not kept in the cache)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from confguide.pagecache import cached_page, query_key
from confguide.pagination import page_key, requested_page
from confguide.seo import page_meta
from sessions import content
from sessions.search import selectors
from sessions.search.text import SEARCH_MAX_LENGTH, clean_search_text


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    text, problem = clean_search_text(request.GET.get("q", ""))
    problems = [problem] if problem else []
    asked_kind = request.GET.get("type", "").strip()
    kind = asked_kind if asked_kind in selectors.KINDS else ""
    if asked_kind and not kind:
        problems.append(
            f"“{asked_kind[:20]}” is not a kind of result, so sessions, speakers and companies "
            "are all shown."
        )

    def build() -> dict:
        context = {
            "query": text,
            "kind": kind,
            "kind_label": selectors.KINDS.get(kind, ""),
            "problems": problems,
            "max_length": SEARCH_MAX_LENGTH,
        }
        if text and kind:
            page = selectors.search_kind(text=text, kind=kind, page_number=requested_page(request))
            context |= {
                "page_obj": page,
                "results": page.object_list,
                "page_query": {"q": text, "type": kind},
            }
        elif text:
            context["groups"] = selectors.search_overview(text=text)
        path = reverse("search:search")
        return context | page_meta(
            f"Search: {text}" if text else "Search",
            "Search the sessions of every event in the guide, their speakers and companies.",
            f"{path}?{urlencode({'q': text})}" if text else path,
        )

    version = content.site_version()
    response = cached_page(
        request,
        template_name="search/search.html",
        key=(version.token,),
        query=query_key(request, ("q", "type")) + page_key(request),
        # Rendered as asked, not kept: every text would be an entry of its own.
        store=False,
        build=build,
        last_modified=version.changed_at,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
