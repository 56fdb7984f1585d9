"""Reads for the technical guidelines: the library /technology/guidelines/ with its filters
and facet counts, one guideline with its versions, and the versions a visitor may download.

Every read starts from ``TechnicalGuideline.objects.visible_to(user)`` and runs a constant
number of queries whatever the number of guidelines and versions
(``tests/technology/test_guidelines.py`` asserts it)."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict

from leadit.facets import Facet, FacetedFilterSet, choice_facet
from leadit.filtering import SlugChoiceFilter
from tracker.filters import sector_filter
from tracker.models import Sector, Technology

from ..models import GuidelineVersion, TechnicalGuideline


class GuidelineFilter(FacetedFilterSet):
    """``/technology/guidelines/?sector=cement&technology=h2-dri&q=kiln``"""

    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200, strip=True)
    # One sector or technology matches at most one link row per guideline: no duplicates,
    # so no DISTINCT.
    sector = sector_filter(distinct=False)
    technology = SlugChoiceFilter(
        label="Technology",
        field_name="technologies",
        queryset=Technology.objects.all(),
        distinct=False,
    )

    LOWER_CASE_PARAMETERS = ("sector", "technology")

    class Meta:
        model = TechnicalGuideline
        fields = ["q", "sector", "technology"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))

    def counts(self, name: str, field: str) -> dict[str, int]:
        """How many guidelines each value of ``field`` would give with the filter ``name``
        set to it and every other filter kept: one query."""
        rows = (
            self.queryset_without(name)
            .order_by()
            .values_list(field)
            .annotate(n=Count("pk", distinct=True))
        )
        return {value: n for value, n in rows if value is not None}


def _latest(field: str) -> Subquery:
    newest = GuidelineVersion.objects.filter(guideline=OuterRef("pk")).order_by(
        "-published_on", "-id"
    )
    return Subquery(newest.values(field)[:1])


@dataclass(frozen=True)
class GuidelineList:
    filterset: GuidelineFilter
    guidelines: QuerySet[TechnicalGuideline]  # filtered, each with its latest version
    facets: list[Facet]


def guideline_list(*, data: QueryDict, user) -> GuidelineList:
    """The guidelines ``user`` may see, filtered by ``data``, each with its provider,
    sectors, technologies and latest version (``latest_version``,
    ``latest_published_on``), and the facet counts of the filters."""
    filterset = GuidelineFilter(data, queryset=TechnicalGuideline.objects.visible_to(user))
    guidelines = (
        filterset.qs.select_related("member")
        .prefetch_related("sectors", "technologies")
        .annotate(latest_version=_latest("version"), latest_published_on=_latest("published_on"))
        .order_by("title", "pk")
    )
    facets = [
        choice_facet(
            filterset,
            "sector",
            Sector.objects.values_list("slug", "name"),
            filterset.counts("sector", "sectors__slug"),
        ),
        choice_facet(
            filterset,
            "technology",
            Technology.objects.values_list("slug", "name"),
            filterset.counts("technology", "technologies__slug"),
        ),
    ]
    return GuidelineList(filterset=filterset, guidelines=guidelines, facets=facets)


def guideline_detail_queryset(*, user) -> QuerySet[TechnicalGuideline]:
    return (
        TechnicalGuideline.objects.visible_to(user)
        .select_related("member")
        .prefetch_related("sectors", "technologies")
    )


@dataclass(frozen=True)
class VersionRow:
    version: GuidelineVersion
    superseded_by: GuidelineVersion | None  # the next newer version; None for the newest


def guideline_versions(guideline: TechnicalGuideline) -> list[VersionRow]:
    """Every version, newest first; each older one with the version that replaced it."""
    versions = list(guideline.versions.order_by("-published_on", "-id"))
    return [
        VersionRow(version, versions[index - 1] if index else None)
        for index, version in enumerate(versions)
    ]


def downloadable_versions(*, user) -> QuerySet[GuidelineVersion]:
    """The versions of the guidelines ``user`` may see: the only ones whose PDF is served."""
    return GuidelineVersion.objects.filter(
        guideline__in=TechnicalGuideline.objects.visible_to(user).values("pk")
    ).select_related("guideline")
