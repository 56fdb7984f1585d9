"""The TRL progress chart of a co-development project (technology/charts.py): the points it
draws, its accessible text and table, and the cases of no milestones and no end date."""

import re
from datetime import date

from technology.charts import trl_progress, trl_progress_chart, trl_progress_table
from technology.models import CoDevelopmentProject, ProjectMilestone

TODAY = date(2026, 3, 1)
Done = ProjectMilestone.Status.DONE


def _project(**kwargs) -> CoDevelopmentProject:
    fields = {
        "title": "Kiln <trial> & co",
        "slug": "kiln-trial",
        "trl_start": 4,
        "trl_target": 7,
        "trl_current": 5,
        "starts_on": date(2025, 1, 1),
        "ends_on": date(2027, 12, 31),
    }
    return CoDevelopmentProject(**{**fields, **kwargs})


def _milestone(title, due_on, **kwargs) -> ProjectMilestone:
    return ProjectMilestone(title=title, due_on=due_on, **kwargs)


MILESTONES = [
    _milestone("Pilot kiln fired", date(2025, 6, 30), status=Done, completed_on=date(2025, 7, 15)),
    _milestone("Design review", date(2025, 3, 1), status=Done),  # proves no TRL: not drawn
    _milestone("Full-scale trial", date(2026, 9, 30), trl_reached=7),  # planned: not drawn
    _milestone("Lab tests", date(2025, 4, 1), status=Done, trl_reached=5),  # not completed_on
]
MILESTONES[0].trl_reached = 6


def _chart(project, milestones=MILESTONES):
    progress = trl_progress(project, milestones, today=TODAY)
    return progress, str(trl_progress_chart(progress))


def test_the_chart_draws_start_done_milestones_now_and_the_target():
    progress, svg = _chart(_project())

    assert [(p.kind, p.trl, p.on) for p in progress.points] == [
        ("start", 4, date(2025, 1, 1)),
        ("milestone", 5, date(2025, 4, 1)),  # no completion date: at its due date
        ("milestone", 6, date(2025, 7, 15)),  # at its completion date
        ("now", 5, TODAY),
        ("target", 7, date(2027, 12, 31)),
    ]
    assert svg.count('class="chart__point chart__point--milestone"') == 2
    assert svg.count("chart__point--start") == 1 and svg.count("chart__point--now") == 1
    assert svg.count("chart__point--target") == 1
    assert "Design review" not in svg and "Full-scale trial" not in svg
    assert 'stroke-dasharray="6 4"' in svg and "Target TRL 7" in svg
    # The line of levels reached goes through start, the two milestones and now.
    line = re.search(r'<polyline class="chart__line" points="([^"]+)"', svg).group(1)
    assert len(line.split()) == 4


def test_the_chart_is_accessible_and_escapes_the_title():
    _, svg = _chart(_project())

    assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert "<title id=" in svg and "Kiln &lt;trial&gt; &amp; co" in svg
    assert "Kiln <trial>" not in svg
    description = re.search(r"<desc[^>]*>([^<]+)</desc>", svg).group(1)
    assert "TRL 4 at the start, 1 Jan 2025." in description
    assert "TRL 6 reached by “Pilot kiln fired”, 15 Jul 2025." in description
    assert "TRL 5 now." in description
    assert "Target: TRL 7 by 31 Dec 2027." in description
    assert "style=" not in svg
    # Each TRL on the axis, and the years of the project.
    assert all(f">{level}</text>" in svg for level in range(1, 10))
    assert ">2026</text>" in svg and ">2027</text>" in svg


def test_the_table_holds_every_point():
    table = trl_progress_table(trl_progress(_project(), MILESTONES, today=TODAY))

    assert table.columns == ["Date", "Point", "TRL"]
    assert table.rows == [
        ["1 Jan 2025", "Start", "TRL 4"],
        ["1 Apr 2025", "Milestone: Lab tests", "TRL 5"],
        ["15 Jul 2025", "Milestone: Pilot kiln fired", "TRL 6"],
        ["1 Mar 2026", "Now", "TRL 5"],
        ["31 Dec 2027", "Target", "TRL 7"],
    ]


def test_without_milestones_or_current_trl_the_chart_shows_start_and_target():
    progress, svg = _chart(_project(trl_current=None), [])

    assert [p.kind for p in progress.points] == ["start", "target"]
    assert "chart__point--milestone" not in svg and "chart__point--now" not in svg
    assert "No milestone has proved a TRL yet." in svg
    assert "The TRL now is not recorded." in svg
    assert "<polyline" not in svg  # one point reached: no line


def test_without_an_end_date_the_axis_ends_at_the_last_milestone_and_says_so():
    progress, svg = _chart(_project(ends_on=None, trl_current=None))

    assert progress.last == date(2026, 9, 30)  # the planned full-scale trial
    assert "chart__point--target" not in svg
    assert 'stroke-dasharray="6 4"' in svg  # the target level is still drawn as a line
    assert "Target: TRL 7; the end date is not recorded." in svg
    table = trl_progress_table(progress)
    assert table.rows[-1] == ["End date not recorded", "Target", "TRL 7"]


def test_the_axis_widens_to_hold_today_and_a_single_day_gets_a_span():
    late = trl_progress(_project(ends_on=date(2025, 12, 31)), [], today=TODAY)
    single = trl_progress(_project(ends_on=None, trl_current=None), [], today=TODAY)

    assert late.last == TODAY
    planned = trl_progress(_project(starts_on=date(2026, 6, 1)), [], today=TODAY)
    assert planned.first == TODAY  # "now" comes before the start, and is drawn
    assert [p.kind for p in planned.points] == ["now", "start", "target"]
    assert single.first < date(2025, 1, 1) < single.last
    assert "<svg" in str(trl_progress_chart(single))


def test_the_same_data_gives_the_same_bytes():
    assert _chart(_project())[1] == _chart(_project())[1]
