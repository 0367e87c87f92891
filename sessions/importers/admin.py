"""The editors' schedule import in the admin: upload or feed URL, preview, confirm.

The request only stores what the editor gave (a ScheduleImport row) and queues
the work; the task worker fetches the feed, reads the file and dry-runs it,
and later applies it, so no request parses a big file or waits on a feed. The
status page follows the worker (it reloads itself while the worker is busy)
and shows the preview, the same report the confirmation will carry out, with
its Confirm button; confirming re-checks the stored bytes' SHA-256, so nothing
the editor did not preview is applied. Only the editor who started an import,
or a superuser, sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from confguide.http import or_404
from sessions.importers import ScheduleImportError, selectors, services
from sessions.importers.base import ScheduleTooLargeError, check_not_empty, check_size
from sessions.importers.fetch import check_url
from sessions.importers.forms import ImportScheduleForm
from sessions.importers.report import headings_for

REQUIRED_PERMISSIONS = (
    "conference.add_event",
    "conference.add_session",
    "conference.change_session",
    "conference.add_speaker",
    "conference.add_company",
    "conference.add_room",
)
FORM_TEMPLATE = "admin/conference/event/import_form.html"
STATUS_TEMPLATE = "admin/conference/event/import_status.html"
# Seconds between reloads of the status page while the worker is busy.
REFRESH_SECONDS = 2
# A report group shows this many entries; the rest fold into a <details> below them.
PREVIEW_LIMIT = 50


def _check_permissions(request: HttpRequest) -> None:
    if not request.user.has_perms(REQUIRED_PERMISSIONS):
        raise PermissionDenied


def status_url(import_id: int) -> str:
    return reverse("admin:conference_event_import_status", args=[import_id])


@require_http_methods(["GET", "POST"])
def import_schedule(request: HttpRequest, admin_site) -> HttpResponse:
    """Step 1: the form (GET); storing the file or address and queueing its preview (POST)."""
    _check_permissions(request)
    context = {
        **admin_site.each_context(request),
        "title": "Import a schedule",
        "recent_imports": selectors.recent_imports(user=request.user),
        "max_entries": f"{settings.IMPORT_MAX_ENTRIES:,}",
    }
    if request.method == "GET":
        return render(request, FORM_TEMPLATE, context | {"form": ImportScheduleForm()})

    form = ImportScheduleForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, FORM_TEMPLATE, context | {"form": form}, status=400)
    upload = form.cleaned_data.get("schedule_file")
    try:
        # Only what needs no reading of the file and no network: those are the worker's.
        if upload:
            check_size(upload.size)
            data = upload.read()
            check_not_empty(data)
        else:
            data = None
            check_url(form.cleaned_data["feed_url"])
    except ScheduleImportError as error:
        return render(
            request,
            FORM_TEMPLATE,
            context | {"form": form, "problems": error.problems},
            status=413 if isinstance(error, ScheduleTooLargeError) else 400,
        )
    schedule_import = services.start_import(
        user=request.user,
        event_slug=form.event_slug,
        fmt=form.cleaned_data["format"],
        publish=form.cleaned_data["publish"],
        time_zone=form.cleaned_data["time_zone"],
        data=data,
        file_name=upload.name if upload else "",
        feed_url="" if upload else form.cleaned_data["feed_url"],
    )
    return HttpResponseRedirect(status_url(schedule_import.pk))


@require_http_methods(["GET"])
def import_status(request: HttpRequest, admin_site, import_id: int) -> HttpResponse:
    """Step 2 and 4: how the worker is getting on; the preview to confirm; the result."""
    _check_permissions(request)
    schedule_import = or_404(selectors.schedule_import(user=request.user, import_id=import_id))
    running = selectors.is_running(schedule_import)
    stalled = selectors.is_stalled(schedule_import)
    report = schedule_import.result or schedule_import.preview
    context = {
        **admin_site.each_context(request),
        "title": _title(schedule_import),
        "schedule_import": schedule_import,
        "report": report,
        "groups": report_groups(report),
        "refresh_seconds": REFRESH_SECONDS if running and not stalled else None,
        "stalled": stalled,
        "waiting_long": selectors.is_waiting_long(schedule_import),
    }
    return render(request, STATUS_TEMPLATE, context)


@dataclass
class ReportGroup:
    """One kind of change in a report: its first entries, and the rest folded away.

    kind: "sessions" (each named by title, time, room and source id; updates
    with their field changes), "count" (the heading says it all), "names" (one
    line of names) or "lines" (a line each).
    """

    kind: str
    heading: str
    shown: list
    more: list
    updates: bool = False


def report_groups(report: dict | None) -> list[ReportGroup]:
    """The stored report's groups, in the order the command prints them."""
    if not report:
        return []
    words = headings_for(report["dry_run"])
    # Reports stored before they named each session have their titles only.
    sessions = report.get("sessions") or {
        kind: [{"title": title, "place": "", "changes": []} for title in report[kind]]
        for kind in ("created", "updated", "cancelled")
    }
    created, updated, cancelled = sessions["created"], sessions["updated"], sessions["cancelled"]
    speakers_changed = [
        f"{entry['name']}: {'; '.join(change['text'] for change in entry['changes'])}"
        for entry in report.get("speakers_changed", [])
    ]
    return [
        _group("sessions", f"{words['created']} ({len(created)})", created),
        _group(
            "sessions",
            f"{words['updated']} ({len(updated)}, of which {len(report['moved'])} move)",
            updated,
            updates=True,
        ),
        _group("sessions", f"{words['cancelled']} ({len(cancelled)})", cancelled),
        _group("count", f"{words['unchanged']}: {report['unchanged']}", []),
        _group("names", "New rooms", report["rooms_created"]),
        _group("names", "New speakers", report["speakers_created"]),
        _group("lines", words["speakers_changed"], speakers_changed),
        _group("names", "New companies", report["companies_created"]),
        _group("names", "Left out as logistics", report["skipped"]),
    ]


def _group(kind: str, heading: str, entries: list, *, updates: bool = False) -> ReportGroup:
    if kind in ("names", "lines"):
        heading = f"{heading} ({len(entries)})"
    return ReportGroup(
        kind, heading, entries[:PREVIEW_LIMIT], entries[PREVIEW_LIMIT:], updates=updates
    )


def _title(schedule_import) -> str:
    status = schedule_import.Status
    return {
        status.READY: "Check the import",
        status.DONE: "Schedule imported",
        status.FAILED: "Nothing was imported",
    }.get(schedule_import.status, "Importing a schedule")


@require_POST
def confirm_import(request: HttpRequest, admin_site, import_id: int) -> HttpResponse:
    """Step 3: queue the import of the previewed file."""
    _check_permissions(request)
    schedule_import = selectors.schedule_import(user=request.user, import_id=import_id)
    if schedule_import is None:
        messages.error(request, "This import is no longer available; upload the schedule again.")
        return HttpResponseRedirect(reverse("admin:conference_event_import"))
    if not services.confirm_import(
        schedule_import=schedule_import, digest=request.POST.get("digest", "")
    ):
        messages.error(
            request,
            "This preview is no longer current (it expired, or was confirmed already); "
            "nothing more was queued.",
        )
    return HttpResponseRedirect(status_url(schedule_import.pk))


@require_POST
def discard_import(request: HttpRequest, admin_site, import_id: int) -> HttpResponse:
    """Drop an import and its file instead of confirming it."""
    _check_permissions(request)
    schedule_import = selectors.schedule_import(user=request.user, import_id=import_id)
    if schedule_import is not None and services.discard_import(schedule_import=schedule_import):
        messages.success(request, "The import was discarded; nothing was imported.")
    return HttpResponseRedirect(reverse("admin:conference_event_import"))
