"""Publications' own newsletter section: the briefs published in the quarter. Registered in
``PublicationsConfig.ready()`` like every other app's section."""

from __future__ import annotations

from django.urls import reverse

from leadit.newsletter_sections import (
    NewsItem,
    Quarter,
    paragraphs,
    register_newsletter_section,
)

from ..models import Brief, Publication


def briefs(quarter: Quarter) -> list[NewsItem]:
    """Briefs published in the quarter. One query."""
    found = Brief.objects.filter(
        status=Publication.Status.PUBLISHED,
        published_on__gte=quarter.start,
        published_on__lte=quarter.end,
    ).order_by("published_on", "pk")
    return [
        NewsItem(
            title=brief.title,
            text=paragraphs(brief.summary, f"By {brief.authors}." if brief.authors else ""),
            url=brief.get_absolute_url(),
            date=brief.published_on,
            source=f"publication:{brief.pk}",
        )
        for brief in found
    ]


def register() -> None:
    register_newsletter_section(
        key="briefs",
        title="Briefs published",
        collect=briefs,
        order=60,
        more_what="briefs",
        more_url=lambda items: reverse("publications:index"),
        summary=("{n} brief", "{n} briefs"),
    )
