"""The privacy page, "Your data" with its download, and deleting one's own account."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from confguide import ratelimit
from confguide.privacy import selectors, services
from confguide.privacy.forms import DeleteAccountForm
from confguide.seo import page_meta
from confguide.timezones import READER_TZ_MAX_AGE

DAY = 24 * 60 * 60
# Wrong passwords (or addresses) typed into the deletion form per account, per
# window: a borrowed, signed-in browser must not become a password oracle.
CONFIRMATION_ATTEMPTS = 5
CONFIRMATION_WINDOW = 15 * 60


@require_safe
def policy(request: HttpRequest) -> HttpResponse:
    context = {
        "anonymous_schedule_days": settings.ANONYMOUS_SCHEDULE_DAYS,
        "contact_retention_days": settings.CONTACT_RETENTION_DAYS,
        "contact_retention_months": round(settings.CONTACT_RETENTION_DAYS / 30.4),
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "session_days": settings.SESSION_COOKIE_AGE // DAY,
        "csrf_days": settings.CSRF_COOKIE_AGE // DAY,
        "reader_tz_days": READER_TZ_MAX_AGE // DAY,
        "contact_rate_window_minutes": settings.CONTACT_RATE_WINDOW // 60,
    } | page_meta(
        "Privacy",
        "What the guide stores about you, why, and for how long; the cookies it uses; "
        "and how to download your data or delete your account.",
        reverse("privacy:policy"),
    )
    return render(request, "privacy/policy.html", context)


@never_cache
@login_required
@require_safe
def your_data(request: HttpRequest) -> HttpResponse:
    context = {
        "sections": selectors.sections(),
        "deletion_refusal": selectors.deletion_refusal(user=request.user),
    }
    return render(request, "privacy/your_data.html", context)


# A GET: the download changes nothing, and another site cannot read the answer
# (same-origin policy), only make the attendee's own browser save their own file.
# never_cache: no proxy or browser cache keeps a copy.
@never_cache
@login_required
@require_safe
def download(request: HttpRequest) -> HttpResponse:
    data = selectors.personal_data(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"confguide-my-data-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    refusal = selectors.deletion_refusal(user=user)
    if refusal:
        status = 403 if request.method == "POST" else 200
        return render(
            request, "privacy/delete_account.html", {"cannot_delete": refusal}, status=status
        )
    if request.method != "POST":
        form = DeleteAccountForm(user=user)
        return render(request, "privacy/delete_account.html", {"form": form})

    attempts_key = f"delete-account:{user.pk}"
    form = DeleteAccountForm(request.POST, user=user)
    if ratelimit.count(attempts_key) >= CONFIRMATION_ATTEMPTS:
        return ratelimit.refuse(
            request,
            "privacy/delete_account.html",
            {"form": DeleteAccountForm(user=user)},
            ratelimit.Refusal(
                "Too many wrong confirmations: for your account's safety, deleting it is paused.",
                retry_after=ratelimit.seconds_left(attempts_key, window=CONFIRMATION_WINDOW),
            ),
        )
    if not form.is_valid():
        ratelimit.hit(attempts_key, window=CONFIRMATION_WINDOW)
        return render(request, "privacy/delete_account.html", {"form": form}, status=400)
    try:
        services.delete_account(user=user)
    except services.DeletionRefused as error:
        return render(
            request, "privacy/delete_account.html", {"cannot_delete": str(error)}, status=409
        )
    ratelimit.reset(attempts_key)
    logout(request)
    return redirect("privacy:account_deleted")


@require_safe
def account_deleted(request: HttpRequest) -> HttpResponse:
    response = render(request, "privacy/account_deleted.html")
    response["X-Robots-Tag"] = "noindex"
    return response
