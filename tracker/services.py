"""Writes to tracker data that are more than a form's save."""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from leadit.cache import invalidate

from .models import IndustrialProject, Roadmap


@transaction.atomic
def mark_reviewed(
    *, objects: QuerySet[Roadmap] | QuerySet[IndustrialProject], user, on: datetime.date
) -> int:
    """Record that staff reviewed these roadmaps or projects on ``on``: one history record
    each (``bulk_update_with_history``; a bare ``QuerySet.update`` leaves none), and the
    cached public pages made stale (bulk updates send no ``post_save``). Returns how many."""
    model = objects.model
    # The admin's queryset may carry joins or DISTINCT, which FOR UPDATE refuses.
    pks = list(objects.values_list("pk", flat=True))
    items = list(model._default_manager.filter(pk__in=pks).order_by("pk").select_for_update())
    now = timezone.now()
    fields = ["last_reviewed_on", "updated_at"]
    if model is Roadmap:
        fields.append("last_reviewed_by")
    for item in items:
        item.last_reviewed_on = on
        item.updated_at = now
        if model is Roadmap:
            item.last_reviewed_by = user
    if items:
        bulk_update_with_history(
            items,
            model,
            fields,
            batch_size=500,
            default_user=user,
            default_change_reason="Marked reviewed",
        )
        invalidate("tracker")
    return len(items)
