"""What every filtered public list shows beside its filters: the choices of a filter (a
facet), each with how many results it would give."""

from dataclasses import dataclass, field

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest

# Never part of a list's address as a filter: the page (a filter removed shows the first
# page) and a download's format.
NOT_FILTERS = ("page", "format")


def list_url_without(request: HttpRequest, *names: str) -> str:
    """The list as it is, without the filters ``names``: the link that removes them."""
    query = request.GET.copy()
    for name in (*names, *NOT_FILTERS):
        query.pop(name, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else request.path


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str  # the query-string parameter
    label: str
    options: list[FacetOption] = field(default_factory=list)


class FacetedFilterSet(django_filters.FilterSet):
    """A list page's filters, able to say what it counts per facet and what it ignored."""

    def queryset_without(self, name: str) -> QuerySet:
        """The rows matching every valid filter except ``name``: the base of that filter's
        facet counts (how many results each of its options would give)."""
        self.errors  # noqa: B018 - validates the form, as ``qs`` does
        queryset = self.queryset.all()
        for other, value in self.form.cleaned_data.items():
            if other != name:
                queryset = self.filters[other].filter(queryset, value)
        return queryset

    def ignored(self) -> list[tuple[str, str, str]]:
        """``(parameter, label, value given)`` of each filter whose value is unknown."""
        return [
            (name, self.filters[name].label, self.data.get(name, ""))
            for name in self.Meta.fields
            if name in self.errors
        ]
