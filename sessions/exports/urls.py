"""Feeds for schedule apps and calendars: /events/<slug>/schedule.xml and friends."""

from django.urls import path

from sessions.exports import views as export_views

app_name = "exports"

urlpatterns = [
    path("events/<slug:slug>/schedule.xml", export_views.frab_xml, name="frab_xml"),
    path("events/<slug:slug>/schedule.json", export_views.frab_json, name="frab_json"),
    path("events/<slug:slug>/schedule.ics", export_views.event_calendar, name="event_ics"),
    path(
        "events/<slug:slug>/themes/<slug:theme_slug>.ics",
        export_views.theme_calendar,
        name="theme_ics",
    ),
]
