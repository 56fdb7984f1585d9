"""The newsletter's "Technology" section: solutions added to the catalogue in the quarter,
co-development projects made public in it, and calls for proposals still open when the issue
is assembled. Public records only (``visible_to`` an anonymous visitor): a members' or
secretariat record never reaches the newsletter. Invented demo records say so in their
text. Registered from ``technology.contributions`` through ``leadit.newsletter_sections``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from leadit.newsletter_sections import (
    NewsItem,
    Quarter,
    day,
    excerpt,
    markdown_literal,
    paragraphs,
    register_newsletter_section,
)

from .models import CallForProposals, CoDevelopmentProject, TechnologySolution

DEMO_NOTE = "Demo record (invented)."


def _demo(is_demo: bool) -> str:
    return DEMO_NOTE if is_demo else ""


def _new_solutions(quarter: Quarter) -> list[NewsItem]:
    solutions = (
        TechnologySolution.objects.visible_to(AnonymousUser())
        .filter(created_at__date__gte=quarter.start, created_at__date__lte=quarter.end)
        .select_related("member", "institution", "technology")
    )
    return [
        NewsItem(
            title=f"New solution: {solution.name}",
            text=paragraphs(
                markdown_literal(
                    f"{solution.provider} offers {solution.technology} at TRL {solution.trl}."
                ),
                excerpt(solution.summary),
                _demo(solution.is_demo),
            ),
            url=solution.get_absolute_url(),
            date=timezone.localdate(solution.created_at),
            source=f"technology_solution:{solution.pk}",
        )
        for solution in solutions
    ]


def _new_projects(quarter: Quarter) -> list[NewsItem]:
    projects = (
        CoDevelopmentProject.objects.visible_to(AnonymousUser())
        .filter(created_at__date__gte=quarter.start, created_at__date__lte=quarter.end)
        .select_related("lead_member", "technology")
    )
    return [
        NewsItem(
            title=f"New co-development project: {project.title}",
            text=paragraphs(
                markdown_literal(
                    f"Led by {project.lead_member}: {project.technology}, from TRL "
                    f"{project.trl_start} to {project.trl_target}."
                ),
                excerpt(project.summary),
                _demo(project.is_demo),
            ),
            url=project.get_absolute_url(),
            date=timezone.localdate(project.created_at),
            source=f"codevelopment_project:{project.pk}",
        )
        for project in projects
    ]


def _open_calls(quarter: Quarter) -> list[NewsItem]:
    """Calls a reader can still answer: deadline on or after the day of assembly, open by
    the end of the next quarter."""
    today = timezone.localdate(quarter.now)
    calls = (
        CallForProposals.objects.filter(deadline__gte=today)
        .exclude(opens_on__gt=quarter.next_end)
        .select_related("programme")
    )
    return [
        NewsItem(
            title=f"Open call: {call.title}",
            text=paragraphs(
                markdown_literal(f"{call.programme}: proposals until {day(call.deadline)}."),
                excerpt(call.description),
                _demo(call.is_demo or call.programme.is_demo),
            ),
            url=call.programme.get_absolute_url(),
            date=call.deadline,
            source=f"call_for_proposals:{call.pk}",
        )
        for call in calls
    ]


def technology_news(quarter: Quarter) -> list[NewsItem]:
    """New public solutions and co-development projects of the quarter, by date, then the
    calls still open, by deadline. Three queries."""
    items = _new_solutions(quarter) + _new_projects(quarter)
    items.sort(key=lambda item: (item.date, item.source))
    return items + _open_calls(quarter)


def register() -> None:
    register_newsletter_section(
        key="technology",
        title="Technology",
        collect=technology_news,
        order=57,
        more_what="technology news",
        more_url=lambda items: reverse("technology:index"),
        summary=("{n} technology update", "{n} technology updates"),
    )
