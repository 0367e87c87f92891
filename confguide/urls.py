from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from blog.sitemaps import PostSitemap
from sessions.sitemaps import SITEMAPS
from sessions.views import robots_txt

from . import views

admin.site.site_header = "confguide editors"
admin.site.site_title = "confguide editors"
admin.site.index_title = "Curate the guide"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("contact/", include("confguide.contact.urls")),
    path("blog/", include("blog.urls")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": {**SITEMAPS, "posts": PostSitemap}}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("", include("sessions.urls")),
    path("", include("sessions.export_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
