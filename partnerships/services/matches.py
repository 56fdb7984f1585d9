"""Staff accept a suggested match (partnerships.matching ranks them)."""

from django.core.exceptions import ValidationError

from ..matching import ranked_matches
from ..models import SupportCommitment, SupportOffer, SupportRequest
from .commitments import propose_commitment


def match_accept(*, request: SupportRequest, offer: SupportOffer, user) -> SupportCommitment:
    """Staff accept a suggested match: a proposed commitment of the offer's provider to the
    request (through ``services.commitments``, which e-mails the secretariat and the focal
    points). Refused (ValidationError) when the offer is no longer a candidate: closed,
    already proposed, or the request no longer open."""
    ranked = ranked_matches([request.pk], limit=10**6).get(request.pk, [])
    if offer.pk not in {suggestion.offer_id for suggestion in ranked}:
        raise ValidationError(
            "This offer is no longer a suggested match for the request: the request is not "
            "open, the offer is closed, or its provider has already been proposed."
        )
    return propose_commitment(
        support_request=request,
        member=offer.member,
        institution=offer.institution,
        offer=offer,
        note="Suggested match accepted by the secretariat.",
        proposed_by=user,
    )
