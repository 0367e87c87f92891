from django.conf import settings


def site(request):
    """Values every page's layout needs."""
    return {"site_name": "confguide", "site_url": settings.SITE_URL}
