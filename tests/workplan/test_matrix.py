"""The objective matrix: the page, the staff toggle, and the XLSX and PDF exports."""

import io
import re

import openpyxl
import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.workplan import (
    ActivityFactory,
    ActivityGroupFactory,
    ImpactPathwayFactory,
    ObjectiveFactory,
    WorkplanFactory,
)
from workplan.models import Activity, Workplan

pytestmark = pytest.mark.django_db

MATRIX = "/workplan/2021/matrix/"
TOGGLE = "/workplan/2021/matrix/toggle/"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def matrix_world():
    """A small matrix with known marks:

    Partnerships for change / Leadership Summit at COP26
      Summit – virtual or hybrid            2
      Announce new members                1
    Partnerships for change / Dialogues
      Net-zero in Korea (with GTC)        1     3
    Evidence for action / Industry Transition Tracker
      Data for all G20 countries          1        4  5
    """
    workplan = WorkplanFactory(title="2021 Workplan", slug="2021")
    objectives = {
        number: ObjectiveFactory(workplan=workplan, number=number, short_title=title)
        for number, title in [
            (1, "Expand membership"),
            (2, "Promote green procurement"),
            (3, "Expand sectoral work"),
            (4, "Leverage IT Tracker"),
            (5, "Support roadmap process"),
        ]
    }
    partnerships = ImpactPathwayFactory(workplan=workplan, title="Partnerships for change", order=1)
    evidence = ImpactPathwayFactory(workplan=workplan, title="Evidence for action", order=2)
    summit = ActivityGroupFactory(pathway=partnerships, title="Leadership Summit at COP26", order=1)
    dialogues = ActivityGroupFactory(pathway=partnerships, title="Dialogues", order=2)
    tracker = ActivityGroupFactory(pathway=evidence, title="Industry Transition Tracker", order=1)

    def activity(group, title, numbers, order):
        return ActivityFactory(
            group=group, title=title, order=order, objectives=[objectives[n] for n in numbers]
        )

    activities = {
        "summit": activity(summit, "Summit – virtual or hybrid", [2], 1),
        "announce": activity(summit, "Announce new members", [1], 2),
        "korea": activity(dialogues, "Net-zero in Korea (with GTC)", [1, 3], 1),
        "g20": activity(tracker, "Data for all G20 countries", [1, 4, 5], 1),
    }
    return {"workplan": workplan, "objectives": objectives, "activities": activities}


def _marked(activity: Activity) -> list[int]:
    return sorted(activity.objectives.values_list("number", flat=True))


# --- The page ---------------------------------------------------------------------------


def test_matrix_shows_rows_grouped_by_pathway_and_group(client, matrix_world):
    text = _text(_page(client, MATRIX))

    table = text[text.index("Activity 1 Expand membership") :]
    assert (
        table.index("Partnerships for change Leadership Summit at COP26 Summit")
        < table.index("Dialogues Net-zero in Korea")
        < table.index("Evidence for action Industry Transition Tracker Data for all G20")
    )


def test_matrix_column_and_row_totals_on_known_data(client, matrix_world):
    html = _page(client, MATRIX)

    objectives = matrix_world["objectives"]
    activities = matrix_world["activities"]
    column_totals = {
        number: re.search(rf'data-column-total="{objectives[number].pk}">(\d+)</td>', html).group(1)
        for number in objectives
    }
    assert column_totals == {1: "3", 2: "1", 3: "1", 4: "1", 5: "1"}
    row_totals = {
        key: re.search(rf'data-row-total="{activity.pk}">(\d+)</td>', html).group(1)
        for key, activity in activities.items()
    }
    assert row_totals == {"summit": "1", "announce": "1", "korea": "2", "g20": "3"}
    assert re.search(r"data-mark-count>7</td>", html)
    assert (
        "4 activities in 2 impact pathways, 5 objectives, <span data-mark-count>7</span> marks"
        in html
    )


def test_matrix_cells_have_accessible_labels(client, matrix_world):
    html = _page(client, MATRIX)

    korea = matrix_world["activities"]["korea"]
    row = html[html.index(f'id="activity-{korea.pk}"') :]
    row = row[: row.index("</tr>")]
    labels = re.findall(r'<span class="visually-hidden">([^<]+)</span>', row)
    assert labels == [
        "serves objective 1: Expand membership",
        "does not serve objective 2: Promote green procurement",
        "serves objective 3: Expand sectoral work",
        "does not serve objective 4: Leverage IT Tracker",
        "does not serve objective 5: Support roadmap process",
    ]
    assert row.count('aria-hidden="true">✓</span>') == 2
    # Each cell names its row, its column, its group and its pathway as its headers.
    objective_1 = matrix_world["objectives"][1]
    assert re.search(
        rf'<td headers="activity-head-{korea.pk} objective-{objective_1.pk} group-\d+ pathway-\d+"',
        row,
    )


def test_matrix_for_anonymous_visitors_has_no_toggles_nor_script(client, matrix_world):
    html = _page(client, MATRIX)

    assert '<form method="post"' not in html
    assert "matrix__toggle" not in html
    assert "workplan-matrix.js" not in html


def test_matrix_for_staff_has_a_post_form_in_every_cell(staff_client, matrix_world):
    html = _page(staff_client, MATRIX)

    assert html.count(f'<form method="post" action="{TOGGLE}"') == 4 * 5
    assert html.count('name="csrfmiddlewaretoken"') >= 20
    assert "js/workplan-matrix.js" in html
    summit = matrix_world["activities"]["summit"]
    assert "Summit – virtual or hybrid: serves objective 2: Promote green procurement" in html
    assert f'<input type="hidden" name="activity" value="{summit.pk}">' in html


def test_matrix_of_a_draft_is_not_found_for_others_than_staff(client, member_user, staff_client):
    WorkplanFactory(slug="draft-plan", status=Workplan.Status.DRAFT)
    urls = [
        "/workplan/draft-plan/matrix/",
        "/workplan/draft-plan/matrix.xlsx",
        "/workplan/draft-plan/matrix.pdf",
    ]

    staff = [staff_client.get(url).status_code for url in urls]
    staff_client.logout()
    anonymous = [client.get(url).status_code for url in urls]
    client.force_login(member_user)
    member = [client.get(url).status_code for url in urls]

    assert anonymous == [404, 404, 404]
    assert member == [404, 404, 404]
    assert staff == [200, 200, 200]


def test_matrix_query_count_does_not_grow_with_the_activities(staff_client, matrix_world):
    workplan = matrix_world["workplan"]
    objectives = list(matrix_world["objectives"].values())

    def add(count):
        group = None
        for index in range(count):
            if index % 20 == 0:
                group = ActivityGroupFactory(pathway=ImpactPathwayFactory(workplan=workplan))
            ActivityFactory(group=group, objectives=objectives[: index % 4])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(MATRIX).status_code == 200
        return len(captured)

    add(6)  # 10 activities in all
    small = queries()
    add(190)

    assert Activity.objects.count() == 200
    assert queries() == small


# --- The toggle -------------------------------------------------------------------------


def test_toggle_by_staff_marks_the_cell_and_history_records_it(staff_client, matrix_world):
    summit = matrix_world["activities"]["summit"]
    objective = matrix_world["objectives"][1]
    records = summit.history.count()

    response = staff_client.post(TOGGLE, {"activity": summit.pk, "objective": objective.pk})

    assert response.status_code == 302
    assert response["Location"] == f"{MATRIX}#activity-{summit.pk}"
    assert _marked(summit) == [1, 2]
    assert summit.history.count() == records + 1
    assert summit.history.first().history_change_reason == "Matrix: marked objective 1"
    page = _text(_page(staff_client, response["Location"]))
    assert "“Summit – virtual or hybrid” now serves objective 1: Expand membership." in page


def test_toggle_by_staff_twice_unmarks_again(staff_client, matrix_world):
    summit = matrix_world["activities"]["summit"]
    objective = matrix_world["objectives"][2]

    staff_client.post(TOGGLE, {"activity": summit.pk, "objective": objective.pk})

    assert _marked(summit) == []
    assert summit.history.first().history_change_reason == "Matrix: unmarked objective 2"


def test_toggle_answers_json_to_the_script(staff_client, matrix_world):
    g20 = matrix_world["activities"]["g20"]
    objective = matrix_world["objectives"][2]

    response = staff_client.post(
        TOGGLE,
        {"activity": g20.pk, "objective": objective.pk},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.json() == {
        "marked": True,
        "activity": g20.pk,
        "objective": objective.pk,
        "message": "“Data for all G20 countries” now serves objective 2: Promote green procurement.",
        "row_total": 4,
        "column_total": 2,
        "mark_count": 8,
    }
    # No message is left over for the next page.
    assert "now serves" not in _page(staff_client, MATRIX)


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_toggle_by_others_than_staff_is_refused_and_changes_nothing(
    client, member_user, matrix_world, who
):
    summit = matrix_world["activities"]["summit"]
    objective = matrix_world["objectives"][1]
    records = summit.history.count()
    if who == "member":
        client.force_login(member_user)

    response = client.post(TOGGLE, {"activity": summit.pk, "objective": objective.pk})

    if who == "member":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert _marked(summit) == [2]
    assert summit.history.count() == records


def test_toggle_with_an_objective_of_another_workplan_is_refused(staff_client, matrix_world):
    summit = matrix_world["activities"]["summit"]
    other = ObjectiveFactory(workplan=WorkplanFactory(slug="other"), number=1)
    records = summit.history.count()

    response = staff_client.post(TOGGLE, {"activity": summit.pk, "objective": other.pk})

    assert response.status_code == 400
    text = _text(response.content.decode())
    assert "The matrix was not changed" in text
    assert "Objective 1 belongs to another workplan than the activity" in text
    assert _marked(summit) == [2]
    assert summit.history.count() == records


def test_toggle_with_an_objective_of_another_workplan_answers_json_400(staff_client, matrix_world):
    summit = matrix_world["activities"]["summit"]
    other = ObjectiveFactory(workplan=WorkplanFactory(slug="other"), number=1)

    response = staff_client.post(
        TOGGLE,
        {"activity": summit.pk, "objective": other.pk},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert "belongs to another workplan" in response.json()["error"]


def test_toggle_of_an_activity_of_another_workplan_is_not_found(staff_client, matrix_world):
    stranger = ActivityFactory(objectives=[])
    objective = matrix_world["objectives"][1]

    response = staff_client.post(TOGGLE, {"activity": stranger.pk, "objective": objective.pk})

    assert response.status_code == 404
    assert _marked(stranger) == []


@pytest.mark.parametrize("data", [{}, {"activity": "x", "objective": "1"}])
def test_toggle_without_valid_ids_is_a_bad_request(staff_client, matrix_world, data):
    assert staff_client.post(TOGGLE, data).status_code == 400


def test_toggle_by_get_is_not_allowed(staff_client, matrix_world):
    assert staff_client.get(TOGGLE).status_code == 405


def test_toggle_needs_the_csrf_token(client, staff_user, matrix_world):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff_user)
    summit = matrix_world["activities"]["summit"]

    response = csrf_client.post(
        TOGGLE, {"activity": summit.pk, "objective": matrix_world["objectives"][1].pk}
    )

    assert response.status_code == 403
    assert _marked(summit) == [2]


# --- Exports ----------------------------------------------------------------------------


def test_xlsx_export_is_grouped_like_the_page_with_x_marks_and_totals(client, matrix_world):
    response = client.get("/workplan/2021/matrix.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="2021-matrix.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["Matrix"].iter_rows(values_only=True))
    assert rows == [
        ("Pathway", "Group", "Activity", 1, 2, 3, 4, 5, "Total"),
        (
            "Partnerships for change",
            "Leadership Summit at COP26",
            "Summit – virtual or hybrid",
            None,
            "X",
            None,
            None,
            None,
            1,
        ),
        (
            "Partnerships for change",
            "Leadership Summit at COP26",
            "Announce new members",
            "X",
            None,
            None,
            None,
            None,
            1,
        ),
        (
            "Partnerships for change",
            "Dialogues",
            "Net-zero in Korea (with GTC)",
            "X",
            None,
            "X",
            None,
            None,
            2,
        ),
        (
            "Evidence for action",
            "Industry Transition Tracker",
            "Data for all G20 countries",
            "X",
            None,
            None,
            "X",
            "X",
            3,
        ),
        ("Total (activities serving each objective)", None, None, 3, 1, 1, 1, 1, 7),
    ]
    objectives = list(book["Objectives"].iter_rows(values_only=True))
    assert objectives[0] == ("Number", "Objective", "Description", "Due", "Activities serving it")
    assert objectives[1][:2] == (1, "Expand membership")


def test_xlsx_export_escapes_formulae(client, matrix_world):
    ActivityFactory(
        group=matrix_world["activities"]["g20"].group,
        title='=HYPERLINK("https://evil.example","click")',
        order=9,
    )

    book = openpyxl.load_workbook(io.BytesIO(client.get("/workplan/2021/matrix.xlsx").content))

    titles = [row[2] for row in book["Matrix"].iter_rows(values_only=True)]
    assert '\'=HYPERLINK("https://evil.example","click")' in titles
    assert not any(isinstance(t, str) and t.startswith("=") for t in titles)


def test_pdf_export_is_a4_landscape_with_the_matrix(client, matrix_world):
    response = client.get("/workplan/2021/matrix.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="2021-matrix.pdf"' in response["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Objective matrix: 2021 Workplan" in text
    assert "Promote green procurement" in text
    assert "Net-zero in Korea (with GTC)" in text
    assert "Period: 1 January 2021 – 31 December 2021" in text
    assert "Generated on" in text


def test_pdf_export_goes_through_the_one_renderer_and_is_reused(client, matrix_world, monkeypatch):
    from workplan.views import pages

    calls = []
    real = pages.render_pdf

    def spy(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pages, "render_pdf", spy)

    first = client.get("/workplan/2021/matrix.pdf").content
    second = client.get("/workplan/2021/matrix.pdf").content
    matrix_world["activities"]["summit"].objectives.clear()
    third = client.get("/workplan/2021/matrix.pdf").content

    assert len(calls) == 2  # the same matrix is rendered once; a change renders again
    assert first == second != third
    assert '<link rel="stylesheet" href="/static/css/workplan.css">' in calls[0]
