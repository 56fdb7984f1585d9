"""Reads for the comparison page ``/tracker/compare/`` and its CSV ``/tracker/compare.csv``:
2–4 countries (``?c=SE&c=IN``) or 2–4 roadmaps (``?r=<slug>&r=<slug>``) side by side.

``compare_selection`` reads what the query string asks for; bad input never fails:
unknown codes, duplicates, too many or too few, countries mixed with roadmaps are each
reported in ``CompareSelection.notes`` and the rest is compared. ``comparison_load`` reads
what each column needs; ``tracker/presentation/compare.py`` writes the one table
(rows × columns) that both the page and the CSV show.

Queries: a fixed number for a given URL, whatever the number of roadmaps, targets and
projects in the database (``tests/tracker/test_compare.py`` asserts it).
"""

import datetime
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import F, Prefetch
from django.http import QueryDict
from django_countries import countries

from leadit.countries import country_code_clean, country_name

from ..models import IndustrialProject, Roadmap, Target
from .countries import Badges, badges_by_country, latest
from .project_summaries import ProjectSummary, project_summaries_by_country, project_summary_of
from .roadmap_relations import Named, Relations, roadmap_relations
from .targets import (
    TARGET_ROW_FIELDS,
    TARGET_SOURCE_FIELDS,
    target_country_expression,
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


def _found_keys(mode: str, tokens: list[str]) -> tuple[list[tuple[str, str | None]], dict]:
    """(token, key or None) of each token, and each key's name. One query in roadmap mode,
    none in country mode."""
    if mode == "countries":
        found = [(token, country_code_clean(token)) for token in tokens]
        return found, {code: country_name(code) for _, code in found if code}
    # Only slug-shaped values are looked up (PostgreSQL refuses NUL bytes, for one).
    wanted = {token for token in tokens if SLUG_SHAPE.fullmatch(token)}
    known = dict(Roadmap.objects.filter(slug__in=wanted).values_list("slug", "title"))
    return [(token, token if token in known else None) for token in tokens], known


def _unique_keys(found: list[tuple[str, str | None]]) -> tuple[list[str], list[str]]:
    """The known keys once each, in the order given, and those asked for more than once."""
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
    return keys, repeated


def _count_notes(keys: list[str], names: dict, mode: str) -> tuple[list[str], list[Note]]:
    """At most MAX_COLUMNS keys, with a note on those left out or on too few."""
    noun = "countries" if mode == "countries" else "roadmaps"
    one = "country" if mode == "countries" else "roadmap"
    notes = []
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
            Note("info", f"Pick at least one more {one} to compare with {names[keys[0]]}.")
        )
    return keys, notes


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
    found, names = _found_keys(mode, country_tokens if mode == "countries" else roadmap_tokens)
    unknown = list(dict.fromkeys(token for token, key in found if key is None))
    if unknown:
        notes.append(_unknown_note(unknown, mode=mode))
    keys, repeated = _unique_keys(found)
    if repeated:
        notes.append(
            Note(
                "info",
                "Asked for more than once, so shown once: "
                + ", ".join(names[key] for key in repeated)
                + ".",
            )
        )
    keys, count_notes = _count_notes(keys, names, mode)
    return CompareSelection(mode=mode, keys=keys, notes=notes + count_notes)


# --- What each column needs ------------------------------------------------------------------


@dataclass(frozen=True)
class CountryColumn:
    code: str
    badges: Badges
    roadmaps: list[Roadmap]  # its real roadmaps (demo ones say nothing about a country)
    targets: list[Target]
    projects: ProjectSummary | None


@dataclass(frozen=True)
class RoadmapColumn:
    roadmap: Roadmap  # with its region (and the region's memberships) and its successor
    targets: list[Target]
    projects: ProjectSummary | None  # None for a roadmap without a place


@dataclass(frozen=True)
class ComparisonData:
    selection: CompareSelection
    countries: list[CountryColumn]  # in country mode
    roadmaps: list[RoadmapColumn]  # in roadmap mode
    relations: Relations
    choices: list[Roadmap]  # what the roadmap picker offers
    last_updated: datetime.datetime | None
    has_projects: bool


def _countries_roadmaps(codes: list[str]) -> list[Roadmap]:
    """``code``: the plain ISO code (the CountryField descriptor builds an object a read)."""
    return list(
        Roadmap.objects.filter(country__in=codes, is_demo=False)
        .only("title", "slug", "country", "status", "document_url", "published_on", "updated_at")
        .annotate(code=F("country"))
        .order_by("-published_on", "title")
    )


def _countries_targets(codes: list[str]) -> list[Target]:
    return list(
        Target.objects.filter(targets_of_countries_q(codes))
        .exclude(roadmap__is_demo=True)
        .annotate(code=target_country_expression())
        .select_related("sector", "roadmap")
        .only(
            *TARGET_ROW_FIELDS,
            "updated_at",
            "roadmap",
            "roadmap__status",
            "roadmap__country",
            *TARGET_SOURCE_FIELDS,
        )
    )


def _load_countries(selection: CompareSelection) -> ComparisonData:
    codes = selection.keys
    badges = badges_by_country(codes)
    roadmaps = _countries_roadmaps(codes)
    relations = roadmap_relations([r.pk for r in roadmaps])
    targets = _countries_targets(codes)
    projects = project_summaries_by_country(codes)
    columns = [
        CountryColumn(
            code=code,
            badges=badges[code],
            roadmaps=[r for r in roadmaps if r.code == code],
            targets=[t for t in targets if t.code == code],
            projects=projects.get(code),
        )
        for code in codes
    ]
    return ComparisonData(
        selection=selection,
        countries=columns,
        roadmaps=[],
        relations=relations,
        choices=sorted(roadmaps, key=lambda r: (codes.index(r.code), r.title.casefold())),
        last_updated=latest(
            [r.updated_at for r in roadmaps]
            + [t.updated_at for t in targets]
            + [s.last_updated for s in projects.values()]
        ),
        has_projects=any(s.total for s in projects.values()),
    )


def roadmap_has_place(roadmap: Roadmap) -> bool:
    return bool(roadmap.country or roadmap.region_id or roadmap.scope == Roadmap.Scope.GLOBAL)


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


def _load_roadmaps(selection: CompareSelection) -> ComparisonData:
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
    relations = roadmap_relations([r.pk for r in roadmaps])
    columns = [
        RoadmapColumn(
            roadmap=r,
            targets=list(r.targets.all()),
            projects=project_summary_of(_roadmap_projects(r, relations.sectors.get(r.pk, [])))
            if roadmap_has_place(r)
            else None,
        )
        for r in roadmaps
    ]
    choices = (
        Roadmap.objects.order_by("title")
        .select_related("region")
        .only("slug", "title", "scope", "country", "region__name", "is_demo")
    )
    return ComparisonData(
        selection=selection,
        countries=[],
        roadmaps=columns,
        relations=relations,
        choices=list(choices),
        last_updated=latest(
            [c.roadmap.updated_at for c in columns]
            + [t.updated_at for c in columns for t in c.targets]
            + [c.projects.last_updated for c in columns if c.projects]
        ),
        has_projects=any(c.projects and c.projects.total for c in columns),
    )


def comparison_load(*, selection: CompareSelection) -> ComparisonData:
    """What the side-by-side table of ``selection`` (which may have fewer than two keys)
    shows, column by column."""
    if selection.mode == "roadmaps":
        return _load_roadmaps(selection)
    return _load_countries(selection)


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, name) of every country, by name, for the picker (no query)."""
    return [(code, str(name)) for code, name in countries]
