"""The editors' schedule import in the admin: upload or feed URL, preview, confirm.

The preview is a dry run of the same service the command uses, so it shows
exactly what the confirmation will do. Between the two steps the file waits
in a private staging folder under a name that is its SHA-256; the editor's
session remembers that hash and the options, and the confirmation re-reads
and re-checks the file, so nothing an editor did not preview can be applied.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sessions.importers import ScheduleImportError, parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.importers.base import ScheduleTooLargeError, check_size
from sessions.importers.fetch import fetch
from sessions.importers.forms import ImportScheduleForm

SESSION_KEY = "schedule_import"
REQUIRED_PERMISSIONS = (
    "conference.add_event",
    "conference.add_session",
    "conference.change_session",
    "conference.add_speaker",
    "conference.add_company",
    "conference.add_room",
)


def staging_dir() -> Path:
    folder = Path(settings.IMPORT_STAGING_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _stage(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    (staging_dir() / digest).write_bytes(data)
    return digest


def _staged(digest: str) -> bytes | None:
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        return None
    path = staging_dir() / digest
    if not path.is_file():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == digest else None


def _unstage(digest: str) -> None:
    (staging_dir() / digest).unlink(missing_ok=True)


def _check_permissions(request: HttpRequest) -> None:
    if not request.user.has_perms(REQUIRED_PERMISSIONS):
        raise PermissionDenied


def _read_source(form: ImportScheduleForm) -> tuple[bytes, str]:
    upload = form.cleaned_data.get("schedule_file")
    if upload:
        check_size(upload.size)
        return upload.read(), upload.name
    url = form.cleaned_data["feed_url"]
    return fetch(url), url


@require_http_methods(["GET", "POST"])
def import_schedule(request: HttpRequest, admin_site) -> HttpResponse:
    """Step 1 (GET: the form) and step 2 (POST: the preview)."""
    _check_permissions(request)
    context = {**admin_site.each_context(request), "title": "Import a schedule"}
    if request.method == "GET":
        form = ImportScheduleForm()
        return render(request, "admin/conference/event/import_form.html", context | {"form": form})

    form = ImportScheduleForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "admin/conference/event/import_form.html",
            context | {"form": form},
            status=400,
        )
    try:
        data, name = _read_source(form)
        parsed = parse_schedule(data, fmt=form.cleaned_data["format"], name=name)
        report = apply_schedule(
            parsed=parsed,
            event_slug=form.event_slug,
            publish=form.cleaned_data["publish"],
            time_zone=form.cleaned_data["time_zone"],
            dry_run=True,
        )
    except ScheduleImportError as error:
        return render(
            request,
            "admin/conference/event/import_form.html",
            context | {"form": form, "problems": error.problems},
            status=413 if isinstance(error, ScheduleTooLargeError) else 400,
        )
    digest = _stage(data)
    request.session[SESSION_KEY] = {
        "digest": digest,
        "name": name[-200:],
        "format": parsed.format,
        "event_slug": form.event_slug,
        "publish": form.cleaned_data["publish"],
        "time_zone": form.cleaned_data["time_zone"],
    }
    return render(
        request,
        "admin/conference/event/import_preview.html",
        context | {"report": report, "digest": digest, "name": name, "title": "Check the import"},
    )


@require_http_methods(["POST"])
def confirm_import(request: HttpRequest, admin_site) -> HttpResponse:
    """Step 3: apply the previewed file."""
    _check_permissions(request)
    pending = request.session.get(SESSION_KEY) or {}
    start_again = HttpResponseRedirect(reverse("admin:conference_event_import"))
    if not pending or request.POST.get("digest") != pending.get("digest"):
        messages.error(request, "This preview is no longer current; upload the schedule again.")
        return start_again
    data = _staged(pending["digest"])
    if data is None:
        del request.session[SESSION_KEY]
        messages.error(request, "The previewed file has expired; upload the schedule again.")
        return start_again
    try:
        report = apply_schedule(
            parsed=parse_schedule(data, fmt=pending["format"], name=pending["name"]),
            event_slug=pending["event_slug"],
            publish=pending["publish"],
            time_zone=pending["time_zone"],
        )
    except ScheduleImportError as error:
        messages.error(request, f"Nothing was imported: {error}")
        return start_again
    finally:
        _unstage(pending["digest"])
        request.session.pop(SESSION_KEY, None)
    messages.success(request, report.summary())
    return HttpResponseRedirect(
        reverse("admin:conference_session_changelist") + f"?event__id__exact={report.event.pk}"
    )
