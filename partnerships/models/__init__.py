"""Industry transition partnerships (LeadIT 2.0, pillar 3): one per partner country, what it
asks for (support requests), what members and partner institutions offer, who committed
what to which request (support commitments), and the pipeline of bankable low-carbon
industrial projects the assistance is meant to make possible.

Every record a visitor may not see carries a ``visibility``; the querysets'
``visible_to(user)`` and ``editable_by(user)`` are the one place that decides (see
docs/architecture.md, "Authorization: one way")."""

from .common import (
    AMOUNT,
    AMOUNT_CEILING,
    FINANCE_KINDS,
    CurrencyRate,
    PartnerInstitution,
    SupportKind,
    Visibility,
    visible_levels,
)
from .partnership import (
    Factsheet,
    FocalPoint,
    FocalPointInvitation,
    Outcome,
    OutcomeMeasurement,
    Partnership,
    PartnershipSource,
    PartnershipStageChange,
    SecretariatDigest,
)
from .pipeline import PipelineProject, PipelineSource, PipelineStageChange
from .support import OfferCountry, SupportCommitment, SupportOffer, SupportRequest

__all__ = [
    "AMOUNT",
    "AMOUNT_CEILING",
    "FINANCE_KINDS",
    "CurrencyRate",
    "Factsheet",
    "FocalPoint",
    "FocalPointInvitation",
    "OfferCountry",
    "Outcome",
    "OutcomeMeasurement",
    "PartnerInstitution",
    "Partnership",
    "PartnershipSource",
    "PartnershipStageChange",
    "PipelineProject",
    "PipelineSource",
    "PipelineStageChange",
    "SecretariatDigest",
    "SupportCommitment",
    "SupportKind",
    "SupportOffer",
    "SupportRequest",
    "Visibility",
    "visible_levels",
]
