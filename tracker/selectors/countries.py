"""Reads for the country list (``/tracker/countries/``) and the countries' badges (G20,
LeadIT member, groups, regions) that the profile and the comparison show too. The profile
is read in ``country_profile.py``; labels and numbers as text in ``tracker/presentation/``.

Every function here reads in a fixed number of queries, whatever the number of roadmaps,
targets or projects (``tests/tracker/test_countries.py`` asserts it).
"""

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q
from django.http import QueryDict
from django.urls import reverse
from django_countries import countries

from leadit.countries import country_name
from leadit.filtering import (
    UNKNOWN_CHOICE,
    ActiveFilter,
    IgnoredFilter,
    read_choice_filters,
)

from ..groups import derived_groups, group_countries
from ..models import CountryGroup, CountryGroupMembership, IndustrialProject, Roadmap, Target
from .targets import NET_ZERO_CURRENT, NetZero, target_country_expression

G20_SLUG = "g20"
LEADIT_MEMBERS_SLUG = "leadit-members"


def latest(values: Iterable[datetime.datetime | None]) -> datetime.datetime | None:
    """The latest of ``values`` that is not None, or None."""
    return max((value for value in values if value is not None), default=None)


def leadit_member_codes() -> set[str]:
    """The countries of active LeadIT country members (a group the members app derives)."""
    return group_countries(LEADIT_MEMBERS_SLUG) or set()


# --- Group memberships (badges) ---------------------------------------------------------------


@dataclass(frozen=True)
class Badges:
    g20: bool = False
    leadit_member: bool = False
    groups: tuple[CountryGroup, ...] = ()  # other groups (kind "group"), by name
    regions: tuple[CountryGroup, ...] = ()


def badges_by_country(codes: Collection[str] | None = None) -> dict[str, Badges]:
    """Badges of ``codes`` (every country with any if None): two queries."""
    memberships = CountryGroupMembership.objects.select_related("group").order_by("group__name")
    if codes is not None:
        memberships = memberships.filter(country__in=codes)
    members = leadit_member_codes()
    by_country: dict[str, list[CountryGroup]] = defaultdict(list)
    for membership in memberships:
        by_country[str(membership.country)].append(membership.group)
    wanted = set(by_country) | members if codes is None else set(codes)
    badges = {}
    for code in wanted:
        groups = by_country.get(code, [])
        badges[code] = Badges(
            g20=any(g.slug == G20_SLUG for g in groups),
            leadit_member=code in members,
            groups=tuple(
                g for g in groups if g.kind == CountryGroup.Kind.GROUP and g.slug != G20_SLUG
            ),
            regions=tuple(g for g in groups if g.kind == CountryGroup.Kind.REGION),
        )
    return badges


# --- The country list: /tracker/countries/ -----------------------------------------------------


@dataclass(frozen=True)
class CountryRow:
    code: str
    name: str
    roadmaps: int
    targets: int
    projects: int
    net_zero: NetZero | None
    badges: Badges

    @property
    def url(self) -> str:
        return reverse("tracker:country", kwargs={"iso2": self.code})


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str
    count: int
    selected: bool


# The sort orders, labelled as the list's filters are (as a FilterSet labels its filters).
SORTS = {
    "name": "Name",
    "net_zero": "Net-zero year (earliest first)",
    "roadmaps": "Number of roadmaps (most first)",
}


@dataclass(frozen=True)
class CountryDirectory:
    countries: list[CountryRow]
    group_options: list[FilterOption]
    region_options: list[FilterOption]
    sort: str  # one of SORTS
    sort_options: list[FilterOption]
    active: list[ActiveFilter]
    ignored: list[IgnoredFilter]
    last_updated: datetime.datetime | None
    has_projects: bool


@dataclass(frozen=True)
class CountryCounts:
    """What the list counts per country, and when each kind of record last changed."""

    roadmaps: dict[str, int]
    targets: dict[str, int]
    projects: dict[str, int]
    net_zero: dict[str, NetZero]
    last_updated: datetime.datetime | None


def _roadmap_counts() -> tuple[dict[str, int], datetime.datetime | None]:
    rows = (
        Roadmap.objects.factual()
        .exclude(country="")
        .order_by()
        .values_list("country")
        .annotate(n=Count("pk"), last=Max("updated_at"))
    )
    return {code: n for code, n, _ in rows}, latest(last for _, _, last in rows)


def _target_counts() -> tuple[dict[str, int], dict[str, NetZero], datetime.datetime | None]:
    """Targets per country and each country's net-zero year (an economy-wide one first)."""
    rows = (
        Target.objects.exclude(roadmap__is_demo=True)
        .annotate(cc=target_country_expression())
        .exclude(cc="")
        .exclude(cc__isnull=True)
        .order_by()
        .values_list("cc")
        .annotate(
            n=Count("pk"),
            last=Max("updated_at"),
            nz_economy=Min("target_year", filter=NET_ZERO_CURRENT & Q(sector__isnull=True)),
            nz_any=Min("target_year", filter=NET_ZERO_CURRENT),
        )
    )
    counts, net_zero = {}, {}
    for code, n, _, nz_economy, nz_any in rows:
        counts[code] = n
        if nz_economy or nz_any:
            net_zero[code] = NetZero(year=nz_economy or nz_any, economy_wide=bool(nz_economy))
    return counts, net_zero, latest(last for _, _, last, _, _ in rows)


def _project_counts() -> tuple[dict[str, int], datetime.datetime | None]:
    rows = (
        IndustrialProject.objects.order_by()
        .values_list("country")
        .annotate(n=Count("pk"), last=Max("updated_at"))
    )
    return {code: n for code, n, _ in rows}, latest(last for _, _, last in rows)


def _country_counts() -> CountryCounts:
    """Three grouped queries, one per kind of record."""
    roadmaps, roadmaps_updated = _roadmap_counts()
    targets, net_zero, targets_updated = _target_counts()
    projects, projects_updated = _project_counts()
    return CountryCounts(
        roadmaps=roadmaps,
        targets=targets,
        projects=projects,
        net_zero=net_zero,
        last_updated=latest([roadmaps_updated, targets_updated, projects_updated]),
    )


def _group_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(slug, name) of the groups (data groups and derived ones) and of the regions."""
    all_groups = list(CountryGroup.objects.order_by("name"))
    groups = [(g.slug, g.name) for g in all_groups if g.kind == CountryGroup.Kind.GROUP]
    groups += [(g.slug, g.name) for g in derived_groups()]
    regions = [(g.slug, g.name) for g in all_groups if g.kind == CountryGroup.Kind.REGION]
    return groups, regions


def _members_of(slug: str, badges: dict[str, Badges]) -> set[str]:
    """The countries of the group or region ``slug``, from the badges already read."""
    if slug == LEADIT_MEMBERS_SLUG:
        return {code for code, b in badges.items() if b.leadit_member}
    for derived in derived_groups():
        if derived.slug == slug:
            return set(derived.countries())
    return {
        code
        for code, b in badges.items()
        if any(g.slug == slug for g in (*b.groups, *b.regions)) or (slug == G20_SLUG and b.g20)
    }


def _read_sort(data: QueryDict) -> tuple[str, list[IgnoredFilter]]:
    sort = (data.get("sort") or "").strip()
    if sort and sort not in SORTS:
        return "name", [IgnoredFilter("sort", "Sort", sort, UNKNOWN_CHOICE)]
    return sort or "name", []


def _shortened(ignored: list[IgnoredFilter]) -> list[IgnoredFilter]:
    """A value given is shown back at most 100 characters long."""
    return [note._replace(given=note.given[:100]) for note in ignored]


def _sorted_rows(
    codes: Iterable[str], counts: CountryCounts, badges: dict[str, Badges], sort: str
) -> list[CountryRow]:
    rows = [
        CountryRow(
            code=code,
            name=country_name(code),
            roadmaps=counts.roadmaps.get(code, 0),
            targets=counts.targets.get(code, 0),
            projects=counts.projects.get(code, 0),
            net_zero=counts.net_zero.get(code),
            badges=badges.get(code, Badges()),
        )
        for code in codes
    ]
    rows.sort(key=lambda row: row.name.casefold())
    if sort == "net_zero":
        rows.sort(key=lambda row: (row.net_zero is None, row.net_zero.year if row.net_zero else 0))
    elif sort == "roadmaps":
        rows.sort(key=lambda row: -row.roadmaps)
    return rows


def _listed_codes(counts: CountryCounts, badges: dict[str, Badges]) -> set[str]:
    """Countries with roadmaps, targets or projects, and every G20 and LeadIT member one."""
    codes = (
        set(counts.roadmaps)
        | set(counts.targets)
        | set(counts.projects)
        | {code for code, b in badges.items() if b.g20 or b.leadit_member}
    )
    return {code for code in codes if code in countries}


def country_directory(*, data: QueryDict) -> CountryDirectory:
    """Every country with roadmaps, targets or projects, or in the G20 or a LeadIT member,
    filtered by ``?group=<slug>`` and ``?region=<slug>``, sorted by ``?sort=``.

    Unknown filter values are ignored and reported in ``ignored``. Seven queries.
    """
    counts = _country_counts()
    badges = badges_by_country()  # two queries
    codes = _listed_codes(counts, badges)
    group_choices, region_choices = _group_choices()
    chosen, active, ignored = read_choice_filters(
        data, [("group", "Country group", group_choices), ("region", "Region", region_choices)]
    )
    sort, ignored_sort = _read_sort(data)
    group_sets = {name: _members_of(slug, badges) for name, slug in chosen.items()}

    def filtered(without: str | None = None) -> set[str]:
        result = set(codes)
        for name, members in group_sets.items():
            if name != without:
                result &= members
        return result

    def options(name: str, choices: list[tuple[str, str]]) -> list[FilterOption]:
        base = filtered(without=name)
        return [
            FilterOption(
                slug, label, len(base & _members_of(slug, badges)), chosen.get(name) == slug
            )
            for slug, label in choices
        ]

    return CountryDirectory(
        countries=_sorted_rows(filtered(), counts, badges, sort),
        group_options=options("group", group_choices),
        region_options=options("region", region_choices),
        sort=sort,
        sort_options=[FilterOption(k, v, 0, k == sort) for k, v in SORTS.items()],
        active=active,
        ignored=_shortened(ignored + ignored_sort),
        last_updated=counts.last_updated,
        has_projects=bool(counts.projects),
    )
