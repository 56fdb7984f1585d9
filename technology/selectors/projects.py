"""Reads for the co-development projects: the filtered list /technology/projects/ with its
counts per status, technology, sector and member, and one project
/technology/projects/<slug>/ with its participants, milestones, publications and links.

Every read starts from ``CoDevelopmentProject.objects.visible_to(user)``: a members' or
secretariat project never reaches a visitor who may not see it, not in the list nor in a
count. What a project links to (its solution, its pipeline project) is shown only when the
visitor may see that too. Each read runs a constant number of queries whatever the number
of projects (``tests/technology/test_projects.py`` asserts it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict

from leadit.facets import Facet, FacetOption, choice_facet
from leadit.filtering import SlugChoiceFilter
from members.models import Member
from partnerships.filters import PartnershipListFilter, sort_filter
from partnerships.models import PipelineProject
from tracker.filters import sector_filter
from tracker.models import Sector, Technology

from ..models import (
    CoDevelopmentProject,
    ProjectMilestone,
    ProjectParticipant,
    TechnologySolution,
)

Status = CoDevelopmentProject.Status
Milestone = ProjectMilestone.Status

PROJECT_SORTS = {
    "-starts": ("Latest start first", ["-starts_on", "title", "pk"]),
    "starts": ("Earliest start first", ["starts_on", "title", "pk"]),
    "title": ("Title (A–Z)", ["title", "pk"]),
    "-trl": ("Highest TRL now first", [F("trl_current").desc(nulls_last=True), "title", "pk"]),
}


# --- The filters ----------------------------------------------------------------------


class MemberSlugField(forms.CharField):
    """The slug of a LeadIT member."""

    def validate(self, value):
        super().validate(value)
        if value and not Member.objects.filter(slug=value[:200]).exists():
            raise ValidationError("Unknown member.", code="invalid_choice")


class MemberSlugFilter(django_filters.CharFilter):
    field_class = MemberSlugField


def with_member(slug: str) -> Q:
    """Projects a member leads or takes part in (a subquery: one row per project)."""
    taking_part = ProjectParticipant.objects.filter(member__slug=slug).values("project")
    return Q(lead_member__slug=slug) | Q(pk__in=taking_part)


class ProjectFilter(PartnershipListFilter):
    """``/technology/projects/?status=active&technology=hydrogen-dri&sector=steel&member=
    steelco&q=kiln&sort=title``"""

    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200, strip=True)
    status = django_filters.ChoiceFilter(label="Status", choices=Status.choices)
    technology = SlugChoiceFilter(
        label="Technology", field_name="technology", queryset=Technology.objects.all()
    )
    # One sector per request: a project matches it once, no DISTINCT needed.
    sector = sector_filter(distinct=False)
    member = MemberSlugFilter(
        label="Member (lead or participant)",
        method="filter_member",
        max_length=200,
        strip=True,
    )
    sort = sort_filter(PROJECT_SORTS)

    SORTS = PROJECT_SORTS
    DEFAULT_SORT = "-starts"
    LOWER_CASE_PARAMETERS = ("status", "technology", "sector", "member", "sort")
    SEARCH_FIELDS = ("title", "summary", "description", "lead_member__name")

    class Meta:
        model = CoDevelopmentProject
        fields = ["q", "status", "technology", "sector", "member", "sort"]

    def filter_member(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(with_member(value))

    def describe(self, name: str, value) -> tuple[str, str]:
        if name == "member":
            shown = Member.objects.filter(slug=value).values_list("name", flat=True).first()
            return str(self.filters[name].label), shown or value
        return super().describe(name, value)

    def why_ignored(self, name: str) -> str:
        if name == "sort":
            return "is not a known order, so the latest projects are shown first"
        if name == "member":
            return "is not a LeadIT member"
        return super().why_ignored(name)


# --- The list -------------------------------------------------------------------------


def visible_projects(*, user) -> QuerySet[CoDevelopmentProject]:
    return CoDevelopmentProject.objects.visible_to(user)


def _count_of(queryset: QuerySet) -> Subquery:
    """The number of rows of ``queryset`` (correlated through OuterRef), as a subquery."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class ProjectListing:
    filterset: ProjectFilter
    projects: QuerySet[CoDevelopmentProject]  # filtered and sorted, with what a row shows
    facets: list[Facet]
    statuses: list[FacetOption]  # every status with its count (the other filters kept)
    total: int  # every project the visitor may see


def project_list(*, data: QueryDict, user) -> ProjectListing:
    """The projects ``user`` may see, filtered and sorted by ``data`` (the query string),
    with the facet counts (each option with every *other* filter kept) and the total."""
    base = visible_projects(user=user)
    filterset = ProjectFilter(data, queryset=base)
    participants = ProjectParticipant.objects.filter(project=OuterRef("pk"))
    projects = filterset.qs.select_related("lead_member", "technology").annotate(
        participant_count=_count_of(participants)
    )
    status_facet = choice_facet(filterset, "status", Status.choices, filterset.counts("status"))
    return ProjectListing(
        filterset=filterset,
        projects=projects,
        facets=[
            status_facet,
            filterset.used_technology_facet("technology__slug"),
            choice_facet(
                filterset,
                "sector",
                Sector.objects.values_list("slug", "name"),
                filterset.counts("sector", "sectors__slug"),
            ),
            _member_facet(filterset),
        ],
        statuses=status_facet.options,
        total=base.order_by().count(),
    )


def _member_facet(filterset: ProjectFilter) -> Facet:
    """The members leading or taking part in a matching project, each with how many (one
    query: a count per member, lead or participant, each project once)."""
    taking_part = ProjectParticipant.objects.filter(
        project=OuterRef("pk"), member=OuterRef(OuterRef("pk"))
    )
    matching = filterset.queryset_without("member").filter(
        Q(lead_member=OuterRef("pk")) | Exists(taking_part)
    )
    selected = filterset.selected("member")
    members = (
        Member.objects.annotate(n=_count_of(matching))
        .filter(Q(n__gt=0) | Q(slug=selected))
        .values_list("slug", "name", "n")
    )
    return Facet(
        "member",
        "Member (lead or participant)",
        [FacetOption(slug, name, n, slug == selected) for slug, name, n in members],
    )


# --- One project ------------------------------------------------------------------------


def project_page_queryset(*, user) -> QuerySet[CoDevelopmentProject]:
    """The projects ``user`` may open, with what the page shows: lead member, technology,
    sectors, the rate used for the budget, the tracker plant, participants, milestones,
    publications, and the solution and pipeline project only when ``user`` may see them."""
    return (
        visible_projects(user=user)
        .select_related("lead_member", "technology", "usd_rate", "tracker_project")
        .prefetch_related(
            "sectors",
            Prefetch(
                "participants",
                queryset=ProjectParticipant.objects.select_related("member", "institution"),
            ),
            "milestones",
            "publications",
            Prefetch(
                "solution",
                queryset=TechnologySolution.objects.visible_to(user),
                to_attr="visible_solution",
            ),
            Prefetch(
                "pipeline_project",
                queryset=PipelineProject.objects.visible_to(user),
                to_attr="visible_pipeline_project",
            ),
        )
    )


def may_edit(project: CoDevelopmentProject, *, user) -> bool:
    """Whether ``user`` keeps this project (its lead member's editors, staff)."""
    return CoDevelopmentProject.objects.editable_by(user).filter(pk=project.pk).exists()


@dataclass(frozen=True)
class MilestoneRow:
    milestone: ProjectMilestone
    late: bool  # delayed, or planned and its due date has passed
    late_reason: str


def milestone_rows(project: CoDevelopmentProject, *, today: datetime.date) -> list[MilestoneRow]:
    """The project's milestones by due date, a delayed or overdue one marked as late."""
    rows = []
    for milestone in project.milestones.all():
        if milestone.status == Milestone.DELAYED:
            reason = "Delayed"
        elif milestone.status == Milestone.PLANNED and milestone.due_on < today:
            reason = "Overdue"
        else:
            reason = ""
        rows.append(MilestoneRow(milestone, bool(reason), reason))
    return rows
