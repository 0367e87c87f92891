import datetime as dt
from functools import partial
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from confguide.timezones import available_time_zones
from sessions import dashboard, services, theming
from sessions.days import day_bounds
from sessions.forms import (
    ApplyRulesForm,
    CompanyKindForm,
    MergeForm,
    SessionThemeForm,
    SessionThemeFormSet,
)
from sessions.importers import admin as admin_import
from sessions.importers import selectors as import_selectors
from sessions.importers.sync_admin import EventFeedSettings, FeedSyncAdmin
from sessions.models import (
    Company,
    Event,
    FeedSync,
    Room,
    ScheduleImport,
    Session,
    SessionSpeaker,
    SessionTheme,
    Speaker,
    Theme,
    ThemeRule,
)

# Longer than any real conference; keeps the day filter short if an event's
# dates are mistyped (2026 to 2062).
MAX_FILTER_DAYS_PER_EVENT = 31


def _ordered(queryset):
    # A GROUP BY query drops Meta.ordering, which the autocomplete's paginator
    # needs; restate it.
    return queryset.order_by(*queryset.model._meta.ordering)


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    fields = ("name", "order", "capacity")


@admin.register(Event)
class EventAdmin(EventFeedSettings, admin.ModelAdmin):
    list_display = (
        "name",
        "start_date",
        "end_date",
        "time_zone",
        "is_virtual",
        "is_published",
        "session_count",
        "add_session",
        "dashboard_link",
    )
    list_filter = ("is_published", "is_virtual")
    search_fields = ("name", "description", "venue")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "start_date"
    inlines = [RoomInline]
    actions = ["publish", "unpublish", *EventFeedSettings.sync_actions]
    change_list_template = "admin/conference/event/change_list.html"
    change_form_template = "admin/conference/event/change_form.html"

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "import/",
                site.admin_view(partial(admin_import.import_schedule, admin_site=site)),
                name="conference_event_import",
            ),
            path(
                "import/<int:import_id>/",
                site.admin_view(partial(admin_import.import_status, admin_site=site)),
                name="conference_event_import_status",
            ),
            path(
                "import/<int:import_id>/confirm/",
                site.admin_view(partial(admin_import.confirm_import, admin_site=site)),
                name="conference_event_import_confirm",
            ),
            path(
                "import/<int:import_id>/discard/",
                site.admin_view(partial(admin_import.discard_import, admin_site=site)),
                name="conference_event_import_discard",
            ),
            path(
                "<path:object_id>/dashboard/",
                site.admin_view(partial(dashboard.dashboard_view, model_admin=self)),
                name="conference_event_dashboard",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return _ordered(super().get_queryset(request).annotate(_session_count=Count("sessions")))

    @admin.display(description="sessions", ordering="_session_count")
    def session_count(self, obj):
        return obj._session_count

    @admin.display(description="")
    def add_session(self, obj):
        # Opened this way, the session form takes times in the event's zone.
        url = reverse("admin:conference_session_add")
        return format_html('<a href="{}?event={}">Add session</a>', url, obj.pk)

    @admin.display(description="")
    def dashboard_link(self, obj):
        url = reverse("admin:conference_event_dashboard", args=[obj.pk])
        return format_html('<a href="{}">Dashboard</a>', url)

    def _set_published(self, request, queryset, published, verb):
        count = services.set_events_published(events=queryset, published=published)
        self.message_user(
            request,
            ngettext("%d event %s.", "%d events %s.", count) % (count, verb),
            messages.SUCCESS,
        )

    @admin.action(description="Publish selected events", permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True, "published")

    @admin.action(description="Unpublish selected events", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False, "unpublished")


admin.site.register(FeedSync, FeedSyncAdmin)


class ThemeRuleInline(admin.StackedInline):
    model = ThemeRule
    extra = 0
    fields = (
        "name",
        "is_active",
        "words",
        ("in_title", "in_abstract", "in_track"),
        "companies",
        "exclusions",
    )


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "colour", "order", "session_count", "rule_count")
    list_editable = ("order",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ThemeRuleInline]
    change_list_template = "admin/conference/theme/change_list.html"

    def get_urls(self):
        return [
            path(
                "apply-rules/",
                self.admin_site.admin_view(self.apply_rules_view),
                name="conference_theme_apply_rules",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return _ordered(
            super()
            .get_queryset(request)
            .annotate(
                _session_count=Count("session_links", distinct=True),
                _rule_count=Count("rules", filter=Q(rules__is_active=True), distinct=True),
            )
        )

    @admin.display(description="sessions", ordering="_session_count")
    def session_count(self, obj):
        return obj._session_count

    @admin.display(description="active rules", ordering="_rule_count")
    def rule_count(self, obj):
        return obj._rule_count

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class OrderForm(base):
            # The list's order boxes sit under one column heading: name each for
            # screen readers (axe: every form field needs a label).
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if "order" in self.fields and self.instance.pk:
                    self.fields["order"].widget.attrs["aria-label"] = f"Order of {self.instance}"

        return OrderForm

    @method_decorator(require_http_methods(["GET", "HEAD", "POST"]))
    def apply_rules_view(self, request):
        """Preview what the rules would change (GET), then apply them (POST)."""
        # Rules add and remove sessions' themes: for those who may change sessions.
        if not request.user.has_perms(["conference.change_session", "conference.view_theme"]):
            raise PermissionDenied
        events = Event.objects.order_by("-start_date", "name")
        status = 200
        plan = None
        if request.method == "POST":
            form = ApplyRulesForm(request.POST, events=events)
            if form.is_valid():
                event = form.cleaned_data["event"]
                done = theming.apply_rules(event_ids=[event.pk] if event else None)
                self._report_applied(request, done, event)
                return HttpResponseRedirect(reverse("admin:conference_theme_changelist"))
            status = 400
        elif "preview" in request.GET:
            form = ApplyRulesForm(request.GET, events=events)
            if form.is_valid():
                event = form.cleaned_data["event"]
                plan = theming.plan_rules(event_ids=[event.pk] if event else None)
            else:
                status = 400
        else:
            form = ApplyRulesForm(events=events)
        context = {
            **self.admin_site.each_context(request),
            "title": "Apply theme rules",
            "opts": self.model._meta,
            "form": form,
            "plan": plan,
            "preview_titles": theming.PREVIEW_TITLES,
            "scope": form.cleaned_data.get("event") if form.is_bound and form.is_valid() else None,
        }
        return render(request, "admin/conference/theme/apply_rules.html", context, status=status)

    def _report_applied(self, request, plan, event) -> None:
        where = f"the sessions of {event}" if event else "the sessions of every event"
        changes = plan.changes
        if not changes:
            self.message_user(request, f"The rules changed no theme of {where}.", messages.INFO)
            return
        for theme in changes:
            self.message_user(request, theme.describe(done=True), messages.SUCCESS)


class MergeDuplicatesMixin:
    """An admin action that folds the selected rows into the one the editor keeps."""

    merge_service = None
    merge_noun = ""

    def _merge(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(
                request, f"Select two or more {self.merge_noun} to merge.", messages.WARNING
            )
            return None
        if "apply" in request.POST:
            form = MergeForm(request.POST, queryset=queryset)
            if form.is_valid():
                keep = form.cleaned_data["keep"]
                count = type(self).merge_service(keep=keep, duplicates=list(queryset))
                self.message_user(
                    request,
                    f"Merged {count} duplicate(s) into “{keep}”.",
                    messages.SUCCESS,
                )
                return None
        else:
            form = MergeForm(queryset=queryset, initial={"keep": queryset.order_by("pk").first()})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge {self.merge_noun}",
            "opts": self.model._meta,
            "form": form,
            "selected": queryset,
            "action": request.POST.get("action"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "noun": self.merge_noun,
        }
        return render(request, "admin/conference/merge.html", context)


@admin.register(Company)
class CompanyAdmin(MergeDuplicatesMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "website_url", "speaker_count")
    list_filter = ("kind",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    actions = ["merge", "set_kind"]
    merge_service = staticmethod(services.merge_companies)
    merge_noun = "companies"

    @admin.action(
        description="Merge selected duplicate companies", permissions=["change", "delete"]
    )
    def merge(self, request, queryset):
        return self._merge(request, queryset)

    @admin.action(description="Set the kind of selected companies", permissions=["change"])
    def set_kind(self, request, queryset):
        """Asks for the kind on a page of its own, then gives it to every selected company."""
        form = CompanyKindForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            count = services.set_companies_kind(companies=queryset, kind=kind)
            self.message_user(
                request,
                ngettext(
                    "%(count)d company is now of kind “%(kind)s”.",
                    "%(count)d companies are now of kind “%(kind)s”.",
                    count,
                )
                % {"count": count, "kind": Company.Kind(kind).label},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Set the kind of companies",
            "opts": self.model._meta,
            "form": form,
            "selected": queryset,
            "action": request.POST.get("action"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/conference/company_kind.html", context)

    def get_queryset(self, request):
        return _ordered(super().get_queryset(request).annotate(_speaker_count=Count("speakers")))

    @admin.display(description="speakers", ordering="_speaker_count")
    def speaker_count(self, obj):
        return obj._speaker_count


@admin.register(Speaker)
class SpeakerAdmin(MergeDuplicatesMixin, admin.ModelAdmin):
    list_display = ("name", "company", "job_title", "session_count")
    list_select_related = ("company",)
    list_filter = (("company", admin.RelatedOnlyFieldListFilter), dashboard.SpeakingAtFilter)
    search_fields = ("name", "company__name", "job_title")
    autocomplete_fields = ("company",)
    prepopulated_fields = {"slug": ("name",)}
    actions = ["merge"]
    merge_service = staticmethod(services.merge_speakers)
    merge_noun = "speakers"

    @admin.action(description="Merge selected duplicate speakers", permissions=["change", "delete"])
    def merge(self, request, queryset):
        return self._merge(request, queryset)

    def get_queryset(self, request):
        return _ordered(super().get_queryset(request).annotate(_session_count=Count("appearances")))

    @admin.display(description="sessions", ordering="_session_count")
    def session_count(self, obj):
        return obj._session_count


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "order", "capacity")
    list_select_related = ("event",)
    list_filter = ("event",)
    search_fields = ("name", "event__name")


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    fields = ("order", "speaker", "company")
    autocomplete_fields = ("speaker", "company")
    ordering = ("order",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker", "company")


class SessionThemeInline(admin.TabularInline):
    """The session's themes and who set each: a theme an editor adds, changes or
    keeps by hand here is hand-set, and rules never remove it."""

    model = SessionTheme
    form = SessionThemeForm
    formset = SessionThemeFormSet
    extra = 1
    fields = ("theme", "by_hand", "set_how")
    readonly_fields = ("set_how",)
    verbose_name_plural = "themes"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("theme", "rule", "set_by")

    @admin.display(description="set")
    def set_how(self, obj):
        if obj.pk is None:
            return "by hand, when saved"
        return f"{obj.describe_source()}, {obj.set_at:%d %b %Y}"


class ConferenceDayFilter(admin.SimpleListFilter):
    """Sessions of one conference day, in each event's own zone and with its 04:00 day break."""

    title = "day"
    parameter_name = "day"

    def lookups(self, request, model_admin):
        events = Event.objects.only("start_date", "end_date")
        event_id = request.GET.get("event__id__exact", "")
        # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit accepts.
        if event_id.isdecimal():
            events = events.filter(pk=event_id)
        days = {day for event in events for day in event.days[:MAX_FILTER_DAYS_PER_EVENT]}
        return [(day.isoformat(), f"{day:%a %d %b %Y}") for day in sorted(days, reverse=True)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:  # a hand-edited URL: say so rather than fail
            messages.warning(request, f"“{value}” is not a day (YYYY-MM-DD); no session matches.")
            return queryset.none()
        during = Q(pk__in=[])
        for event in Event.objects.filter(start_date__lte=day, end_date__gte=day):
            if event.time_zone in available_time_zones():
                start, end = day_bounds(day, event.tz)
                during |= Q(event=event, starts_at__gte=start, starts_at__lt=end)
        return queryset.filter(during)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "event",
        "local_start",
        "room",
        "speaker_names",
        "format",
        "status",
        "is_editors_pick",
        "saved_count",
    )
    list_select_related = ("event", "room")
    list_filter = (
        "event",
        "themes",
        "format",
        "level",
        "status",
        "is_editors_pick",
        "is_sponsored",
        ConferenceDayFilter,
        dashboard.SavesFilter,
    )
    # The company a speaker represented in the session, not only where they work now.
    search_fields = ("title", "abstract", "speakers__name", "appearances__company__name")
    search_help_text = "Search titles, abstracts, speakers and companies."
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "starts_at"
    readonly_fields = (
        "uid",
        "sequence",
        "schedule_changed_at",
        "source_id",
        "created_at",
        "updated_at",
    )
    inlines = [SessionSpeakerInline, SessionThemeInline]
    actions = ["publish", "unpublish", "cancel"]
    fieldsets = (
        (
            None,
            {"fields": ("event", "title", "slug", "status", "is_editors_pick", "is_sponsored")},
        ),
        ("When and where", {"fields": ("starts_at", "ends_at", "room")}),
        (
            "Content",
            {
                "fields": (
                    "format",
                    "level",
                    "language",
                    "track",
                    "abstract",
                    "editors_note",
                    "do_not_record",
                )
            },
        ),
        ("Links", {"fields": ("schedule_url", "video_url", "slides_url")}),
        (
            "History",
            {
                "classes": ("collapse",),
                "fields": (
                    "uid",
                    "source_id",
                    "sequence",
                    "schedule_changed_at",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Editors type and read times in the event's own zone, as its
        # programme prints them; the database keeps UTC either way. The
        # response is rendered here, because forms format times at render.
        with timezone.override(self._editing_zone(request, object_id)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response

    def _editing_zone(self, request, object_id) -> dt.tzinfo:
        """The zone of the session's event, or of the event the add form was opened for.

        Never the event chosen in the posted form: times must be read in the
        zone the form was shown in.
        """
        if object_id is not None:
            pk = str(object_id)
            found = pk.isdecimal() and (
                Session.objects.filter(pk=pk).values_list("event_id", flat=True).first()
            )
            event_id = str(found or "")
        else:
            event_id = request.GET.get("event", "")
        if not event_id.isdecimal():
            return dt.UTC
        zone = Event.objects.filter(pk=event_id).values_list("time_zone", flat=True).first()
        return ZoneInfo(zone) if zone in available_time_zones() else dt.UTC

    def get_fieldsets(self, request, obj=None):
        zone = timezone.get_current_timezone_name()
        when = {
            "fields": ("starts_at", "ends_at", "room"),
            "description": (
                f"Times are in {zone}, the event's time zone."
                if zone != "UTC"
                else "Times are in UTC. To type them in an event's own time zone, add the "
                "session from the event list's “add session” link."
            ),
        }
        return [
            (name, when if name == "When and where" else options)
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_queryset(self, request):
        # "saved by" is one aggregate in the list's own query, not a count per row.
        return _ordered(
            super()
            .get_queryset(request)
            .annotate(_saved_count=Count("saved_by"))
            .prefetch_related(
                Prefetch("appearances", queryset=SessionSpeaker.objects.select_related("speaker"))
            )
        )

    @admin.display(description="starts (event time)", ordering="starts_at")
    def local_start(self, obj):
        zone = obj.event.time_zone
        moment = obj.starts_at.astimezone(obj.event.tz) if zone in available_time_zones() else None
        if moment is None:
            return f"{obj.starts_at:%a %d %b %Y %H:%M} UTC"
        return f"{moment:%a %d %b %Y %H:%M} {moment.tzname()}"

    @admin.display(description="speakers")
    def speaker_names(self, obj):
        return ", ".join(appearance.speaker.name for appearance in obj.appearances.all())

    # Every schedule counts: attendees' accounts and anonymous visitors' alike.
    @admin.display(description="saved by (incl. anonymous)", ordering="_saved_count")
    def saved_count(self, obj):
        return obj._saved_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "room":
            kwargs["queryset"] = Room.objects.select_related("event")
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # Rooms of every event share one list: name the event in each choice.
            field.label_from_instance = lambda room: f"{room.event} · {room.name}"
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        before = services.schedule_slot(session_id=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if change:
            services.note_schedule_change(
                session=obj, changed_fields=form.changed_data, before=before
            )

    def save_formset(self, request, form, formset, change):
        rows = formset.save(commit=False)
        if formset.model is SessionTheme:
            # A theme an editor adds or changes here is theirs: rules leave it alone.
            by_hand = {
                id(theme_form.instance)
                for theme_form in formset.forms
                if theme_form.cleaned_data.get("by_hand")
            }
            services.set_session_themes(
                session=form.instance,
                by_hand=[row for row in rows if id(row) in by_hand],
                to_rules=[row for row in rows if id(row) not in by_hand],
                removed=formset.deleted_objects,
                editor=request.user,
            )
            return
        if formset.model is SessionSpeaker:
            services.default_affiliations(appearances=rows)
        for obj in formset.deleted_objects:
            obj.delete()
        for row in rows:
            row.save()
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


@admin.register(ScheduleImport)
class ScheduleImportAdmin(admin.ModelAdmin):
    """Everyone's schedule imports, read-only, each leading to its status page: for
    superusers (and whoever is given the view permission, who sees their own).
    Editors find their recent imports on the import page itself."""

    list_display = ("source", "event_slug", "status", "started_by", "created_at", "status_page")
    list_display_links = None
    list_filter = ("status",)
    list_select_related = ("started_by",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return import_selectors.visible_imports(user=request.user)

    @admin.display(description="")
    def status_page(self, obj):
        return format_html('<a href="{}">Status</a>', admin_import.status_url(obj.pk))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdecimal():
            raise Http404
        return HttpResponseRedirect(admin_import.status_url(int(object_id)))
