"""Demo content: the guide post this project began from, told in the guide's own words.

The facts (author Louise, 8 November 2020, the two themes and their four
sessions at KubeCon + CloudNativeCon North America 2020) come from that post;
the prose is new. `load_demo` runs `load_guide_post` after the event step, and
like the rest of the demo it is a sync: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from blog.models import FeaturedSession, Post, PostSection
from sessions.demo import content as conference_demo
from sessions.models import Event, Session, Theme

POST_SLUG = "kubecon-na-2020-storage-and-multi-tenancy-picks"
AUTHOR_USERNAME = "louise"

INTRODUCTION = """\
This year pushed every engineering team into new ways of working at short notice, and most \
of us have spent it heads-down, keeping production healthy from the kitchen table. With \
December close and travel still on hold, now is a good moment to stop and look at where the \
platform under our feet is going. For anyone who runs Kubernetes, KubeCon + CloudNativeCon is \
where that picture comes into focus.

Much of our recent work has been around the edges of Kubernetes: clusters that mix Linux and \
Windows nodes, Istio service meshes, admission policy with Open Policy Agent, runtime \
detection with Falco. So while building my own schedule for the virtual North American \
edition, I looked at the centre instead and marked the talks that show where the project \
itself is heading. Some open the door to workloads that rarely ran on Kubernetes before; \
others make it a sturdier platform for many teams to share.
"""

STORAGE_INTRO = """\
The Container Storage Interface reached general availability back in Kubernetes 1.13, and \
vendors have made good use of the time since: most file and block systems on the market now \
come with a CSI driver, so a production cluster has plenty of places to keep its data. The \
open question is what comes after files and blocks. These two talks give a glimpse.
"""

TENANCY_INTRO = """\
Putting several applications, teams or environments in one cluster is old news; namespaces \
make carving it up easy. Calling Kubernetes a mature platform takes more than that, though: \
we need to show that each tenant's data and resources stay its own, and that no tenant can \
crowd out the others. Getting tenants to share a cluster peacefully is the next step, and \
these sessions show how far the community has come.
"""

CLOSING = """\
That is my shortlist. Now over to you: how do you plan to spend your hours at the next \
virtual KubeCon, and which talks did I miss? Write and tell us; we would love to compare \
notes.

To hear about the next guide as soon as it is out, subscribe to the \
[feed of guide posts](/blog/feed/atom/).
"""

CALL_TO_ACTION = (
    "Starting out with Kubernetes, or scaling a cloud-native platform that is already in "
    "production? We would be glad to help: tell us what you are working on."
)

POST = {
    "title": "Our route through KubeCon NA 2020: storage and multi-tenancy",
    "summary": (
        "Four sessions from the virtual KubeCon + CloudNativeCon North America 2020: two on "
        "where Kubernetes storage goes after CSI, two on sharing one cluster safely between "
        "tenants."
    ),
    "body": INTRODUCTION,
    "closing": CLOSING,
    "call_to_action": CALL_TO_ACTION,
    "status": Post.Status.PUBLISHED,
    "published_at": dt.datetime(2020, 11, 8, 9, 0, tzinfo=dt.UTC),
}

# (theme slug, section introduction, [(session title, the post's comment)]).
SECTIONS = [
    (
        "storage-csi",
        STORAGE_INTRO,
        [
            (
                "Persistent Memory in Kubernetes",
                "Late on Thursday for European readers, and worth staying up for if your "
                "services are judged in microseconds.",
            ),
            (
                "Beyond File and Block Storage in Kubernetes",
                "A proposal rather than a finished product: a chance to help shape it.",
            ),
        ],
    ),
    (
        "multi-tenancy",
        TENANCY_INTRO,
        [
            (
                "API Priority and Fairness: Kube-APIServer Flow-control Protection",
                "The answer to the noisy neighbour on the control plane.",
            ),
            (
                "Kubernetes Working Group for Multi-Tenancy Project Overview",
                "The last slot of the week, and a fitting one to finish on.",
            ),
        ],
    ),
]


def _author():
    User = get_user_model()
    author = User.objects.filter(username=AUTHOR_USERNAME).first()
    if author is None:
        # A byline, not an account to sign in with: no usable password.
        author = User(username=AUTHOR_USERNAME, first_name="Louise", display_name="Louise")
        author.is_staff = True
        author.set_unusable_password()
        author.save()
    return author


@transaction.atomic
def load_guide_post() -> str:
    """Load (or restore) the demo guide post; returns a one-line summary."""
    tally = conference_demo.SyncTally()
    event = Event.objects.get(slug=conference_demo.KUBECON_NA_2020_SLUG)
    themes = {
        theme.slug: theme for theme in Theme.objects.filter(slug__in=[s[0] for s in SECTIONS])
    }
    sessions = {session.title: session for session in Session.objects.filter(event=event)}
    existed = Post.objects.filter(slug=POST_SLUG).exists()
    post = conference_demo.sync_row(
        Post,
        lookup={"slug": POST_SLUG},
        values={**POST, "author_id": _author().pk, "event_id": event.pk},
        tally=tally,
    )
    wanted_themes = {themes[slug].pk for slug, _, _ in SECTIONS}
    if set(post.themes.values_list("pk", flat=True)) != wanted_themes:
        post.themes.set(wanted_themes)
        if existed:
            tally.updated["post themes"] += 1

    for order, (theme_slug, intro, picks) in enumerate(SECTIONS, start=1):
        section = conference_demo.sync_row(
            PostSection,
            lookup={"post": post, "order": order},
            values={"theme_id": themes[theme_slug].pk, "heading": "", "intro": intro},
            tally=tally,
            label="post sections",
        )
        for position, (title, comment) in enumerate(picks, start=1):
            conference_demo.sync_row(
                FeaturedSession,
                lookup={"section": section, "session": sessions[title]},
                values={"order": position, "comment": comment},
                tally=tally,
                label="featured sessions",
            )
        extra, _ = section.entries.exclude(session__title__in=[t for t, _ in picks]).delete()
        if extra:
            tally.updated["featured sessions"] += extra
    removed, _ = post.sections.exclude(order__in=range(1, len(SECTIONS) + 1)).delete()
    if removed:
        tally.updated["post sections"] += removed
    return tally.describe()
