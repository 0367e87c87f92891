import datetime as dt

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import ngettext

from . import services
from .models import Company, Event, Room, Session, SessionSpeaker, Speaker, Theme


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    fields = ("name", "order")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("name", "start_date", "end_date", "time_zone", "is_virtual", "is_published")
    list_filter = ("is_published", "is_virtual")
    search_fields = ("name", "description", "venue")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "start_date"
    inlines = [RoomInline]
    actions = ["publish", "unpublish"]

    @admin.action(description="Publish selected events", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.update(is_published=True)
        self.message_user(request, f"{count} event(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected events", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(is_published=False)
        self.message_user(request, f"{count} event(s) unpublished.", messages.SUCCESS)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "colour", "order", "session_count")
    list_editable = ("order",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_session_count=Count("sessions"))

    @admin.display(description="sessions", ordering="_session_count")
    def session_count(self, obj):
        return obj._session_count


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "website_url", "speaker_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_speaker_count=Count("speakers"))

    @admin.display(description="speakers", ordering="_speaker_count")
    def speaker_count(self, obj):
        return obj._speaker_count


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "job_title")
    list_select_related = ("company",)
    list_filter = (("company", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "company__name", "job_title")
    autocomplete_fields = ("company",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "order")
    list_select_related = ("event",)
    list_filter = ("event",)
    search_fields = ("name", "event__name")


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    fields = ("order", "speaker", "company")
    autocomplete_fields = ("speaker", "company")
    ordering = ("order",)


class DayListFilter(admin.SimpleListFilter):
    title = "day (UTC)"
    parameter_name = "day"

    def lookups(self, request, model_admin):
        sessions = Session.objects.all()
        if event_id := request.GET.get("event__id__exact"):
            sessions = sessions.filter(event_id=event_id) if event_id.isdigit() else sessions
        return [
            (day.isoformat(), f"{day:%a %d %b %Y}") for day in sessions.dates("starts_at", "day")
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            day = dt.date.fromisoformat(self.value())
        except ValueError:  # a hand-edited URL
            return queryset.none()
        return queryset.filter(starts_at__date=day)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "event", "starts_at", "room", "format", "status", "is_editors_pick")
    list_select_related = ("event", "room")
    list_filter = ("event", "themes", "format", "level", "status", "is_editors_pick", DayListFilter)
    search_fields = ("title", "abstract", "speakers__name", "speakers__company__name")
    search_help_text = "Search titles, abstracts, speakers and companies."
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("themes",)
    date_hierarchy = "starts_at"
    readonly_fields = ("sequence", "schedule_changed_at", "source_id", "created_at", "updated_at")
    inlines = [SessionSpeakerInline]
    actions = ["publish", "unpublish", "cancel"]
    fieldsets = (
        (None, {"fields": ("event", "title", "slug", "status", "is_editors_pick")}),
        ("When and where", {"fields": ("starts_at", "ends_at", "room")}),
        ("Content", {"fields": ("format", "level", "themes", "abstract", "editors_note")}),
        ("Links", {"fields": ("schedule_url", "video_url", "slides_url")}),
        (
            "History",
            {
                "classes": ("collapse",),
                "fields": (
                    "source_id",
                    "sequence",
                    "schedule_changed_at",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "room":
            kwargs["queryset"] = Room.objects.select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.note_schedule_change(session=obj, changed_fields=form.changed_data)

    def save_formset(self, request, form, formset, change):
        appearances = formset.save(commit=False)
        if formset.model is SessionSpeaker:
            services.default_affiliations(appearances=appearances)
        for obj in formset.deleted_objects:
            obj.delete()
        for appearance in appearances:
            appearance.save()
        formset.save_m2m()

    def _set_status(self, request, queryset, status, verb):
        count = services.set_sessions_status(sessions=queryset, status=status)
        self.message_user(
            request,
            ngettext("%d session %s.", "%d sessions %s.", count) % (count, verb),
            messages.SUCCESS,
        )

    @admin.action(description="Publish selected sessions", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Session.Status.PUBLISHED, "published")

    @admin.action(description="Unpublish selected sessions (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Session.Status.DRAFT, "unpublished")

    @admin.action(description="Mark selected sessions as cancelled", permissions=["change"])
    def cancel(self, request, queryset):
        self._set_status(request, queryset, Session.Status.CANCELLED, "cancelled")
