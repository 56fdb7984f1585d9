"""The filters of the public archive (``/publications/?kind=brief&sector=steel&year=2025``).

Every filter lives in the query string so that a filtered archive can be shared. A value
the archive does not know (``?kind=poem``, ``?sector=unknown``) or a malformed year
(``?year=abc``) fails that filter's validation; the filter is then left out (django-filter
filters only with ``cleaned_data``) and the page says so (``PublicationFilter.ignored``).
"""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django_countries import countries

from leadit.facets import FacetedFilterSet
from tracker.models import Sector

from .models import Publication

FIRST_YEAR = 2019  # LeadIT was launched in September 2019
LAST_YEAR = 2100


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class PublicationFilter(FacetedFilterSet):
    q = django_filters.CharFilter(
        label="Title or summary contains", method="filter_text", max_length=200, strip=True
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Publication.Kind.choices)
    sector = django_filters.ModelChoiceFilter(
        label="Sector",
        field_name="sectors",
        queryset=Sector.objects.all(),
        to_field_name="slug",
        distinct=True,
    )
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

    def __init__(self, data=None, *args, **kwargs):
        # ISO codes in either case (?country=se is Sweden); kinds and slugs in lower case.
        if data is not None:
            data = data.copy() if isinstance(data, QueryDict) else dict(data)
            if data.get("country"):
                data["country"] = data["country"].strip().upper()
            for name in ("kind", "sector"):
                if data.get(name):
                    data[name] = data[name].strip().lower()
        super().__init__(data, *args, **kwargs)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # icontains: the same on PostgreSQL and on the SQLite of the demo.
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Countries are stored as "DE,IN,SE": a two-letter code never spans a comma, so a
        # substring match finds whole codes only.
        return queryset.filter(countries__contains=value) if value else queryset

    # --- what the page says about the filters --------------------------------------------

    def selected(self, name: str) -> str:
        """The value chosen for the facet ``name`` (a slug, code, kind or year), or ""."""
        self.errors  # noqa: B018 - validates the form, as ``qs`` does
        value = self.form.cleaned_data.get(name)
        if value in (None, ""):
            return ""
        return str(getattr(value, "slug", value))

    def active(self) -> list[tuple[str, str, str]]:
        """``(parameter, label, value shown)`` of each filter in use with a valid value."""
        self.errors  # noqa: B018
        shown = []
        for name in self.Meta.fields:
            value = self.form.cleaned_data.get(name)
            if value in (None, ""):
                continue
            label = self.filters[name].label
            if name == "country":
                value = countries.name(value)
            elif name == "kind":
                value = Publication.Kind(value).label
            elif name == "sector":
                value = value.name
            elif name == "q":
                value = f"“{value}”"
            shown.append((name, label, str(value)))
        return shown

    def ignored(self) -> list[tuple[str, str, str, str]]:
        """``(parameter, label, value given, why)`` of each filter whose value is unknown or
        malformed; the archive is shown without it."""
        notes = []
        for name in self.Meta.fields:
            if name not in self.errors:
                continue
            given = self.data.get(name, "")
            if name == "year":
                why = f"is not a year from {FIRST_YEAR} to {LAST_YEAR}"
            elif name == "q":
                codes = {error.code for error in self.errors.as_data()[name]}
                why = (
                    "is longer than 200 characters"
                    if "max_length" in codes
                    else "contains characters that cannot be searched for"
                )
            else:
                why = "is not one of the choices"
            notes.append((name, self.filters[name].label, given, why))
        return notes
