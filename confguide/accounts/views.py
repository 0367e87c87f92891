"""Where the hand-written accounts' addresses lead now that allauth serves accounts.

Bookmarks, old mails and other sites link to /accounts/sign-in/ and friends:
each answers with a permanent redirect to allauth's page, keeping the query
string (so ?next= still brings the reader back).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.views.generic import RedirectView


class Moved(RedirectView):
    permanent = True
    query_string = True


class OldResetLink(Moved):
    """Reset links mailed before the move were signed another way and cannot be honoured."""

    url = reverse_lazy("account_reset_password")

    def get_redirect_url(self, *args, **kwargs) -> str | None:
        request: HttpRequest = self.request
        messages.info(
            request,
            "That reset link is from before our sign-in pages changed. "
            "Ask for a new one below; it arrives within a minute.",
        )
        return super().get_redirect_url()


def moved_to(name: str) -> Callable[..., HttpResponse]:
    return Moved.as_view(url=reverse_lazy(name))
