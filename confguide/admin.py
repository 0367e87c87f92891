from functools import partial

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from confguide.contact import services as contact_services
from confguide.contact.admin_views import erase_sender
from confguide.contact.export import messages_csv
from confguide.models import ContactMessage, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name",)}),
        # Tokens stay out of sight: they are the attendee's secrets, and
        # regenerating them is the attendee's own action.
        ("Attendee", {"fields": ("time_zone", "share_enabled")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "is_active")


class NotifiedFilter(admin.SimpleListFilter):
    title = "editors notified"
    parameter_name = "notified"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No, awaiting a retry")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(notified_at__isnull=False)
        if self.value() == "no":
            return queryset.awaiting_notification()
        return queryset


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    """Triage of leads. Messages only come from the form: no adding by hand."""

    list_display = (
        "created_at",
        "name",
        "email",
        "company",
        "topic",
        "status",
        "about",
        "notified",
    )
    list_filter = ("status", "topic", NotifiedFilter, "created_at")
    search_fields = ("name", "email", "company", "message", "source_label")
    search_help_text = "Search names, email addresses, companies, messages and what they are about."
    change_list_template = "admin/confguide/contactmessage/change_list.html"
    date_hierarchy = "created_at"
    actions = [
        "mark_in_progress",
        "mark_done",
        "mark_spam",
        "export_csv",
        "retry_notification",
    ]
    readonly_fields = (
        "name",
        "email",
        "company",
        "topic",
        "message",
        "consented_at",
        "source_link",
        "source_label",
        "created_at",
        "notified_at",
        "notify_attempts",
        "last_notify_error",
    )
    fieldsets = (
        ("Triage", {"fields": ("status", "triage_note")}),
        (
            "Message",
            {"fields": ("name", "email", "company", "topic", "message", "consented_at")},
        ),
        ("Where it came from", {"fields": ("source_label", "source_link", "created_at")}),
        (
            "Editors' notification",
            {"fields": ("notified_at", "notify_attempts", "last_notify_error")},
        ),
    )

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "erase-sender/",
                site.admin_view(partial(erase_sender, admin_site=site)),
                name="confguide_contactmessage_erase_sender",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="about", ordering="source_label")
    def about(self, obj):
        return obj.source_label or obj.source_path or "—"

    @admin.display(description="source page")
    def source_link(self, obj):
        # source_path was checked to be a path of this site when it was stored.
        if not obj.source_path:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.source_path, obj.source_path)

    @admin.display(description="notified", boolean=True, ordering="notified_at")
    def notified(self, obj):
        return obj.notified_at is not None

    def _set_status(self, request, queryset, status):
        count = contact_services.set_status(messages=queryset, status=status)
        label = ContactMessage.Status(status).label.lower()
        self.message_user(request, f"{count} message(s) marked {label}.", messages.SUCCESS)

    @admin.action(description="Mark selected messages in progress", permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self._set_status(request, queryset, ContactMessage.Status.IN_PROGRESS)

    @admin.action(description="Mark selected messages done", permissions=["change"])
    def mark_done(self, request, queryset):
        self._set_status(request, queryset, ContactMessage.Status.DONE)

    @admin.action(description="Mark selected messages as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, ContactMessage.Status.SPAM)

    @admin.action(description="Export selected messages as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(
            messages_csv(queryset.order_by("created_at")), content_type="text/csv; charset=utf-8"
        )
        filename = f"contact-messages-{timezone.now():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(
        description="Email the editors again about selected messages", permissions=["change"]
    )
    def retry_notification(self, request, queryset):
        sent, failed = contact_services.retry_notifications(messages=queryset)
        if sent:
            self.message_user(request, f"{sent} notification(s) sent.", messages.SUCCESS)
        if failed:
            self.message_user(
                request,
                f"{failed} notification(s) failed again; see the error on each message.",
                messages.ERROR,
            )
        if not sent and not failed:
            self.message_user(
                request, "The editors had already been told about every selected message."
            )
