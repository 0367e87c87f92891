from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "confguide editors"
admin.site.site_title = "confguide editors"
admin.site.index_title = "Curate the guide"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("contact/", include("confguide.contact.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
