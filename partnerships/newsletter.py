"""The newsletter's "Partnerships" section: requests for support made public in the quarter,
commitments agreed in it and pipeline projects that passed a stage gate in it. Public
records only (``visible_to`` an anonymous visitor): a members' or secretariat record never
reaches the newsletter. Invented demo records say so in their text. Registered from
``partnerships.contributions`` through ``leadit.newsletter_sections``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from leadit.newsletter_sections import (
    NewsItem,
    Quarter,
    excerpt,
    markdown_literal,
    paragraphs,
    register_newsletter_section,
)

from .models import PipelineProject, PipelineStageChange, SupportCommitment, SupportRequest

DEMO_NOTE = "Demo record (invented)."
# A project "passes a gate" when it moves up the ladder; a pause or a drop is no news here.
NOT_A_GATE = (
    PipelineProject.Stage.CONCEPT,
    PipelineProject.Stage.ON_HOLD,
    PipelineProject.Stage.DROPPED,
)


def _demo(is_demo: bool) -> str:
    return DEMO_NOTE if is_demo else ""


def _new_requests(quarter: Quarter) -> list[NewsItem]:
    requests = (
        SupportRequest.objects.visible_to(AnonymousUser())
        .filter(created_at__date__gte=quarter.start, created_at__date__lte=quarter.end)
        .select_related("partnership")
    )
    return [
        NewsItem(
            title=f"New request: {request.title}",
            text=paragraphs(
                markdown_literal(
                    f"{request.partnership.name} asks for {request.get_kind_display().lower()}."
                ),
                excerpt(request.description),
                _demo(request.is_demo),
            ),
            url=request.get_absolute_url(),
            date=timezone.localdate(request.created_at),
            source=f"support_request:{request.pk}",
        )
        for request in requests
    ]


def _commitments_agreed(quarter: Quarter) -> list[NewsItem]:
    commitments = (
        SupportCommitment.objects.visible_to(AnonymousUser())
        .filter(agreed_on__gte=quarter.start, agreed_on__lte=quarter.end)
        .select_related("request__partnership", "member", "institution")
    )
    return [
        NewsItem(
            title=f"{commitment.supporter} supports: {commitment.request.title}",
            text=paragraphs(
                markdown_literal(f"A commitment agreed with {commitment.request.partnership}."),
                _demo(commitment.is_demo or commitment.request.is_demo),
            ),
            url=commitment.request.get_absolute_url(),
            date=commitment.agreed_on,
            source=f"support_commitment:{commitment.pk}",
        )
        for commitment in commitments
    ]


def _stage_gates_passed(quarter: Quarter) -> list[NewsItem]:
    changes = (
        PipelineStageChange.objects.filter(
            project__in=PipelineProject.objects.visible_to(AnonymousUser()),
            changed_on__gte=quarter.start,
            changed_on__lte=quarter.end,
        )
        .exclude(stage__in=NOT_A_GATE)
        .select_related("project__partnership")
    )
    return [
        NewsItem(
            title=f"{change.project.name}: {change.get_stage_display()}",
            text=paragraphs(
                markdown_literal(
                    f"A pipeline project of {change.project.partnership} reached the stage "
                    f"“{change.get_stage_display()}”."
                ),
                _demo(change.project.is_demo),
            ),
            url=change.project.get_absolute_url(),
            date=change.changed_on,
            source=f"pipeline_stage_change:{change.pk}",
        )
        for change in changes
    ]


def partnership_news(quarter: Quarter) -> list[NewsItem]:
    """New public requests, commitments agreed and stage gates passed in the quarter, by
    date. Three queries."""
    items = _new_requests(quarter) + _commitments_agreed(quarter) + _stage_gates_passed(quarter)
    items.sort(key=lambda item: (item.date, item.source))
    return items


def register() -> None:
    register_newsletter_section(
        key="partnerships",
        title="Partnerships",
        collect=partnership_news,
        order=55,
        more_what="partnership news",
        more_url=lambda items: reverse("partnerships:needs"),
        summary=("{n} partnership update", "{n} partnership updates"),
    )
