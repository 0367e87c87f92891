"""The admin's side of the feed sync: the event's feed settings and actions, and the history.

The event form takes the feed address (checked without any network traffic),
the interval and the pause; its "Official feed sync" line says when the next
sync is and what the last one did, with a link to the event's history. The
history (FeedSync) is read only: the worker alone writes it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from sessions.importers import ScheduleImportError, sync
from sessions.models import Event, FeedSync


def history_url(event_id: int) -> str:
    return f"{reverse('admin:conference_feedsync_changelist')}?event__id__exact={event_id}"


class EventFeedForm(forms.ModelForm):
    def clean_feed_url(self) -> str:
        url = self.cleaned_data.get("feed_url", "")
        if url:
            try:
                sync.check_feed_url(url)
            except ScheduleImportError as error:
                raise forms.ValidationError(
                    " ".join(problem.what for problem in error.problems)
                ) from None
        return url


class EventFeedSettings:
    """For the EventAdmin: the sync's settings, status line and actions."""

    form = EventFeedForm
    sync_actions = ("sync_now", "pause_sync", "resume_sync")

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "sync_status")

    @admin.display(description="official feed sync")
    def sync_status(self, obj: Event) -> str:
        if obj.pk is None or not obj.feed_url:
            return "No feed: set the official feed's address above to keep the schedule in sync."
        if obj.sync_paused:
            when = "Paused."
        elif obj.next_sync_at is None:
            when = "Not scheduled yet."
        else:
            next_at = timezone.localtime(obj.next_sync_at, obj.tz)
            when = f"Next sync {dateformat.format(next_at, 'D j M Y, H:i')} ({obj.time_zone})."
        last = obj.feed_syncs.order_by("-started_at", "-pk").first()
        if last is not None:
            started = timezone.localtime(last.started_at, obj.tz)
            detail = last.error or last.summary
            last_line = (
                f"Last sync {dateformat.format(started, 'D j M, H:i')}: "
                f"{last.get_outcome_display()}"
            )
            last_line += f" ({detail})" if detail else ""
        else:
            last_line = "Never synced yet"
        return format_html(
            "{} {}. <a href='{}'>Sync history</a>", when, last_line, history_url(obj.pk)
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync.feed_settings_saved(
            event=obj,
            url_changed="feed_url" in form.changed_data,
            resumed="sync_paused" in form.changed_data and not obj.sync_paused,
            interval_changed="sync_every" in form.changed_data,
        )

    @admin.action(description="Sync the official feed now", permissions=["change"])
    def sync_now(self, request, queryset):
        count = sync.sync_soon(events=queryset.filter(sync_paused=False))
        self.message_user(
            request,
            ngettext(
                "%d feed will be synced by the worker in a moment.",
                "%d feeds will be synced by the worker in a moment.",
                count,
            )
            % count
            + ("" if count else " (Only events with a feed that is not paused are synced.)"),
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(description="Pause syncing the official feed", permissions=["change"])
    def pause_sync(self, request, queryset):
        count = sync.set_paused(events=queryset, paused=True)
        self.message_user(request, ngettext("%d feed paused.", "%d feeds paused.", count) % count)

    @admin.action(description="Resume syncing the official feed", permissions=["change"])
    def resume_sync(self, request, queryset):
        count = sync.set_paused(events=queryset, paused=False)
        self.message_user(
            request,
            ngettext("%d feed resumed; it syncs now.", "%d feeds resumed; they sync now.", count)
            % count,
        )


class FeedSyncAdmin(admin.ModelAdmin):
    """Every sync of every feed, newest first: read only."""

    list_display = (
        "started_at",
        "event",
        "outcome",
        "http_status",
        "created",
        "moved",
        "re_roomed",
        "cancelled",
        "speakers_changed",
        "updated",
        "reason",
    )
    list_filter = ("outcome", "event")
    list_select_related = ("event",)
    date_hierarchy = "started_at"
    list_per_page = 50
    fields = (
        "event",
        "feed_url",
        "started_at",
        "finished_at",
        "outcome",
        "http_status",
        "error",
        "summary",
        "sessions_changed",
        "mailed_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="why it failed")
    def reason(self, obj: FeedSync) -> str:
        return obj.error

    @admin.display(description="what changed")
    def sessions_changed(self, obj: FeedSync) -> str:
        sessions = obj.changes.get("sessions", {})
        groups = [
            (heading, sessions.get(kind, []))
            for kind, heading in (
                ("created", "Created"),
                ("updated", "Changed"),
                ("cancelled", "Cancelled"),
            )
        ]
        if not any(entries for _, entries in groups):
            return "Nothing."
        return format_html_join(
            "",
            "<h3>{} ({})</h3><ul>{}</ul>",
            (
                (
                    heading,
                    len(entries),
                    format_html_join(
                        "",
                        "<li>{} ({}){}</li>",
                        (
                            (
                                entry["title"],
                                entry["place"],
                                format_html_join(
                                    "", "<br>{}", ((c["text"],) for c in entry["changes"])
                                ),
                            )
                            for entry in entries
                        ),
                    ),
                )
                for heading, entries in groups
                if entries
            ),
        )
