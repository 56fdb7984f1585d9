"""Support commitments: "We can help" (a member editor), a suggested match accepted by
the secretariat, and each later step (in discussion, agreed, delivered, declined).

``propose_commitment`` and ``set_commitment_status`` are the only writers of commitments:
the member pages and the secretariat's matching both call them."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from leadit.jobs import job_enqueue
from members.models import Member

from ..models import PartnerInstitution, SupportCommitment, SupportOffer, SupportRequest
from .amounts import amounts_apply

Status = SupportCommitment.Status
# Where each status may go next; delivered and declined are final.
NEXT_STATUSES = {
    Status.PROPOSED: {Status.IN_DISCUSSION, Status.AGREED, Status.DECLINED},
    Status.IN_DISCUSSION: {Status.AGREED, Status.DECLINED},
    Status.AGREED: {Status.DELIVERED, Status.DECLINED},
    Status.DELIVERED: set(),
    Status.DECLINED: set(),
}
ANSWERABLE = (
    SupportRequest.Status.OPEN,
    SupportRequest.Status.PARTLY_SUPPORTED,
    SupportRequest.Status.SUPPORTED,
)
COUNTED = (Status.AGREED, Status.DELIVERED)
ABOVE_REQUEST = "above_request"


def _check_request(support_request: SupportRequest) -> None:
    if support_request.status not in ANSWERABLE:
        raise ValidationError(
            f"This request is {support_request.get_status_display().lower()}: it takes no "
            "more commitments.",
            code="request_finished",
        )


def _check_offer(offer: SupportOffer | None, *, member, institution, on: date) -> None:
    if offer is None:
        return
    if (offer.member_id, offer.institution_id) != (
        getattr(member, "pk", None),
        getattr(institution, "pk", None),
    ):
        raise ValidationError({"offer": "This offer is not the supporter's own."})
    if offer.closes_on and offer.closes_on < on:
        raise ValidationError(
            {"offer": f"This offer closed on {offer.closes_on:%d %B %Y}: choose an open one."}
        )


def _check_not_twice(support_request: SupportRequest, *, member, institution) -> None:
    live = support_request.commitments.exclude(status=Status.DECLINED)
    if live.filter(member=member, institution=institution).exists():
        raise ValidationError(
            f"{member or institution} has already offered help with this request: update "
            "that commitment instead.",
            code="twice",
        )


def is_above_request(commitment: SupportCommitment, support_request: SupportRequest) -> bool:
    """Whether the amount committed is more than the request asks (in US dollars when both
    have them, else in the same currency)."""
    if commitment.amount is None or support_request.amount is None:
        return False
    if commitment.amount_usd is not None and support_request.amount_usd is not None:
        return commitment.amount_usd > support_request.amount_usd
    if commitment.currency == support_request.currency:
        return commitment.amount > support_request.amount
    return False


def _check_amount(commitment, support_request, *, above_request_confirmed: bool) -> None:
    if is_above_request(commitment, support_request) and not above_request_confirmed:
        raise ValidationError(
            {
                "amount": ValidationError(
                    f"This is more than the request asks ({support_request.amount:,.0f} "
                    f"{support_request.currency}): tick “I know this is above the request” "
                    "to commit it anyway.",
                    code=ABOVE_REQUEST,
                )
            }
        )


def propose_commitment(
    *,
    support_request: SupportRequest,
    member: Member | None = None,
    institution: PartnerInstitution | None = None,
    offer: SupportOffer | None = None,
    amount: Decimal | None = None,
    currency: str = "",
    note: str = "",
    proposed_by,
    above_request_confirmed: bool = False,
    is_demo: bool = False,
) -> SupportCommitment:
    """A proposed commitment of ``member`` or ``institution`` to ``support_request``; the
    secretariat and the partnership's focal points are e-mailed after commit."""
    today = timezone.localdate()
    commitment = SupportCommitment(
        request=support_request, offer=offer, member=member, institution=institution,
        amount=amount, note=note.strip(), proposed_by=proposed_by, proposed_on=today,
        is_demo=is_demo,
    )  # fmt: skip
    with transaction.atomic():
        support_request = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
        commitment.request = support_request
        _check_request(support_request)
        _check_offer(offer, member=member, institution=institution, on=today)
        _check_not_twice(support_request, member=member, institution=institution)
        amounts_apply(commitment, fields={"amount": "amount_usd"}, currency=currency, on=today)
        _check_amount(commitment, support_request, above_request_confirmed=above_request_confirmed)
        commitment.full_clean()
        try:
            with transaction.atomic():
                commitment.save()
        except IntegrityError:  # the same help offered at the same moment elsewhere
            raise ValidationError("This help has already been offered.", code="twice") from None
        from ..tasks import notify_commitment_proposed

        job_enqueue(
            task=notify_commitment_proposed,
            description=f"Tell the secretariat and focal points: {commitment}",
            commitment_id=commitment.pk,
        )
    return commitment


def _dated(commitment: SupportCommitment, status: str, on: date) -> None:
    if on < commitment.proposed_on:
        raise ValidationError({"on": "The date cannot be before the commitment was proposed."})
    if on > timezone.localdate():
        raise ValidationError({"on": "The date cannot be in the future."})
    if status == Status.AGREED:
        commitment.agreed_on = on
    elif status == Status.DELIVERED:
        commitment.delivered_on = on
        commitment.agreed_on = commitment.agreed_on or on


def request_status_refresh(support_request: SupportRequest) -> None:
    """An open request becomes partly supported or supported as commitments are agreed
    (compared in US dollars; without amounts, one agreed commitment is partial support)."""
    if support_request.status not in ANSWERABLE:
        return
    counted = support_request.commitments.filter(status__in=COUNTED)
    committed = counted.aggregate(usd=Sum("amount_usd"))["usd"]
    if not counted.exists():
        status = SupportRequest.Status.OPEN
    elif support_request.amount_usd and committed and committed >= support_request.amount_usd:
        status = SupportRequest.Status.SUPPORTED
    else:
        status = SupportRequest.Status.PARTLY_SUPPORTED
    if status != support_request.status:
        support_request.status = status
        support_request.save(update_fields=["status", "updated_at"])


def set_commitment_status(
    *, commitment: SupportCommitment, status: str, on: date | None = None, by
) -> SupportCommitment:
    """Move ``commitment`` to ``status`` (dated ``on``, today by default); the request's
    status follows what is agreed."""
    on = on or timezone.localdate()
    with transaction.atomic():
        commitment = SupportCommitment.objects.select_for_update().get(pk=commitment.pk)
        if status not in NEXT_STATUSES[commitment.status]:
            raise ValidationError(
                {
                    "status": f"A {commitment.get_status_display().lower()} commitment cannot "
                    f"become “{Status(status).label.lower()}”."
                }
            )
        _dated(commitment, status, on)
        commitment.status = status
        commitment._history_user = by
        commitment.full_clean()
        commitment.save()
        request_status_refresh(
            SupportRequest.objects.select_for_update().get(pk=commitment.request_id)
        )
    return commitment
