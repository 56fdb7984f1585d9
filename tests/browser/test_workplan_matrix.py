"""The objective matrix in a browser: staff toggle a cell in place (the script sends the
cell's form and updates the totals without a reload); anonymous visitors get no toggles."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.factories.members import ImpactStoryFactory, MemberFactory
from tests.factories.users import StaffFactory
from tests.factories.workplan import (
    ActivityFactory,
    ActivityGroupFactory,
    ImpactPathwayFactory,
    MELIndicatorFactory,
    MELMeasurementFactory,
    ObjectiveFactory,
    ObjectiveTargetFactory,
    TargetMeasurementFactory,
    WorkplanFactory,
)


def _world():
    workplan = WorkplanFactory(title="2021 Workplan", slug="2021")
    membership = ObjectiveFactory(workplan=workplan, number=1, short_title="Expand membership")
    procurement = ObjectiveFactory(
        workplan=workplan, number=2, short_title="Promote green procurement"
    )
    pathway = ImpactPathwayFactory(workplan=workplan, title="Partnerships for change")
    group = ActivityGroupFactory(pathway=pathway, title="Leadership Summit at COP26")
    ActivityFactory(group=group, title="Summit – virtual or hybrid", objectives=[procurement])
    announce = ActivityFactory(group=group, title="Announce new members", objectives=[membership])
    return announce, procurement


@pytest.mark.django_db(transaction=True)
def test_staff_toggle_a_matrix_cell_and_see_the_totals_change_without_reload(
    page, live_server, sign_in, axe_check, csp_violations
):
    announce, procurement = _world()
    sign_in(page, StaffFactory())
    page.goto(live_server.url + "/workplan/2021/matrix/")
    column_total = page.locator(f'[data-column-total="{procurement.pk}"]')
    row_total = page.locator(f'[data-row-total="{announce.pk}"]')
    expect(column_total).to_have_text("1")
    expect(row_total).to_have_text("1")
    axe_check(page)
    page.evaluate("window.notReloaded = true")

    page.get_by_role(
        "button",
        name="Announce new members: does not serve objective 2: Promote green procurement",
    ).click()

    expect(column_total).to_have_text("2")
    expect(row_total).to_have_text("2")
    expect(page.locator("#matrix-status")).to_have_text(
        "“Announce new members” now serves objective 2: Promote green procurement."
    )
    cell = page.get_by_role(
        "button", name="Announce new members: serves objective 2: Promote green procurement"
    )
    expect(cell).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    assert sorted(announce.objectives.values_list("number", flat=True)) == [1, 2]
    assert announce.history.first().history_change_reason == "Matrix: marked objective 2"

    # And back: unmark it again.
    cell.click()
    expect(column_total).to_have_text("1")
    expect(page.locator("[data-mark-count]").first).to_have_text("2")
    assert list(announce.objectives.values_list("number", flat=True)) == [1]
    assert csp_violations == []


@pytest.mark.django_db(transaction=True)
def test_anonymous_visitor_sees_the_matrix_without_toggles(
    page, live_server, axe_check, csp_violations
):
    _world()

    page.goto(live_server.url + "/workplan/2021/matrix/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Objective matrix")
    expect(page.get_by_role("button", name=re.compile("serves objective"))).to_have_count(0)
    expect(page.locator("form[data-matrix-toggle]")).to_have_count(0)
    expect(
        page.get_by_role("cell", name="serves objective 2: Promote green procurement")
    ).to_have_count(1)
    axe_check(page)
    assert csp_violations == []


@pytest.mark.django_db(transaction=True)
def test_workplan_page_is_accessible(page, live_server, axe_check, csp_violations):
    announce, procurement = _world()
    workplan = procurement.workplan
    target = ObjectiveTargetFactory(objective=procurement, label="Pathways explored", threshold=3)
    TargetMeasurementFactory(target=target, value=2)
    for name, dates in [
        ("People reached", [datetime.date(2021, 3, 31), datetime.date(2021, 9, 30)]),
        ("Tracker visits", [datetime.date(2020, 12, 31), datetime.date(2021, 12, 31)]),
    ]:
        indicator = MELIndicatorFactory(workplan=workplan, name=name)
        for day in dates:
            MELMeasurementFactory(indicator=indicator, date=day, value=100)
    ImpactStoryFactory(title="Green steel in tenders", date=datetime.date(2021, 5, 1))
    announce.partner_members.add(MemberFactory(name="Republic of Demo"))

    page.goto(live_server.url + "/workplan/2021/")

    expect(page.get_by_role("heading", level=1)).to_have_text("2021 Workplan")
    expect(page.get_by_text("final value 2 of target 3 (67%)")).to_be_visible()
    expect(page.get_by_text("Green steel in tenders")).to_be_visible()
    expect(page.locator("svg.chart--bar")).to_have_count(1)
    expect(page.locator("svg.chart--line")).to_have_count(1)
    axe_check(page)
    page.get_by_text("Show the data of “People reached” as a table").click()
    axe_check(page)
    page.goto(live_server.url + "/workplan/")
    axe_check(page)
    assert csp_violations == []
