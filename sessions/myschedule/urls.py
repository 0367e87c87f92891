from django.urls import path, register_converter

from sessions.myschedule import views


class TokenConverter:
    """The URL-safe alphabet of secrets.token_urlsafe; anything else is a 404."""

    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")

app_name = "myschedule"

urlpatterns = [
    path("", views.index, name="index"),
    path("sessions/<int:session_id>/add/", views.add, name="add"),
    path("sessions/<int:session_id>/remove/", views.remove, name="remove"),
    path("sessions/<int:session_id>/plan-a/", views.plan_a, name="plan_a"),
    path("sessions/<int:session_id>/plan-b/", views.plan_b, name="plan_b"),
    path("events/<slug:event_slug>/", views.event_schedule, name="event"),
    path("events/<slug:event_slug>/seen/", views.mark_seen, name="mark_seen"),
    path("calendar/<token:token>.ics", views.feed, name="feed"),
    path("calendar/new-link/", views.regenerate_calendar, name="regenerate_calendar"),
    path("sharing/", views.sharing, name="sharing"),
    path("shared/<token:token>/<slug:event_slug>/", views.shared, name="shared"),
    path("emails/", views.change_emails, name="change_emails"),
    path("emails/stop/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "emails/stop/<str:token>/one-click/",
        views.unsubscribe_one_click,
        name="unsubscribe_one_click",
    ),
]
