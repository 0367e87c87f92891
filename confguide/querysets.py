from __future__ import annotations

from django.db import models


class ContactMessageQuerySet(models.QuerySet):
    def awaiting_notification(self) -> ContactMessageQuerySet:
        """Messages the editors have not been emailed about yet; spam never is."""
        return self.filter(notified_at__isnull=True).exclude(status=self.model.Status.SPAM)
