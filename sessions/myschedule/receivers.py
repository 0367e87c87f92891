"""What my schedule does when other parts of the site act."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from sessions.myschedule.services import merge_anonymous_schedule


def merge_schedule_on_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Sessions picked before signing in (or up) move into the account."""
    if request is None or not hasattr(request, "session"):
        return
    added = merge_anonymous_schedule(user=user, store=request.session)
    if added:
        messages.success(
            request,
            f"The {added} session{'s' if added != 1 else ''} you picked are now in your schedule.",
            fail_silently=True,  # a login made outside a page (a test client's) has no messages
        )
