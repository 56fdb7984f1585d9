"""The public milestone report (/members/milestones/<slug>/): who reported for a milestone
with their updates, who has not (yet), counts by pillar and commitment status, the
downloads of exactly that, and the "Progress report for <milestone>" PDF rendered by a
real worker."""

import csv
import io
import json
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from leadit.jobs import fail_lost_jobs
from leadit.models import BackgroundJob
from members import signals
from members.milestone_pdf import PAGES_NAMESPACE, RENDER_TASK_NAME
from members.models import Member, MemberCommitment, MilestoneReport, ProgressUpdate
from members.selectors_milestones import milestone_list, milestone_report
from tests.factories.members import (
    CommitmentFactory,
    CompanyMemberFactory,
    MemberCommitmentFactory,
    MemberFactory,
    MilestoneFactory,
    PillarFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
    ReportedCommitmentFactory,
)

Status = MemberCommitment.Status
TODAY = timezone.localdate()


def _report_url(milestone) -> str:
    return reverse("members:milestone", kwargs={"slug": milestone.slug})


def _export_url(milestone, fmt: str) -> str:
    return reverse("members:milestone_export", kwargs={"slug": milestone.slug, "fmt": fmt})


def _published(member, milestone, title, *, pillars=(), reports=(), **kwargs):
    """A published update of ``member`` for ``milestone`` naming ``pillars`` and reporting
    ``reports`` ((commitment, status) pairs)."""
    update = PublishedUpdateFactory(member=member, milestone=milestone, title=title, **kwargs)
    update.pillars.set(pillars)
    for commitment, status in reports:
        ReportedCommitmentFactory(
            update=update,
            member_commitment=MemberCommitmentFactory(member=member, commitment=commitment),
            status=status,
        )
    return update


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> dict:
    """COP30 (past): Sweden reported twice, India once, a former member once; Germany
    and a demo company did not; a former member without an update, a prospective member,
    a member that joined after COP30, drafts and hidden updates do not count."""
    cop30 = MilestoneFactory(name="COP30", slug="cop30", date=TODAY - timedelta(days=30))
    cop29 = MilestoneFactory(name="COP29", slug="cop29", date=TODAY - timedelta(days=400))
    policy = PillarFactory(number=1, title="Policy dialogue", slug="policy")
    technology = PillarFactory(number=2, title="Technology co-development", slug="technology")
    PillarFactory(number=3, title="Finance", slug="finance")
    support = CommitmentFactory(text="Support a partner country", category="support")
    engage = CommitmentFactory(text="Engage in working groups", category="engage")
    promote = CommitmentFactory(text="Promote green steel", category="promote")

    sweden = MemberFactory(name="Sweden", slug="sweden", country="SE")
    india = MemberFactory(name="India", slug="india", country="IN")
    formerland = MemberFactory(name="Formerland", slug="formerland", status=Member.Status.FORMER)
    germany = MemberFactory(name="Germany", slug="germany", country="DE")
    demo_steel = CompanyMemberFactory(name="Demo Steel AB", slug="demo-steel", is_demo=True)
    MemberFactory(name="Oldland", slug="oldland", status=Member.Status.FORMER)
    prospect = MemberFactory(name="Prospectia", slug="prospectia", status=Member.Status.PROSPECTIVE)
    MemberFactory(name="Latecomer", slug="latecomer", joined_on=TODAY)

    first = _published(
        sweden,
        cop30,
        "Sweden's COP30 update",
        pillars=[policy, technology],
        reports=[(support, Status.IN_PROGRESS), (engage, Status.MET)],
    )
    second = _published(sweden, cop30, "Sweden's green steel pilot", pillars=[policy], is_demo=True)
    india_update = _published(india, cop30, "India at COP30", reports=[(promote, Status.MET)])
    former_update = _published(formerland, cop30, "Formerland's last report", pillars=[policy])
    _published(prospect, cop30, "Prospectia's early words", pillars=[technology])
    _published(germany, cop29, "Germany at COP29", pillars=[policy])
    ProgressUpdateFactory(member=germany, milestone=cop30, title="Germany's draft")
    ProgressUpdateFactory(
        member=demo_steel,
        milestone=cop30,
        title="Hidden by the secretariat",
        status=ProgressUpdate.Status.HIDDEN,
        hidden_reason="Off topic",
        published_at=timezone.now(),
    )
    return {
        "cop30": cop30,
        "cop29": cop29,
        "updates": [first, second, india_update, former_update],
        "sweden": sweden,
        "demo_steel": demo_steel,
    }


# --- The page -------------------------------------------------------------------------


def test_the_report_lists_who_reported_with_links_and_who_did_not(client, world):
    first, second, india_update, former_update = world["updates"]

    page = client.get(_report_url(world["cop30"])).content.decode()

    assert "Who reported for COP30" in page
    assert (
        "<strong>3 members reported</strong>, in 4 updates: 2 of the 4 members due to report "
        "(50 %), and 1 other (former members, or members that joined after the milestone). "
        "2 published no update here."
    ) in page
    assert "2 published no update here." in page
    reported = page.split('id="milestone-reported"')[1].split('id="milestone-not-reported"')[0]
    not_reported = page.split('id="milestone-not-reported"')[1].split('id="milestone-counts"')[0]
    for update in (first, second, india_update, former_update):
        link = f'<a href="/members/{update.member.slug}/#update-{update.pk}">{update.title}</a>'
        assert link.replace("'", "&#x27;") in reported, update.title
    assert "Formerland" in reported and "Former member" in reported
    assert "Reported (3)" in reported
    assert "No update published here (2)" in not_reported
    assert '<a href="/members/germany/">Germany</a>' in not_reported
    assert '<a href="/members/demo-steel/">Demo Steel AB</a>' in not_reported
    assert not_reported.count("no update published here") >= 2
    assert "not yet reported" not in not_reported
    for absent in ("Oldland", "Prospectia", "Latecomer", "Germany&#x27;s draft", "Hidden by"):
        assert absent not in page, absent


def test_demo_records_are_labelled(client, world):
    page = client.get(_report_url(world["cop30"])).content.decode()

    not_reported = page.split('id="milestone-not-reported"')[1]
    assert 'Demo Steel AB</a> <span class="tag tag--demo">Demo record (invented)</span>' in (
        not_reported
    )
    second = world["updates"][1]
    assert (
        f'{second.title}</a> <span class="tag tag--demo">Demo record (invented)</span>'.replace(
            "'", "&#x27;"
        )
        in page
    )
    assert page.count("Demo record (invented)</span>") == 2


def test_an_upcoming_milestone_says_not_yet_reported(client, world):
    cop31 = MilestoneFactory(name="COP31", slug="cop31", date=TODAY + timedelta(days=20))
    _published(world["sweden"], cop31, "Sweden ahead of COP31")

    page = client.get(_report_url(cop31)).content.decode()

    assert "(upcoming)" in page
    assert "Not yet reported (4)" in page
    assert "1 of the 5 members due to report (20 %). 4 have not yet reported." in page
    assert '<a href="/members/india/">India</a>' in page and "— not yet reported" in page
    assert "no update published here" not in page


def test_counts_by_pillar_and_commitment_status_are_right(client, world):
    report = milestone_report(world["cop30"])

    assert [(c.pillar.number, c.updates, c.members) for c in report.by_pillar] == [
        (1, 3, 2),  # Sweden's two updates and Formerland's; not Prospectia's nor COP29's
        (2, 1, 1),
        (3, 0, 0),
    ]
    assert [(s.status, s.count) for s in report.by_status] == [
        ("not_started", 0),
        ("in_progress", 1),
        ("met", 2),
    ]
    assert [(c.category, [s.count for s in c.by_status]) for c in report.by_category] == [
        ("support", [0, 1, 0]),
        ("engage", [0, 0, 1]),
        ("promote", [0, 0, 1]),
    ]
    assert (report.reported_count, report.not_reported_count, report.share_reporting) == (
        3,
        2,
        0.5,
    )

    page = client.get(_report_url(world["cop30"])).content.decode()

    assert '<tr><th scope="row">1. Policy dialogue</th><td>3</td><td>2</td></tr>' in page
    assert '<tr><th scope="row">3. Finance</th><td>0</td><td>0</td></tr>' in page
    assert (
        '<tr><th scope="row">Support industry transitions</th><td>0</td><td>1</td><td>0</td>'
        "<td>1</td></tr>" in page
    )
    assert (
        '<tr><th scope="row">All commitments</th><td>0</td><td>1</td><td>2</td><td>3</td></tr>'
        in page
    )
    # Two server-rendered charts, each with its data table.
    assert page.count('class="chart chart--stacked"') == 1
    assert page.count('class="chart chart--bar"') == 1
    assert page.count('<details class="chart-data">') == 2
    assert "Commitments reported for COP30, by category and status" in page


def test_a_milestone_nobody_reported_for_says_so_without_charts(client, world):
    empty = MilestoneFactory(name="UN summit", slug="un-summit", date=TODAY - timedelta(days=3))

    page = client.get(_report_url(empty)).content.decode()

    assert "<strong>0 members reported</strong>: 0 of the 4 members due to report (0 %)." in page
    assert "No member has published an update for UN summit." in page
    assert 'class="chart chart--' not in page
    assert "No chart: no update for UN summit names a pillar or a commitment." in page


def test_the_list_shows_upcoming_and_past_milestones_with_how_many_reported(client, world):
    MilestoneFactory(name="COP31", slug="cop31", date=TODAY + timedelta(days=20))

    page = client.get(reverse("members:milestones")).content.decode()

    upcoming, past = page.split('id="milestones-past"')
    assert '<a href="/members/milestones/cop31/">COP31</a>' in upcoming
    assert "0 members reported so far" in upcoming
    assert '<a href="/members/milestones/cop30/">COP30</a>' in past
    assert "3 members reported" in past  # Sweden, India, Formerland; not Prospectia
    assert "1 member reported" in past  # COP29: Germany
    assert past.index("COP30") < past.index("COP29")
    assert [(s.milestone.slug, s.members_reported) for s in milestone_list()] == [
        ("cop31", 0),
        ("cop30", 3),
        ("cop29", 1),
    ]


# --- Downloads ------------------------------------------------------------------------


def _page_members(page: str) -> tuple[set[str], set[str]]:
    reported = page.split('id="milestone-reported"')[1].split('id="milestone-not-reported"')[0]
    not_reported = page.split('id="milestone-not-reported"')[1].split('id="milestone-counts"')[0]
    names = ["Sweden", "India", "Formerland", "Germany", "Demo Steel AB"]
    return (
        {n for n in names if f">{n}</a>" in reported},
        {n for n in names if f">{n}</a>" in not_reported},
    )


def test_the_downloads_hold_exactly_what_the_page_shows(client, world):
    page = client.get(_report_url(world["cop30"])).content.decode()
    reported, not_reported = _page_members(page)
    assert reported == {"Sweden", "India", "Formerland"}
    assert not_reported == {"Germany", "Demo Steel AB"}
    first, second, *_ = world["updates"]

    response = client.get(_export_url(world["cop30"], "csv"))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="leadit-progress-report-cop30-'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["member"] for row in rows] == [
        "Demo Steel AB",
        "Formerland",
        "Germany",
        "India",
        "Sweden",
    ]
    assert {r["member"] for r in rows if r["reported"] == "yes"} == reported
    assert {r["member"] for r in rows if r["reported"] == "no"} == not_reported
    sweden = next(r for r in rows if r["member"] == "Sweden")
    assert sweden["updates"] == f"{first.title}; {second.title}"
    assert sweden["update_urls"] == (
        f"http://testserver/members/sweden/#update-{first.pk}; "
        f"http://testserver/members/sweden/#update-{second.pk}"
    )
    assert sweden["pillars"] == "1. Policy dialogue; 2. Technology co-development"
    assert sweden["commitments"] == (
        "Support a partner country (Support industry transitions): In progress; "
        "Engage in working groups (Engage on industry transitions): Met"
    )
    assert sweden["demo_record"] == "Demo record (invented)"  # one of its updates is
    india = next(r for r in rows if r["member"] == "India")
    assert india["pillars"] == "not_recorded"  # its update named none: it did not say
    germany = next(r for r in rows if r["member"] == "Germany")
    assert (germany["updates"], germany["pillars"]) == ("none published", "none published")
    assert germany["demo_record"] == "no"
    demo = next(r for r in rows if r["member"] == "Demo Steel AB")
    assert demo["demo_record"] == "Demo record (invented)"
    assert all(r["licence"] == "CC BY 4.0" for r in rows)
    assert "LeadIT members' progress reports: COP30" in rows[0]["cite_as"]

    response = client.get(_export_url(world["cop30"], "xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Members"]
    header, *cells = [[c.value for c in row] for row in sheet.iter_rows()]
    xlsx_rows = [dict(zip(header, values, strict=True)) for values in cells]
    assert [r["member"] for r in xlsx_rows] == [r["member"] for r in rows]
    for xlsx_row, csv_row in zip(xlsx_rows, rows, strict=True):
        assert all(xlsx_row[k] == csv_row[k] for k in header), xlsx_row["member"]
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Licence"].startswith("CC BY 4.0") and about["Members reported"] == 3

    document = json.loads(client.get(_export_url(world["cop30"], "json")).content)
    assert document["licence"] == "CC BY 4.0"
    assert (document["members_reported"], document["members_not_reported"]) == (3, 2)
    assert document["share_reporting"] == 0.5
    assert (document["members_due"], document["members_due_reported"]) == (4, 2)
    assert [m["member"] for m in document["members"]] == [r["member"] for r in rows]
    sweden_json = next(m for m in document["members"] if m["member"] == "Sweden")
    assert sweden_json["reported"] is True
    assert sweden_json["updates"] == [first.title, second.title]
    germany_json = next(m for m in document["members"] if m["member"] == "Germany")
    assert (germany_json["reported"], germany_json["updates"]) == (False, [])


def test_spreadsheet_cells_are_never_formulae(client, world):
    _published(MemberFactory(name="Equaland", slug="equaland"), world["cop30"], "=HYPERLINK(1)")

    response = client.get(_export_url(world["cop30"], "csv"))

    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


# --- Bad input --------------------------------------------------------------------------


def test_unknown_milestones_and_formats_are_404(client, staff_client, world):
    unknown = {"slug": "cop99"}
    assert client.get(reverse("members:milestone", kwargs=unknown)).status_code == 404
    for fmt in ("csv", "xml", "pdf"):
        url = reverse("members:milestone_export", kwargs={**unknown, "fmt": fmt})
        assert client.get(url).status_code == 404
    for fmt in ("xml", "xlsx2", "CSV"):
        assert client.get(_export_url(world["cop30"], fmt)).status_code == 404
    assert client.get(reverse("members:milestone_pdf", kwargs=unknown)).status_code == 404
    render = reverse("members:milestone_pdf_render", kwargs=unknown)
    assert staff_client.post(render).status_code == 404


def test_the_render_address_takes_a_staff_post_only(client, member_user, world):
    render = reverse("members:milestone_pdf_render", kwargs={"slug": "cop30"})

    anonymous = client.post(render)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client.force_login(member_user)
    assert client.post(render).status_code == 404
    assert client.get(render).status_code == 404
    assert not MilestoneReport.objects.exists()


def test_get_on_the_render_address_is_405_for_staff(staff_client, world):
    render = reverse("members:milestone_pdf_render", kwargs={"slug": "cop30"})

    assert staff_client.get(render).status_code == 405
    assert not MilestoneReport.objects.exists()


def test_no_pdf_yet_is_404_and_the_page_says_so(client, world):
    MilestoneReport.objects.create(milestone=world["cop30"], status=MilestoneReport.Status.QUEUED)

    assert client.get(reverse("members:milestone_pdf", kwargs={"slug": "cop30"})).status_code == (
        404
    )
    page = client.get(_report_url(world["cop30"])).content.decode()
    assert "No PDF of this report has been made yet." in page
    assert "Render the PDF" not in page  # staff only


# --- Query counts ---------------------------------------------------------------------


def _members_reporting(milestone, count: int, pillar, commitment) -> None:
    for index in range(count):
        member = MemberFactory(is_demo=index % 7 == 0)
        if index % 2:
            _published(
                member,
                milestone,
                f"Update {index}",
                pillars=[pillar],
                reports=[(commitment, Status.MET)],
            )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_report_and_its_downloads_read_in_flat_queries_at_10_and_200_members(client):
    pillar = PillarFactory(number=1)
    commitment = CommitmentFactory()
    small = MilestoneFactory(name="Small", slug="small", date=TODAY - timedelta(days=1))
    large = MilestoneFactory(name="Large", slug="large", date=TODAY - timedelta(days=1))
    _members_reporting(small, 10, pillar, commitment)
    _members_reporting(large, 200, pillar, commitment)

    for fmt in (None, "csv", "xlsx", "json"):
        urls = [_report_url(m) if fmt is None else _export_url(m, fmt) for m in (small, large)]
        assert _queries(client, urls[0]) == _queries(client, urls[1]), fmt
    list_url = reverse("members:milestones")
    before = _queries(client, list_url)
    MilestoneFactory.create_batch(20)
    cache.clear()  # the list page is cached; the new milestones make it stale anyway
    assert _queries(client, list_url) == before


# --- The PDF ----------------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_page_cache_namespace_is_the_members_one():
    assert PAGES_NAMESPACE == signals.PAGES_NAMESPACE


@pytest.mark.django_db(transaction=True)
def test_staff_render_the_pdf_through_a_real_worker_and_anyone_downloads_it(
    celery_worker, client, staff_client, media_root
):
    data = build_world()  # committed: the worker sees only committed rows
    cop30 = data["cop30"]
    anonymous_before = client.get(_report_url(cop30)).content.decode()  # cached now
    assert "No PDF of this report has been made yet." in anonymous_before
    render = reverse("members:milestone_pdf_render", kwargs={"slug": "cop30"})

    response = staff_client.post(render)

    assert response.status_code == 302
    assert response["Location"] == "/members/milestones/cop30/#progress-report-pdf"
    report = MilestoneReport.objects.get()
    deadline = time.monotonic() + 60
    while report.status == MilestoneReport.Status.QUEUED and time.monotonic() < deadline:
        time.sleep(0.2)
        report.refresh_from_db()
    assert report.status == MilestoneReport.Status.RENDERED, report.error
    staff_page = staff_client.get(_report_url(cop30)).content.decode()
    assert "being rendered" in staff_page or "rendered</strong>" in staff_page
    assert "Render the PDF again" in staff_page

    client.logout()
    page = client.get(_report_url(cop30)).content.decode()
    assert "(PDF of <time" in page  # the cached page went stale
    download = client.get(reverse("members:milestone_pdf", kwargs={"slug": "cop30"}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="leadit-progress-report-cop30.pdf"'
    )
    text = _text(b"".join(download.streaming_content))
    for shown in (
        "Progress report for COP30",
        "2 of the 4 members due to report (50 %)",
        "Sweden's COP30 update",
        "Formerland",
        "No update published here (2)",
        "Demo Steel AB",
        "Demo record (invented)",
        "Policy dialogue",
        "CC BY 4.0",
    ):
        assert shown.replace("'", "’") in text.replace("'", "’"), shown
    assert "Prospectia" not in text


@pytest.mark.django_db
def test_a_second_click_while_queued_queues_nothing_more(staff_client, world):
    render = reverse("members:milestone_pdf_render", kwargs={"slug": "cop30"})
    MilestoneReport.objects.create(milestone=world["cop30"])

    response = staff_client.post(render, follow=True)

    assert "is already being rendered" in response.content.decode()
    assert MilestoneReport.objects.count() == 1
    assert not BackgroundJob.objects.exists()


def test_a_failed_render_shows_failed_to_staff(client, staff_client, world):
    MilestoneReport.objects.create(
        milestone=world["cop30"], status=MilestoneReport.Status.FAILED, error="WeasyPrint: boom"
    )

    page = staff_client.get(_report_url(world["cop30"])).content.decode()

    assert "<strong>failed</strong>: WeasyPrint: boom" in page
    assert "Render the PDF" in page
    client.logout()
    assert (
        "No PDF of this report has been made yet."
        in client.get(_report_url(world["cop30"])).content.decode()
    )


def test_a_render_whose_worker_was_lost_fails_instead_of_staying_queued(staff_client, world):
    report = MilestoneReport.objects.create(milestone=world["cop30"])
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT, hours=1)
    BackgroundJob.objects.create(
        task_name=RENDER_TASK_NAME,
        arguments={"report_id": report.pk},
        status=BackgroundJob.Status.RUNNING,
        started_at=long_ago,
    )

    assert fail_lost_jobs() == 1

    report.refresh_from_db()
    assert report.status == MilestoneReport.Status.FAILED
    page = staff_client.get(_report_url(world["cop30"])).content.decode()
    assert "<strong>failed</strong>: No worker finished this job" in page


# --- The page cache -----------------------------------------------------------------------


def _cached(client, url: str) -> str:
    """The anonymous page, rendered once so that the next request may come from the cache."""
    return client.get(url).content.decode()


def test_a_new_update_for_the_milestone_shows_on_the_cached_report(client, world):
    url = _report_url(world["cop30"])
    assert "No update published here (2)" in _cached(client, url)

    _published(Member.objects.get(slug="germany"), world["cop30"], "Late")

    assert "No update published here (1)" in client.get(url).content.decode()


# Pillars and commitment reports edited alone (the admin's inlines) make the pages stale too
# (members/signals.py).
def test_naming_a_pillar_on_an_update_shows_on_the_cached_report(client, world):
    url = _report_url(world["cop30"])
    assert '<tr><th scope="row">3. Finance</th><td>0</td><td>0</td></tr>' in _cached(client, url)
    india_update = world["updates"][2]

    india_update.pillars.add(PillarFactory(number=3))

    page = client.get(url).content.decode()
    assert '<tr><th scope="row">3. Finance</th><td>1</td><td>1</td></tr>' in page


def test_a_commitment_report_added_alone_shows_on_the_cached_report(client, world):
    india_update = world["updates"][2]
    kept = MemberCommitmentFactory(member=india_update.member)  # saved before the page is
    url = _report_url(world["cop30"])
    assert "All commitments</th><td>0</td><td>1</td><td>2</td><td>3</td>" in _cached(client, url)

    ReportedCommitmentFactory(
        update=india_update, member_commitment=kept, status=Status.NOT_STARTED
    )

    page = client.get(url).content.decode()
    assert "All commitments</th><td>1</td><td>1</td><td>2</td><td>4</td>" in page
