"""The filters of the solution catalogue (``/technology/``) and of its downloads
(``/technology/export.<fmt>``, the same query string), built on ``leadit.filtering`` as
every other list of the portal is, and on the partnerships lists' shared behaviour (search,
sort order, facet counts, why a value was ignored).

``/technology/?sector=steel&technology=hydrogen-dri&trl_min=6&offer=licence&country=in``

The queryset given to :class:`SolutionFilter` is already narrowed to what the visitor may
see (``TechnologySolution.objects.visible_to(user)``): the filters never widen it.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_countries import countries

from leadit.filtering import SlugChoiceFilter
from partnerships.filters import PartnershipListFilter, sort_filter
from tracker.models import Sector, Technology

from .models import TRL_MAX, TRL_MIN, OfferKind, SolutionCountry, TechnologySolution

SOLUTION_SORTS = {
    "name": ("Name (A–Z)", ["name", "pk"]),
    "-trl": ("Most mature first (highest TRL)", ["-trl", "name", "pk"]),
    "trl": ("Least mature first (lowest TRL)", ["trl", "name", "pk"]),
    "-updated": ("Recently updated first", ["-updated_at", "-pk"]),
}


def _country_choices():
    return list(countries)


class TRLFilter(django_filters.Filter):
    """``?trl_min=6``: a technology readiness level from 1 to 9."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "trl")
        kwargs.setdefault("min_value", TRL_MIN)
        kwargs.setdefault("max_value", TRL_MAX)
        super().__init__(*args, **kwargs)


class SolutionFilter(PartnershipListFilter):
    """The catalogue's filters; each value it cannot apply is ignored and the page says why."""

    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200, strip=True)
    sector = SlugChoiceFilter(label="Sector", queryset=Sector.objects.all(), method="filter_sector")
    # One technology per solution: a solution matches it once, no DISTINCT needed.
    technology = SlugChoiceFilter(
        label="Technology",
        field_name="technology",
        queryset=Technology.objects.all(),
        distinct=False,
    )
    trl_min = TRLFilter(label="TRL at least", lookup_expr="gte")
    trl_max = TRLFilter(label="TRL at most", lookup_expr="lte")
    offer = django_filters.ChoiceFilter(
        label="What is offered", choices=OfferKind.choices, method="filter_offer"
    )
    country = django_filters.ChoiceFilter(
        label="Available in", choices=_country_choices, method="filter_country"
    )
    sort = sort_filter(SOLUTION_SORTS)

    SORTS = SOLUTION_SORTS
    DEFAULT_SORT = "name"
    LOWER_CASE_PARAMETERS = ("sector", "technology", "offer", "sort")
    SEARCH_FIELDS = ("name", "summary", "member__name", "institution__name")

    class Meta:
        model = TechnologySolution
        fields = ["q", "sector", "technology", "trl_min", "trl_max", "offer", "country", "sort"]

    def filter_sector(self, queryset: QuerySet, name: str, value: Sector) -> QuerySet:
        # A subquery rather than a join: a solution in two sectors stays one row, so the
        # list and its counts need no DISTINCT.
        through = TechnologySolution.sectors.through.objects.filter(sector=value)
        return queryset.filter(pk__in=through.values("technologysolution_id"))

    def filter_offer(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.offering(value)

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(available_in(value))

    def describe(self, name: str, value) -> tuple[str, str]:
        if name in ("trl_min", "trl_max"):
            return str(self.filters[name].label), f"TRL {value}"
        return super().describe(name, value)

    def why_ignored(self, name: str) -> str:
        if name in ("trl_min", "trl_max"):
            return f"is not a level from {TRL_MIN} to {TRL_MAX}"
        if name == "sort":
            return "is not a known order, so solutions are sorted by name"
        return super().why_ignored(name)


def available_in(country: str) -> Q:
    """Solutions available in ``country``: worldwide, or listing it."""
    listed = SolutionCountry.objects.filter(country=country).values("solution")
    return Q(available_worldwide=True) | Q(pk__in=listed)
