"""The country, profile and coverage pages' words and numbers: what the selectors read
(plain data: values, dates, decimals) as the pages and downloads print it (labels, "1,234.5
ttpa", "2045 (economy-wide, in law)", the status ladder's CSS classes). The comparison's
table is written in ``tracker/presentation/compare.py``."""

from dataclasses import dataclass
from decimal import Decimal

from ..models import STATUS_RANK, IndustrialProject, Roadmap, Target
from ..selectors.countries import Badges, CountryDirectory, CountryRow
from ..selectors.country_profile import ProfileRoadmap, ProfileTarget
from ..selectors.project_summaries import CapacityFigure, ProjectSummary, StatusSummary
from ..selectors.targets import NetZero

GEM_ATTRIBUTION = "Global Energy Monitor, Global Iron and Steel Tracker, March 2025 map release"
GEM_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

LADDER_STEPS = len(Target.Status.values)

ROADMAP_SCOPES = dict(Roadmap.Scope.choices)
ROADMAP_STATUSES = dict(Roadmap.Status.choices)
TARGET_KINDS = dict(Target.Kind.choices)
TARGET_STATUSES = dict(Target.Status.choices)
PROJECT_STATUSES = dict(IndustrialProject.Status.choices)


def label_of(labels: dict, value: str) -> str:
    """The label of the choice ``value`` (the value itself if it is not a choice)."""
    return str(labels.get(value, value))


# --- Numbers and targets -------------------------------------------------------------------


def format_number(value: Decimal | int | float) -> str:
    """1234.5 → "1,234.5", 2500.00 → "2,500"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def target_value_text(value: Decimal | None, unit: str) -> str:
    """ "63 %", "12.5 Mt", or "" for a target without a figure."""
    if value is None:
        return ""
    return f"{format_number(value)} {unit}".strip()


def target_years_text(base_year: int | None, target_year: int) -> str:
    if base_year:
        return f"{base_year} → {target_year}"
    return f"by {target_year}"


def ladder_classes(status: str) -> tuple[str, ...]:
    """The CSS classes of the status ladder's steps: reached up to ``status``'s rank."""
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


# --- Net-zero year, badges, projects --------------------------------------------------------


@dataclass(frozen=True)
class NetZeroShown:
    year: int
    scope: str  # "economy-wide", the sector's name, or "sectoral"
    status: str  # the status's label, or ""
    source: str
    source_url: str
    reviewed_on: str  # ISO date, or ""

    def __str__(self) -> str:
        """ "2045 (economy-wide, in law)"."""
        extra = self.scope + (f", {self.status.lower()}" if self.status else "")
        return f"{self.year} ({extra})"


def net_zero_shown(net_zero: NetZero | None) -> NetZeroShown | None:
    if net_zero is None:
        return None
    return NetZeroShown(
        year=net_zero.year,
        scope="economy-wide" if net_zero.economy_wide else (net_zero.sector or "sectoral"),
        status=label_of(TARGET_STATUSES, net_zero.status) if net_zero.status else "",
        source=net_zero.source,
        source_url=net_zero.source_url,
        reviewed_on=net_zero.reviewed_on,
    )


def badge_labels(badges: Badges) -> list[str]:
    """The badges as text: G20, LeadIT member."""
    return [
        label for on, label in ((badges.g20, "G20"), (badges.leadit_member, "LeadIT member")) if on
    ]


def capacity_text(figure: CapacityFigure) -> str:
    """ "1,500 ttpa crude steel"."""
    return f"{format_number(figure.value)} {figure.unit} {figure.product}".strip()


def status_summary_text(summary: StatusSummary) -> str:
    """ "Operating: 2 projects, 1,500 ttpa crude steel"."""
    label = label_of(PROJECT_STATUSES, summary.status)
    capacities = ", ".join(capacity_text(c) for c in summary.capacities)
    if not summary.projects:
        return f"{label}: {capacities} (capacity at plants of another status)"
    text = f"{label}: {summary.projects} project{'s' if summary.projects != 1 else ''}"
    return f"{text}, {capacities}" if capacities else text


@dataclass(frozen=True)
class StatusShown:
    label: str
    projects: int
    capacities: list[str]


@dataclass(frozen=True)
class ProjectSummaryShown:
    statuses: list[StatusShown]
    total: int


def project_summary_shown(summary: ProjectSummary) -> ProjectSummaryShown:
    return ProjectSummaryShown(
        statuses=[
            StatusShown(
                label=label_of(PROJECT_STATUSES, s.status),
                projects=s.projects,
                capacities=[capacity_text(c) for c in s.capacities],
            )
            for s in summary.statuses
        ],
        total=summary.total,
    )


# --- The country list ------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryShown:
    row: CountryRow
    net_zero: NetZeroShown | None


def country_list_rows(directory: CountryDirectory) -> list[CountryShown]:
    return [CountryShown(row, net_zero_shown(row.net_zero)) for row in directory.countries]


# --- A country's profile ----------------------------------------------------------------------


@dataclass(frozen=True)
class RoadmapShown:
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
    is_demo: bool


def profile_roadmap_shown(roadmap: ProfileRoadmap) -> RoadmapShown:
    published = roadmap.published_on
    return RoadmapShown(
        title=roadmap.title,
        url=roadmap.url,
        publisher=roadmap.publisher,
        scope=(
            f"Regional: {roadmap.region}"
            if roadmap.regional
            else label_of(ROADMAP_SCOPES, roadmap.scope)
        ),
        status=label_of(ROADMAP_STATUSES, roadmap.status),
        superseded=roadmap.superseded,
        successor_title=roadmap.successor_title,
        successor_url=roadmap.successor_url,
        sectors=", ".join(s.name for s in roadmap.sectors),
        published_on=published.isoformat() if published else "",
        published=published.strftime("%b %Y") if published else "",
        is_demo=roadmap.is_demo,
    )


@dataclass(frozen=True)
class TargetShown:
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
    source: str
    source_url: str
    reviewed_on: str  # ISO date, or ""
    is_demo: bool


def _interim_of_text(interim_of: tuple[str, int] | None) -> str:
    if interim_of is None:
        return ""
    kind, year = interim_of
    return f"the {year} {str(TARGET_KINDS.get(kind, '')).lower()} target"


def profile_target_shown(target: ProfileTarget) -> TargetShown:
    return TargetShown(
        sector=target.sector or "Economy-wide",
        kind=label_of(TARGET_KINDS, target.kind),
        description=target.description,
        interim_of=_interim_of_text(target.interim_of),
        years=target_years_text(target.base_year, target.target_year),
        value=target_value_text(target.value, target.unit),
        status=label_of(TARGET_STATUSES, target.status),
        rank=STATUS_RANK.get(target.status, -1) + 1,
        ladder=ladder_classes(target.status),
        roadmap_title=target.roadmap_title,
        roadmap_url=target.roadmap_url,
        roadmap_superseded=target.roadmap_superseded,
        source=target.source,
        source_url=target.source_url,
        reviewed_on=target.reviewed_on.isoformat() if target.reviewed_on else "",
        is_demo=target.is_demo,
    )
