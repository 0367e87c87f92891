from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from confguide.contact import services
from confguide.contact.forms import ContactForm
from confguide.contact.sources import resolve_source
from confguide.limits import too_large
from confguide.ratelimit import is_limited
from confguide.tasks import notify_editors


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
    limited = is_limited(
        scope="contact",
        request=request,
        limit=settings.CONTACT_RATE_LIMIT,
        window=settings.CONTACT_RATE_WINDOW,
    )
    if limited:
        form.is_valid()  # keep what was typed and show any field errors too
        response = _render_form(request, form, form.cleaned_data.get("source"), status=429)
        response["Retry-After"] = str(settings.CONTACT_RATE_WINDOW)
        return response
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
    return redirect(thanks)


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request, "contact/thanks.html", {"source": resolve_source(request.GET.get("from"))}
    )


def _render_form(request, form, source, status=200) -> HttpResponse:
    context = {"form": form, "source": source, "rate_limited": status == 429}
    return render(request, "contact/form.html", context, status=status)
