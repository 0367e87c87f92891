import datetime as dt

import pytest
from django.utils import timezone

from blog import services
from blog.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.integration


def test_publishing_changes_only_drafts_and_readers_then_see_them(db):
    draft = PostFactory(status=Post.Status.DRAFT)
    live = PostFactory()
    live_since = Post.objects.get(pk=live.pk).updated_at

    count = services.publish_posts(posts=Post.objects.all())

    assert count == 1
    assert list(Post.objects.public().order_by("pk")) == [draft, live]
    assert Post.objects.get(pk=live.pk).updated_at == live_since


def test_a_post_published_for_later_stays_hidden_until_its_date(db):
    later = PostFactory(
        status=Post.Status.DRAFT, published_at=timezone.now() + dt.timedelta(days=1)
    )

    services.publish_posts(posts=Post.objects.filter(pk=later.pk))

    assert Post.objects.get(pk=later.pk).status == Post.Status.PUBLISHED
    assert not Post.objects.public().exists()


def test_unpublishing_takes_posts_back_to_draft(db):
    first, second = PostFactory(), PostFactory()

    count = services.unpublish_posts(posts=Post.objects.filter(pk=first.pk))

    assert count == 1
    assert list(Post.objects.public()) == [second]
