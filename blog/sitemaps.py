from blog.models import Post
from confguide.sitemaps import SiteUrlSitemap


class PostSitemap(SiteUrlSitemap):
    changefreq = "monthly"

    def items(self):
        return Post.objects.public().order_by("-published_at", "-pk")

    def lastmod(self, post: Post):
        return post.updated_at
