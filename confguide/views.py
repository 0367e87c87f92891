from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from sessions import selectors
from sessions.seo import page_meta


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = selectors.home_page()
    context |= page_meta(
        "Conference guide",
        "A cloud-native consultancy's guide to conferences: current and upcoming events, "
        "sessions by theme, editors' picks, in your own time zone.",
        "/",
    )
    return render(request, "home.html", context)


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and docker-compose."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": str(error.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})
