"""Reads for the country pages: the country list (``/tracker/countries/``) and a country's
profile (``/tracker/countries/<iso2>/``). ``tracker/selectors/compare.py`` reuses the
helpers (net-zero year, project summaries, badges).

Every function here reads in a fixed number of queries, whatever the number of roadmaps,
targets or projects (``tests/tracker/test_countries.py`` asserts it).
"""

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Count, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import QueryDict
from django.urls import reverse
from django_countries import countries

from ..groups import derived_groups, group_countries
from ..models import (
    STATUS_RANK,
    CountryGroup,
    CountryGroupMembership,
    IndustrialProject,
    ProjectCapacity,
    Roadmap,
    Target,
)

G20_SLUG = "g20"
LEADIT_MEMBERS_SLUG = "leadit-members"
GEM_ATTRIBUTION = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release"
GEM_SOURCE_MARK = "Global Energy Monitor"

# --- Shared helpers ------------------------------------------------------------------------


def country_code_clean(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code ``value`` names (any case), or None if it names none."""
    code = (value or "").strip().upper()
    if len(code) == 2 and code.isalpha() and code in countries:
        return code
    return None


def country_name(code: str) -> str:
    return str(countries.name(code)) or code


def leadit_member_codes() -> set[str]:
    """The countries of active LeadIT country members (a group the members app derives)."""
    return group_countries(LEADIT_MEMBERS_SLUG) or set()


def target_country_expression():
    """A target belongs to its own country, or, if it has none, to its roadmap's."""
    return Coalesce(
        NullIf(F("country"), Value("")), F("roadmap__country"), output_field=CharField()
    )


def targets_of_countries_q(codes: Collection[str]) -> Q:
    return Q(country__in=codes) | Q(country="", roadmap__country__in=codes)


NET_ZERO_CURRENT = Q(kind=Target.Kind.NET_ZERO) & (
    Q(roadmap__isnull=True) | ~Q(roadmap__status=Roadmap.Status.SUPERSEDED)
)


@dataclass(frozen=True)
class NetZero:
    """A country's (or roadmap's) net-zero year: its earliest net-zero target, an
    economy-wide one preferred; targets of superseded roadmaps do not count."""

    year: int
    economy_wide: bool
    sector: str = ""
    status_label: str = ""
    source: str = ""  # "Publisher, Document (2021)", or the roadmap's title
    source_url: str = ""
    reviewed_on: str = ""  # ISO date the record was last reviewed, or ""
    cited: bool = False  # the target names its own source (not only its roadmap)

    @property
    def scope_label(self) -> str:
        if self.economy_wide:
            return "economy-wide"
        return self.sector or "sectoral"

    def __str__(self) -> str:
        extra = self.scope_label + (f", {self.status_label.lower()}" if self.status_label else "")
        return f"{self.year} ({extra})"


def net_zero_of(targets: Iterable[Target], *, include_demo: bool = False) -> NetZero | None:
    """The net-zero year among ``targets`` (loaded with their sector and roadmap): targets
    of superseded roadmaps do not count, nor (unless ``include_demo``: the targets of one
    demo roadmap, shown as its own) those of invented demo roadmaps."""
    candidates = [
        t
        for t in targets
        if t.kind == Target.Kind.NET_ZERO
        and (
            t.roadmap_id is None
            or (
                t.roadmap.status != Roadmap.Status.SUPERSEDED
                and (include_demo or not t.roadmap.is_demo)
            )
        )
    ]
    economy_wide = [t for t in candidates if t.sector_id is None]
    pool = economy_wide or candidates
    if not pool:
        return None
    best = min(pool, key=lambda t: (t.target_year, -STATUS_RANK.get(t.status, 0), t.pk))
    reviewed = best.last_reviewed_on or (best.roadmap.last_reviewed_on if best.roadmap_id else None)
    return NetZero(
        year=best.target_year,
        economy_wide=best.sector_id is None,
        sector=best.sector.name if best.sector_id else "",
        status_label=best.get_status_display(),
        source=best.source_citation or (best.roadmap.title if best.roadmap_id else ""),
        source_url=best.source_url or (best.roadmap.document_url if best.roadmap_id else ""),
        reviewed_on=reviewed.isoformat() if reviewed else "",
        cited=bool(best.source_citation),
    )


# What a target row needs to say where the target comes from (for ``only()``).
TARGET_SOURCE_FIELDS = (
    "source_publisher",
    "source_title",
    "source_year",
    "source_url",
    "last_reviewed_on",
    "roadmap__is_demo",
    "roadmap__title",
    "roadmap__document_url",
    "roadmap__last_reviewed_on",
)


def target_value_display(target: Target) -> str:
    if target.value is None:
        return ""
    return f"{format_number(target.value)} {target.unit}".strip()


def target_years_display(target: Target) -> str:
    if target.base_year:
        return f"{target.base_year} → {target.target_year}"
    return f"by {target.target_year}"


def format_number(value: Decimal | int | float) -> str:
    """1234.5 → "1,234.5", 2500.00 → "2,500"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


# --- Industrial projects by status -----------------------------------------------------------


@dataclass(frozen=True)
class CapacityFigure:
    product: str
    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{format_number(self.value)} {self.unit} {self.product}".strip()


@dataclass(frozen=True)
class StatusSummary:
    status: str
    label: str
    projects: int  # projects whose plant status is this one
    capacities: list[CapacityFigure]  # capacity figures whose own status is this one

    def __str__(self) -> str:
        capacities = ", ".join(str(c) for c in self.capacities)
        if not self.projects:
            return f"{self.label}: {capacities} (capacity at plants of another status)"
        text = f"{self.label}: {self.projects} project{'s' if self.projects != 1 else ''}"
        return f"{text}, {capacities}" if capacities else text


@dataclass(frozen=True)
class ProjectSummary:
    statuses: list[StatusSummary] = field(default_factory=list)
    total: int = 0
    last_updated: datetime.datetime | None = None
    from_gem: bool = False


def _project_summaries(project_rows, capacity_rows) -> dict[object, ProjectSummary]:
    """``project_rows``: (key, status, count, last updated, GEM count);
    ``capacity_rows``: (key, status, product, unit, total)."""
    counts: dict[object, dict[str, int]] = defaultdict(dict)
    last: dict[object, datetime.datetime] = {}
    gem: dict[object, bool] = defaultdict(bool)
    for key, status, n, updated, from_gem in project_rows:
        counts[key][status] = n
        if updated and (key not in last or updated > last[key]):
            last[key] = updated
        gem[key] = gem[key] or bool(from_gem)
    capacities: dict[object, dict[str, list[CapacityFigure]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for key, status, product, unit, total in capacity_rows:
        capacities[key][status].append(CapacityFigure(product=product, value=total, unit=unit))
    summaries = {}
    for key in set(counts) | set(capacities):
        statuses = [
            StatusSummary(
                status=value,
                label=str(label),
                projects=counts[key].get(value, 0),
                capacities=sorted(capacities[key].get(value, []), key=lambda c: c.product),
            )
            for value, label in IndustrialProject.Status.choices
            if value in counts[key] or value in capacities[key]
        ]
        summaries[key] = ProjectSummary(
            statuses=statuses,
            total=sum(counts[key].values()),
            last_updated=last.get(key),
            from_gem=gem[key],
        )
    return summaries


def project_summaries_by_country(codes: Collection[str]) -> dict[str, ProjectSummary]:
    """Each country's projects by status, with capacity totals (two queries)."""
    project_rows = (
        IndustrialProject.objects.filter(country__in=codes)
        .order_by()
        .values_list("country", "status")
        .annotate(
            n=Count("pk"),
            last=Max("updated_at"),
            gem=Count("pk", filter=Q(source__icontains=GEM_SOURCE_MARK)),
        )
    )
    capacity_rows = (
        ProjectCapacity.objects.filter(project__country__in=codes)
        .order_by()
        .values_list("project__country", "status", "product", "unit")
        .annotate(total=Sum("value"))
    )
    return _project_summaries(project_rows, capacity_rows)


def project_summary_of(projects) -> ProjectSummary:
    """One summary of the projects in the queryset ``projects`` (two queries)."""
    ids = projects.values("pk")
    project_rows = (
        IndustrialProject.objects.filter(pk__in=ids)
        .order_by()
        .values_list("status")
        .annotate(
            n=Count("pk"),
            last=Max("updated_at"),
            gem=Count("pk", filter=Q(source__icontains=GEM_SOURCE_MARK)),
        )
    )
    capacity_rows = (
        ProjectCapacity.objects.filter(project__in=ids)
        .order_by()
        .values_list("status", "product", "unit")
        .annotate(total=Sum("value"))
    )
    summaries = _project_summaries(
        ((None, *row) for row in project_rows), ((None, *row) for row in capacity_rows)
    )
    return summaries.get(None, ProjectSummary())


# --- Group memberships (badges) ---------------------------------------------------------------


@dataclass(frozen=True)
class Badges:
    g20: bool = False
    leadit_member: bool = False
    groups: tuple[CountryGroup, ...] = ()  # other groups (kind "group"), by name
    regions: tuple[CountryGroup, ...] = ()

    @property
    def labels(self) -> list[str]:
        """The badges as text: G20, LeadIT member."""
        return [
            label for on, label in ((self.g20, "G20"), (self.leadit_member, "LeadIT member")) if on
        ]


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
    sort: str
    sort_options: list[FilterOption]
    active: list[tuple[str, str, str]]  # (parameter, label, value shown)
    ignored: list[tuple[str, str, str]]  # (parameter, label, value given)
    last_updated: datetime.datetime | None
    has_projects: bool


def _latest(*values: datetime.datetime | None) -> datetime.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def country_directory(*, data: QueryDict) -> CountryDirectory:
    """Every country with roadmaps, targets or projects, or in the G20 or a LeadIT member,
    filtered by ``?group=<slug>`` and ``?region=<slug>``, sorted by ``?sort=``.

    Unknown filter values are ignored and reported in ``ignored``. Seven queries.
    """
    roadmap_rows = (
        Roadmap.objects.factual()
        .exclude(country="")
        .order_by()
        .values_list("country")
        .annotate(n=Count("pk"), last=Max("updated_at"))
    )
    roadmap_counts = {code: n for code, n, _ in roadmap_rows}
    roadmaps_updated = _latest(*(last for _, _, last in roadmap_rows))

    target_rows = (
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
    target_counts = {}
    net_zero = {}
    targets_updated = None
    for code, n, last, nz_economy, nz_any in target_rows:
        target_counts[code] = n
        targets_updated = _latest(targets_updated, last)
        if nz_economy or nz_any:
            net_zero[code] = NetZero(year=nz_economy or nz_any, economy_wide=bool(nz_economy))

    project_rows = (
        IndustrialProject.objects.order_by()
        .values_list("country")
        .annotate(n=Count("pk"), last=Max("updated_at"))
    )
    project_counts = {code: n for code, n, _ in project_rows}
    projects_updated = _latest(*(last for _, _, last in project_rows))

    badges = badges_by_country()  # two queries
    codes = (
        set(roadmap_counts)
        | set(target_counts)
        | set(project_counts)
        | {code for code, b in badges.items() if b.g20 or b.leadit_member}
    )
    codes = {code for code in codes if code in countries}

    # Filters: ?group= (data groups and derived ones) and ?region=.
    all_groups = list(CountryGroup.objects.order_by("name"))
    group_choices = [(g.slug, g.name) for g in all_groups if g.kind == CountryGroup.Kind.GROUP]
    group_choices += [(g.slug, g.name) for g in derived_groups()]
    region_choices = [(g.slug, g.name) for g in all_groups if g.kind == CountryGroup.Kind.REGION]

    def members_of(slug: str) -> set[str]:
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

    active, ignored = [], []
    chosen: dict[str, str] = {}
    for name, label, choices in (
        ("group", "Country group", group_choices),
        ("region", "Region", region_choices),
    ):
        value = (data.get(name) or "").strip()
        if not value:
            continue
        names = dict(choices)
        if value in names:
            chosen[name] = value
            active.append((name, label, names[value]))
        else:
            ignored.append((name, label, value[:100]))

    sort = (data.get("sort") or "").strip()
    if sort and sort not in SORTS:
        ignored.append(("sort", "Sort", sort[:100]))
        sort = ""
    sort = sort or "name"

    group_sets = {name: members_of(slug) for name, slug in chosen.items()}

    def filtered(without: str | None = None) -> set[str]:
        result = set(codes)
        for name, members in group_sets.items():
            if name != without:
                result &= members
        return result

    def options(name: str, choices: list[tuple[str, str]]) -> list[FilterOption]:
        base = filtered(without=name)
        return [
            FilterOption(slug, label, len(base & members_of(slug)), chosen.get(name) == slug)
            for slug, label in choices
        ]

    rows = [
        CountryRow(
            code=code,
            name=country_name(code),
            roadmaps=roadmap_counts.get(code, 0),
            targets=target_counts.get(code, 0),
            projects=project_counts.get(code, 0),
            net_zero=net_zero.get(code),
            badges=badges.get(code, Badges()),
        )
        for code in filtered()
    ]
    rows.sort(key=lambda row: row.name.casefold())
    if sort == "net_zero":
        rows.sort(key=lambda row: (row.net_zero is None, row.net_zero.year if row.net_zero else 0))
    elif sort == "roadmaps":
        rows.sort(key=lambda row: -row.roadmaps)

    return CountryDirectory(
        countries=rows,
        group_options=options("group", group_choices),
        region_options=options("region", region_choices),
        sort=sort,
        sort_options=[FilterOption(k, v, 0, k == sort) for k, v in SORTS.items()],
        active=active,
        ignored=ignored,
        last_updated=_latest(roadmaps_updated, targets_updated, projects_updated),
        has_projects=bool(project_counts),
    )


# --- One country's profile: /tracker/countries/<iso2>/ -----------------------------------------

SCOPE_ORDER = {
    Roadmap.Scope.NATIONAL: 0,
    Roadmap.Scope.SECTORAL: 1,
    Roadmap.Scope.COMPANY: 2,
    Roadmap.Scope.REGIONAL: 3,
    Roadmap.Scope.GLOBAL: 4,
}


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
    """Each roadmap's sectors, in sector order (one query, no per-roadmap querysets)."""
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
    rows = (
        Roadmap.instruments.through.objects.filter(roadmap_id__in=roadmap_ids)
        .order_by("policyinstrument__name")
        .values_list("roadmap_id", "policyinstrument_id", "policyinstrument__name")
    )
    instruments: dict[int, list[Named]] = defaultdict(list)
    for roadmap_id, pk, name in rows:
        instruments[roadmap_id].append(Named(pk, name))
    return instruments


@dataclass(frozen=True)
class ProfileRoadmap:
    title: str
    url: str
    publisher: str
    scope: str  # "National", …, or "Regional: European Union"
    status: str
    superseded: bool
    successor_title: str
    successor_url: str
    sectors: str
    published_on: str  # ISO date, or ""
    published: str  # "Mar 2021", or ""
    regional: bool  # a regional roadmap of a group the country is in
    is_demo: bool = False  # an invented demo record


@dataclass(frozen=True)
class ProfileTarget:
    sector: str  # "Economy-wide" if none
    kind: str
    description: str
    interim_of: str  # "the 2045 net zero target", for an interim target
    years: str
    value: str
    status: str
    rank: int  # 1 (proposed) … 5 (achieved)
    ladder: tuple[str, ...]  # the CSS classes of the ladder's steps
    roadmap_title: str
    roadmap_url: str
    roadmap_superseded: bool
    source: str = ""  # "Publisher, Document (2021)" of a target with its own source
    source_url: str = ""
    reviewed_on: str = ""  # ISO date, or ""
    is_demo: bool = False  # a target of an invented demo roadmap


LADDER_STEPS = len(Target.Status.values)


def _ladder_classes(status: str) -> tuple[str, ...]:
    rank = STATUS_RANK.get(status, -1)
    classes = []
    for index in range(LADDER_STEPS):
        css = "ladder__step"
        if index <= rank:
            css += " ladder__step--reached"
        if index == rank:
            css += " ladder__step--current"
        classes.append(css)
    return tuple(classes)


@dataclass(frozen=True)
class CountryProfile:
    code: str
    name: str
    badges: Badges
    roadmaps: list[ProfileRoadmap]
    targets: list[ProfileTarget]
    net_zero: NetZero | None
    projects: ProjectSummary
    last_updated: datetime.datetime | None
    ladder_steps: int = LADDER_STEPS

    @property
    def has_data(self) -> bool:
        return bool(self.roadmaps or self.targets or self.projects.total)

    @property
    def demo_roadmap_count(self) -> int:
        return sum(1 for r in self.roadmaps if r.is_demo)

    @property
    def own_roadmap_count(self) -> int:
        return sum(1 for r in self.roadmaps if not r.regional)

    @property
    def regional_roadmap_count(self) -> int:
        return sum(1 for r in self.roadmaps if r.regional)


def country_profile_load(*, code: str) -> CountryProfile:
    """Everything the profile of the country ``code`` (a valid ISO code) shows, in a fixed
    number of queries (eight). Rows are plain data, ready to show: a country can have
    hundreds of roadmaps and targets, and the template then only prints."""
    badges = badges_by_country([code])[code]
    regional = CountryGroupMembership.objects.filter(country=code).values("group")
    roadmaps = list(
        Roadmap.objects.filter(
            Q(country=code) | Q(scope=Roadmap.Scope.REGIONAL, region__in=regional)
        )
        .select_related("region", "superseded_by")
        .annotate(code=F("country"))
        .only(
            "title",
            "slug",
            "scope",
            "country",
            "region",
            "region__name",
            "publisher",
            "published_on",
            "status",
            "superseded_by",
            "superseded_by__title",
            "superseded_by__slug",
            "is_demo",
            "updated_at",
        )
    )

    def via_region(roadmap: Roadmap) -> bool:
        return roadmap.scope == Roadmap.Scope.REGIONAL and roadmap.code != code

    roadmaps.sort(
        key=lambda r: (
            r.status == Roadmap.Status.SUPERSEDED,
            via_region(r),
            SCOPE_ORDER.get(r.scope, 9),
            -(r.published_on.toordinal() if r.published_on else 0),
            r.title.casefold(),
        )
    )
    sectors = roadmap_sectors([r.pk for r in roadmaps])
    prefix = roadmap_url_prefix()
    scopes = dict(Roadmap.Scope.choices)
    statuses = dict(Roadmap.Status.choices)
    rows = [
        ProfileRoadmap(
            title=r.title,
            url=f"{prefix}{r.slug}/",
            publisher=r.publisher,
            scope=f"Regional: {r.region.name}" if via_region(r) else str(scopes[r.scope]),
            status=str(statuses.get(r.status, r.status)),
            superseded=r.status == Roadmap.Status.SUPERSEDED,
            successor_title=r.superseded_by.title if r.superseded_by_id else "",
            successor_url=f"{prefix}{r.superseded_by.slug}/" if r.superseded_by_id else "",
            sectors=", ".join(s.name for s in sectors.get(r.pk, [])),
            published_on=r.published_on.isoformat() if r.published_on else "",
            published=r.published_on.strftime("%b %Y") if r.published_on else "",
            regional=via_region(r),
            is_demo=r.is_demo,
        )
        for r in roadmaps
    ]

    targets = list(
        Target.objects.filter(targets_of_countries_q([code]))
        .select_related("sector", "roadmap", "end_target")
        .only(
            "country",
            "sector",
            "sector__name",
            "sector__order",
            "kind",
            "description",
            "base_year",
            "target_year",
            "value",
            "unit",
            "status",
            "end_target",
            "end_target__kind",
            "end_target__target_year",
            "roadmap",
            "roadmap__title",
            "roadmap__slug",
            "roadmap__status",
            "roadmap__country",
            *TARGET_SOURCE_FIELDS,
            "updated_at",
        )
    )
    targets.sort(
        key=lambda t: (
            t.target_year,
            t.sector_id is not None,
            t.sector.order if t.sector_id else 0,
            t.pk,
        )
    )
    kinds = dict(Target.Kind.choices)
    target_statuses = dict(Target.Status.choices)
    target_rows = [
        ProfileTarget(
            sector=t.sector.name if t.sector_id else "Economy-wide",
            kind=str(kinds.get(t.kind, t.kind)),
            description=t.description,
            interim_of=(
                f"the {t.end_target.target_year} "
                f"{str(kinds.get(t.end_target.kind, '')).lower()} target"
                if t.end_target_id
                else ""
            ),
            years=target_years_display(t),
            value=target_value_display(t),
            status=str(target_statuses.get(t.status, t.status)),
            rank=STATUS_RANK.get(t.status, -1) + 1,
            ladder=_ladder_classes(t.status),
            roadmap_title=t.roadmap.title if t.roadmap_id else "",
            roadmap_url=f"{prefix}{t.roadmap.slug}/" if t.roadmap_id else "",
            roadmap_superseded=bool(t.roadmap_id and t.roadmap.status == Roadmap.Status.SUPERSEDED),
            source=t.source_citation,
            source_url=t.source_url,
            reviewed_on=t.last_reviewed_on.isoformat() if t.last_reviewed_on else "",
            is_demo=bool(t.roadmap_id and t.roadmap.is_demo),
        )
        for t in targets
    ]
    projects = project_summaries_by_country([code]).get(code, ProjectSummary())
    return CountryProfile(
        code=code,
        name=country_name(code),
        badges=badges,
        roadmaps=rows,
        targets=target_rows,
        net_zero=net_zero_of(targets),
        projects=projects,
        last_updated=_latest(
            *(r.updated_at for r in roadmaps),
            *(t.updated_at for t in targets),
            projects.last_updated,
        ),
    )
