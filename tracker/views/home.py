"""What the Tracker adds to the home page (registered in ``tracker.apps``): its numbers,
the coverage map and the latest changes. Each reads in a fixed number of queries."""

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse

from leadit.home import HomeNumber
from leadit.maps import world_map

from ..models import IndustrialProject, Roadmap, Target
from ..selectors.changes import recent_changes
from ..selectors.coverage import COUNTRY_SCOPES, coverage_matrix
from ..selectors.targets import COUNTRY_TARGETS
from ..selectors.targets import target_country_expression as _target_country
from .coverage import COVERAGE_CATEGORIES, NOT_IN_MATRIX

HOME_CHANGES = 5

# Targets the Tracker stands behind: not of a superseded roadmap nor of an invented one.
FACTUAL_TARGETS = Q(roadmap__isnull=True) | (
    Q(roadmap__is_demo=False) & ~Q(roadmap__status=Roadmap.Status.SUPERSEDED)
)


def tracker_numbers() -> list[HomeNumber]:
    """Roadmaps, countries, targets and plants: five queries."""
    roadmaps = Roadmap.objects.current().aggregate(
        real=Count("pk", filter=Q(is_demo=False)), demo=Count("pk", filter=Q(is_demo=True))
    )
    roadmap_countries = set(
        Roadmap.objects.current()
        .factual()
        .filter(scope__in=COUNTRY_SCOPES)
        .exclude(country="")
        .values_list("country", flat=True)
        .distinct()
    )
    target_countries = set(
        Target.objects.filter(COUNTRY_TARGETS)
        .annotate(owner=_target_country())
        .exclude(owner="")
        .exclude(owner__isnull=True)
        .values_list("owner", flat=True)
        .distinct()
    )
    targets = Target.objects.filter(FACTUAL_TARGETS).count()
    plants = IndustrialProject.objects.count()
    demo = roadmaps["demo"]
    return [
        HomeNumber(
            value=len(roadmap_countries | target_countries),
            label="countries with a roadmap or target in the Tracker",
            url=reverse("tracker:countries"),
        ),
        HomeNumber(
            value=roadmaps["real"],
            label="industry transition roadmaps",
            url=reverse("tracker:index"),
            note=(
                f"Current ones; {demo} demo record{'s' if demo != 1 else ''} (invented) not counted."
                if demo
                else "Current ones (not superseded)."
            ),
        ),
        HomeNumber(
            value=targets,
            label="targets recorded",
            url=reverse("tracker:coverage"),
            note="Net-zero, reduction and other targets of countries, sectors and companies.",
        ),
        HomeNumber(
            value=plants,
            label="steel plants and industrial projects",
            url=reverse("tracker:projects"),
            note="Mostly from Global Energy Monitor's Global Iron and Steel Tracker.",
        ),
    ]


def home_map_context(request: HttpRequest) -> dict:
    matrix = coverage_matrix()
    return {
        "coverage_map": world_map(
            title="Coverage of G20 and LeadIT member countries",
            countries={row.code: row.category for row in matrix.rows},
            categories=COVERAGE_CATEGORIES,
            other_label=NOT_IN_MATRIX,
            legend="html",
        ),
        "country_count": len(matrix.rows),
        "matrix": matrix,
    }


def home_changes_context(request: HttpRequest) -> dict:
    return {"changes": recent_changes(limit=HOME_CHANGES)}
