"""Reads for the industrial project pages: the filtered list (/tracker/projects/) with its
facet counts and CSV, and one project (/tracker/projects/<slug>/).

Every read takes a fixed number of queries, whatever the number of projects
(``tests/tracker/test_projects.py`` asserts it).
"""

from dataclasses import dataclass

import django_filters
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import QueryDict
from django_countries import countries

from leadit.facets import Facet, FacetedFilterSet, FacetOption
from leadit.filtering import SlugChoiceFilter

from ..filters import sector_filter
from ..gem_import import GEM_SOURCE
from ..models import IndustrialProject, ProjectCapacity, Sector, Technology

STATUS_ORDER = {value: rank for rank, value in enumerate(IndustrialProject.Status.values)}
# Products in reading order: steel, then its routes; iron, then its routes.
PRODUCT_ORDER = {
    product: rank
    for rank, product in enumerate(
        [
            "crude steel",
            "EAF steel",
            "BOF steel",
            "OHF steel",
            "other/unspecified steel",
            "iron",
            "BF",
            "DRI",
            "other/unspecified iron",
        ]
    )
}
# The capacity a list row shows: crude steel if the plant makes steel, else iron.
LIST_PRODUCTS = ("crude steel", "iron")


class ProjectFilter(FacetedFilterSet):
    """``?country=SE&status=announced&technology=direct-reduced-iron&sector=steel&q=hybrit``.

    A value the list does not know fails that filter's validation; the filter is then left
    out (django-filter filters only with ``cleaned_data``) and the page says so.
    """

    q = django_filters.CharFilter(
        label="Name or owner contains", method="filter_text", max_length=200, strip=True
    )
    country = django_filters.ChoiceFilter(label="Country", choices=lambda: list(countries))
    status = django_filters.ChoiceFilter(label="Status", choices=IndustrialProject.Status.choices)
    technology = SlugChoiceFilter(
        label="Technology",
        field_name="technologies",
        queryset=Technology.objects.all(),
        distinct=True,
    )
    sector = sector_filter(field_name="sector", distinct=False)

    class Meta:
        model = IndustrialProject
        fields = ["q", "country", "status", "technology", "sector"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(owner__icontains=value) | Q(parent__icontains=value)
        )


@dataclass(frozen=True)
class DataStamp:
    """What the "last updated" line under a list says."""

    total: int
    last_updated: object  # datetime or None
    last_reviewed: object  # date or None
    from_gem: int  # projects imported from GEM's tracker (their attribution is shown)


@dataclass(frozen=True)
class ProjectList:
    filterset: ProjectFilter
    projects: QuerySet[IndustrialProject]  # filtered, by name, with a row's data prefetched
    facets: list[Facet]
    stamp: DataStamp


def _base() -> QuerySet[IndustrialProject]:
    return IndustrialProject.objects.all()


def project_list(*, data: QueryDict) -> ProjectList:
    """Projects filtered by ``data`` (the query string), with facet counts: each facet
    counts, for each option, the projects listed with that option chosen and every *other*
    filter kept (one aggregate query per facet)."""
    filterset = ProjectFilter(data, queryset=_base())
    projects = (
        filterset.qs.select_related("sector")
        .prefetch_related(
            "technologies",
            Prefetch(
                "capacities",
                queryset=ProjectCapacity.objects.filter(product__in=LIST_PRODUCTS),
                to_attr="list_capacities",
            ),
        )
        .order_by("name", "pk")
    )
    return ProjectList(
        filterset=filterset,
        projects=projects,
        facets=_facets(filterset),
        stamp=project_data_stamp(),
    )


def project_data_stamp() -> DataStamp:
    stamp = IndustrialProject.objects.aggregate(
        total=Count("pk"),
        last_updated=Max("updated_at"),
        last_reviewed=Max("last_reviewed_on"),
        from_gem=Count("pk", filter=Q(source=GEM_SOURCE)),
    )
    return DataStamp(**stamp)


def list_capacity(project: IndustrialProject) -> list[ProjectCapacity]:
    """The capacities a list row shows (prefetched as ``list_capacities``): crude steel by
    status, or iron if the plant has no steel figure."""
    capacities = getattr(project, "list_capacities", [])
    for product in LIST_PRODUCTS:
        shown = [c for c in capacities if c.product == product]
        if shown:
            return sorted(shown, key=lambda c: STATUS_ORDER.get(c.status, 99))
    return []


def _in(filterset: ProjectFilter, name: str, path: str = "pk") -> Q:
    return Q(**{f"{path}__in": filterset.queryset_without(name).values("pk")})


def _facets(filterset: ProjectFilter) -> list[Facet]:
    filterset.errors  # noqa: B018 - cleaned_data below
    base = _base().order_by()

    country_counts = dict(
        base.values_list("country")
        .annotate(n=Count("pk", filter=_in(filterset, "country")))
        .values_list("country", "n")
    )
    selected = filterset.selected("country")
    country_options = sorted(
        (
            FacetOption(code, countries.name(code), n, code == selected)
            for code, n in country_counts.items()
        ),
        key=lambda option: option.label,
    )

    status_counts = dict(
        base.values_list("status")
        .annotate(n=Count("pk", filter=_in(filterset, "status")))
        .values_list("status", "n")
    )
    selected = filterset.selected("status")
    status_options = [
        FacetOption(value, label, status_counts.get(value, 0), value == selected)
        for value, label in IndustrialProject.Status.choices
    ]

    technologies = Technology.objects.annotate(
        n=Count("projects", filter=_in(filterset, "technology", "projects"), distinct=True)
    ).order_by("name")
    selected = filterset.selected("technology")
    technology_options = [
        FacetOption(t.slug, t.name, t.n, t.slug == selected) for t in technologies
    ]

    sectors = Sector.objects.annotate(
        n=Count("projects", filter=_in(filterset, "sector", "projects"), distinct=True)
    )
    selected = filterset.selected("sector")
    sector_options = [FacetOption(s.slug, s.name, s.n, s.slug == selected) for s in sectors]

    return [
        Facet("country", "Country", country_options),
        Facet("status", "Status", status_options),
        Facet("technology", "Technology", technology_options),
        Facet("sector", "Sector", sector_options),
    ]


# --- One project: /tracker/projects/<slug>/ -------------------------------------------------


def project_detail(*, slug: str) -> IndustrialProject | None:
    """The project with this slug and what its page shows (``detail_capacities``: by
    status, then product), or None."""
    project = (
        IndustrialProject.objects.select_related("sector")
        .prefetch_related("technologies")
        .filter(slug=slug)
        .first()
    )
    if project is None:
        return None
    project.detail_capacities = sorted(
        project.capacities.all(),
        key=lambda c: (STATUS_ORDER.get(c.status, 99), PRODUCT_ORDER.get(c.product, 99), c.product),
    )
    return project
