"""The pipeline of bankable projects: /partnerships/pipeline/ (filters, facets, the funnel
by stage, the time in each stage), its downloads and one project's page."""

import csv
import io
import json
import logging
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from partnerships.models import PipelineProject, PipelineStageChange, Visibility
from tests.factories.members import SectorFactory
from tests.factories.partnerships import (
    CurrencyRateFactory,
    FocalPointFactory,
    PartnerInstitutionFactory,
    PartnershipFactory,
    PipelineProjectFactory,
    PipelineSourceFactory,
    PipelineStageChangeFactory,
    SupportOfferFactory,
)
from tests.factories.tracker import IndustrialProjectFactory, TechnologyFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/partnerships/pipeline/"
Stage = PipelineProject.Stage


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def india():
    return PartnershipFactory(country="IN", name="India–Sweden partnership")


@pytest.fixture
def kenya():
    return PartnershipFactory(country="KE", name="Kenya partnership")


def _project(partnership, name, **kwargs):
    return PipelineProjectFactory(partnership=partnership, name=name, **kwargs)


def _capex(usd):
    """A capex in US dollars (None: not recorded), its financing gap not recorded."""
    usd = None if usd is None else Decimal(usd)
    return {"capex": usd, "capex_usd": usd, "financing_gap": None, "financing_gap_usd": None}


# --- The list -------------------------------------------------------------------------


def test_the_public_never_sees_members_or_secretariat_projects_anywhere(client, india):
    _project(india, "Open kiln", **_capex(100_000_000))
    _project(india, "Members kiln", visibility=Visibility.MEMBERS, stage=Stage.CONCEPT)
    _project(india, "Secret kiln", visibility=Visibility.SECRETARIAT, stage=Stage.CONCEPT)

    page = _text(client.get(LIST))
    data = json.loads(client.get("/partnerships/pipeline/export.json").content)

    assert "Open kiln" in page
    assert "Members kiln" not in page and "Secret kiln" not in page
    assert "1 project<" in page  # the heading counts one
    assert "Concept: 0 projects" in page  # the funnel's description
    assert ">0</td>" in page  # the funnel's table: concept row
    assert [row["name"] for row in data["pipeline"]] == ["Open kiln"]
    assert data["count"] == 1


def test_a_member_editor_sees_members_projects_and_a_focal_point_their_own(client, india, kenya):
    _project(india, "Members kiln", visibility=Visibility.MEMBERS)
    _project(india, "Indian secret", visibility=Visibility.SECRETARIAT)
    _project(kenya, "Kenyan secret", visibility=Visibility.SECRETARIAT)
    focal = FocalPointFactory(partnership=india).user
    client.force_login(focal)

    page = _text(client.get(LIST))

    assert "Members kiln" in page and "Indian secret" in page
    assert "Kenyan secret" not in page


def test_filters_narrow_the_list_and_facets_count_the_other_filters(client, india, kenya):
    hydrogen = TechnologyFactory(name="Hydrogen DRI", slug="hydrogen-dri")
    _project(india, "Steel one", stage=Stage.FEASIBILITY, technologies=[hydrogen])
    _project(india, "Kiln two", stage=Stage.CONCEPT)
    _project(kenya, "Kenyan kiln", stage=Stage.FEASIBILITY)

    page = _text(client.get(LIST, {"country": "in", "stage": "feasibility"}))

    assert "Steel one" in page
    assert "Kiln two" not in page and "Kenyan kiln" not in page
    # With the stage kept, India has 1 and Kenya 1; with the country kept, concept has 1.
    assert '<option value="KE">Kenya (1)</option>' in page
    assert '<option value="concept">Concept (1)</option>' in page
    assert '<option value="hydrogen-dri">Hydrogen DRI (1)</option>' in page
    assert "Country: India" in page and "Stage: Feasibility" in page


def test_min_capex_is_in_us_dollars_and_sort_orders_the_list(client, india):
    _project(india, "Small", **_capex(5_000_000))
    _project(india, "Large", **_capex(900_000_000))
    _project(india, "Middle", **_capex(300_000_000))

    page = _text(client.get(LIST, {"min_capex": "100000000", "sort": "-capex"}))

    assert "Small" not in page
    assert page.index(">Large<") < page.index(">Middle<")
    assert "Capex at least: 100,000,000 USD" in page


def test_unknown_and_malformed_values_are_ignored_and_said_so(client, india):
    _project(india, "Kiln")

    page = _text(client.get(LIST, {"stage": "launched", "min_capex": "lots", "sort": "x"}))

    assert "Kiln" in page
    assert "Stage: “launched” is not one of the choices" in page
    assert "Capex at least: “lots” is not a number" in page
    assert "Sort by: “x” is not a known order" in page


def test_funnel_counts_and_sums_capex_per_stage_with_on_hold_and_dropped_apart(client, india):
    for stage, capex in [
        (Stage.CONCEPT, 100),
        (Stage.CONCEPT, 50),
        (Stage.FINANCIAL_CLOSE, 200),
        (Stage.ON_HOLD, 10),
    ]:
        _project(india, f"P {stage} {capex}", stage=stage, **_capex(capex * 1_000_000))
    _project(india, "No capex", stage=Stage.DROPPED, **_capex(None))

    page = _text(client.get(LIST, {"stage": "concept"}))

    assert "Concept: 2 projects · 150 USD m" in page
    assert "Financial close (FID): 1 project · 200 USD m" in page
    assert "Apart: On hold: 1 project · 10 USD m; Dropped: 1 project · not recorded." in page
    assert "Capex in US dollars is not recorded for 1 of these projects" in page
    assert "the stage filter is left out here" in page


def test_median_time_per_stage_comes_from_the_history_else_not_recorded(client, india):
    for start in (date(2024, 1, 1), date(2024, 3, 1), date(2024, 5, 1)):
        project = _project(india, f"P {start}", stage=Stage.PRE_FEASIBILITY)
        PipelineStageChangeFactory(project=project, stage=Stage.CONCEPT, changed_on=start)
        PipelineStageChangeFactory(
            project=project, stage=Stage.PRE_FEASIBILITY, changed_on=date(2024, 7, 1)
        )
    _project(india, "No history", stage=Stage.FEASIBILITY)

    response = client.get(LIST)
    times = {time.stage: time for time in response.context["times"]}

    assert times["concept"].median_days == (date(2024, 7, 1) - date(2024, 3, 1)).days
    assert times["concept"].ended == 3
    assert times["pre_feasibility"].median_days is None
    assert times["pre_feasibility"].ongoing == 3
    assert not times["feasibility"].recorded
    page = _text(response)
    assert "122 days" in page
    assert "no stay has ended yet" in page
    assert '<span class="not-recorded">not recorded</span>' in page


def _rendered(response) -> bool:
    """Whether the list's content was rendered for this request (not the cached one)."""
    return "partnerships/includes/pipeline_list_body.html" in [t.name for t in response.templates]


def test_nocache_reuses_the_rendered_list_and_an_edit_shows_at_once(client, india):
    project = _project(india, "Cached kiln", stage=Stage.FEASIBILITY)
    assert _rendered(client.get(f"{LIST}?stage=feasibility&utm_source=a"))
    again = client.get(f"{LIST}?nocache=1&stage=feasibility")
    assert not _rendered(again)
    assert "Cached kiln" in _text(again) and "nocache" not in _text(again)
    project.name = "Renamed kiln"
    project.save()
    assert "Renamed kiln" in _text(client.get(f"{LIST}?stage=feasibility&nocache=2"))


def test_the_public_never_gets_the_list_rendered_for_a_member_or_focal_point(client, india):
    _project(india, "Open kiln")
    _project(india, "Members kiln", visibility=Visibility.MEMBERS)
    _project(india, "Indian secret", visibility=Visibility.SECRETARIAT)
    client.force_login(FocalPointFactory(partnership=india).user)
    assert "Indian secret" in _text(client.get(f"{LIST}?nocache=1"))
    client.force_login(UserFactory())  # signed in, but sees what the public sees
    assert "Members kiln" not in _text(client.get(f"{LIST}?nocache=2"))
    client.logout()
    page = _text(client.get(f"{LIST}?nocache=3"))
    assert "Open kiln" in page
    assert "Members kiln" not in page and "Indian secret" not in page


def _seed(partnership, count: int):
    """``count`` public projects (and a hidden one for every third) in every stage, each
    with a technology, a financing offer and two dated stage changes; in bulk, so that
    1,000 take seconds."""
    technology = TechnologyFactory(name="Hydrogen DRI", slug="hydrogen-dri")
    offer = SupportOfferFactory()
    sector = SectorFactory(name="Cement", slug="cement")
    projects = PipelineProject.objects.bulk_create(
        PipelineProjectFactory.build(
            partnership=partnership,
            sector=sector,
            name=f"Bulk {partnership.country.code} {index}",
            slug=f"bulk-{partnership.country.code.lower()}-{index}",
            stage=Stage.values[index % len(Stage.values)],
            visibility=Visibility.SECRETARIAT if index % 3 == 2 else Visibility.PUBLIC,
        )
        for index in range(count + count // 2)
    )
    PipelineProject.technologies.through.objects.bulk_create(
        PipelineProject.technologies.through(pipelineproject=p, technology=technology)
        for p in projects
    )
    PipelineProject.financing_offers.through.objects.bulk_create(
        PipelineProject.financing_offers.through(pipelineproject=p, supportoffer=offer)
        for p in projects
    )
    PipelineStageChange.objects.bulk_create(
        PipelineStageChange(project=p, stage=stage, changed_on=day)
        for p in projects
        for stage, day in [(Stage.CONCEPT, date(2024, 1, 1)), (p.stage, date(2025, 1, 1))]
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        LIST + "?sector=cement&technology=hydrogen-dri&stage=concept&sort=-capex&page=2",
        "/partnerships/pipeline/export.csv?sector=cement",
    ],
)
def test_list_and_download_queries_do_not_grow_with_the_projects(client, india, url, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    _seed(india, 10)
    small = _queries(client, url)
    _seed(PartnershipFactory(country="KE"), 990)
    assert _queries(client, url) == small


# --- Downloads ------------------------------------------------------------------------


def test_downloads_hold_exactly_the_filtered_list_with_licence_and_escaped_cells(client, india):
    _project(india, "=HYPERLINK(evil)", stage=Stage.CONCEPT)
    _project(india, "Operating plant", stage=Stage.OPERATING, sponsor="")

    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/partnerships/pipeline/export.csv?stage=concept").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    book = load_workbook(
        io.BytesIO(client.get("/partnerships/pipeline/export.xlsx?stage=concept").content)
    )
    data = json.loads(client.get("/partnerships/pipeline/export.json?stage=operating").content)

    assert rows[0][:3] == ["slug", "name", "demo_record"]
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(evil)"]
    assert rows[1][2] == "Demo record (invented)"
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Filters"] == "stage=concept"
    assert "CC BY 4.0" in about["Licence"]
    assert data["filters"] == {"stage": "operating"}
    assert data["pipeline"][0]["sponsor"] == "not_recorded"
    assert data["licence"] == "CC BY 4.0" and data["generated_at"]


# --- One project ----------------------------------------------------------------------


def test_project_page_shows_gate_history_money_in_both_currencies_and_links(client, india):
    rate = CurrencyRateFactory(
        currency="INR", usd_per_unit=Decimal("0.012"), as_of=date(2025, 1, 1)
    )
    hydrogen = TechnologyFactory(name="Hydrogen DRI", slug="hydrogen-dri")
    plant = IndustrialProjectFactory(name="Old blast furnace")
    bank = PartnerInstitutionFactory(name="Demo Climate Bank")
    open_offer = SupportOfferFactory(title="Open guarantee")
    hidden_offer = SupportOfferFactory(title="Hidden loan", visibility=Visibility.SECRETARIAT)
    project = _project(
        india,
        "Green steel one",
        stage=Stage.FEASIBILITY,
        currency="INR",
        usd_rate=rate,
        capex=Decimal(10_000_000_000),
        capex_usd=Decimal(120_000_000),
        financing_gap=Decimal(2_500_000_000),
        financing_gap_usd=Decimal(30_000_000),
        technologies=[hydrogen],
        gem_plant=plant,
        financing_institutions=[bank],
        financing_offers=[open_offer, hidden_offer],
    )
    PipelineStageChangeFactory(project=project, stage=Stage.CONCEPT, changed_on=date(2023, 1, 9))
    PipelineStageChangeFactory(
        project=project, stage=Stage.FEASIBILITY, changed_on=date(2025, 2, 1)
    )
    PipelineSourceFactory(project=project, title="Sponsor's announcement")

    page = _text(client.get(project.get_absolute_url()))

    assert "Demo record (invented)" in page
    assert "INR 10,000,000,000" in page and "USD 120,000,000" in page
    assert 'at the rate of <time datetime="2025-01-01">' in page
    assert (
        '<li class="pipeline-gate__step pipeline-gate__step--reached" aria-current="step">'
        "Feasibility" in page
    )
    assert "9 Jan 2023" in page
    assert f'href="{plant.get_absolute_url()}"' in page
    assert "/tracker/projects/?technology=hydrogen-dri" in page
    assert "Open guarantee" in page and "Hidden loan" not in page
    assert "Demo Climate Bank" in page and "Sponsor&#x27;s announcement" in page
    assert "Last updated" in page


def test_a_projects_missing_values_say_not_recorded(client, india):
    project = _project(
        india,
        "Bare",
        sponsor="",
        capex=None,
        capex_usd=None,
        financing_gap=None,
        financing_gap_usd=None,
        abatement_t_per_year=None,
    )

    page = _text(client.get(project.get_absolute_url()))

    assert page.count('<span class="not-recorded">not recorded</span>') >= 6
    assert "Stage history" in page and "only the current stage and its date are known" in page


def test_a_hidden_project_answers_404_and_the_attempt_is_logged(client, india, caplog):
    project = _project(india, "Secret", visibility=Visibility.SECRETARIAT)
    client.force_login(UserFactory())

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = client.get(project.get_absolute_url())

    assert response.status_code == 404
    assert f"Refused pipeline project {project.slug}" in caplog.text
    assert (
        client.get(reverse("partnerships:project", kwargs={"slug": "nothing"})).status_code == 404
    )


def test_anonymous_pages_are_cached_and_a_change_shows_at_once(
    client, india, django_assert_num_queries
):
    project = _project(india, "Cached kiln")
    urls = [LIST, project.get_absolute_url(), "/partnerships/pipeline/export.json"]
    for url in urls:
        client.get(url)
    with django_assert_num_queries(0):
        for url in urls:
            assert client.get(url).status_code == 200

    project.name = "Renamed kiln"
    project.save()

    assert all("Renamed kiln" in _text(client.get(url)) for url in urls)
