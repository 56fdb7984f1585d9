"""Reads for one solution's page ``/technology/solutions/<slug>/``: the solution with its
IP, availability and reference plants, the roadmaps that call for its technology and the
partnerships' open needs that ask for it.

Each runs a constant number of queries whatever the number of patents, countries, plants,
roadmaps and needs (``tests/technology/test_solution_page.py`` asserts it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from partnerships.models import SupportRequest, visible_levels
from tracker.models import IndustrialProject, Roadmap

from ..models import TechnologySolution
from .shared import open_needs_for, roadmap_calls


def solution_detail_queryset(*, user) -> QuerySet[TechnologySolution]:
    """The solutions ``user`` may open, with what the page shows: provider, technology,
    sectors, countries, patent families and reference plants."""
    plants = IndustrialProject.objects.select_related("sector").only(
        "name", "slug", "country", "status", "start_year", "sector__name"
    )
    return (
        TechnologySolution.objects.visible_to(user)
        .select_related("member", "institution", "technology")
        .prefetch_related(
            "sectors", "countries", "patents", Prefetch("reference_plants", queryset=plants)
        )
    )


def shows_contacts(user) -> bool:
    """A solution's contact is for those who see members' records: member editors, focal
    points and staff (never the public, nor a cached public page)."""
    return len(visible_levels(user)) > 1


@dataclass(frozen=True)
class SolutionPage:
    solution: TechnologySolution
    roadmaps: list[Roadmap]
    needs: list[SupportRequest]
    show_contact: bool
    can_edit: bool


def solution_page(solution: TechnologySolution, *, user) -> SolutionPage:
    """What ``/technology/solutions/<slug>/`` shows around ``solution`` for ``user``."""
    can_edit = TechnologySolution.objects.editable_by(user).filter(pk=solution.pk).exists()
    return SolutionPage(
        solution=solution,
        roadmaps=roadmap_calls(solution.technology),
        needs=list(
            open_needs_for(solution.technology, user=user)
            .select_related("partnership")
            .order_by("-created_at", "-pk")
        ),
        show_contact=shows_contacts(user),
        can_edit=can_edit,
    )
