"""Technology transfer and co-development (LeadIT 2.0, pillar 2): solutions members and
partner institutions offer, introductions between the two sides, co-development projects,
innovation programmes with their calls, and technical guidelines.

Technology *needs* are support requests of kind "technology" in ``partnerships``: the two
pillars share one needs board and one matching. Every record a visitor may not see carries
a ``visibility``; the querysets' ``visible_to(user)`` and ``editable_by(user)`` decide
(see docs/architecture.md, "Authorization: one way")."""

from .codevelopment import (
    CoDevelopmentProject,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPublication,
)
from .common import TRL_CHOICES, TRL_LABELS, TRL_MAX, TRL_MIN, Visibility
from .digest import NeedsDigestSent
from .guideline import GuidelineVersion, TechnicalGuideline
from .introduction import Introduction
from .programme import CallForProposals, InnovationProgramme
from .solution import OFFER_FIELDS, OfferKind, PatentFamily, SolutionCountry, TechnologySolution

__all__ = [
    "OFFER_FIELDS",
    "TRL_CHOICES",
    "TRL_LABELS",
    "TRL_MAX",
    "TRL_MIN",
    "CallForProposals",
    "CoDevelopmentProject",
    "GuidelineVersion",
    "InnovationProgramme",
    "Introduction",
    "NeedsDigestSent",
    "OfferKind",
    "PatentFamily",
    "ProjectMilestone",
    "ProjectParticipant",
    "ProjectPublication",
    "SolutionCountry",
    "TechnicalGuideline",
    "TechnologySolution",
    "Visibility",
]
