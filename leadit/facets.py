"""What every filtered public list shows beside its filters: the choices of a filter (a
facet), each with how many results it would give."""

from dataclasses import dataclass, field


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
