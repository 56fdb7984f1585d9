"""The home page's "LeadIT in numbers" for technology: solutions in the catalogue and
co-development projects under way. Public, real records only: records with members' or
secretariat visibility never count, and invented demo records are left out (each note says
how many)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.urls import reverse

from leadit.home import HomeNumber, home_depends_on, register_home_numbers

from .models import CoDevelopmentProject, TechnologySolution


def _demo_note(count: int, what: str) -> str:
    if not count:
        return ""
    return f"{count} demo {what}{'s' if count != 1 else ''} (invented) not counted."


def technology_numbers() -> list[HomeNumber]:
    """Two figures in two queries, whatever the data size."""
    public = AnonymousUser()
    real, demo = Count("pk", filter=Q(is_demo=False)), Count("pk", filter=Q(is_demo=True))
    solutions = TechnologySolution.objects.visible_to(public).aggregate(real=real, demo=demo)
    projects = (
        CoDevelopmentProject.objects.visible_to(public).active().aggregate(real=real, demo=demo)
    )
    return [
        HomeNumber(
            value=solutions["real"],
            label=f"technology solution{'' if solutions['real'] == 1 else 's'}",
            url=reverse("technology:index"),
            note=_demo_note(solutions["demo"], "solution"),
        ),
        HomeNumber(
            value=projects["real"],
            label=f"co-development project{'' if projects['real'] == 1 else 's'} under way",
            url=reverse("technology:projects"),
            note=_demo_note(projects["demo"], "project"),
        ),
    ]


def register() -> None:
    register_home_numbers(key="technology", compute=technology_numbers, order=35)
    home_depends_on([TechnologySolution, CoDevelopmentProject])
