import pytest

from blog import selectors
from blog.models import Post
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.integration


def test_post_detail_is_none_for_a_draft_the_reader_may_not_see(db, editor):
    draft = PostFactory(status=Post.Status.DRAFT)

    assert selectors.post_detail(slug=draft.slug, user=UserFactory()) is None
    assert selectors.post_detail(slug=draft.slug) is None
    assert selectors.post_detail(slug="no-such-post", user=editor) is None
    assert selectors.post_detail(slug=draft.slug, user=editor) == draft


def test_only_people_with_a_public_post_are_authors(db):
    published = PostFactory()
    draft = PostFactory(status=Post.Status.DRAFT, author=UserFactory(is_staff=True))

    assert selectors.post_author(published.author.pk) == published.author
    assert selectors.post_author(draft.author.pk) is None
