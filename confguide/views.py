import sys

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

# How long /health/ waits for the database: a load balancer must hear back in
# well under its own timeout, even from a database that hangs.
HEALTH_CONNECT_TIMEOUT_SECONDS = 1
# What a page answers while the database is out: try again after this long.
DATABASE_RETRY_AFTER_SECONDS = 30


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and docker-compose.

    Checks with a connection of its own, opened with a short connect timeout:
    the request's own connection could be stuck on a server that stopped
    answering, and a load balancer must hear back in time.
    """
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    if probe.vendor == "postgresql":
        probe.settings_dict["OPTIONS"] = {
            **probe.settings_dict.get("OPTIONS", {}),
            "connect_timeout": HEALTH_CONNECT_TIMEOUT_SECONDS,
        }
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": str(error.__class__.__name__)}, status=503
        )
    finally:
        probe.close()
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    """Liveness: this process still answers, whatever the database does.

    Kubernetes restarts a container whose liveness probe fails; tying that to
    the database would restart every replica during a database outage, which
    cures nothing. /health/ (readiness) is the one that checks the database.
    """
    return JsonResponse({"status": "ok"})


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a 503 "back in a moment" while the database is out.

    Called for an exception anywhere in the request (a middleware loading the
    session too), with the exception still being handled.
    """
    error = sys.exc_info()[1]
    if not isinstance(error, (OperationalError, InterfaceError)):
        return defaults.server_error(request)
    if request.method == "POST" and request.path == reverse("contact:form"):
        # Nothing typed is lost: the visitor gets their message back, ready to resend.
        from confguide.contact.forms import ContactForm

        body = loader.render_to_string(
            "contact/unavailable.html", {"form": ContactForm(request.POST)}, request=request
        )
    else:
        body = loader.get_template("503.html").render()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
