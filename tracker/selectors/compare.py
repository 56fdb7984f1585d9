"""Reads for the comparison page ``/tracker/compare/`` and its CSV ``/tracker/compare.csv``:
2–4 countries (``?c=SE&c=IN``) or 2–4 roadmaps (``?r=<slug>&r=<slug>``) side by side.

The comparison is one table (``Comparison.rows`` × ``Comparison.columns``) that both the
page and the CSV show, so the download is exactly what is on the screen. Bad input never
fails: unknown codes, duplicates, too many or too few, countries mixed with roadmaps are
each reported in ``CompareSelection.notes`` and the rest is compared.

Queries: a fixed number for a given URL, whatever the number of roadmaps, targets and
projects in the database (``tests/tracker/test_compare.py`` asserts it).
"""

import datetime
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, Prefetch
from django.http import QueryDict
from django.urls import reverse
from django_countries import countries

from ..models import IndustrialProject, Roadmap, Source, Target
from ..wording import DEMO_LABEL, NOT_RECORDED
from .countries import (
    TARGET_SOURCE_FIELDS,
    Named,
    badges_by_country,
    country_code_clean,
    country_name,
    net_zero_of,
    project_summaries_by_country,
    project_summary_of,
    roadmap_instruments,
    roadmap_sectors,
    target_country_expression,
    target_value_display,
    targets_of_countries_q,
)

MAX_COLUMNS = 4
MAX_TOKENS = 50  # values read from one query string; anything past it is not looked at
MAX_NAMED = 10  # unknown values named in a note
SLUG_SHAPE = re.compile(r"[-\w]{1,200}")


@dataclass(frozen=True)
class Note:
    level: str  # "info" or "warning"
    text: str


@dataclass(frozen=True)
class CompareSelection:
    mode: str  # "countries" or "roadmaps"
    keys: list[str]  # ISO codes or roadmap slugs: known, unique, at most four, in order given
    notes: list[Note]

    @property
    def query(self) -> str:
        """The canonical query string of this selection (without "?")."""
        param = "c" if self.mode == "countries" else "r"
        return urlencode([(param, key) for key in self.keys])

    def query_without(self, key: str) -> str:
        param = "c" if self.mode == "countries" else "r"
        return urlencode([(param, k) for k in self.keys if k != key])


def _tokens(data: QueryDict, name: str) -> list[str]:
    tokens = []
    for value in data.getlist(name):
        tokens.extend(t for t in re.split(r"[\s,;]+", value) if t)
    return tokens[:MAX_TOKENS]


def _quoted(values: Iterable[str]) -> str:
    values = list(values)
    shown = ", ".join(f"“{value[:40]}”" for value in values[:MAX_NAMED])
    if len(values) > MAX_NAMED:
        shown += f" and {len(values) - MAX_NAMED} more"
    return shown


# Codes people type that ISO 3166-1 does not use for the country they mean.
COUNTRY_CODE_ALIASES = {"UK": "GB", "EL": "GR"}


def _country_suggestion(token: str) -> str | None:
    """The ISO code ``token`` probably means: UK → GB, "Sweden" → SE; or None."""
    alias = COUNTRY_CODE_ALIASES.get(token.strip().upper())
    if alias:
        return alias
    if len(token) > 2:
        code = countries.by_name(token.strip()[:100])
        if isinstance(code, str) and code:
            return code
    return None


def _roadmap_suggestions(tokens: list[str]) -> dict[str, tuple[str, str]]:
    """token → (slug, title) of the roadmap a mistyped slug most likely means (one query,
    made only when a slug-shaped value is unknown)."""
    shaped = [t for t in tokens if SLUG_SHAPE.fullmatch(t)]
    if not shaped:
        return {}
    titles = dict(Roadmap.objects.values_list("slug", "title"))
    found = {}
    for token in shaped:
        close = difflib.get_close_matches(token.lower(), list(titles), n=1, cutoff=0.75)
        if close:
            found[token] = (close[0], titles[close[0]])
    return found


def _unknown_note(unknown: list[str], *, mode: str) -> Note:
    """ "“XX” is not a country code we know; ignored." — and what a value probably meant
    ("“UK” … did you mean GB (United Kingdom)?")."""
    if mode == "countries":
        what = ("a country code", "country codes")
        suggestions = {
            t: f"{code} ({country_name(code)})"
            for t in unknown[:MAX_NAMED]
            if (code := _country_suggestion(t))
        }
    else:
        what = ("a roadmap", "roadmaps")
        suggestions = {
            t: f"{slug} ({title})"
            for t, (slug, title) in _roadmap_suggestions(unknown[:MAX_NAMED]).items()
        }
    if len(unknown) == 1:
        text = f"{_quoted(unknown)} is not {what[0]} we know; ignored."
    else:
        text = f"{_quoted(unknown)} are not {what[1]} we know; ignored."
    for token, meant in suggestions.items():
        text += f" Did you mean {meant} for “{token[:40]}”?"
    return Note("warning", text)


def compare_selection(*, data: QueryDict) -> CompareSelection:
    """What the query string asks to compare, cleaned, with a note for each problem.

    One query in roadmap mode (to look the slugs up; one more to suggest what an unknown
    slug meant), none in country mode.
    """
    notes: list[Note] = []
    country_tokens = _tokens(data, "c")
    roadmap_tokens = _tokens(data, "r")
    if country_tokens and roadmap_tokens:
        notes.append(
            Note(
                "warning",
                "Countries and roadmaps cannot be compared with each other, so the countries "
                "are compared and the roadmaps are left out.",
            )
        )
    mode = "roadmaps" if roadmap_tokens and not country_tokens else "countries"
    noun = "countries" if mode == "countries" else "roadmaps"
    one = "country" if mode == "countries" else "roadmap"

    if mode == "countries":
        found = [(token, country_code_clean(token)) for token in country_tokens]
        names = {code: country_name(code) for _, code in found if code}
    else:
        # Only slug-shaped values are looked up (PostgreSQL refuses NUL bytes, for one).
        wanted = {token for token in roadmap_tokens if SLUG_SHAPE.fullmatch(token)}
        known = dict(Roadmap.objects.filter(slug__in=wanted).values_list("slug", "title"))
        found = [(token, token if token in known else None) for token in roadmap_tokens]
        names = known

    unknown = list(dict.fromkeys(token for token, key in found if key is None))
    if unknown:
        notes.append(_unknown_note(unknown, mode=mode))

    keys: list[str] = []
    repeated: list[str] = []
    for _, key in found:
        if key is None:
            continue
        if key in keys:
            if key not in repeated:
                repeated.append(key)
            continue
        keys.append(key)
    if repeated:
        notes.append(
            Note(
                "info",
                "Asked for more than once, so shown once: "
                + ", ".join(names[key] for key in repeated)
                + ".",
            )
        )

    if len(keys) > MAX_COLUMNS:
        left_out = keys[MAX_COLUMNS:]
        keys = keys[:MAX_COLUMNS]
        notes.append(
            Note(
                "warning",
                f"You can compare at most {MAX_COLUMNS} {noun} at once: the first "
                f"{MAX_COLUMNS} are compared and {len(left_out)} left out "
                f"({', '.join(names[key] for key in left_out[:MAX_NAMED])}"
                f"{' …' if len(left_out) > MAX_NAMED else ''}).",
            )
        )
    if not keys:
        notes.append(Note("info", f"Pick two to four {noun} to compare them side by side."))
    elif len(keys) == 1:
        notes.append(
            Note(
                "info",
                f"Pick at least one more {one} to compare with {names[keys[0]]}.",
            )
        )
    return CompareSelection(mode=mode, keys=keys, notes=notes)


# --- The table ---------------------------------------------------------------------------------


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


def _latest(values: Iterable[datetime.datetime | None]) -> datetime.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _target_item(target: Target) -> CellItem:
    parts = [f"{target.target_year}: {target.get_kind_display()}"]
    if value := target_value_display(target):
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
    items = [CellItem(str(net_zero))]
    if with_source and net_zero.cited:
        reviewed = f"; last reviewed {net_zero.reviewed_on}" if net_zero.reviewed_on else ""
        items.append(
            CellItem(f"Source: {net_zero.source}{reviewed}", _web_url(net_zero.source_url))
        )
    return items


def _web_url(url: str) -> str:
    """``url`` if it is a web address (a link is only ever http or https), else ""."""
    return url if url.lower().startswith(("https://", "http://")) else ""


@dataclass(frozen=True)
class Relations:
    """The sectors, instruments and sources of a set of roadmaps, by roadmap id: three
    queries of plain rows, however many roadmaps (no per-roadmap querysets)."""

    sectors: dict[int, list[Named]]
    instruments: dict[int, list[Named]]
    sources: dict[int, list[tuple[str, str]]]  # (title, url)


def _relations(roadmap_ids: list[int]) -> Relations:
    sources: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (
        Source.objects.filter(roadmap_id__in=roadmap_ids)
        .order_by("title", "pk")
        .values_list("roadmap_id", "title", "url")
    )
    for roadmap_id, title, url in rows:
        sources[roadmap_id].append((title, url))
    return Relations(
        sectors=roadmap_sectors(roadmap_ids),
        instruments=roadmap_instruments(roadmap_ids),
        sources=sources,
    )


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


def _project_items(summary) -> list[CellItem]:
    return [CellItem(str(status)) for status in summary.statuses]


def _date_item(value: datetime.datetime | None) -> list[CellItem]:
    return [CellItem(value.date().isoformat())] if value else []


def _current(roadmaps: Iterable[Roadmap]) -> list[Roadmap]:
    return [r for r in roadmaps if r.status != Roadmap.Status.SUPERSEDED]


def _compare_countries(selection: CompareSelection) -> Comparison:
    codes = selection.keys
    badges = badges_by_country(codes)
    # ``code``: the plain ISO code (the CountryField descriptor builds an object a read).
    # Invented demo roadmaps say nothing about a real country: left out of its column.
    roadmaps = list(
        Roadmap.objects.filter(country__in=codes, is_demo=False)
        .only("title", "slug", "country", "status", "document_url", "published_on", "updated_at")
        .annotate(code=F("country"))
        .order_by("-published_on", "title")
    )
    relations = _relations([r.pk for r in roadmaps])
    targets = list(
        Target.objects.filter(targets_of_countries_q(codes))
        .exclude(roadmap__is_demo=True)
        .annotate(code=target_country_expression())
        .select_related("sector", "roadmap")
        .only(
            "country",
            "sector",
            "sector__name",
            "sector__order",
            "kind",
            "base_year",
            "target_year",
            "value",
            "unit",
            "status",
            "end_target",
            "updated_at",
            "roadmap",
            "roadmap__status",
            "roadmap__country",
            *TARGET_SOURCE_FIELDS,
        )
    )
    projects = project_summaries_by_country(codes)

    by_country = {code: [r for r in roadmaps if r.code == code] for code in codes}
    targets_by_country = {code: [t for t in targets if t.code == code] for code in codes}
    summaries = {code: projects.get(code) for code in codes}

    def status_items(code: str) -> list[CellItem]:
        items = []
        for value, label in Roadmap.Status.choices:
            n = sum(1 for r in by_country[code] if r.status == value)
            if n:
                items.append(CellItem(f"{label}: {n} roadmap{'s' if n != 1 else ''}"))
        return items

    def cells(function) -> list[list[CellItem]]:
        return [function(code) for code in codes]

    rows = [
        CompareRow(
            "net_zero",
            "Net-zero year",
            cells(lambda c: _net_zero_items(targets_by_country[c], with_source=True)),
        ),
        CompareRow(
            "interim", "Interim targets", cells(lambda c: _interim_items(targets_by_country[c]))
        ),
        CompareRow(
            "sectors",
            "Sectors covered",
            cells(
                lambda c: _sector_items(_current(by_country[c]), targets_by_country[c], relations)
            ),
        ),
        CompareRow(
            "instruments",
            "Policy instruments",
            cells(lambda c: _instrument_items(_current(by_country[c]), relations)),
        ),
        CompareRow("status", "Roadmaps by status", cells(status_items)),
        CompareRow(
            "projects",
            "Industrial projects by status (capacity in thousand tonnes a year)",
            cells(lambda c: _project_items(summaries[c]) if summaries[c] else []),
        ),
        CompareRow(
            "sources",
            "Sources",
            cells(lambda c: _source_items(by_country[c], relations, targets_by_country[c])),
        ),
        CompareRow(
            "updated",
            "Last updated",
            cells(
                lambda c: _date_item(
                    _latest(
                        [r.updated_at for r in by_country[c]]
                        + [t.updated_at for t in targets_by_country[c]]
                        + [summaries[c].last_updated if summaries[c] else None]
                    )
                )
            ),
        ),
    ]
    columns = [
        CompareColumn(
            key=code,
            title=country_name(code),
            url=reverse("tracker:country", kwargs={"iso2": code}),
            subtitle=code,
            badges=badges[code].labels,
        )
        for code in codes
    ]
    choices = [
        RoadmapChoice(r.slug, r.title, country_name(r.code), False)
        for r in sorted(roadmaps, key=lambda r: (codes.index(r.code), r.title.casefold()))
    ]
    return Comparison(
        selection=selection,
        columns=columns,
        rows=rows,
        last_updated=_latest(
            [r.updated_at for r in roadmaps]
            + [t.updated_at for t in targets]
            + [s.last_updated for s in projects.values()]
        ),
        roadmap_choices=choices,
        has_projects=any(s.total for s in projects.values()),
    )


def _roadmap_place(roadmap: Roadmap) -> str:
    if roadmap.region_id:
        return roadmap.region.name
    if roadmap.country:
        return country_name(roadmap.country)
    if roadmap.is_demo:
        return DEMO_LABEL
    return "Global" if roadmap.scope == Roadmap.Scope.GLOBAL else ""


def _roadmap_projects(roadmap: Roadmap, sectors: list[Named]):
    """The projects a roadmap covers: in its country (or its region's countries; all for a
    global roadmap), in its sectors if it names any."""
    projects = IndustrialProject.objects.all()
    if roadmap.country:
        projects = projects.filter(country=roadmap.country)
    elif roadmap.region_id:
        projects = projects.filter(
            country__in=[str(m.country) for m in roadmap.region.memberships.all()]
        )
    elif roadmap.scope != Roadmap.Scope.GLOBAL:
        projects = projects.none()
    if sectors:
        projects = projects.filter(sector__in=[s.pk for s in sectors])
    return projects


def _compare_roadmaps(selection: CompareSelection) -> Comparison:
    slugs = selection.keys
    loaded = {
        r.slug: r
        for r in Roadmap.objects.filter(slug__in=slugs)
        .select_related("region", "superseded_by")
        .prefetch_related(
            "region__memberships",
            Prefetch("targets", queryset=Target.objects.select_related("sector", "roadmap")),
        )
    }
    roadmaps = [loaded[slug] for slug in slugs if slug in loaded]
    relations = _relations([r.pk for r in roadmaps])
    summaries = [
        project_summary_of(_roadmap_projects(r, relations.sectors.get(r.pk, [])))
        if roadmap_has_place(r)
        else None
        for r in roadmaps
    ]

    def cells(function) -> list[list[CellItem]]:
        return [function(r) for r in roadmaps]

    def status_items(roadmap: Roadmap) -> list[CellItem]:
        items = [CellItem(roadmap.get_status_display())]
        if roadmap.superseded_by_id:
            items.append(
                CellItem(
                    f"Superseded by {roadmap.superseded_by.title}",
                    roadmap.superseded_by.get_absolute_url(),
                )
            )
        return items

    def place_items(roadmap: Roadmap) -> list[CellItem]:
        place = _roadmap_place(roadmap)
        if roadmap.region_id:
            return [CellItem(f"{roadmap.get_scope_display()}: {place}")]
        if roadmap.country:
            url = reverse("tracker:country", kwargs={"iso2": roadmap.country.code})
            return [CellItem(f"{roadmap.get_scope_display()}: {place}", url)]
        return [CellItem(roadmap.get_scope_display())]

    def published_items(roadmap: Roadmap) -> list[CellItem]:
        text = roadmap.publisher
        if roadmap.published_on:
            text += f", {roadmap.published_on.isoformat()}"
        return [CellItem(text)] if text else []

    rows = [
        CompareRow("scope", "Scope and place", cells(place_items)),
        CompareRow("publisher", "Published by", cells(published_items)),
        CompareRow(
            "net_zero",
            "Net-zero year",
            cells(lambda r: _net_zero_items(list(r.targets.all()), include_demo=True)),
        ),
        CompareRow(
            "interim", "Interim targets", cells(lambda r: _interim_items(list(r.targets.all())))
        ),
        CompareRow(
            "sectors",
            "Sectors covered",
            cells(lambda r: _sector_items([r], r.targets.all(), relations)),
        ),
        CompareRow(
            "instruments", "Policy instruments", cells(lambda r: _instrument_items([r], relations))
        ),
        CompareRow("status", "Roadmap status", cells(status_items)),
        CompareRow(
            "projects",
            "Industrial projects in its country or region and sectors, by status "
            "(capacity in thousand tonnes a year)",
            [_project_items(s) if s else [] for s in summaries],
        ),
        CompareRow("sources", "Sources", cells(lambda r: _source_items([r], relations))),
        CompareRow(
            "updated",
            "Last updated",
            cells(
                lambda r: _date_item(
                    _latest([r.updated_at] + [t.updated_at for t in r.targets.all()])
                )
            ),
        ),
    ]
    columns = [
        CompareColumn(
            key=r.slug,
            title=r.title,
            url=r.get_absolute_url(),
            subtitle=" · ".join(
                filter(None, [f"{r.get_scope_display()} roadmap", _roadmap_place(r)])
            ),
            badges=[DEMO_LABEL] if r.is_demo else [],
            is_demo=r.is_demo,
        )
        for r in roadmaps
    ]
    all_roadmaps = (
        Roadmap.objects.order_by("title")
        .select_related("region")
        .only("slug", "title", "scope", "country", "region__name", "is_demo")
    )
    choices = [
        RoadmapChoice(r.slug, r.title, _roadmap_place(r), r.slug in slugs) for r in all_roadmaps
    ]
    return Comparison(
        selection=selection,
        columns=columns,
        rows=rows,
        last_updated=_latest(
            [r.updated_at for r in roadmaps]
            + [t.updated_at for r in roadmaps for t in r.targets.all()]
            + [s.last_updated for s in summaries if s]
        ),
        roadmap_choices=choices,
        has_projects=any(s and s.total for s in summaries),
    )


def roadmap_has_place(roadmap: Roadmap) -> bool:
    return bool(roadmap.country or roadmap.region_id or roadmap.scope == Roadmap.Scope.GLOBAL)


def comparison_load(*, selection: CompareSelection) -> Comparison:
    """The side-by-side table of ``selection`` (which may have fewer than two keys)."""
    if selection.mode == "roadmaps":
        return _compare_roadmaps(selection)
    return _compare_countries(selection)


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, name) of every country, by name, for the picker (no query)."""
    return [(code, str(name)) for code, name in countries]
