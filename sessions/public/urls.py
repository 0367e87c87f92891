from django.urls import path

from sessions.public import views

app_name = "conference"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/schedule/", views.schedule, name="schedule"),
    path(
        "events/<slug:event_slug>/sessions/<slug:slug>/",
        views.session_detail,
        name="session_detail",
    ),
    path(
        "events/<slug:event_slug>/sessions/<slug:slug>.ics",
        views.session_ics,
        name="session_ics",
    ),
    path("speakers/", views.speaker_list, name="speaker_list"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker_detail"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme_detail"),
    path("themes.css", views.theme_css, name="theme_css"),
    path("time-zone/", views.set_time_zone, name="set_time_zone"),
]
