"""The quarterly newsletter's assembly: an issue assembled from exactly its quarter's data,
sections left out or capped, and a bounded number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from leadit.newsletter_sections import days
from members.models import Member, ProgressUpdate
from publications import newsletter
from publications.models import NewsletterItem
from publications.models import Publication as PublicationModel
from summits.models import Event
from tests.factories.members import (
    CompanyMemberFactory,
    ImpactStoryFactory,
    MemberFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
    SectorFactory,
)
from tests.factories.publications import (
    BriefFactory,
)
from tests.factories.summits import EventFactory, EventKindFactory
from tests.factories.tracker import IndustrialProjectFactory, RoadmapFactory, TargetFactory
from tests.factories.workplan import (
    ActivityFactory,
    ActivityGroupFactory,
    ImpactPathwayFactory,
    ObjectiveFactory,
    ObjectiveTargetFactory,
    TargetMeasurementFactory,
    WorkplanFactory,
)
from tests.publications.newsletter_quarter import (
    Q3_END,
    Q3_START,
    Kind,
    assemble,
    changed_at,
    created_at,
    issue_for_q3,
    moment,
    section,
    titles,
)
from tracker.models import IndustrialProject, Roadmap
from workplan.models import Activity

# --- Quarters --------------------------------------------------------------------------------


def test_quarter_bounds_are_first_and_last_day():
    assert newsletter.quarter_bounds(2025, 1) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 3, 31),
    )
    assert newsletter.quarter_bounds(2024, 1)[1] == datetime.date(2024, 3, 31)
    assert newsletter.quarter_bounds(2025, 3) == (Q3_START, Q3_END)
    assert newsletter.quarter_bounds(2025, 4) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )


def test_quarter_bounds_refuse_a_fifth_quarter():
    with pytest.raises(ValidationError):
        newsletter.quarter_bounds(2025, 5)


def test_event_days_are_written_without_repeating_month_or_year():
    d = datetime.date
    assert days(d(2025, 7, 3), d(2025, 7, 3)) == "3 July 2025"
    assert days(d(2021, 10, 31), d(2021, 11, 13)) == "31 October – 13 November 2021"
    assert days(d(2025, 12, 30), d(2026, 1, 2)) == "30 December 2025 – 2 January 2026"


def test_issue_summary_lists_what_the_quarter_brought():
    counts = {Kind.NEW_MEMBERS: 2, Kind.EVENTS_HELD: 1, Kind.BRIEFS: 3, Kind.WORKPLAN: 4}

    summary = newsletter.issue_summary(counts=counts, label="Q3 2025")

    assert summary == (
        "Q3 2025 at LeadIT: 2 new members, 1 event held, 3 briefs and the workplan’s progress."
    )
    assert newsletter.issue_summary(counts={}, label="Q1 2026") == (
        "The LeadIT newsletter for Q1 2026."
    )


# --- What assembly picks ---------------------------------------------------------------------


@pytest.mark.django_db
def test_assemble_new_members_are_exactly_those_who_joined_in_the_quarter():
    MemberFactory(name="Joined in June", joined_on=datetime.date(2025, 6, 30))
    MemberFactory(name="India", joined_on=Q3_START, country="IN")
    steel = SectorFactory(name="Iron and steel", slug="steel")
    company = CompanyMemberFactory(name="Green Steel AB", joined_on=Q3_END, country="SE")
    company.sectors.set([steel])
    MemberFactory(name="Joined in October", joined_on=datetime.date(2025, 10, 1))
    MemberFactory(name="Still prospective", joined_on=Q3_START, status=Member.Status.PROSPECTIVE)
    issue = issue_for_q3()

    assemble(issue)

    items = list(section(issue, Kind.NEW_MEMBERS).items.all())
    assert [i.title for i in items] == ["India", "Green Steel AB"]
    assert items[0].text.startswith("India joined LeadIT as a country member on 1 July 2025.")
    assert items[1].text.startswith(
        "Green Steel AB joined LeadIT as a company member (iron and steel), headquartered in "
        "Sweden on 30 September 2025."
    )
    assert items[0].url == "/members/" + Member.objects.get(name="India").slug + "/"
    assert items[0].date == Q3_START
    assert items[1].source == f"member:{company.pk}"


@pytest.mark.django_db
def test_assemble_new_members_include_those_announced_at_a_public_event_of_the_quarter():
    announced = MemberFactory(name="Announced at the summit", joined_on=None)
    EventFactory(
        title="Leadership Summit 2025",
        start=moment(2025, 9, 10),
        end=moment(2025, 9, 10, 18),
        announced_members=[announced],
    )
    issue = issue_for_q3()

    assemble(issue)

    (item,) = section(issue, Kind.NEW_MEMBERS).items.all()
    assert item.title == "Announced at the summit"
    assert "Announced at Leadership Summit 2025." in item.text
    assert item.date == datetime.date(2025, 9, 10)


@pytest.mark.django_db
def test_assemble_events_held_and_coming_are_split_by_the_quarter_and_now():
    kind = EventKindFactory(name="Leadership dialogue")
    EventFactory(title="June dialogue", kind=kind, start=moment(2025, 6, 20))
    EventFactory(
        title="August dialogue",
        kind=kind,
        start=moment(2025, 8, 12, 9),
        end=moment(2025, 8, 13, 15),
        location="New Delhi",
    )
    EventFactory(
        title="Board meeting in August",
        start=moment(2025, 8, 20),
        visibility=Event.Visibility.MEMBERS,
    )
    EventFactory(title="COP30 side event", kind=kind, start=moment(2025, 11, 15))
    EventFactory(title="February 2026 dialogue", kind=kind, start=moment(2026, 2, 1))
    issue = issue_for_q3()

    assemble(issue)

    held = section(issue, Kind.EVENTS_HELD).items.get()
    assert held.title == "August dialogue"
    assert held.text.startswith("Leadership dialogue · 12–13 August 2025 · New Delhi")
    assert held.url == "/events/" + Event.objects.get(title="August dialogue").slug + "/"
    assert held.date == datetime.date(2025, 8, 12)
    assert titles(issue, Kind.EVENTS_COMING) == ["COP30 side event"]


@pytest.mark.django_db
def test_assemble_before_the_quarter_ends_counts_its_later_events_as_coming():
    EventFactory(title="Early September", start=moment(2025, 9, 2))
    EventFactory(title="Late September", start=moment(2025, 9, 25))
    issue = issue_for_q3()

    assemble(issue, now=moment(2025, 9, 15))

    assert titles(issue, Kind.EVENTS_HELD) == ["Early September"]
    assert titles(issue, Kind.EVENTS_COMING) == ["Late September"]


@pytest.mark.django_db
def test_assemble_briefs_are_those_published_in_the_quarter():
    BriefFactory(title="June brief", published_on=datetime.date(2025, 6, 30))
    brief = BriefFactory(
        title="Green public procurement",
        summary="What buyers can do.",
        published_on=datetime.date(2025, 8, 1),
    )
    BriefFactory(title="Draft brief", status=PublicationModel.Status.DRAFT, published_on=None)
    BriefFactory(title="October brief", published_on=datetime.date(2025, 10, 1))
    issue = issue_for_q3()

    assemble(issue)

    (item,) = section(issue, Kind.BRIEFS).items.all()
    assert item.title == "Green public procurement"
    assert item.text.startswith("What buyers can do.")
    assert item.url == f"/publications/{brief.slug}/"
    assert item.date == datetime.date(2025, 8, 1)


@pytest.mark.django_db
def test_assemble_progress_is_updates_published_and_stories_dated_in_the_quarter():
    member = MemberFactory(name="Sweden")
    milestone = MilestoneFactory(name="UNGA 2025")
    PublishedUpdateFactory(
        member=member,
        title="Fossil-free steel plant opens",
        body="The **first** plant produced steel.",
        milestone=milestone,
        published_at=moment(2025, 7, 15),
    )
    PublishedUpdateFactory(member=member, title="Too late", published_at=moment(2025, 10, 2))
    ProgressUpdateFactory(member=member, title="A draft")
    ProgressUpdateFactory(
        member=member,
        title="Hidden",
        status=ProgressUpdate.Status.HIDDEN,
        hidden_reason="Off topic",
        published_at=moment(2025, 7, 20),
    )
    ImpactStoryFactory(
        member=member,
        title="Procurement rules changed",
        what_changed="Public buyers now ask for low-carbon cement.",
        date=datetime.date(2025, 8, 20),
    )
    ImpactStoryFactory(
        member=member,
        title="Unpublished story",
        date=datetime.date(2025, 8, 21),
        is_published=False,
    )
    issue = issue_for_q3()

    assemble(issue)

    items = list(section(issue, Kind.PROGRESS).items.all())
    assert [i.title for i in items] == [
        "Sweden: Fossil-free steel plant opens",
        "Sweden: Procurement rules changed",
    ]
    assert items[0].text == "The first plant produced steel.\n\nReported at UNGA 2025."
    assert items[0].url == f"/members/{member.slug}/#profile-updates"
    assert items[1].url == f"/members/{member.slug}/#profile-stories"
    assert "Public buyers now ask for low-carbon cement." in items[1].text


@pytest.mark.django_db
def test_assemble_roadmaps_added_and_changed_in_the_quarter_with_what_changed():
    older = created_at(RoadmapFactory(title="Older roadmap"), moment(2025, 3, 1))
    created_at(RoadmapFactory(title="Untouched roadmap"), moment(2025, 3, 1))
    created_at(RoadmapFactory(title="New roadmap", country="IN"), moment(2025, 8, 5))
    created_at(RoadmapFactory(title="Too new roadmap"), moment(2025, 10, 3))
    changed_at(older, moment(2025, 9, 1), status=Roadmap.Status.IN_IMPLEMENTATION)
    with_target = created_at(RoadmapFactory(title="Roadmap with a new target"), moment(2025, 2, 1))
    target = TargetFactory(roadmap=with_target)
    created_at(target, moment(2025, 7, 7))
    issue = issue_for_q3()

    assemble(issue)

    items = {i.title: i for i in section(issue, Kind.ROADMAPS).items.all()}
    assert list(items) == ["New roadmap", "Roadmap with a new target", "Older roadmap"]
    assert items["New roadmap"].text.startswith(
        "New in the tracker. A national roadmap of India by Demo ministry. Status: adopted."
    )
    assert items["Older roadmap"].text.startswith(
        "Updated in the tracker: status adopted → in implementation."
    )
    assert items["Older roadmap"].date == datetime.date(2025, 9, 1)
    assert items["Roadmap with a new target"].text.startswith("Updated in the tracker: targets.")
    assert items["New roadmap"].url.startswith("/tracker/roadmaps/")


@pytest.mark.django_db
def test_assemble_projects_added_or_whose_status_changed_in_the_quarter():
    moved = created_at(IndustrialProjectFactory(name="Moved plant"), moment(2025, 1, 5))
    changed_at(moved, moment(2025, 8, 1), status=IndustrialProject.Status.CONSTRUCTION)
    renamed = created_at(IndustrialProjectFactory(name="Owner changed"), moment(2025, 1, 5))
    changed_at(renamed, moment(2025, 8, 1), owner="Another owner")
    created_at(IndustrialProjectFactory(name="New plant", country="DE"), moment(2025, 7, 2))
    created_at(IndustrialProjectFactory(name="Old plant"), moment(2024, 7, 2))
    issue = issue_for_q3()

    assemble(issue)

    items = list(section(issue, Kind.PROJECTS).items.all())
    assert [i.title for i in items] == ["Moved plant", "New plant"]
    assert items[0].text == (
        "Status changed from announced to under construction: Iron and steel project in "
        "Sweden (Demo Steel AB)."
    )
    assert items[1].text.startswith("New in the tracker: Iron and steel project in Germany")


@pytest.mark.django_db
def test_assemble_workplan_progress_of_the_covering_workplan():
    workplan = WorkplanFactory(
        title="Workplan 2025",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    WorkplanFactory(title="Draft 2026", period_start=datetime.date(2025, 7, 1), status="draft")
    objective = ObjectiveFactory(workplan=workplan, number=1, short_title="Grow the membership")
    ObjectiveTargetFactory(
        objective=objective,
        label="New members",
        metric="new_members",
        threshold=Decimal("4"),
        unit="members",
    )
    manual = ObjectiveTargetFactory(objective=objective, label="Dialogues", threshold=Decimal("3"))
    TargetMeasurementFactory(target=manual, date=datetime.date(2025, 9, 1), value=Decimal("3"))
    MemberFactory(joined_on=datetime.date(2025, 2, 1))
    MemberFactory(joined_on=datetime.date(2025, 8, 1))
    group = ActivityGroupFactory(
        pathway=ImpactPathwayFactory(workplan=workplan, title="Evidence for action")
    )
    delivered = created_at(
        ActivityFactory(group=group, title="Steel roadmap guide", start_date=None, due_date=None),
        moment(2025, 2, 1),
    )
    changed_at(delivered, moment(2025, 8, 30), status=Activity.Status.DONE, partners="IEA")
    earlier = created_at(
        ActivityFactory(group=group, title="Delivered in spring", start_date=None, due_date=None),
        moment(2025, 2, 1),
    )
    changed_at(earlier, moment(2025, 5, 1), status=Activity.Status.DONE)
    changed_at(earlier, moment(2025, 8, 1), description="A later edit")
    created_at(
        ActivityFactory(group=group, title="Still planned", start_date=None, due_date=None),
        moment(2025, 2, 1),
    )
    EventFactory(start=moment(2025, 8, 12))
    issue = issue_for_q3()

    assemble(issue)

    items = list(section(issue, Kind.WORKPLAN).items.all())
    assert [i.title for i in items] == [
        "Workplan 2025",
        "Objective 1: Grow the membership",
        "Delivered: Steel roadmap guide",
    ]
    assert items[0].text == (
        "As at 30 September 2025: 1 of 2 targets met, 0 on track, 1 behind. "
        "This quarter: 1 activity delivered, 1 public event held."
    )
    assert items[1].text == ("- New members: 2 of 4 members — behind\n- Dialogues: 3 of 3 — met")
    assert items[1].url == f"/workplan/{workplan.slug}/#objective-1"
    assert items[2].text == "Evidence for action. With IEA."
    assert items[2].url == f"/workplan/{workplan.slug}/#activity-{delivered.pk}"


@pytest.mark.django_db
def test_assemble_leaves_out_empty_sections_but_creates_them():
    issue = issue_for_q3()

    result = assemble(issue)

    sections = list(issue.sections.all())
    assert [s.kind for s in sections] == list(newsletter.ASSEMBLED_KINDS)
    assert [s.title for s in sections][:3] == [
        "New members and announcements",
        "Events held",
        "Coming events",
    ]
    assert not any(s.included for s in sections)
    assert result.items == 0
    assert result.created_sections == len(newsletter.ASSEMBLED_KINDS)  # one per registered
    assert NewsletterItem.objects.filter(section__issue=issue).count() == 0


@pytest.mark.django_db
def test_assemble_caps_a_section_with_a_link_to_the_rest():
    for day in range(1, 21):
        MemberFactory(joined_on=datetime.date(2025, 8, day))
    issue = issue_for_q3()

    result = assemble(issue)

    items = list(section(issue, Kind.NEW_MEMBERS).items.all())
    assert len(items) == newsletter.MAX_ITEMS
    assert items[-1].title == "And 9 more new members"
    assert items[-1].url == "/members/"
    assert result.counts[Kind.NEW_MEMBERS] == 20


# --- Queries ---------------------------------------------------------------------------------


def _quarter_of_data(n: int) -> None:
    workplan = WorkplanFactory(
        period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)
    )
    group = ActivityGroupFactory(pathway=ImpactPathwayFactory(workplan=workplan))
    sector = SectorFactory(name="Cement", slug="cement")
    for i in range(n):
        member = MemberFactory(joined_on=datetime.date(2025, 7, 1 + i))
        company = CompanyMemberFactory(joined_on=datetime.date(2025, 8, 1 + i))
        company.sectors.set([sector])
        EventFactory(start=moment(2025, 8, 1 + i), announced_members=[company])
        EventFactory(start=moment(2025, 11, 1 + i))
        BriefFactory(published_on=datetime.date(2025, 9, 1 + i))
        PublishedUpdateFactory(member=member, published_at=moment(2025, 7, 10 + i))
        ImpactStoryFactory(member=member, date=datetime.date(2025, 7, 10 + i))
        created_at(RoadmapFactory(sectors=[sector]), moment(2025, 8, 1 + i))
        old = created_at(RoadmapFactory(), moment(2025, 1, 1))
        changed_at(old, moment(2025, 8, 2), status=Roadmap.Status.IN_IMPLEMENTATION)
        created_at(TargetFactory(roadmap=old), moment(2025, 8, 3))
        created_at(IndustrialProjectFactory(), moment(2025, 7, 5))
        plant = created_at(IndustrialProjectFactory(), moment(2025, 1, 5))
        changed_at(plant, moment(2025, 8, 5), status=IndustrialProject.Status.OPERATING)
        objective = ObjectiveFactory(workplan=workplan)
        ObjectiveTargetFactory(objective=objective, metric="new_members")
        TargetMeasurementFactory(target=ObjectiveTargetFactory(objective=objective))
        activity = created_at(ActivityFactory(group=group), moment(2025, 1, 5))
        changed_at(activity, moment(2025, 8, 5), status=Activity.Status.DONE)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 8])
def test_assemble_query_count_does_not_grow_with_the_data(size, django_assert_max_num_queries):
    _quarter_of_data(size)
    issue = issue_for_q3()
    assemble(issue)  # the second assembly also reads and replaces the first one's items

    # Each registered section reads its quarter in a fixed number of queries.
    with django_assert_max_num_queries(40):
        result = assemble(issue)

    assert result.counts[Kind.NEW_MEMBERS] == 2 * size
    assert result.counts[Kind.EVENTS_HELD] == size
    assert result.counts[Kind.EVENTS_COMING] == size
    assert result.counts[Kind.ROADMAPS] == 2 * size
    assert result.counts[Kind.PROJECTS] == 2 * size
    assert result.counts[Kind.BRIEFS] == size
    assert result.counts[Kind.PROGRESS] == 2 * size
    assert result.counts[Kind.WORKPLAN] == 1 + 2 * size
    items = NewsletterItem.objects.filter(section__issue=issue, section__kind=Kind.PROGRESS)
    assert items.count() == min(2 * size, newsletter.MAX_ITEMS)
