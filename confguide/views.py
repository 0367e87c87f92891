from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from sessions import content, selectors
from sessions.seo import page_meta

from .pagecache import cached_page, quarter_hour


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()

    def build() -> dict:
        context = selectors.home_page(now=now)
        return context | page_meta(
            "Conference guide",
            "A cloud-native consultancy's guide to conferences: current and upcoming events, "
            "sessions by theme, editors' picks, in your own time zone.",
            "/",
        )

    # Which events are on now or next follows the clock in each event's zone.
    version, clock = content.site_version(), quarter_hour(now)
    return cached_page(
        request,
        template_name="home.html",
        key=(version.token, clock),
        build=build,
        last_modified=max(filter(None, (version.changed_at, clock))),
    )


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
