"""A focal point's support requests: created, edited and withdrawn for their partnership."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Partnership, SupportRequest
from .amounts import amounts_apply

# A focal point may not reopen what the secretariat closed, nor set "supported" by hand:
# those follow the commitments (services/commitments.py).
FOCAL_POINT_STATUSES = (SupportRequest.Status.OPEN, SupportRequest.Status.WITHDRAWN)
FINISHED = (SupportRequest.Status.CLOSED, SupportRequest.Status.WITHDRAWN)


def support_request_save(
    *,
    partnership: Partnership,
    support_request: SupportRequest | None = None,
    title: str,
    kind: str,
    description: str,
    sectors: Iterable,
    amount: Decimal | None,
    currency: str,
    priority: str,
    visibility: str,
    by,
) -> SupportRequest:
    """A new request of ``partnership`` (``support_request`` None) or an edit of one."""
    if support_request is None:
        support_request = SupportRequest(partnership=partnership, created_by=by)
    elif support_request.partnership_id != partnership.pk:
        raise ValidationError("A request of another partnership cannot be changed here.")
    elif support_request.status in FINISHED:
        raise ValidationError(
            f"This request is {support_request.get_status_display().lower()}: it can no "
            "longer be changed."
        )
    sectors = list(sectors)
    if not sectors:
        raise ValidationError({"sectors": "Name at least one sector."})
    for field, value in (
        ("title", title),
        ("kind", kind),
        ("description", description),
        ("amount", amount),
        ("priority", priority),
        ("visibility", visibility),
    ):
        setattr(support_request, field, value)
    amounts_apply(
        support_request,
        fields={"amount": "amount_usd"},
        currency=currency,
        on=timezone.localdate(),
    )
    support_request.full_clean()
    with transaction.atomic():
        support_request.save()
        support_request.sectors.set(sectors)
    return support_request


def support_request_withdraw(*, support_request: SupportRequest) -> SupportRequest:
    """The partnership no longer asks for this; open commitments stay on record."""
    if support_request.status in FINISHED:
        raise ValidationError(
            f"This request is already {support_request.get_status_display().lower()}."
        )
    support_request.status = SupportRequest.Status.WITHDRAWN
    support_request.save(update_fields=["status", "updated_at"])
    return support_request
