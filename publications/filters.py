"""The filters of the public archive (``/publications/?kind=brief&sector=steel&year=2025``).

Every filter lives in the query string so that a filtered archive can be shared. A value
the archive does not know (``?kind=poem``, ``?sector=unknown``) or a malformed year
(``?year=abc``) fails that filter's validation; the filter is then left out (django-filter
filters only with ``cleaned_data``) and the page says so (``leadit.filtering.ListFilterSet``).
"""

import django_filters
from django.db.models import Q, QuerySet
from django_countries import countries

from leadit.facets import FacetedFilterSet
from leadit.filtering import YearFilter
from tracker.filters import sector_filter

from .models import Publication

FIRST_YEAR = 2019  # LeadIT was launched in September 2019
LAST_YEAR = 2100


class PublicationFilter(FacetedFilterSet):
    q = django_filters.CharFilter(
        label="Title or summary contains", method="filter_text", max_length=200, strip=True
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Publication.Kind.choices)
    sector = sector_filter()
    country = django_filters.ChoiceFilter(
        label="Country", choices=lambda: list(countries), method="filter_country"
    )
    year = YearFilter(
        label="Year",
        field_name="published_on__year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
    )

    class Meta:
        model = Publication
        fields = ["q", "kind", "sector", "country", "year"]

    # Kinds and slugs are read in any case too (?kind=Brief).
    LOWER_CASE_PARAMETERS = ("kind", "sector")

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # icontains: the same on PostgreSQL and on the SQLite of the demo.
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Countries are stored as "DE,IN,SE": a two-letter code never spans a comma, so a
        # substring match finds whole codes only.
        return queryset.filter(countries__contains=value) if value else queryset
