"""What every filtered public list shows beside its filters: the choices of a filter (a
facet), each with how many results it would give."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import QuerySet

# list_url_without is re-exported: the event and country lists import it from here.
from .filtering import ListFilterSet
from .filtering import list_url_without as list_url_without


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


class FacetedFilterSet(ListFilterSet):
    """A list page's filters, able to say what it counts per facet (and, as every
    ``ListFilterSet``, which are in use and which were ignored)."""

    def queryset_without(self, name: str) -> QuerySet:
        """The rows matching every valid filter except ``name``: the base of that filter's
        facet counts (how many results each of its options would give)."""
        self.errors  # noqa: B018 - validates the form, as ``qs`` does
        queryset = self.queryset.all()
        for other, value in self.form.cleaned_data.items():
            if other != name:
                queryset = self.filters[other].filter(queryset, value)
        return queryset


def choice_facet(
    filterset: ListFilterSet,
    name: str,
    choices: Iterable[tuple[str, str]],
    counts: Mapping[str, int],
) -> Facet:
    """The facet of the choice filter ``name``: each of ``choices`` with its count (0 when
    ``counts`` has none) and whether it is the one selected."""
    selected = filterset.selected(name)
    return Facet(
        name=name,
        label=str(filterset.filters[name].label),
        options=[
            FacetOption(value, str(label), counts.get(value, 0), value == selected)
            for value, label in choices
        ],
    )
