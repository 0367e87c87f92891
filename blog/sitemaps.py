from django.contrib.sitemaps import Sitemap

from .models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Post.objects.public().order_by("-published_at", "-pk")

    def lastmod(self, item: Post):
        return item.updated_at
