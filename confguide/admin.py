from functools import partial

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

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


# About two lines of the list's message column; the change page shows all of it.
PREVIEW_CHARACTERS = 110


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    """Triage of leads. Messages only come from the form: no adding by hand."""

    # Each row stays within two lines at 1366 px: who (name and company, then
    # the address), the message's opening words and the page it came from are
    # cut short here and in contact_admin.css; the change page has them whole.
    # Whether the editors were notified shows under the status only when not.
    list_display = (
        "received",
        "sender",
        "subject",
        "triage_status",
        "preview",
        "source",
    )
    list_display_links = ("received",)
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

    class Media:
        css = {"all": ("css/contact_admin.css",)}

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

    @admin.display(description="received", ordering="created_at")
    def received(self, obj):
        received = timezone.localtime(obj.created_at)
        return format_html(
            '<span class="contact-line">{}</span><span class="contact-line">{}</span>',
            f"{received:%d %b %Y}",
            f"{received:%H:%M}",
        )

    @admin.display(description="from", ordering="name")
    def sender(self, obj):
        who = f"{obj.name} ({obj.company})" if obj.company else obj.name
        return format_html(
            '<span class="contact-line">{}</span><span class="contact-line">{}</span>',
            who,
            obj.email,
        )

    @admin.display(description="topic", ordering="topic")
    def subject(self, obj):
        return format_html('<span class="contact-clamp">{}</span>', obj.get_topic_display())

    @admin.display(description="status", ordering="status")
    def triage_status(self, obj):
        if obj.notified_at is not None or obj.status == ContactMessage.Status.SPAM:
            return obj.get_status_display()
        return format_html(
            '{}<span class="contact-line contact-path">editors not told yet</span>',
            obj.get_status_display(),
        )

    @admin.display(description="message")
    def preview(self, obj):
        # Whitespace folded so that a message's blank lines do not become rows.
        return format_html(
            '<span class="contact-clamp">{}</span>',
            Truncator(" ".join(obj.message.split())).chars(PREVIEW_CHARACTERS),
        )

    @admin.display(description="about (source page)", ordering="source_label")
    def source(self, obj):
        label = obj.source_label or obj.source_path or "—"
        if not obj.source_path:
            return format_html('<span class="contact-line">{}</span>', label)
        # source_path was checked to be a path of this site when it was stored.
        return format_html(
            '<a class="contact-line" href="{}">{}</a>'
            '<span class="contact-line contact-path">{}</span>',
            obj.source_path,
            label,
            obj.source_path,
        )

    @admin.display(description="source page")
    def source_link(self, obj):
        # source_path was checked to be a path of this site when it was stored.
        if not obj.source_path:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.source_path, obj.source_path)

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
