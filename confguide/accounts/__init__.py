"""Accounts on django-allauth: the adapter, the 429 page, old paths, and attendee writes."""
