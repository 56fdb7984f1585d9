"""The milestone report's charts, server-rendered SVG (``leadit.charts``) with their data
tables: the same figures on the web page and in the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from leadit import charts as svg

from .selectors_milestones import MilestoneReportData


@dataclass(frozen=True)
class Figure:
    slug: str
    title: str
    svg: SafeString
    table: SafeString  # the text alternative: a <details> holding the data as a table
    chart_table: svg.ChartTable


def commitments_figure(report: MilestoneReportData) -> Figure | None:
    """Commitment reports by category (bars) and status (segments); None if no update
    for the milestone reported on a commitment (the page says so in words)."""
    if not report.commitment_reports_count:
        return None
    title = f"Commitments reported for {report.milestone.name}, by category and status"
    categories = [category.label for category in report.by_category]
    series = [
        (status.label, [category.by_status[index].count for category in report.by_category])
        for index, status in enumerate(report.by_status)
    ]
    table = svg.stacked_bar_chart_table(categories, series, title=title, label="Commitments")
    return Figure(
        slug="chart-commitments",
        title=title,
        svg=svg.stacked_bar_chart(categories, series, title=title),
        table=svg.data_table(table),
        chart_table=table,
    )


def pillars_figure(report: MilestoneReportData) -> Figure | None:
    """Updates naming each pillar; None if no update for the milestone names a pillar."""
    if not any(count.updates for count in report.by_pillar):
        return None
    title = f"Updates for {report.milestone.name} naming each pillar"
    items = [(str(count.pillar), count.updates) for count in report.by_pillar]
    table = svg.ChartTable(
        title,
        ["Pillar", "Updates", "Members"],
        [[str(c.pillar), str(c.updates), str(c.members)] for c in report.by_pillar],
    )
    return Figure(
        slug="chart-pillars",
        title=title,
        svg=svg.bar_chart(items, title=title),
        table=svg.data_table(table),
        chart_table=table,
    )


def report_figures(report: MilestoneReportData) -> list[Figure]:
    return [figure for figure in (commitments_figure(report), pillars_figure(report)) if figure]
