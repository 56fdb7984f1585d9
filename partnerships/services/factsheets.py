"""Asking for a partnership factsheet: the row and its render job, in one transaction (the
job is sent after commit)."""

from django.db import transaction

from leadit.jobs import job_enqueue

from ..models import Factsheet, Partnership
from ..tasks_staff import render_factsheet


def factsheet_request(*, partnership: Partnership, user=None) -> Factsheet:
    """A new factsheet row, queued, and its render job (sent after commit)."""
    with transaction.atomic():
        factsheet = Factsheet.objects.create(
            partnership=partnership,
            requested_by=user if getattr(user, "pk", None) else None,
        )
        job_enqueue(
            task=render_factsheet,
            description=f"Factsheet of {partnership}",
            factsheet_id=factsheet.pk,
        )
    return factsheet
