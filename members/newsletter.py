"""The newsletter's "Members' progress" section: progress updates published in the quarter
and impact stories dated in it, of public members. Registered in ``MembersConfig.ready()``
through ``leadit.newsletter_sections``."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from leadit.newsletter_sections import (
    NewsItem,
    Quarter,
    excerpt,
    paragraphs,
    register_newsletter_section,
)

from .models import ImpactStory, Member, ProgressUpdate


def progress(quarter: Quarter) -> list[NewsItem]:
    """Members' progress updates published in the quarter and impact stories dated in it,
    of public members. Two queries."""
    public_members = Member.objects.public()
    updates = (
        ProgressUpdate.objects.published()
        .filter(
            member__in=public_members,
            published_at__date__gte=quarter.start,
            published_at__date__lte=quarter.end,
        )
        .select_related("member", "milestone")
    )
    stories = ImpactStory.objects.filter(
        member__in=public_members,
        is_published=True,
        date__gte=quarter.start,
        date__lte=quarter.end,
    ).select_related("member")
    items = []
    for update in updates:
        milestone = f"Reported at {update.milestone.name}." if update.milestone_id else ""
        items.append(
            NewsItem(
                title=f"{update.member.name}: {update.title}",
                text=paragraphs(excerpt(update.body), milestone),
                url=update.member.get_absolute_url() + "#profile-updates",
                date=timezone.localdate(update.published_at),
                source=f"progress_update:{update.pk}",
            )
        )
    for story in stories:
        items.append(
            NewsItem(
                title=f"{story.member.name}: {story.title}",
                text=paragraphs("An impact story.", excerpt(story.what_changed)),
                url=story.member.get_absolute_url() + "#profile-stories",
                date=story.date,
                source=f"impact_story:{story.pk}",
            )
        )
    items.sort(key=lambda item: (item.date, item.source))
    return items


def register() -> None:
    register_newsletter_section(
        key="progress",
        title="Members' progress",
        collect=progress,
        order=70,
        more_what="updates",
        more_url=lambda items: reverse("members:index"),
        summary=("{n} progress report from members", "{n} progress reports from members"),
    )
