from sessions.sitemaps import SiteUrlSitemap

from .models import Post


class PostSitemap(SiteUrlSitemap):
    changefreq = "monthly"

    def items(self):
        return Post.objects.public().order_by("-published_at", "-pk")

    def lastmod(self, post: Post):
        return post.updated_at
