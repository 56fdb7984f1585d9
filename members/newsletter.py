"""The newsletter's members' sections, registered in ``MembersConfig.ready()`` through
``leadit.newsletter_sections``:

* "Members' progress": progress updates published in the quarter and impact stories dated
  in it, of public members;
* "Who reported for the latest milestone": for the latest milestone on or before the
  issue's date, the members that reported (their updates' titles, linked) and how many
  members due to report have not yet.
"""

from __future__ import annotations

from django.db.models import CharField, F, Value
from django.db.models.functions import TruncDate
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

from .gca import latest_milestone_reporting, update_url
from .models import ImpactStory, Member, ProgressUpdate

DEMO_NOTE = "Demo record (invented)."


# The columns both halves of the progress section's one query select, in this order.
_PROGRESS_COLUMNS = (
    "n_kind",
    "n_pk",
    "n_member",
    "n_slug",
    "n_title",
    "n_text",
    "n_day",
    "n_milestone",
)


def _progress_rows(quarter: Quarter):
    """Updates published in the quarter and stories dated in it, of public members, as one
    UNION: the newsletter's assembly has a query budget every section shares."""
    public_members = Member.objects.public()
    updates = (
        ProgressUpdate.objects.published()
        .filter(
            member__in=public_members,
            published_at__date__gte=quarter.start,
            published_at__date__lte=quarter.end,
        )
        .annotate(
            n_kind=Value("progress_update"),
            n_pk=F("pk"),
            n_member=F("member__name"),
            n_slug=F("member__slug"),
            n_title=F("title"),
            n_text=F("body"),
            n_day=TruncDate("published_at"),
            n_milestone=F("milestone__name"),
        )
        .values_list(*_PROGRESS_COLUMNS)
        .order_by()
    )
    stories = (
        ImpactStory.objects.filter(
            member__in=public_members,
            is_published=True,
            date__gte=quarter.start,
            date__lte=quarter.end,
        )
        .annotate(
            n_kind=Value("impact_story"),
            n_pk=F("pk"),
            n_member=F("member__name"),
            n_slug=F("member__slug"),
            n_title=F("title"),
            n_text=F("what_changed"),
            n_day=F("date"),
            n_milestone=Value(None, output_field=CharField()),
        )
        .values_list(*_PROGRESS_COLUMNS)
        .order_by()
    )
    return updates.union(stories, all=True)


def progress(quarter: Quarter) -> list[NewsItem]:
    """Members' progress updates published in the quarter and impact stories dated in it,
    of public members. One query."""
    items = []
    for kind, pk, member, slug, title, text, date, milestone in _progress_rows(quarter):
        profile = reverse("members:detail", kwargs={"slug": slug})
        if kind == "progress_update":
            items.append(
                NewsItem(
                    title=f"{member}: {title}",
                    text=paragraphs(
                        excerpt(text), f"Reported at {milestone}." if milestone else ""
                    ),
                    url=profile + "#profile-updates",
                    date=date,
                    source=f"progress_update:{pk}",
                )
            )
        else:
            items.append(
                NewsItem(
                    title=f"{member}: {title}",
                    text=paragraphs("An impact story.", excerpt(text)),
                    url=profile + "#profile-stories",
                    date=date,
                    source=f"impact_story:{pk}",
                )
            )
    items.sort(key=lambda item: (item.date, item.source))
    return items


def _not_yet(count: int) -> str:
    if count == 1:
        return "1 member due to report has not reported yet."
    return f"{count} members due to report have not reported yet."


def milestone_reports(quarter: Quarter) -> list[NewsItem]:
    """Who reported for the latest milestone on or before the issue's date (the quarter's
    end, or the day of assembly if the quarter is not over): a first item with the counts
    and a link to the milestone's report, then one item per member that reported. A
    milestone of the quarter nobody has reported for yet says so; an older one with no
    report is no news and gives nothing. One query."""
    reporting = latest_milestone_reporting(quarter.as_of)
    if reporting is None:
        return []
    milestone = reporting.milestone
    name = markdown_literal(milestone.name)
    if not reporting.reported and milestone.date < quarter.start:
        return []
    if reporting.reported:
        members = "1 member" if reporting.reported == 1 else f"{reporting.reported} members"
        lead = f"{members} reported for {name} ({day(milestone.date)})."
    else:
        lead = f"No member has reported for {name} ({day(milestone.date)}) yet."
    items = [
        NewsItem(
            title=f"Who reported for {milestone.name}",
            text=paragraphs(lead, _not_yet(reporting.not_reported)),
            url=milestone.get_absolute_url(),
            date=milestone.date,
            source=f"milestone:{milestone.pk}",
            # The counts, not a report: the section's number is the members that reported.
            represents=0,
        )
    ]
    for member, updates in reporting.updates_by_member.items():
        titles = "\n".join(
            f"- “{markdown_literal(u.title)}”, published {day(timezone.localdate(u.published_at))}"
            for u in updates
        )
        demo = member.is_demo or any(u.is_demo for u in updates)
        items.append(
            NewsItem(
                title=f"{member.name}: {updates[0].title}"
                if len(updates) == 1
                else f"{member.name}: {len(updates)} updates",
                text=paragraphs(titles, DEMO_NOTE if demo else ""),
                url=update_url(updates[0]),
                date=timezone.localdate(updates[-1].published_at),
                source=f"milestone_report:{milestone.pk}:{member.pk}",
            )
        )
    return items


def _milestone_url(items: list[NewsItem]) -> str:
    """The "And N more" item's link: the milestone's report (the first item's link)."""
    return items[0].url if items else reverse("members:milestones")


def register() -> None:
    register_newsletter_section(
        key="milestone_reports",
        title="Who reported for the latest milestone",
        collect=milestone_reports,
        order=75,
        more_what="members that reported",
        more_url=_milestone_url,
        summary=(
            "{n} member reporting for the latest milestone",
            "{n} members reporting for the latest milestone",
        ),
    )
    register_newsletter_section(
        key="progress",
        title="Members' progress",
        collect=progress,
        order=70,
        more_what="updates",
        more_url=lambda items: reverse("members:index"),
        summary=("{n} progress report from members", "{n} progress reports from members"),
    )
