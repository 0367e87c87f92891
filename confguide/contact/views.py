from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from confguide.contact import services
from confguide.contact.forms import ContactForm
from confguide.contact.sources import resolve_source
from confguide.limits import too_large
from confguide.ratelimit import Refusal, limited_for, refuse
from confguide.redirects import redirect_to
from confguide.tasks import notify_editors

FORM_TEMPLATE = "contact/form.html"


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        source = resolve_source(request.GET.get("from"))
        form = ContactForm(initial={"source": source.path if source else ""})
        return _render_form(request, form, source)

    # A contact message is a few kilobytes; refuse anything far larger before
    # parsing it (the site-wide DATA_UPLOAD_MAX_MEMORY_SIZE is much higher).
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.CONTACT_MAX_BODY_BYTES:
        return too_large(settings.CONTACT_MAX_BODY_BYTES)

    form = ContactForm(request.POST)
    wait = limited_for(
        scope="contact",
        request=request,
        limit=settings.CONTACT_RATE_LIMIT,
        window=settings.CONTACT_RATE_WINDOW,
    )
    if wait is not None:
        form.is_valid()  # keep what was typed and show any field errors too
        return refuse(
            request,
            FORM_TEMPLATE,
            {"form": form, "source": form.cleaned_data.get("source")},
            Refusal(
                "We have received several messages from your network in a short time, "
                "so this one was not sent.",
                retry_after=wait,
            ),
        )
    if not form.is_valid():
        return _render_form(request, form, form.cleaned_data.get("source"))

    data = form.cleaned_data
    message = services.record_message(
        name=data["name"],
        email=data["email"],
        company=data["company"],
        topic=data["topic"],
        message=data["message"],
        source=data["source"],
        is_spam=form.is_robot,
    )
    if not form.is_robot:
        # The worker mails the editors: no request waits on an SMTP server.
        notify_editors.enqueue(message.pk)
    thanks = reverse("contact:thanks")
    if data["source"]:
        thanks += "?" + urlencode({"from": data["source"].path})
    return redirect_to(thanks)


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request, "contact/thanks.html", {"source": resolve_source(request.GET.get("from"))}
    )


def _render_form(request, form, source) -> HttpResponse:
    return render(request, FORM_TEMPLATE, {"form": form, "source": source})
