"""The comparison's one table, as the page and the CSV show it: rows of cells of text (and
links), one column per country or roadmap, written from what ``tracker.selectors.compare``
read. The CSV is ``Comparison.as_table()``, so the download is exactly what is on screen."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse

from leadit.countries import country_name

from ..models import Roadmap, Target
from ..selectors.compare import (
    CompareSelection,
    ComparisonData,
    CountryColumn,
    RoadmapColumn,
)
from ..selectors.countries import latest
from ..selectors.project_summaries import ProjectSummary
from ..selectors.roadmap_relations import Named, Relations
from ..selectors.targets import net_zero_of
from ..wording import DEMO_LABEL, NOT_RECORDED
from . import badge_labels, net_zero_shown, status_summary_text, target_value_text

PROJECTS_UNIT = "capacity in thousand tonnes a year"


@dataclass(frozen=True)
class CellItem:
    text: str
    url: str = ""

    def as_text(self) -> str:
        return f"{self.text} ({self.url})" if self.url else self.text


@dataclass(frozen=True)
class CompareRow:
    key: str
    label: str
    cells: list[list[CellItem]]


@dataclass(frozen=True)
class CompareColumn:
    key: str
    title: str
    url: str
    subtitle: str = ""
    badges: list[str] = field(default_factory=list)
    is_demo: bool = False  # an invented demo roadmap


@dataclass(frozen=True)
class RoadmapChoice:
    slug: str
    title: str
    place: str
    selected: bool


@dataclass(frozen=True)
class Comparison:
    selection: CompareSelection
    columns: list[CompareColumn]
    rows: list[CompareRow]
    last_updated: datetime.datetime | None
    roadmap_choices: list[RoadmapChoice]  # what the roadmap picker offers
    has_projects: bool

    @property
    def ready(self) -> bool:
        return len(self.columns) >= 2

    def as_table(self) -> list[list[str]]:
        """The table as rows of text cells, header first (for the CSV)."""
        header = ["", *(column.title for column in self.columns)]
        links = ["Link", *(column.url for column in self.columns)]
        body = [
            [
                row.label,
                *("; ".join(item.as_text() for item in cell) or NOT_RECORDED for cell in row.cells),
            ]
            for row in self.rows
        ]
        if self.selection.mode == "roadmaps":
            record = [
                "Record",
                *(DEMO_LABEL if c.is_demo else "Real document" for c in self.columns),
            ]
            return [header, links, record, *body]
        return [header, links, *body]


# --- Cells shared by both modes ----------------------------------------------------------------


def _web_url(url: str) -> str:
    """``url`` if it is a web address (a link is only ever http or https), else ""."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _target_item(target: Target) -> CellItem:
    parts = [f"{target.target_year}: {target.get_kind_display()}"]
    if value := target_value_text(target.value, target.unit):
        parts.append(value)
    if target.base_year:
        parts.append(f"from {target.base_year}")
    where = target.sector.name if target.sector_id else "economy-wide"
    return CellItem(f"{' '.join(parts)} ({where}; {target.get_status_display().lower()})")


def _interim_items(targets: list[Target]) -> list[CellItem]:
    """Interim targets: those leading to an end target, and every target that is not a
    net-zero one, by year."""
    interim = [t for t in targets if t.end_target_id is not None or t.kind != Target.Kind.NET_ZERO]
    interim.sort(key=lambda t: (t.target_year, t.sector_id is not None, t.pk))
    return [_target_item(t) for t in interim]


def _net_zero_items(
    targets: list[Target], *, with_source: bool = False, include_demo: bool = False
) -> list[CellItem]:
    net_zero = net_zero_of(targets, include_demo=include_demo)
    if not net_zero:
        return []
    items = [CellItem(str(net_zero_shown(net_zero)))]
    if with_source and net_zero.cited:
        reviewed = f"; last reviewed {net_zero.reviewed_on}" if net_zero.reviewed_on else ""
        items.append(
            CellItem(f"Source: {net_zero.source}{reviewed}", _web_url(net_zero.source_url))
        )
    return items


def _source_items(
    roadmaps: Iterable[Roadmap], relations: Relations, targets: Iterable[Target] = ()
) -> list[CellItem]:
    """The roadmaps' documents and sources, then the sources of targets that name their
    own (a country's net-zero target set in a law, say)."""
    items, seen = [], set()
    for roadmap in roadmaps:
        if roadmap.document_url and roadmap.document_url not in seen:
            seen.add(roadmap.document_url)
            items.append(CellItem(f"{roadmap.title} (document)", _web_url(roadmap.document_url)))
        for title, url in relations.sources.get(roadmap.pk, []):
            if url not in seen:
                seen.add(url)
                items.append(CellItem(title, _web_url(url)))
    for target in targets:
        citation = target.source_citation
        if citation and (target.source_url or citation) not in seen:
            seen.add(target.source_url or citation)
            items.append(CellItem(citation, _web_url(target.source_url)))
    return items


def _sector_items(
    roadmaps: Iterable[Roadmap], targets: Iterable[Target], relations: Relations
) -> list[CellItem]:
    sectors = {s.pk: s for r in roadmaps for s in relations.sectors.get(r.pk, [])}
    sectors.update(
        {
            t.sector_id: Named(t.sector_id, t.sector.name, t.sector.order)
            for t in targets
            if t.sector_id
        }
    )
    return [CellItem(s.name) for s in sorted(sectors.values(), key=lambda s: (s.order, s.name))]


def _instrument_items(roadmaps: Iterable[Roadmap], relations: Relations) -> list[CellItem]:
    instruments = {i.pk: i for r in roadmaps for i in relations.instruments.get(r.pk, [])}
    return [CellItem(i.name) for i in sorted(instruments.values(), key=lambda i: i.name)]


def _project_items(summary: ProjectSummary | None) -> list[CellItem]:
    return [CellItem(status_summary_text(s)) for s in summary.statuses] if summary else []


def _date_item(value: datetime.datetime | None) -> list[CellItem]:
    return [CellItem(value.date().isoformat())] if value else []


def _current(roadmaps: Iterable[Roadmap]) -> list[Roadmap]:
    return [r for r in roadmaps if r.status != Roadmap.Status.SUPERSEDED]


# --- Countries side by side --------------------------------------------------------------------


def _roadmap_status_items(column: CountryColumn) -> list[CellItem]:
    items = []
    for value, label in Roadmap.Status.choices:
        n = sum(1 for r in column.roadmaps if r.status == value)
        if n:
            items.append(CellItem(f"{label}: {n} roadmap{'s' if n != 1 else ''}"))
    return items


def _country_updated(column: CountryColumn) -> list[CellItem]:
    return _date_item(
        latest(
            [r.updated_at for r in column.roadmaps]
            + [t.updated_at for t in column.targets]
            + [column.projects.last_updated if column.projects else None]
        )
    )


def _country_rows(columns: list[CountryColumn], relations: Relations) -> list[CompareRow]:
    def row(key: str, label: str, cell: Callable[[CountryColumn], list[CellItem]]) -> CompareRow:
        return CompareRow(key, label, [cell(column) for column in columns])

    return [
        row("net_zero", "Net-zero year", lambda c: _net_zero_items(c.targets, with_source=True)),
        row("interim", "Interim targets", lambda c: _interim_items(c.targets)),
        row(
            "sectors",
            "Sectors covered",
            lambda c: _sector_items(_current(c.roadmaps), c.targets, relations),
        ),
        row(
            "instruments",
            "Policy instruments",
            lambda c: _instrument_items(_current(c.roadmaps), relations),
        ),
        row("status", "Roadmaps by status", _roadmap_status_items),
        row(
            "projects",
            f"Industrial projects by status ({PROJECTS_UNIT})",
            lambda c: _project_items(c.projects),
        ),
        row("sources", "Sources", lambda c: _source_items(c.roadmaps, relations, c.targets)),
        row("updated", "Last updated", _country_updated),
    ]


def _country_columns(columns: list[CountryColumn]) -> list[CompareColumn]:
    return [
        CompareColumn(
            key=c.code,
            title=country_name(c.code),
            url=reverse("tracker:country", kwargs={"iso2": c.code}),
            subtitle=c.code,
            badges=badge_labels(c.badges),
        )
        for c in columns
    ]


# --- Roadmaps side by side ---------------------------------------------------------------------


def roadmap_place(roadmap: Roadmap) -> str:
    """Where a roadmap applies: its region, its country, "Global", or the demo label."""
    if roadmap.region_id:
        return roadmap.region.name
    if roadmap.country:
        return country_name(roadmap.country)
    if roadmap.is_demo:
        return DEMO_LABEL
    return "Global" if roadmap.scope == Roadmap.Scope.GLOBAL else ""


def _place_items(column: RoadmapColumn) -> list[CellItem]:
    roadmap = column.roadmap
    place = roadmap_place(roadmap)
    if roadmap.region_id:
        return [CellItem(f"{roadmap.get_scope_display()}: {place}")]
    if roadmap.country:
        url = reverse("tracker:country", kwargs={"iso2": roadmap.country.code})
        return [CellItem(f"{roadmap.get_scope_display()}: {place}", url)]
    return [CellItem(roadmap.get_scope_display())]


def _published_items(column: RoadmapColumn) -> list[CellItem]:
    roadmap = column.roadmap
    text = roadmap.publisher
    if roadmap.published_on:
        text += f", {roadmap.published_on.isoformat()}"
    return [CellItem(text)] if text else []


def _status_items(column: RoadmapColumn) -> list[CellItem]:
    roadmap = column.roadmap
    items = [CellItem(roadmap.get_status_display())]
    if roadmap.superseded_by_id:
        successor = roadmap.superseded_by
        items.append(CellItem(f"Superseded by {successor.title}", successor.get_absolute_url()))
    return items


def _roadmap_rows(columns: list[RoadmapColumn], relations: Relations) -> list[CompareRow]:
    def row(key: str, label: str, cell: Callable[[RoadmapColumn], list[CellItem]]) -> CompareRow:
        return CompareRow(key, label, [cell(column) for column in columns])

    return [
        row("scope", "Scope and place", _place_items),
        row("publisher", "Published by", _published_items),
        row(
            "net_zero",
            "Net-zero year",
            lambda c: _net_zero_items(c.targets, include_demo=True),
        ),
        row("interim", "Interim targets", lambda c: _interim_items(c.targets)),
        row(
            "sectors", "Sectors covered", lambda c: _sector_items([c.roadmap], c.targets, relations)
        ),
        row(
            "instruments", "Policy instruments", lambda c: _instrument_items([c.roadmap], relations)
        ),
        row("status", "Roadmap status", _status_items),
        row(
            "projects",
            f"Industrial projects in its country or region and sectors, by status ({PROJECTS_UNIT})",
            lambda c: _project_items(c.projects),
        ),
        row("sources", "Sources", lambda c: _source_items([c.roadmap], relations)),
        row(
            "updated",
            "Last updated",
            lambda c: _date_item(
                latest([c.roadmap.updated_at] + [t.updated_at for t in c.targets])
            ),
        ),
    ]


def _roadmap_columns(columns: list[RoadmapColumn]) -> list[CompareColumn]:
    return [
        CompareColumn(
            key=r.slug,
            title=r.title,
            url=r.get_absolute_url(),
            subtitle=" · ".join(
                filter(None, [f"{r.get_scope_display()} roadmap", roadmap_place(r)])
            ),
            badges=[DEMO_LABEL] if r.is_demo else [],
            is_demo=r.is_demo,
        )
        for r in (c.roadmap for c in columns)
    ]


# --- The table -------------------------------------------------------------------------------


def comparison_table(data: ComparisonData) -> Comparison:
    """The table of ``data``: its columns, its rows and the roadmap picker's choices."""
    selection = data.selection
    if selection.mode == "roadmaps":
        columns = _roadmap_columns(data.roadmaps)
        rows = _roadmap_rows(data.roadmaps, data.relations)
        choices = [
            RoadmapChoice(r.slug, r.title, roadmap_place(r), r.slug in selection.keys)
            for r in data.choices
        ]
    else:
        columns = _country_columns(data.countries)
        rows = _country_rows(data.countries, data.relations)
        choices = [
            RoadmapChoice(r.slug, r.title, country_name(r.code), False) for r in data.choices
        ]
    return Comparison(
        selection=selection,
        columns=columns,
        rows=rows,
        last_updated=data.last_updated,
        roadmap_choices=choices,
        has_projects=data.has_projects,
    )
