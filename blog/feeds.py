from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from blog import selectors
from blog.models import Post

FEED_SIZE = 20


class LatestPostsRss(Feed):
    title = "confguide: guide posts"
    link = reverse_lazy("blog:post_list")
    description = "New guide posts: the conference sessions worth your time, by theme."

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
    subtitle = LatestPostsRss.description
