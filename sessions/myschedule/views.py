"""My schedule: the toggles, the agenda, plan A and B, the calendar feed, the share link
and the change emails (turning them on, and the stop links they carry)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from confguide.http import or_404
from confguide.links import absolute_url
from confguide.redirects import redirect_to, safe_next_url
from sessions.exports.calendar import build_calendar
from sessions.models import Session
from sessions.myschedule import alerts, selectors, services
from sessions.myschedule.qr import Address
from sessions.public import selectors as programme

# The toggle's script asks for the re-rendered button with this header.
FETCH_HEADER_VALUE = "fetch"
NO_EVENT = "No published event here."


def _is_fetch(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == FETCH_HEADER_VALUE


def _safe_next(request: HttpRequest, fallback: str) -> str:
    return safe_next_url(
        request, request.POST.get("next") or request.GET.get("next"), fallback=fallback
    )


# --- The "Add to my schedule" / "Remove" toggle -----------------------------


def _toggle_response(request: HttpRequest, *, session: Session, message: str) -> HttpResponse:
    if _is_fetch(request):
        # The fragment shows both states; confguide.personal keeps the one now true.
        return render(
            request,
            "includes/_schedule_toggle.html",
            {"session": session, "toggle_message": message},
        )
    messages.success(request, message)
    return redirect_to(_safe_next(request, fallback=reverse("myschedule:index")))


def _refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    status = 404 if error.code == "unknown" else 400
    return render(
        request,
        "myschedule/refused.html",
        {"message": error.messages[0], "back": _safe_next(request, reverse("myschedule:index"))},
        status=status,
    )


def _confirm(request: HttpRequest, *, session: Session, adding: bool) -> HttpResponse:
    """GET: ask before changing anything (the no-JavaScript way from a cached page)."""
    response = render(
        request,
        "myschedule/confirm.html",
        {
            "session": session,
            "adding": adding,
            "back": _safe_next(request, fallback=session.get_absolute_url()),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def add(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session = services.addable_session(session_id=session_id)
        if request.method != "POST":
            return _confirm(request, session=session, adding=True)
        if request.user.is_authenticated:
            services.add_session(user=request.user, session=session)
        else:
            services.add_session_anonymously(store=request.session, session=session)
    except ValidationError as error:
        return _refused(request, error)
    return _toggle_response(
        request, session=session, message=f"Added “{session.title}” to your schedule."
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def remove(request: HttpRequest, session_id: int) -> HttpResponse:
    session = or_404(selectors.removable_session(session_id=session_id), "No session here.")
    if request.method != "POST":
        return _confirm(request, session=session, adding=False)
    if request.user.is_authenticated:
        services.remove_session(user=request.user, session_id=session.pk)
    else:
        services.remove_session_anonymously(store=request.session, session_id=session.pk)
    return _toggle_response(
        request,
        session=session,
        message=f"Removed “{session.title}” from your schedule.",
    )


# --- Pages --------------------------------------------------------------------


def _asker(request: HttpRequest) -> dict:
    """Whose schedule a request reads and changes: the account's, or the browser's."""
    if request.user.is_authenticated:
        return {"user": request.user}
    return {"store": request.session}


def _share_address(user, event) -> Address:
    return Address(
        id=f"share-{event.slug}",
        label=f"Share link for {event.name}",
        url=absolute_url(reverse("myschedule:shared", args=[user.share_token, event.slug])),
    )


@never_cache
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    agenda = selectors.my_agenda(picks=selectors.saved_picks(**_asker(request)))
    context = {
        "upcoming": [schedule for schedule in agenda if not schedule.is_past],
        # The latest event first: that is the one whose recordings are wanted.
        "past": [schedule for schedule in reversed(agenda) if schedule.is_past],
    }
    user = request.user
    if user.is_authenticated and user.calendar_token:
        path = reverse("myschedule:feed", args=[user.calendar_token])
        https_url = absolute_url(path)
        context["feed"] = Address(
            id="feed-url", label="Calendar subscription address", url=https_url
        )
        # Downloading from this very site, whatever SITE_URL says.
        context["feed_path"] = path
        context["webcal_url"] = "webcal://" + https_url.split("://", 1)[1]
    if user.is_authenticated and user.share_enabled:
        context["shares"] = [_share_address(user, schedule.event) for schedule in agenda]
    if user.is_authenticated:
        context["change_emails"] = alerts.change_emails_enabled(user=user)
    return render(request, "myschedule/index.html", context)


@never_cache
@require_safe
def event_schedule(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = or_404(programme.published_event(event_slug), NO_EVENT)
    picks = selectors.saved_picks(**_asker(request))
    schedule = selectors.my_schedule(event=event, picks=picks)
    context = {"event": event, "schedule": schedule, "read_only": False}
    user = request.user
    if user.is_authenticated and user.share_enabled:
        context["share"] = _share_address(user, event)
    return render(request, "myschedule/event.html", context)


@require_POST
@login_required
def mark_seen(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = or_404(programme.published_event(event_slug), NO_EVENT)
    services.mark_changes_seen(user=request.user, event=event)
    messages.success(request, "Changes marked as seen.")
    return redirect_to(reverse("myschedule:event", kwargs={"event_slug": event.slug}))


@require_safe
def shared(request: HttpRequest, token: str, event_slug: str) -> HttpResponse:
    owner = or_404(
        selectors.shared_schedule_owner(token=token),
        "No shared schedule here: the link is wrong or was turned off.",
    )
    event = or_404(programme.published_event(event_slug), NO_EVENT)
    # Another person's view: their plan A and B, but no change marks (those
    # are the owner's), no toggles and no suggestions.
    picks = {
        pk: selectors.Pick(plan=pick.plan) for pk, pick in selectors.saved_picks(user=owner).items()
    }
    schedule = selectors.my_schedule(event=event, picks=picks, with_alternatives=False)
    response = render(
        request,
        "myschedule/event.html",
        {"event": event, "schedule": schedule, "read_only": True},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Plan A and plan B ---------------------------------------------------------


def _titles(sessions: list[Session]) -> str:
    return ", ".join(f"“{session.title}”" for session in sessions)


@never_cache
@require_POST
def plan_a(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session, backups = services.choose_plan_a(**_asker(request), session_id=session_id)
    except ValidationError as error:
        return _refused(request, error)
    message = f"“{session.title}” is your plan A"
    if backups:
        message += f"; {_titles(backups)} stay{'s' if len(backups) == 1 else ''} as plan B."
    else:
        message += "."
    messages.success(request, message)
    return redirect_to(_safe_next(request, fallback=reverse("myschedule:index")))


@never_cache
@require_POST
def plan_b(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session = services.keep_as_backup(**_asker(request), session_id=session_id)
    except ValidationError as error:
        return _refused(request, error)
    messages.success(
        request,
        f"“{session.title}” is in your schedule as plan B: your calendar keeps it "
        "in its plan A's description.",
    )
    return redirect_to(_safe_next(request, fallback=reverse("myschedule:index")))


# --- Calendar feed and share link -------------------------------------


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    owner = or_404(
        selectors.calendar_owner(token=token),
        "No calendar here: the link is wrong or was replaced by a new one.",
    )
    found = selectors.feed(user=owner)
    body = build_calendar(
        found.sessions,
        backups=found.backups,
        name="My schedule · confguide",
        description="The sessions you saved in confguide, kept up to date.",
        url=absolute_url(reverse("myschedule:index")),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-schedule.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@login_required
def regenerate_calendar(request: HttpRequest) -> HttpResponse:
    had_one = bool(request.user.calendar_token)
    services.regenerate_calendar_token(user=request.user)
    messages.success(
        request,
        "New calendar link made; the old one no longer works, so subscribe again with this one."
        if had_one
        else "Your calendar link is ready.",
    )
    return redirect_to(reverse("myschedule:index"))


@require_POST
@login_required
def sharing(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("share") == "on"
    services.set_sharing(user=request.user, enabled=enabled)
    messages.success(
        request,
        "Your schedule can now be seen by anyone with its share link."
        if enabled
        else "Sharing is off: the share link no longer works.",
    )
    return redirect_to(reverse("myschedule:index"))


# --- Change emails ------------------------------------------------------------

BAD_STOP_LINK = (
    "This link to stop the emails is not one the guide sent: it may have been cut "
    "short or changed. Copy the whole link from the email, or turn the emails off "
    "on My schedule."
)
NO_SUBSCRIBER = "There are no change emails for this link: the account was deleted."


@require_POST
@login_required
def change_emails(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("emails") == "on"
    alerts.set_change_emails(user=request.user, enabled=enabled)
    messages.success(
        request,
        "You will get an email, at most one an hour, when a session in your schedule "
        "moves, changes room or is cancelled."
        if enabled
        else "Change emails are off.",
    )
    return redirect_to(reverse("myschedule:index"))


def _stop_link_refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    response = render(
        request,
        "myschedule/refused.html",
        {"message": message, "back": reverse("myschedule:index")},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The stop link in each email: a page that asks, and a POST (with CSRF) that does it."""
    try:
        subscriber = alerts.subscriber_for_token(token)
    except signing.BadSignature:
        return _stop_link_refused(request, BAD_STOP_LINK, 400)
    if subscriber is None:
        return _stop_link_refused(request, NO_SUBSCRIBER, 404)
    stopped = False
    if request.method == "POST":
        alerts.unsubscribe(subscriber=subscriber)
        stopped = True
    response = render(
        request,
        "myschedule/unsubscribe.html",
        {"stopped": stopped, "enabled": subscriber.enabled and not stopped},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt  # RFC 8058: the mail client posts without a form; the signed token is the proof
@never_cache
@require_POST
def unsubscribe_one_click(request: HttpRequest, token: str) -> HttpResponse:
    """What List-Unsubscribe-Post asks a mail client to post: stops the emails, nothing else."""
    try:
        subscriber = alerts.subscriber_for_token(token)
    except signing.BadSignature:
        return HttpResponse(BAD_STOP_LINK, status=400, content_type="text/plain; charset=utf-8")
    if subscriber is None:
        return HttpResponse(NO_SUBSCRIBER, status=404, content_type="text/plain; charset=utf-8")
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponse(
            "Post List-Unsubscribe=One-Click to stop the emails.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    alerts.unsubscribe(subscriber=subscriber)
    return HttpResponse("Change emails are off.", content_type="text/plain; charset=utf-8")
