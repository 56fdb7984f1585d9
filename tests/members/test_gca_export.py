"""The yearly export for the UNFCCC Global Climate Action portal's survey:
/members/milestones/gca/<year>.xlsx (staff only)."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from members.models import Member, MemberCommitment, ProgressUpdate
from tests.factories.members import (
    CommitmentFactory,
    CompanyMemberFactory,
    MemberCommitmentFactory,
    MemberFactory,
    MilestoneFactory,
    PillarEngagementFactory,
    PillarFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
    ReportedCommitmentFactory,
)

MET = MemberCommitment.Status.MET
IN_PROGRESS = MemberCommitment.Status.IN_PROGRESS
NOT_STARTED = MemberCommitment.Status.NOT_STARTED


def moment(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args, 10))


def url(year: int) -> str:
    return f"/members/milestones/gca/{year}.xlsx"


def rows(book, sheet: str) -> list[list]:
    """The sheet's rows, without the trailing empty cells of short rows."""
    out = []
    for row in book[sheet].iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    return out


def as_dicts(book, sheet: str) -> list[dict]:
    header, *body = rows(book, sheet)
    return [dict(zip(header, row, strict=False)) for row in body]


def download(client, year: int):
    response = client.get(url(year))
    assert response.status_code == 200, response.status_code
    return response, load_workbook(io.BytesIO(response.content), read_only=True)


@pytest.fixture
def year_2025():
    """A year of reporting: Sweden (real) reported twice, the second report moving a
    commitment on; an invented company reported once; India reported nothing."""
    forum = PillarFactory(number=1, title="Global forum", slug="global-forum")
    tech = PillarFactory(number=2, title="Technology transfer", slug="technology-transfer")
    PillarFactory(number=3, title="Partnerships", slug="partnerships")
    cop30 = MilestoneFactory(name="COP30 Belém 2025", date=datetime.date(2025, 11, 10))
    sweden = MemberFactory(name="Sweden", slug="sweden", country="SE")
    PillarEngagementFactory(member=sweden, pillar=forum, role="lead")
    PillarEngagementFactory(member=sweden, pillar=tech)
    endorse = CommitmentFactory(text="Endorse the LeadIT mission")
    report = CommitmentFactory(text="Report progress at milestones")
    sweden_endorse = MemberCommitmentFactory(member=sweden, commitment=endorse)
    sweden_report = MemberCommitmentFactory(member=sweden, commitment=report)
    first = PublishedUpdateFactory(
        member=sweden, title='=HYPERLINK("x")', published_at=moment(2025, 3, 1)
    )
    first.pillars.set([forum])
    ReportedCommitmentFactory(update=first, member_commitment=sweden_endorse, status=IN_PROGRESS)
    ReportedCommitmentFactory(update=first, member_commitment=sweden_report, status=NOT_STARTED)
    second = PublishedUpdateFactory(
        member=sweden, milestone=cop30, title="Plant opens", published_at=moment(2025, 11, 1)
    )
    second.pillars.set([forum, tech])
    ReportedCommitmentFactory(update=second, member_commitment=sweden_endorse, status=MET)
    demo = CompanyMemberFactory(
        name="Northwind Steel (demo)", slug="northwind", country="DE", is_demo=True
    )
    demo_update = PublishedUpdateFactory(
        member=demo, milestone=cop30, title="Heats", is_demo=True, published_at=moment(2025, 11, 2)
    )
    demo_update.pillars.set([tech])
    ReportedCommitmentFactory(
        update=demo_update,
        member_commitment=MemberCommitmentFactory(member=demo, commitment=endorse),
        status=MET,
    )
    MemberFactory(name="India", slug="india", country="IN", joined_on=None)
    # Not in 2025's export: a draft, a hidden update, another year's, a prospective
    # member's, a member that joined after the year.
    ProgressUpdateFactory(member=sweden, title="Draft")
    ProgressUpdateFactory(
        member=sweden,
        title="Hidden",
        status=ProgressUpdate.Status.HIDDEN,
        hidden_reason="Off topic",
        published_at=moment(2025, 6, 1),
    )
    PublishedUpdateFactory(member=sweden, title="Next year", published_at=moment(2026, 1, 5))
    prospect = MemberFactory(name="Prospect", status=Member.Status.PROSPECTIVE)
    PublishedUpdateFactory(member=prospect, title="Not public", published_at=moment(2025, 4, 1))
    MemberFactory(name="Joined 2026", joined_on=datetime.date(2026, 2, 1))
    return sweden


@pytest.mark.django_db
def test_staff_download_the_year_laid_out_for_the_survey(staff_client, year_2025):
    response, book = download(staff_client, 2025)

    assert response["Content-Disposition"] == 'attachment; filename="leadit-gca-2025.xlsx"'
    assert book.sheetnames == ["Participants", "Activities", "Outputs by pillar", "README"]

    participants = {row["Name"]: row for row in as_dicts(book, "Participants")}
    assert set(participants) == {"Sweden", "Northwind Steel (demo)", "India"}
    sweden = participants["Sweden"]
    assert sweden["Kind"] == "Country"
    assert sweden["Country"] == "Sweden"
    assert sweden["Joined on"] == "2021-06-01"
    assert sweden["Status today"] == "Active"
    assert sweden["Pillars engaged (role)"] == (
        "1. Global forum (lead); 2. Technology transfer (participant)"
    )
    assert sweden["Profile"] == "http://testserver/members/sweden/"
    assert sweden["Demo record"] == "no"
    assert participants["Northwind Steel (demo)"]["Kind"] == "Company"
    assert participants["Northwind Steel (demo)"]["Demo record"] == "Demo record (invented)"
    assert participants["India"]["Joined on"] == "not_recorded"
    assert participants["India"]["Pillars engaged (role)"] == "none recorded on the portal"

    activities = as_dicts(book, "Activities")
    assert [a["Title"] for a in activities] == ['\'=HYPERLINK("x")', "Plant opens", "Heats"]
    first, second, demo = activities
    assert first["Milestone"] == "not tied to a milestone"
    assert first["Published on"] == "2025-03-01"
    assert first["Commitments reported (status)"] == (
        "Endorse the LeadIT mission: In progress; Report progress at milestones: Not started"
    )
    assert second["Milestone"] == "COP30 Belém 2025"
    assert second["Pillars"] == "1. Global forum, 2. Technology transfer"
    assert second["Link"] == "http://testserver/members/sweden/#profile-updates"
    assert second["Demo record"] == "no"
    assert demo["Demo record"] == "Demo record (invented)"

    outputs = rows(book, "Outputs by pillar")
    assert outputs[0] == [
        "Pillar",
        "Members reporting",
        "Updates",
        "Commitments met",
        "Commitments in progress",
        "Commitments not started",
    ]
    # Sweden's latest report of the year wins (met, not in progress); the invented
    # company's update is listed on "Activities" but never counted.
    assert outputs[1:] == [
        ["1. Global forum", 1, 2, 1, 0, 1],
        ["2. Technology transfer", 1, 1, 1, 0, 0],
        ["3. Partnerships", 0, 0, 0, 0, 0],
        ["All updates", 1, 2, 1, 0, 1],
        ["1 invented demo record(s) on “Activities” are not counted here."],
    ]

    readme = dict(rows(book, "README"))
    assert readme["Source"] == "LeadIT Secretariat Portal"
    assert readme["Licence"].startswith("CC BY 4.0")
    assert readme["Generated at"].startswith(timezone.now().date().isoformat()[:4])
    assert "http://testserver/members/milestones/gca/2025.xlsx" in readme["Citation"]
    assert set(readme) >= {
        "Sheet “Participants”",
        "Sheet “Activities”",
        "Sheet “Outputs by pillar”",
        "Demo records",
    }


@pytest.mark.django_db
def test_a_year_with_nothing_says_so_instead_of_zeros(staff_client, year_2025):
    _, book = download(staff_client, 2022)

    # The members that had joined by then, and India, whose joining date is not recorded.
    assert {row["Name"] for row in as_dicts(book, "Participants")} == {
        "Sweden",
        "Northwind Steel (demo)",
        "India",
    }
    assert rows(book, "Activities")[1:] == [["No updates published in 2022"]]
    assert rows(book, "Outputs by pillar")[1:] == [["No updates published in 2022"]]

    _, book = download(staff_client, 2020)
    assert {row["Name"] for row in as_dicts(book, "Participants")} == {"India"}


@pytest.mark.django_db
def test_a_former_member_is_listed_until_the_year_it_left(staff_client):
    member = MemberFactory(name="Leaver", joined_on=datetime.date(2020, 1, 1))
    member.status = Member.Status.FORMER
    member.save()
    left = member.history.first()  # the change to "former": dated today
    left_year = left.history_date.year

    _, book = download(staff_client, left_year)
    (row,) = as_dicts(book, "Participants")
    assert row["Status today"] == "Former"
    assert row["Left on"] == timezone.localdate(left.history_date).isoformat()

    _, book = download(staff_client, left_year + 1)
    assert rows(book, "Participants")[1:] == [[f"No member recorded as active in {left_year + 1}"]]


@pytest.mark.django_db
def test_only_years_of_leadit_and_next_year(staff_client):
    this_year = timezone.localdate().year
    assert staff_client.get(url(2018)).status_code == 404
    assert staff_client.get(url(this_year + 2)).status_code == 404
    assert staff_client.get(url(2019)).status_code == 200
    assert staff_client.get(url(this_year + 1)).status_code == 200


@pytest.mark.django_db
def test_not_for_members_or_visitors(client, member_client):
    assert member_client.get(url(2025)).status_code == 404
    client.logout()
    response = client.get(url(2025))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_year(staff_client, django_assert_max_num_queries):
    pillar = PillarFactory(number=1)
    for i in range(6):
        member = MemberFactory()
        PillarEngagementFactory(member=member, pillar=pillar)
        update = PublishedUpdateFactory(member=member, published_at=moment(2025, 2, 1 + i))
        update.pillars.set([pillar])
        ReportedCommitmentFactory(update=update)
        former = MemberFactory(status=Member.Status.FORMER)
        former.save()

    # The session, the user, then the export's seven reads.
    with django_assert_max_num_queries(10):
        download(staff_client, 2025)
