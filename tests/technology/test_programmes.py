"""Innovation programmes with their calls, and the calls' deadlines as an iCalendar feed
(RFC 5545), parsed back with the ``icalendar`` package and read as raw bytes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from tests.factories.members import MemberFactory, SectorFactory
from tests.factories.technology import CallForProposalsFactory, InnovationProgrammeFactory
from tests.factories.tracker import TechnologyFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _open_calls_section(page: str, programme_name: str) -> str:
    """The part of the list page about one programme."""
    start = page.index(programme_name)
    end = page.find("</article>", start)
    return page[start:end]


def test_the_list_shows_each_programme_with_its_open_calls_only(client):
    steel = SectorFactory(name="Iron and steel", slug="steel")
    dri = TechnologyFactory(name="H2-DRI", slug="h2-dri")
    mission = InnovationProgrammeFactory(
        name="Green Steel Mission",
        kind="mission",
        run_by="Mission Innovation",
        member=MemberFactory(name="Sweden"),
        sectors=[steel],
        technologies=[dri],
        is_demo=True,
    )
    CallForProposalsFactory(programme=mission, title="Pilot plants 2026", deadline=TODAY + 20 * DAY)
    CallForProposalsFactory(programme=mission, title="Closed round", deadline=TODAY - DAY,
                            opens_on=TODAY - 60 * DAY)  # fmt: skip
    CallForProposalsFactory(programme=mission, title="Future round", opens_on=TODAY + 10 * DAY,
                            deadline=TODAY + 40 * DAY)  # fmt: skip
    CallForProposalsFactory(programme=mission, title="Last day", deadline=TODAY)
    InnovationProgrammeFactory(name="Quiet Accelerator", kind="accelerator")

    page = _page(client, reverse("technology:programmes"))

    section = _open_calls_section(page, "Green Steel Mission")
    assert "Innovation mission or partnership, run by Mission Innovation" in section
    assert "LeadIT member: Sweden" in section
    assert "Iron and steel" in section and "H2-DRI" in section
    assert "Demo record (invented)" in section
    assert "Pilot plants 2026" in section and "Last day" in section
    assert "Closed round" not in page and "Future round" not in page
    assert "No call open today." in _open_calls_section(page, "Quiet Accelerator")
    assert reverse("technology:calls_ics") in page


def test_a_programme_page_shows_open_upcoming_and_past_calls(client):
    fund = InnovationProgrammeFactory(name="Cement Innovation Fund", kind="fund",
                                      website="https://fund.example/")  # fmt: skip
    CallForProposalsFactory(programme=fund, title="Open now", deadline=TODAY + 5 * DAY)
    CallForProposalsFactory(programme=fund, title="Round one", deadline=TODAY - 100 * DAY)
    CallForProposalsFactory(programme=fund, title="Round two", deadline=TODAY - 10 * DAY)
    CallForProposalsFactory(programme=fund, title="Next round", opens_on=TODAY + 30 * DAY,
                            deadline=TODAY + 60 * DAY)  # fmt: skip

    page = _page(client, fund.get_absolute_url())

    open_part = page[page.index('id="calls-open"') : page.index('id="calls-upcoming"')]
    upcoming = page[page.index('id="calls-upcoming"') : page.index('id="calls-closed"')]
    past = page[page.index('id="calls-closed"') :]
    assert "Open now" in open_part and "Round" not in open_part
    assert "Next round" in upcoming
    assert "Round two" in past and "Round one" in past
    assert past.index("Round two") < past.index("Round one")  # latest first
    assert "Not recorded" in page  # no LeadIT member runs it


def test_an_unknown_programme_answers_404(client):
    assert client.get(reverse("technology:programme", args=["nowhere"])).status_code == 404


def test_the_list_queries_stay_flat_between_few_and_many_programmes(client):
    sector, technology = SectorFactory(), TechnologyFactory()

    def queries(count):
        for _ in range(count):
            programme = InnovationProgrammeFactory(sectors=[sector], technologies=[technology])
            CallForProposalsFactory(programme=programme)
        with CaptureQueriesContext(connection) as captured:
            _page(client, reverse("technology:programmes"))
        return len(captured)

    assert queries(3) == queries(30)


# --- The iCalendar feed -------------------------------------------------------------------


def _feed(client):
    response = client.get(reverse("technology:calls_ics"))
    assert response.status_code == 200
    return response


def test_the_feed_has_one_all_day_event_per_deadline(client):
    programme = InnovationProgrammeFactory(name="Hydrogen Valley Programme")
    call = CallForProposalsFactory(
        programme=programme,
        title="Electrolyser pilots",
        deadline=datetime.date(2031, 6, 10),
        url="https://calls.example/electrolysers",
    )
    CallForProposalsFactory(programme=programme, deadline=TODAY - 400 * DAY)  # too old

    response = _feed(client)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert b"VERSION:2.0\r\n" in body and b"PRODID:-//LeadIT//" in body
    assert b"DTSTART;VALUE=DATE:20310610\r\n" in body
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Deadline: Electrolyser pilots (Hydrogen Valley Programme)"
    assert str(event["UID"]) == f"technology-call-{call.pk}@127.0.0.1"
    assert event["DTSTART"].dt == datetime.date(2031, 6, 10)
    assert event["DTEND"].dt == datetime.date(2031, 6, 11)
    assert "DTSTAMP" in event
    assert str(event["URL"]) == "https://calls.example/electrolysers"
    assert f"http://testserver{programme.get_absolute_url()}" in str(event["DESCRIPTION"])


def test_the_feed_uids_are_stable_and_its_urls_fall_back_to_the_programme_page(client):
    programme = InnovationProgrammeFactory()
    CallForProposalsFactory(programme=programme, url="")

    first = Calendar.from_ical(_feed(client).content).walk("VEVENT")[0]
    second = Calendar.from_ical(_feed(client).content).walk("VEVENT")[0]

    assert str(first["UID"]) == str(second["UID"])
    assert str(first["URL"]) == f"http://testserver{programme.get_absolute_url()}"


def test_the_feed_escapes_text_and_folds_long_lines(client):
    programme = InnovationProgrammeFactory(name="Heat; Power, and Steam Programme")
    title = "Call for demonstrations, pilots; and studies of " + "very " * 20 + "long titles"
    CallForProposalsFactory(programme=programme, title=title)

    body = _feed(client).content

    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in body.replace(b"\r\n", b"")  # every line ends with CRLF
    unfolded = body.replace(b"\r\n ", b"")
    assert b"SUMMARY:Deadline: Call for demonstrations\\, pilots\\; and studies" in unfolded
    assert b"(Heat\\; Power\\, and Steam Programme)" in unfolded
    assert any(line.startswith(b" ") for line in lines)  # folded continuation lines
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"Deadline: {title} (Heat; Power, and Steam Programme)"
