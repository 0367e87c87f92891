"""The site's URLs plus views that fail in each way, for tests of the error pages."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import OperationalError
from django.urls import path

from confguide.urls import handler429, handler500
from confguide.urls import urlpatterns as site_urlpatterns

__all__ = ["handler429", "handler500", "urlpatterns"]


def broken(request):
    raise RuntimeError("A bug in a view.")


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise BadRequest("Malformed.")


urlpatterns = [
    path("test-errors/broken/", broken),
    path("test-errors/database/", database_gone),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/bad/", bad),
    *site_urlpatterns,
]
