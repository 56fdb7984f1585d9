"""Country groups: those kept as data (CountryGroup: G20, EU, UN regions) and those derived
from another app's data, which that app registers here (the members app registers "LeadIT
member countries"), so the tracker never imports a higher layer."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import CountryGroup, CountryGroupMembership


@dataclass(frozen=True)
class DerivedGroup:
    slug: str
    name: str
    countries: Callable[[], set[str]]  # ISO 3166-1 alpha-2 codes


_DERIVED: dict[str, DerivedGroup] = {}


def register_derived_group(*, slug: str, name: str, countries: Callable[[], set[str]]) -> None:
    _DERIVED[slug] = DerivedGroup(slug=slug, name=name, countries=countries)


def derived_groups() -> list[DerivedGroup]:
    return list(_DERIVED.values())


def group_countries(slug: str) -> set[str] | None:
    """The ISO codes of a group's countries, or None if there is no such group."""
    if slug in _DERIVED:
        return set(_DERIVED[slug].countries())
    if not CountryGroup.objects.filter(slug=slug).exists():
        return None
    return set(
        CountryGroupMembership.objects.filter(group__slug=slug).values_list("country", flat=True)
    )


def all_group_choices() -> list[tuple[str, str]]:
    """(slug, name) of every group, data and derived, for filters."""
    data = list(
        CountryGroup.objects.filter(kind=CountryGroup.Kind.GROUP).values_list("slug", "name")
    )
    return data + [(g.slug, g.name) for g in _DERIVED.values()]
