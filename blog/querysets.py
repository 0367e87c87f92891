from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


class PostQuerySet(models.QuerySet):
    def public(self, *, now: dt.datetime | None = None) -> PostQuerySet:
        """Posts readers may see: published, and their publication time has come."""
        return self.filter(
            status=self.model.Status.PUBLISHED, published_at__lte=now or timezone.now()
        )

    def for_listing(self) -> PostQuerySet:
        """What a post summary shows (author, themes, event), in a fixed number of queries."""
        return self.select_related("author", "event").prefetch_related("themes")
