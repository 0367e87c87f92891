"""The admin's "Erase a sender's messages": an address, then how many, then delete.

For a person who asks to be forgotten. The address travels in POST bodies
only, never in a URL, so it stays out of access logs and browser history.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from confguide.contact import services
from confguide.contact.forms import EraseSenderForm
from confguide.contact.selectors import messages_from
from confguide.models import ContactMessage

TEMPLATE = "admin/confguide/contactmessage/erase_sender.html"


@require_http_methods(["GET", "POST"])
def erase_sender(request: HttpRequest, admin_site: AdminSite) -> HttpResponse:
    """GET: the form; POST: how many messages (the confirmation); POST with `confirm`: erase."""
    if not request.user.has_perm("confguide.delete_contactmessage"):
        raise PermissionDenied
    context = {
        **admin_site.each_context(request),
        "opts": ContactMessage._meta,
        "title": "Erase a sender's messages",
        "retention_days": settings.CONTACT_RETENTION_DAYS,
    }
    form = EraseSenderForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, TEMPLATE, context | {"form": form}, status=status)
    email = form.cleaned_data["email"]
    if "confirm" not in request.POST:
        count = messages_from(emails=[email]).count()
        return render(request, TEMPLATE, context | {"form": form, "email": email, "count": count})
    deleted = services.erase_messages_from(email=email, erased_by=request.user)
    messages.success(
        request,
        f"Erased {deleted} message{'s' if deleted != 1 else ''} from that address."
        if deleted
        else "There were no messages from that address.",
    )
    return HttpResponseRedirect(reverse("admin:confguide_contactmessage_changelist"))
