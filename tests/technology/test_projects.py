"""Co-development projects: the list /technology/projects/ (filters, counts per status,
visibility, flat query counts) and one project's page (participants, milestones, budget,
links, the TRL chart, the edit link, 404 for a hidden project)."""

import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from technology.models import CoDevelopmentProject, ProjectMilestone, Visibility
from tests.factories.members import EditorFactory, MemberFactory, SectorFactory
from tests.factories.partnerships import (
    CurrencyRateFactory,
    PartnerInstitutionFactory,
    PipelineProjectFactory,
)
from tests.factories.technology import (
    CoDevelopmentProjectFactory,
    ProjectMilestoneFactory,
    ProjectParticipantFactory,
    ProjectPublicationFactory,
    TechnologySolutionFactory,
)
from tests.factories.tracker import IndustrialProjectFactory, TechnologyFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/technology/projects/"
Status = CoDevelopmentProject.Status


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- The list -------------------------------------------------------------------------


def test_the_list_shows_each_projects_row_and_the_counts_per_status(client):
    steel = MemberFactory(name="Steelworks Demo AB", slug="steelworks")
    hydrogen = TechnologyFactory(name="Hydrogen DRI", slug="hydrogen-dri")
    project = CoDevelopmentProjectFactory(
        title="Green iron pilot",
        lead_member=steel,
        technology=hydrogen,
        trl_start=4,
        trl_current=5,
        trl_target=7,
        starts_on=date(2025, 2, 1),
        ends_on=None,
        is_demo=True,
    )
    ProjectParticipantFactory(project=project)
    ProjectParticipantFactory(project=project, member=None, institution=PartnerInstitutionFactory())
    CoDevelopmentProjectFactory(title="Kiln one", status=Status.COMPLETED)
    CoDevelopmentProjectFactory(title="Kiln two", status=Status.COMPLETED)

    page = _text(client.get(LIST))

    assert "3 projects<" in page
    assert "Green iron pilot" in page and "Demo record (invented)" in page
    assert f'href="{steel.get_absolute_url()}">Steelworks Demo AB</a>' in page
    assert '<td class="number">2</td>' in page  # two participants
    assert "Hydrogen DRI" in page
    assert "4 → 5 → 7" in page and "TRL 4 at the start, 5 now, target 7" in page
    assert "Feb 2025" in page and "end <span" in page  # no end date: not recorded
    assert "<strong>1</strong> active" in page and "<strong>2</strong> completed" in page
    assert "<strong>0</strong> planned" in page


def test_filters_narrow_the_list_and_say_what_is_on(client):
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement", slug="cement")
    hydrogen = TechnologyFactory(name="Hydrogen DRI", slug="hydrogen-dri")
    clay = TechnologyFactory(name="Calcined clay", slug="calcined-clay")
    partner = MemberFactory(name="Partner Co", slug="partner-co")
    lead = MemberFactory(name="Lead Co", slug="lead-co")
    one = CoDevelopmentProjectFactory(
        title="Iron one", technology=hydrogen, sectors=[steel], lead_member=lead
    )
    CoDevelopmentProjectFactory(
        title="Iron planned", technology=hydrogen, sectors=[steel], status=Status.PLANNED
    )
    clay_project = CoDevelopmentProjectFactory(
        title="Clay kiln", technology=clay, sectors=[cement], summary="A rotary kiln"
    )
    ProjectParticipantFactory(project=clay_project, member=partner)

    filtered = _text(client.get(LIST, {"technology": "hydrogen-dri", "status": "active"}))
    by_sector = _text(client.get(LIST, {"sector": "cement"}))
    searched = _text(client.get(LIST, {"q": "ROTARY"}))
    as_participant = _text(client.get(LIST, {"member": "partner-co"}))
    as_lead = _text(client.get(LIST, {"member": "lead-co"}))

    assert "Iron one" in filtered and "Iron planned" not in filtered
    assert "Clay kiln" not in filtered
    assert "Technology: Hydrogen DRI" in filtered and "Status: Active" in filtered
    # Facets count with the other filters kept: planned has one hydrogen project.
    assert '<option value="planned">Planned (1)</option>' in filtered
    assert '<option value="calcined-clay">Calcined clay (1)</option>' in filtered
    assert "Clay kiln" in by_sector and "Iron one" not in by_sector
    assert "Clay kiln" in searched and "Iron one" not in searched
    assert "Clay kiln" in as_participant and "Iron one" not in as_participant
    assert "Member (lead or participant): Partner Co" in as_participant
    assert "Iron one" in as_lead and "Clay kiln" not in as_lead
    assert '<option value="partner-co">Partner Co (1)</option>' in as_lead
    assert one.get_absolute_url() in as_lead


def test_unknown_filter_values_are_ignored_and_said_so(client):
    CoDevelopmentProjectFactory(title="Iron one")

    page = _text(client.get(LIST, {"member": "nobody", "status": "dreaming", "sector": "x"}))

    assert "Iron one" in page
    assert "is not a LeadIT member" in page
    assert "is not one of the choices" in page


def test_hidden_projects_are_absent_for_the_public_but_shown_to_their_editors(client):
    CoDevelopmentProjectFactory(title="Open kiln")
    members_only = CoDevelopmentProjectFactory(title="Members kiln", visibility=Visibility.MEMBERS)
    secret = CoDevelopmentProjectFactory(title="Secret kiln", visibility=Visibility.SECRETARIAT)

    anonymous = _text(client.get(LIST))
    client.force_login(EditorFactory(member=secret.lead_member))
    editor = _text(client.get(LIST))

    assert "Open kiln" in anonymous
    assert "Members kiln" not in anonymous and "Secret kiln" not in anonymous
    assert "1 project<" in anonymous and "<strong>1</strong> active" in anonymous
    assert members_only.lead_member.name not in anonymous  # not even in the member facet
    assert "Members kiln" in editor and "Secret kiln" in editor


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        _text(client.get(url))
    return len(queries)


def _seed(count: int) -> None:
    technology, sector = TechnologyFactory(), SectorFactory()
    for _ in range(count):
        project = CoDevelopmentProjectFactory(technology=technology, sectors=[sector])
        ProjectParticipantFactory(project=project)


@pytest.mark.parametrize("url", [LIST, LIST + "?status=active&q=project", LIST + "?member=x"])
def test_list_queries_do_not_grow_with_the_projects(client, url, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    _seed(3)
    few = _queries(client, url)
    _seed(30)
    assert _queries(client, url) == few


# --- One project ----------------------------------------------------------------------


def test_the_project_page_shows_participants_milestones_budget_and_links(client):
    lead = MemberFactory(name="Lead Co", slug="lead-co")
    partner = MemberFactory(name="Partner Co", slug="partner-co")
    institute = PartnerInstitutionFactory(name="Demo Research Institute")
    plant = IndustrialProjectFactory(name="Demo blast furnace")
    pipeline = PipelineProjectFactory(name="Demo green steel plant")
    solution = TechnologySolutionFactory(name="Demo DRI shaft")
    rate = CurrencyRateFactory(currency="EUR", usd_per_unit=Decimal("1.10"))
    project = CoDevelopmentProjectFactory(
        title="Green iron pilot",
        lead_member=lead,
        description="We **test** a shaft.\n\n<script>alert(1)</script>",
        results="Half the *emissions*.",
        trl_current=6,
        currency="EUR",
        budget=Decimal(2_000_000),
        budget_usd=Decimal(2_200_000),
        usd_rate=rate,
        tracker_project=plant,
        pipeline_project=pipeline,
        solution=solution,
    )
    ProjectParticipantFactory(project=project, member=partner, role="Host site")
    ProjectParticipantFactory(project=project, member=None, institution=institute, role="Tests")
    ProjectMilestoneFactory(
        project=project,
        title="Pilot fired",
        due_on=date(2025, 6, 30),
        status=ProjectMilestone.Status.DONE,
        completed_on=date(2025, 7, 15),
        trl_reached=5,
    )
    ProjectPublicationFactory(project=project, title="Shaft results", year=2026)

    page = _text(client.get(project.get_absolute_url()))

    assert "<strong>test</strong>" in page and "<script>alert" not in page
    assert "Half the <em>emissions</em>" in page
    assert f'href="{partner.get_absolute_url()}">Partner Co</a>' in page
    assert "Host site" in page and "Demo Research Institute" in page
    assert f'href="{lead.get_absolute_url()}">Lead Co</a></th><td>LeadIT member (lead)' in page
    assert "TRL 4 — Early prototype" in page and "TRL 6 — Full prototype at scale" in page
    assert "Pilot fired" in page and "15 Jul 2025" in page and "TRL 5" in page
    assert "EUR 2,000,000" in page and "USD 2,200,000" in page
    assert f'href="{plant.get_absolute_url()}">Demo blast furnace</a>' in page
    assert reverse("partnerships:project", kwargs={"slug": pipeline.slug}) in page
    assert reverse("technology:solution", kwargs={"slug": solution.slug}) in page
    assert "Shaft results" in page and "(2026)" in page
    assert "Edit this project" not in page


def test_the_page_draws_the_trl_chart_with_its_table(client):
    project = CoDevelopmentProjectFactory(title="Chart kiln", trl_current=5)
    ProjectMilestoneFactory(
        project=project,
        due_on=date(2025, 9, 1),
        status=ProjectMilestone.Status.DONE,
        trl_reached=5,
    )

    page = _text(client.get(project.get_absolute_url()))

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--trl"' in page
    assert "Technology readiness of “Chart kiln”" in page
    assert "chart__point--milestone" in page and "chart__point--now" in page
    assert '<details class="chart-data">' in page and "Milestone: " in page


def test_late_milestones_are_marked_and_missing_values_say_not_recorded(client):
    today = timezone.localdate()
    project = CoDevelopmentProjectFactory(budget=None, ends_on=None, starts_on=date(2024, 1, 1))
    ProjectMilestoneFactory(project=project, title="Overdue one", due_on=today - timedelta(1))
    ProjectMilestoneFactory(
        project=project,
        title="Delayed one",
        due_on=today + timedelta(30),
        status=ProjectMilestone.Status.DELAYED,
    )
    ProjectMilestoneFactory(project=project, title="Future one", due_on=today + timedelta(60))

    page = _text(client.get(project.get_absolute_url()))

    assert '<strong class="codev-late">Planned, overdue</strong>' in page
    assert '<strong class="codev-late">Delayed</strong>' in page
    assert page.count('class="codev-milestones__late"') == 2
    assert 'Budget</dt><dd><span class="not-recorded">Not recorded</span>' in page
    assert 'TRL now</dt><dd><span class="not-recorded">Not recorded</span>' in page
    assert 'Publications <span class="not-recorded">not recorded</span>' in page


def test_links_to_records_the_visitor_may_not_see_are_left_out(client):
    project = CoDevelopmentProjectFactory(
        solution=TechnologySolutionFactory(name="Hidden shaft", visibility=Visibility.MEMBERS),
        pipeline_project=PipelineProjectFactory(
            name="Hidden plant", visibility=Visibility.SECRETARIAT
        ),
    )

    page = _text(client.get(project.get_absolute_url()))

    assert "Hidden shaft" not in page and "Hidden plant" not in page


def test_the_lead_members_editor_gets_the_edit_link(client):
    project = CoDevelopmentProjectFactory(visibility=Visibility.SECRETARIAT)
    client.force_login(EditorFactory(member=project.lead_member))

    page = _text(client.get(project.get_absolute_url()))

    assert reverse("technology:project_edit", kwargs={"slug": project.slug}) in page


def test_a_hidden_project_answers_404_and_the_attempt_is_logged(client, caplog):
    project = CoDevelopmentProjectFactory(visibility=Visibility.MEMBERS)
    client.force_login(UserFactory())  # signed in, but no member's editor

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = client.get(project.get_absolute_url())

    assert response.status_code == 404
    assert f"Refused co-development project {project.slug}" in caplog.text
    missing = client.get(reverse("technology:project", kwargs={"slug": "nothing"}))
    assert missing.status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    small = CoDevelopmentProjectFactory()
    ProjectParticipantFactory(project=small)
    ProjectMilestoneFactory(project=small)
    large = CoDevelopmentProjectFactory()
    for _ in range(10):
        ProjectParticipantFactory(project=large)
        ProjectMilestoneFactory(project=large)
        ProjectPublicationFactory(project=large)

    assert _queries(client, small.get_absolute_url()) == _queries(client, large.get_absolute_url())


def test_anonymous_pages_are_cached_and_a_change_shows_at_once(client, django_assert_num_queries):
    project = CoDevelopmentProjectFactory(title="Cached kiln")
    urls = [LIST, project.get_absolute_url()]
    for url in urls:
        client.get(url)
    with django_assert_num_queries(0):
        for url in urls:
            assert client.get(url).status_code == 200

    project.title = "Renamed kiln"
    project.save()

    assert all("Renamed kiln" in _text(client.get(url)) for url in urls)
