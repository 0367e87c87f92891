from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from blog import services
from blog.models import FeaturedSession, Post, PostSection


class PostSectionInline(admin.StackedInline):
    model = PostSection
    extra = 0
    fields = ("order", "theme", "heading", "intro", "featured")
    readonly_fields = ("featured",)
    autocomplete_fields = ("theme",)
    ordering = ("order", "pk")
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("theme")
            .prefetch_related("entries__session")
        )

    @admin.display(description="sessions")
    def featured(self, obj):
        if obj.pk is None:
            return "Save the post, then use the Change link of this section to add its sessions."
        titles = format_html_join(
            "", "<li>{}</li>", ((entry.session.title,) for entry in obj.entries.all())
        )
        link = reverse("admin:blog_postsection_change", args=[obj.pk])
        return format_html(
            '<ul class="mb-1">{}</ul><a href="{}">Choose and order its sessions</a>',
            titles or "",
            link,
        )


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "status", "published_at", "is_live")
    list_select_related = ("author",)
    list_filter = ("status", "themes", "event", "author")
    search_fields = ("title", "summary", "body")
    search_help_text = "Search titles, summaries and introductions."
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("themes", "event")
    date_hierarchy = "published_at"
    inlines = [PostSectionInline]
    actions = ["publish", "unpublish"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "author", "status", "published_at")}),
        ("Content", {"fields": ("summary", "body", "closing", "call_to_action")}),
        ("About", {"fields": ("themes", "event")}),
        ("Cover", {"classes": ("collapse",), "fields": ("cover_image", "cover_alt")}),
    )

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # Editors cannot browse user accounts; offer the staff who can write.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="public now", boolean=True)
    def is_live(self, obj):
        return obj.is_public

    @admin.action(description="Publish selected posts", permissions=["change"])
    def publish(self, request, queryset):
        count = services.publish_posts(posts=queryset)
        self.message_user(
            request,
            f"{count} post(s) published; each appears at its publication date.",
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected posts (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.unpublish_posts(posts=queryset)
        self.message_user(request, f"{count} post(s) back to draft.", messages.SUCCESS)


class FeaturedSessionInline(admin.TabularInline):
    model = FeaturedSession
    extra = 1
    fields = ("order", "session", "comment")
    autocomplete_fields = ("session",)
    ordering = ("order", "pk")


@admin.register(PostSection)
class PostSectionAdmin(admin.ModelAdmin):
    """Reached from a post's sections; not listed on its own in the admin index."""

    list_display = ("__str__", "post", "order")
    list_select_related = ("post", "theme")
    list_filter = ("post",)
    fields = ("post_link", "order", "theme", "heading", "intro")
    readonly_fields = ("post_link",)
    autocomplete_fields = ("theme",)
    inlines = [FeaturedSessionInline]

    def get_model_perms(self, request):
        return {}

    def has_add_permission(self, request):
        return False  # sections are added on their post's page

    @admin.display(description="post")
    def post_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:blog_post_change", args=[obj.post_id]), obj.post
        )
