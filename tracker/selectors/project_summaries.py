"""Industrial projects by status, with capacity totals: a country's, several countries' at
once, or those of any set of projects (a roadmap's country and sectors). Two queries each."""

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from ..models import IndustrialProject, ProjectCapacity

GEM_SOURCE_MARK = "Global Energy Monitor"


@dataclass(frozen=True)
class CapacityFigure:
    product: str
    value: Decimal
    unit: str


@dataclass(frozen=True)
class StatusSummary:
    status: str  # an IndustrialProject.Status value
    projects: int  # projects whose plant status is this one
    capacities: list[CapacityFigure]  # capacity figures whose own status is this one


@dataclass(frozen=True)
class ProjectSummary:
    statuses: list[StatusSummary] = field(default_factory=list)
    total: int = 0
    last_updated: datetime.datetime | None = None
    from_gem: bool = False


def _grouped_rows(projects: QuerySet, capacities: QuerySet, key: tuple[str, ...]):
    """(key…, status, count, last updated, GEM count) of ``projects`` and (key…, status,
    product, unit, total) of ``capacities``, grouped by the fields ``key`` names."""
    project_rows = (
        projects.order_by()
        .values_list(*key, "status")
        .annotate(
            n=Count("pk"),
            last=Max("updated_at"),
            gem=Count("pk", filter=Q(source__icontains=GEM_SOURCE_MARK)),
        )
    )
    capacity_rows = (
        capacities.order_by()
        .values_list(*(f"project__{name}" for name in key), "status", "product", "unit")
        .annotate(total=Sum("value"))
    )
    return project_rows, capacity_rows


def _summary(
    counts: dict[str, int],
    capacities: dict[str, list[CapacityFigure]],
    last: datetime.datetime | None,
    from_gem: bool,
) -> ProjectSummary:
    statuses = [
        StatusSummary(
            status=value,
            projects=counts.get(value, 0),
            capacities=sorted(capacities.get(value, []), key=lambda c: c.product),
        )
        for value in IndustrialProject.Status.values
        if value in counts or value in capacities
    ]
    return ProjectSummary(
        statuses=statuses, total=sum(counts.values()), last_updated=last, from_gem=from_gem
    )


def _project_summaries(project_rows: Iterable, capacity_rows: Iterable) -> dict:
    """``project_rows``: (key, status, count, last updated, GEM count);
    ``capacity_rows``: (key, status, product, unit, total)."""
    counts: dict[object, dict[str, int]] = defaultdict(dict)
    last: dict[object, datetime.datetime] = {}
    gem: dict[object, bool] = defaultdict(bool)
    for key, status, n, updated, from_gem in project_rows:
        counts[key][status] = n
        if updated and (key not in last or updated > last[key]):
            last[key] = updated
        gem[key] = gem[key] or bool(from_gem)
    capacities: dict[object, dict[str, list[CapacityFigure]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for key, status, product, unit, total in capacity_rows:
        capacities[key][status].append(CapacityFigure(product=product, value=total, unit=unit))
    return {
        key: _summary(counts[key], capacities[key], last.get(key), gem[key])
        for key in set(counts) | set(capacities)
    }


def project_summaries_by_country(codes: Collection[str]) -> dict[str, ProjectSummary]:
    """Each country's projects by status, with capacity totals (two queries)."""
    project_rows, capacity_rows = _grouped_rows(
        IndustrialProject.objects.filter(country__in=codes),
        ProjectCapacity.objects.filter(project__country__in=codes),
        key=("country",),
    )
    return _project_summaries(project_rows, capacity_rows)


def project_summary_of(projects: QuerySet[IndustrialProject]) -> ProjectSummary:
    """One summary of the projects in the queryset ``projects`` (two queries)."""
    ids = projects.values("pk")
    project_rows, capacity_rows = _grouped_rows(
        IndustrialProject.objects.filter(pk__in=ids),
        ProjectCapacity.objects.filter(project__in=ids),
        key=(),
    )
    summaries = _project_summaries(
        ((None, *row) for row in project_rows), ((None, *row) for row in capacity_rows)
    )
    return summaries.get(None, ProjectSummary())
