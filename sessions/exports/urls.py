"""Feeds for schedule apps and calendars: /events/<slug>/schedule.xml and friends."""

from django.urls import path

from sessions.exports import exporters
from sessions.exports.views import export

app_name = "exports"

urlpatterns = [
    path(
        "events/<slug:slug>/schedule.xml",
        export,
        {"exporter": exporters.FRAB_XML},
        name="frab_xml",
    ),
    path(
        "events/<slug:slug>/schedule.json",
        export,
        {"exporter": exporters.FRAB_JSON},
        name="frab_json",
    ),
    path(
        "events/<slug:slug>/schedule.ics",
        export,
        {"exporter": exporters.EVENT_CALENDAR},
        name="event_ics",
    ),
    path(
        "events/<slug:slug>/themes/<slug:theme_slug>.ics",
        export,
        {"exporter": exporters.THEME_CALENDAR},
        name="theme_ics",
    ),
]
