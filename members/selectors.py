"""Non-trivial reads of the members app.

Sections: the public directory and the public profile (members/views/public.py); other
sections may follow below.

Public pages read in a constant number of queries, whatever the number of members,
commitments, updates or stories (``tests/members/test_public_pages.py`` asserts it).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import QueryDict
from django_countries import countries

from leadit.facets import Facet, FacetOption, choice_facet
from tracker.models import Roadmap, Sector

from .filters import PUBLIC_STATUS_CHOICES, MemberFilter
from .models import (
    Commitment,
    Contact,
    Member,
    MemberCommitment,
    Milestone,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
    ReportedCommitment,
)

# --- The public directory: /members/ ------------------------------------------------------


@dataclass(frozen=True)
class MemberDirectory:
    filterset: MemberFilter
    members: QuerySet[Member]  # filtered, ordered by name, with what a row shows prefetched
    facets: list[Facet]


def member_directory(*, data: QueryDict) -> MemberDirectory:
    """Public members filtered by ``data`` (the query string), with facet counts.

    Each facet counts, for each of its options, the members that would be listed with
    that option chosen and every *other* filter kept; one aggregate query per facet.
    """
    filterset = MemberFilter(data, queryset=Member.objects.public())
    members = filterset.qs.prefetch_related(
        "sectors",
        Prefetch(
            "pillar_engagements",
            queryset=PillarEngagement.objects.select_related("pillar").order_by("pillar__number"),
        ),
    )
    return MemberDirectory(
        filterset=filterset, members=members, facets=_directory_facets(filterset)
    )


def _in(filterset: MemberFilter, name: str, path: str = "pk") -> Q:
    """Matches rows whose ``path`` is a member listed with every filter but ``name``."""
    return Q(**{f"{path}__in": filterset.queryset_without(name).values("pk")})


def _choice_facet(
    filterset: MemberFilter, name: str, choices: list[tuple[str, str]], base: QuerySet
) -> Facet:
    counts = dict(
        base.order_by()
        .values_list(name)
        .annotate(n=Count("pk", filter=_in(filterset, name)))
        .values_list(name, "n")
    )
    return choice_facet(filterset, name, choices, counts)


def _directory_facets(filterset: MemberFilter) -> list[Facet]:
    public = Member.objects.public()
    facets = [
        _choice_facet(filterset, "kind", Member.Kind.choices, public),
    ]

    # Countries: only those of public members, by name.
    country_counts = dict(
        public.order_by()
        .values_list("country")
        .annotate(n=Count("pk", filter=_in(filterset, "country")))
        .values_list("country", "n")
    )
    selected = filterset.selected("country")
    country_options = [
        FacetOption(code, countries.name(code), n, code == selected)
        for code, n in country_counts.items()
    ]
    facets.append(
        Facet(
            "country",
            "Country",
            sorted(country_options, key=lambda option: option.label),
        )
    )

    sectors = Sector.objects.annotate(
        n=Count("members", filter=_in(filterset, "sector", "members"), distinct=True)
    )
    selected = filterset.selected("sector")
    facets.append(
        Facet(
            "sector",
            "Sector",
            [FacetOption(s.slug, s.name, s.n, s.slug == selected) for s in sectors],
        )
    )

    pillars = Pillar.objects.annotate(
        n=Count(
            "engagements__member",
            filter=_in(filterset, "pillar", "engagements__member"),
            distinct=True,
        )
    )
    selected = filterset.selected("pillar")
    facets.append(
        Facet(
            "pillar",
            "Pillar",
            [FacetOption(p.slug, str(p), p.n, p.slug == selected) for p in pillars],
        )
    )

    facets.append(
        _choice_facet(
            filterset,
            "economy_group",
            Member.EconomyGroup.choices,
            public.exclude(economy_group=""),
        )
    )
    facets.append(_choice_facet(filterset, "status", PUBLIC_STATUS_CHOICES, public))
    return facets


# --- One member's public profile: /members/<slug>/ ----------------------------------------


def _category_order(path: str) -> Case:
    """Support, engage, promote: the catalogue's order of categories, not the alphabet."""
    return Case(
        *(
            When(**{path: value}, then=Value(index))
            for index, value in enumerate(Commitment.Category.values)
        ),
        output_field=IntegerField(),
    )


COMMITMENT_CATEGORY_ORDER = _category_order("commitment__category")
REPORTED_CATEGORY_ORDER = _category_order("member_commitment__commitment__category")


@dataclass(frozen=True)
class CommitmentGroup:
    category: str
    label: str
    commitments: list[MemberCommitment]


def _profile_commitments(member: Member) -> list[MemberCommitment]:
    """The member's commitments to active catalogue entries, in the catalogue's order
    (category, then order): retired entries are no longer something a member shows."""
    return list(
        member.commitments.filter(commitment__is_active=True)
        .select_related("commitment")
        .order_by(COMMITMENT_CATEGORY_ORDER, "commitment__order", "commitment__pk")
    )


def _commitment_groups(commitments: list[MemberCommitment]) -> list[CommitmentGroup]:
    """``commitments`` grouped by category (Support / Engage / Promote), empty categories
    left out, so that the profile shows one heading per category it has. No query."""
    return [
        CommitmentGroup(
            category=value,
            label=label,
            commitments=[c for c in commitments if c.commitment.category == value],
        )
        for value, label in Commitment.Category.choices
        if any(c.commitment.category == value for c in commitments)
    ]


def _public_updates(member: Member) -> list[ProgressUpdate]:
    """The member's published updates, newest first, with their milestone, pillars and
    reported commitments loaded up front so that the page costs a fixed number of queries."""
    return list(
        member.progress_updates.published()
        .select_related("milestone")
        .prefetch_related(
            Prefetch("pillars", queryset=Pillar.objects.order_by("number")),
            Prefetch(
                "reported_commitments",
                queryset=ReportedCommitment.objects.select_related(
                    "member_commitment__commitment"
                ).order_by(
                    REPORTED_CATEGORY_ORDER,
                    "member_commitment__commitment__order",
                    "member_commitment__commitment__pk",
                ),
            ),
        )
        .order_by("-published_at", "-pk")
    )


def _public_contact(member: Member) -> Contact | None:
    """The primary contact, only if the member chose to make its contact details public
    (no query otherwise)."""
    return (
        Contact.objects.filter(member=member, is_primary=True).first()
        if member.contact_details_public
        else None
    )


def _country_roadmaps(member: Member) -> list[Roadmap]:
    """A country member's national roadmaps in the Tracker; other kinds of member have
    none, and cost no query."""
    return (
        list(
            Roadmap.objects.filter(country=member.country, scope=Roadmap.Scope.NATIONAL)
            .only("title", "slug", "status", "published_on")
            .order_by("-published_on", "title")
        )
        if member.kind == Member.Kind.COUNTRY
        else []
    )


def _last_updated(member: Member, commitments: list[MemberCommitment]) -> datetime.datetime:
    """The latest change to the member or to what its profile shows (commitments, public
    updates and stories, already loaded): the profile's "last updated". No query."""
    return max(
        [member.updated_at]
        + [c.updated_at for c in commitments]
        + [u.updated_at for u in member.public_updates]
        + [s.updated_at for s in member.public_stories]
    )


def member_profile_load(*, member: Member) -> Member:
    """Load onto ``member`` everything its public profile shows, in a fixed number of
    queries, and return it. What it adds (read by ``members/includes/profile_body.html``):

    - ``profile_sectors``: its sectors;
    - ``commitment_groups``: ``CommitmentGroup`` list, Support / Engage / Promote, each with
      the member's commitments (active catalogue entries only);
    - ``profile_engagements``: pillar engagements, by pillar number;
    - ``public_updates``: published progress updates, newest first (never drafts or hidden),
      each with ``pillars`` and ``reported_commitments`` (with their commitments) loaded;
    - ``update_groups``: those updates grouped by milestone (``updates_by_milestone``);
    - each commitment's ``latest_report``: the ``ReportedCommitment`` of the latest
      published update that reported on it, or None (shown as "Not reported");
    - ``public_stories``: published impact stories, newest first;
    - ``public_contact``: the primary contact if ``contact_details_public``, else None;
    - ``country_roadmaps``: a country member's national roadmaps in the Tracker;
    - ``last_updated``: the latest change to the member or to what its profile shows.

    It shows what the *public* sees, so the self-service preview can use it too.
    """
    member.profile_sectors = list(member.sectors.all())
    commitments = _profile_commitments(member)
    member.commitment_groups = _commitment_groups(commitments)
    member.profile_engagements = list(
        member.pillar_engagements.select_related("pillar").order_by("pillar__number")
    )
    member.public_updates = _public_updates(member)
    member.update_groups = updates_by_milestone(member.public_updates)
    latest = latest_reports(member.public_updates)
    for commitment in commitments:
        commitment.latest_report = latest.get(commitment.pk)
    member.public_stories = list(
        member.impact_stories.filter(is_published=True).order_by("-date", "-pk")
    )
    member.public_contact = _public_contact(member)
    member.country_roadmaps = _country_roadmaps(member)
    member.last_updated = _last_updated(member, commitments)
    return member


def member_public_profile(*, slug: str) -> Member | None:
    """The public member with this slug, loaded for its profile; None if there is none
    (unknown slug, or a prospective member)."""
    member = Member.objects.public().filter(slug=slug).first()
    return member_profile_load(member=member) if member else None


# --- A member's progress updates, by milestone ---------------------------------------------

NOT_TIED_TO_A_MILESTONE = "Not tied to a milestone"


@dataclass(frozen=True)
class MilestoneUpdates:
    milestone: Milestone | None  # None: the updates tied to no milestone
    label: str
    updates: list[ProgressUpdate]


def updates_by_milestone(updates: list[ProgressUpdate]) -> list[MilestoneUpdates]:
    """``updates`` (milestones loaded) grouped by milestone, the newest milestone first,
    each group in the order given; the updates tied to no milestone last, in a group of
    their own. No query."""
    groups: dict[int | None, list[ProgressUpdate]] = {}
    milestones: dict[int, Milestone] = {}
    for update in updates:
        groups.setdefault(update.milestone_id, []).append(update)
        if update.milestone_id is not None:
            milestones[update.milestone_id] = update.milestone
    ordered = sorted(milestones.values(), key=lambda m: (m.date, m.name), reverse=True)
    result = [MilestoneUpdates(m, m.name, groups[m.pk]) for m in ordered]
    if None in groups:
        result.append(MilestoneUpdates(None, NOT_TIED_TO_A_MILESTONE, groups[None]))
    return result


def latest_reports(updates: list[ProgressUpdate]) -> dict[int, ReportedCommitment]:
    """For each member commitment reported on in ``updates`` (published ones, their
    ``reported_commitments`` prefetched), the report of the latest update: by id of the
    member commitment. No query."""
    latest: dict[int, ReportedCommitment] = {}
    for update in sorted(updates, key=lambda u: (u.published_at, u.pk), reverse=True):
        if update.status != ProgressUpdate.Status.PUBLISHED:
            continue
        for report in update.reported_commitments.all():
            report.update = update  # the page says when and in which update
            latest.setdefault(report.member_commitment_id, report)
    return latest


def milestone_by_slug(*, slug: str) -> Milestone | None:
    """The milestone with this slug, or None (an unknown or empty slug)."""
    return Milestone.objects.filter(slug=slug).first() if slug else None
