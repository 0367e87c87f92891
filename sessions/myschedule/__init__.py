"""My schedule: the sessions an attendee picks, their calendar feed and share link."""
