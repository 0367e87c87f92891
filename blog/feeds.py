"""RSS and Atom feeds of the guide posts.

Every link in them is on SITE_URL, as in the sitemaps and calendar feeds: a
feed read through a proxy, or fetched as http://localhost by a cron job, must
still point readers at the public site, not at the Host header it came with.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from blog import selectors
from blog.models import Post
from confguide.links import absolute_url

FEED_SIZE = 20


class LatestPostsRss(Feed):
    title = "confguide: guide posts"
    description = "New guide posts: the conference sessions worth your time, by theme."
    url_name = "blog:feed_rss"

    # Absolute already, so Django's syndication leaves them as they are.
    def link(self) -> str:
        return absolute_url(reverse("blog:post_list"))

    def feed_url(self) -> str:
        return absolute_url(reverse(self.url_name))

    def item_link(self, item: Post) -> str:
        return absolute_url(item.get_absolute_url())

    def items(self):
        return selectors.latest_posts(limit=FEED_SIZE)

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        return item.summary

    def item_pubdate(self, item: Post):
        return item.published_at

    def item_updateddate(self, item: Post):
        return item.updated_at

    def item_author_name(self, item: Post) -> str:
        return item.author.public_name

    def item_categories(self, item: Post) -> list[str]:
        return [theme.name for theme in item.themes.all()]


class LatestPostsAtom(LatestPostsRss):
    feed_type = Atom1Feed
    url_name = "blog:feed_atom"
    subtitle = LatestPostsRss.description
