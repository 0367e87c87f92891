from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from confguide import offline, views
from confguide.contributions import sitemap_sections
from confguide.sitemaps import robots_txt, sitemap_index
from sessions.public import views as public_views

# Every app's public pages, one sitemap per kind of page (each app adds its own).
SITE_SITEMAPS = sitemap_sections()

admin.site.site_header = "confguide editors"
admin.site.site_title = "confguide editors"
admin.site.index_title = "Curate the guide"

# A database outage is a 503 "back in a moment", not a 500 (see views.server_error).
handler500 = "confguide.views.server_error"
# allauth answers its rate limits with this: the site's page, saying when to try again.
handler429 = "confguide.accounts.limits.too_many_requests"

urlpatterns = [
    path("", public_views.home, name="home"),
    path("health/", views.health, name="health"),
    path("health/live/", views.live, name="health_live"),
    path("contact/", include("confguide.contact.urls")),
    path("privacy/", include("confguide.privacy.urls")),
    path("blog/", include("blog.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("confguide.accounts.urls")),
    path("my-schedule/", include("sessions.myschedule.urls")),
    path("search/", include("sessions.search.urls")),
    # An index of one sitemap per kind of page, each paginated (?p=2) past its limit.
    path("sitemap.xml", sitemap_index, {"sitemaps": SITE_SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITE_SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", robots_txt, name="robots_txt"),
    # At the root, so the worker's scope is the whole site (confguide.offline).
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("", include("sessions.public.urls")),
    path("", include("sessions.exports.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
