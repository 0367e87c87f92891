"""Feeds for other programs: frab XML and JSON, and iCalendar for calendars."""
