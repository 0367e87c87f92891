import datetime as dt

import pytest

from tests.factories import (
    FeaturedSessionFactory,
    PostFactory,
    PostSectionFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)


@pytest.fixture
def guide_post(db):
    """A published post with a storage section featuring two sessions."""
    storage = ThemeFactory(name="Storage & CSI", slug="storage-csi")
    post = PostFactory(
        title="Sessions we would not miss",
        slug="sessions-we-would-not-miss",
        summary="Storage picks from the programme.",
        themes=[storage],
    )
    section = PostSectionFactory(post=post, theme=storage, intro="CSI went *GA* in 1.13.")
    pmem = SessionFactory(
        title="Persistent Memory in Kubernetes",
        speakers=[SpeakerFactory(name="Patrick Ohly", company__name="Intel")],
        themes=[storage],
    )
    cosi = SessionFactory(title="Beyond File and Block Storage", event=pmem.event, themes=[storage])
    FeaturedSessionFactory(section=section, session=pmem, order=1, comment="Fast state.")
    FeaturedSessionFactory(section=section, session=cosi, order=2)
    post.published_at -= dt.timedelta(days=1)
    post.save()
    return post
