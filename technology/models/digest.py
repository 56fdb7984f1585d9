"""The monthly digest to members of new needs that fit their solutions' technologies."""

from django.conf import settings
from django.db import models


class NeedsDigestSent(models.Model):
    """One row per person and month, inserted before the e-mail goes: never sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month covered.")
    request_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "user"]
        verbose_name = "needs digest sent"
        verbose_name_plural = "needs digests sent"
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="needs_digest_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"Needs digest of {self.month:%Y-%m} to {self.user}"
