"""A set of roadmaps' sectors, instruments and sources as plain rows, one query each however
many roadmaps (no per-roadmap querysets): the country profile and the comparison read them."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.urls import reverse

from ..models import Roadmap, Source


@dataclass(frozen=True)
class Named:
    """A sector or policy instrument as a row shows it (read without model instances)."""

    pk: int
    name: str
    order: int = 0


def roadmap_url_prefix() -> str:
    """ "/tracker/roadmaps/": one ``reverse()`` for a whole list instead of one a row."""
    return reverse("tracker:roadmap", kwargs={"slug": "-"}).removesuffix("-/")


def roadmap_sectors(roadmap_ids: Collection[int]) -> dict[int, list[Named]]:
    """Each roadmap's sectors, in sector order (one query)."""
    rows = (
        Roadmap.sectors.through.objects.filter(roadmap_id__in=roadmap_ids)
        .order_by("sector__order", "sector__name")
        .values_list("roadmap_id", "sector_id", "sector__name", "sector__order")
    )
    sectors: dict[int, list[Named]] = defaultdict(list)
    for roadmap_id, pk, name, order in rows:
        sectors[roadmap_id].append(Named(pk, name, order))
    return sectors


def roadmap_instruments(roadmap_ids: Collection[int]) -> dict[int, list[Named]]:
    """Each roadmap's policy instruments, by name (one query)."""
    rows = (
        Roadmap.instruments.through.objects.filter(roadmap_id__in=roadmap_ids)
        .order_by("policyinstrument__name")
        .values_list("roadmap_id", "policyinstrument_id", "policyinstrument__name")
    )
    instruments: dict[int, list[Named]] = defaultdict(list)
    for roadmap_id, pk, name in rows:
        instruments[roadmap_id].append(Named(pk, name))
    return instruments


def roadmap_sources(roadmap_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
    """Each roadmap's sources as (title, url), by title (one query)."""
    sources: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (
        Source.objects.filter(roadmap_id__in=roadmap_ids)
        .order_by("title", "pk")
        .values_list("roadmap_id", "title", "url")
    )
    for roadmap_id, title, url in rows:
        sources[roadmap_id].append((title, url))
    return sources


@dataclass(frozen=True)
class Relations:
    """The sectors, instruments and sources of a set of roadmaps, by roadmap id."""

    sectors: dict[int, list[Named]]
    instruments: dict[int, list[Named]]
    sources: dict[int, list[tuple[str, str]]]  # (title, url)


def roadmap_relations(roadmap_ids: list[int]) -> Relations:
    """Three queries of plain rows."""
    return Relations(
        sectors=roadmap_sectors(roadmap_ids),
        instruments=roadmap_instruments(roadmap_ids),
        sources=roadmap_sources(roadmap_ids),
    )
