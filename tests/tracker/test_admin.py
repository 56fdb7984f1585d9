"""The secretariat's admin for the tracker: pages render, inlines, "Mark reviewed today"
with history, end targets limited to the roadmap's own."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.factories.tracker import (
    CountryGroupFactory,
    GuideStepFactory,
    IndustrialProjectFactory,
    PolicyInstrumentFactory,
    ProjectCapacityFactory,
    RoadmapFactory,
    RoadmapLeverFactory,
    SectorFactory,
    SourceFactory,
    TargetFactory,
    TechnologyFactory,
)
from tests.factories.users import StaffFactory
from tracker.models import IndustrialProject, Roadmap, Target

ROADMAPS = "/admin/tracker/roadmap/"
PROJECTS = "/admin/tracker/industrialproject/"

# Inline script or style, which the portal's Content-Security-Policy would block.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=|<style", re.IGNORECASE)


@pytest.fixture
def tracker_data(db):
    steel = SectorFactory(name="Iron and steel", slug="steel")
    group = CountryGroupFactory(name="G20", slug="g20", countries=["DE", "IN", "SE"])
    instrument = PolicyInstrumentFactory(name="Carbon pricing", slug="carbon-pricing")
    technology = TechnologyFactory(name="H2-DRI", slug="h2-dri")
    roadmap = RoadmapFactory(
        title="Swedish steel roadmap", slug="swe-steel", sectors=[steel], instruments=[instrument]
    )
    end = TargetFactory(roadmap=roadmap, sector=steel, description="Net zero steel")
    TargetFactory(roadmap=roadmap, sector=steel, target_year=2030, end_target=end, kind="absolute")
    RoadmapLeverFactory(roadmap=roadmap, description="Hydrogen valleys")
    SourceFactory(roadmap=roadmap, title="Roadmap PDF")
    project = IndustrialProjectFactory(
        name="Luleå DRI plant", sector=steel, technologies=[technology]
    )
    ProjectCapacityFactory(project=project, value=1350)
    step = GuideStepFactory(title="Take stock")
    return {
        "sector": steel,
        "group": group,
        "instrument": instrument,
        "technology": technology,
        "roadmap": roadmap,
        "end": end,
        "project": project,
        "step": step,
    }


MODELS = {
    "sector": "Iron and steel",
    "countrygroup": "G20",
    "policyinstrument": "Carbon pricing",
    "technology": "H2-DRI",
    "roadmap": "Swedish steel roadmap",
    "target": "Iron and steel: Net zero by 2045",
    "industrialproject": "Luleå DRI plant",
    "guidestep": "Take stock",
}


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_lists_the_records(tracker_data, staff_client, model):
    response = staff_client.get(f"/admin/tracker/{model}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert MODELS[model] in page
    assert INLINE.findall(page) == []


@pytest.mark.parametrize("model", MODELS)
def test_admin_add_form_renders(tracker_data, staff_client, model):
    response = staff_client.get(f"/admin/tracker/{model}/add/")

    assert response.status_code == 200
    assert INLINE.findall(response.content.decode()) == []


@pytest.mark.parametrize(
    ("model", "key", "expected"),
    [
        ("roadmap", "roadmap", ["Net zero steel", "Hydrogen valleys", "Roadmap PDF"]),
        ("countrygroup", "group", ['<option value="IN" selected>India</option>']),
        ("industrialproject", "project", ['value="1350.00"', "crude steel"]),
        ("target", "end", ["Net zero steel"]),
        ("guidestep", "step", ["Take stock"]),
        ("sector", "sector", ["Iron and steel"]),
        ("policyinstrument", "instrument", ["Carbon pricing"]),
        ("technology", "technology", ["H2-DRI"]),
    ],
)
def test_admin_change_form_shows_the_record_and_its_inlines(
    tracker_data, staff_client, model, key, expected
):
    response = staff_client.get(f"/admin/tracker/{model}/{tracker_data[key].pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    for text in expected:
        assert text in page
    assert INLINE.findall(page) == []


def test_admin_roadmap_history_page_lists_changes(tracker_data, staff_client):
    roadmap = tracker_data["roadmap"]

    response = staff_client.get(f"{ROADMAPS}{roadmap.pk}/history/")

    assert response.status_code == 200
    assert "Swedish steel roadmap" in response.content.decode()
    assert "Created" in response.content.decode()


def test_admin_roadmap_changelist_filters_by_status_and_search(tracker_data, staff_client):
    RoadmapFactory(title="Indian green steel mission", country="IN", status="announced")

    announced = staff_client.get(ROADMAPS + "?status__exact=announced").content.decode()
    found = staff_client.get(ROADMAPS + "?q=swedish").content.decode()

    assert "Indian green steel mission" in announced
    assert "Swedish steel roadmap" not in announced
    assert "Swedish steel roadmap" in found
    assert "Indian green steel mission" not in found


def test_admin_roadmap_autocomplete_finds_a_successor(tracker_data, staff_client):
    response = staff_client.get(
        "/admin/autocomplete/",
        {
            "term": "swed",
            "app_label": "tracker",
            "model_name": "roadmap",
            "field_name": "superseded_by",
        },
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Swedish steel roadmap"]


# --- Mark reviewed today --------------------------------------------------------------------


def test_admin_mark_reviewed_sets_date_and_reviewer_with_history(
    tracker_data, staff_client, staff_user
):
    first = tracker_data["roadmap"]
    second = RoadmapFactory(title="Indian green steel mission", last_reviewed_on=None)
    untouched = RoadmapFactory(last_reviewed_on=datetime.date(2020, 1, 1))
    history_before = Roadmap.history.count()

    response = staff_client.post(
        ROADMAPS,
        {"action": "mark_reviewed_today", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    today = timezone.localdate()
    assert f"2 roadmaps marked reviewed on {today:%d %B %Y}." in response.content.decode()
    for roadmap in (first, second):
        roadmap.refresh_from_db()
        assert roadmap.last_reviewed_on == today
        assert roadmap.last_reviewed_by == staff_user
        latest = roadmap.history.first()
        assert latest.last_reviewed_on == today
        assert latest.history_user == staff_user
        assert latest.history_type == "~"
        assert latest.history_change_reason == "Marked reviewed"
    assert Roadmap.history.count() == history_before + 2
    untouched.refresh_from_db()
    assert untouched.last_reviewed_on == datetime.date(2020, 1, 1)


def test_admin_mark_reviewed_works_on_a_filtered_list(tracker_data, staff_client):
    roadmap = tracker_data["roadmap"]
    # A filter on sectors (many-to-many) makes the admin's queryset DISTINCT.
    response = staff_client.post(
        ROADMAPS + "?sectors__id__exact=" + str(tracker_data["sector"].pk),
        {"action": "mark_reviewed_today", "_selected_action": [roadmap.pk]},
        follow=True,
    )

    assert "1 roadmap marked reviewed on" in response.content.decode()
    roadmap.refresh_from_db()
    assert roadmap.last_reviewed_on == timezone.localdate()


def test_admin_mark_reviewed_on_projects_keeps_history(tracker_data, staff_client, staff_user):
    project = tracker_data["project"]
    other = IndustrialProjectFactory(name="Other plant", last_reviewed_on=None)

    response = staff_client.post(
        PROJECTS,
        {"action": "mark_reviewed_today", "_selected_action": [project.pk, other.pk]},
        follow=True,
    )

    assert "2 industrial projects marked reviewed on" in response.content.decode()
    for item in (project, other):
        item.refresh_from_db()
        assert item.last_reviewed_on == timezone.localdate()
        assert item.history.first().history_user == staff_user
    assert IndustrialProject.history.filter(history_change_reason="Marked reviewed").count() == 2


def test_admin_mark_reviewed_needs_the_change_permission(tracker_data, client):
    from django.contrib.auth.models import Permission

    viewer = StaffFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_roadmap"))
    client.force_login(viewer)
    roadmap = tracker_data["roadmap"]

    page = client.get(ROADMAPS).content.decode()
    client.post(ROADMAPS, {"action": "mark_reviewed_today", "_selected_action": [roadmap.pk]})

    assert "Mark reviewed today" not in page
    roadmap.refresh_from_db()
    assert roadmap.last_reviewed_on == datetime.date(2025, 1, 15)


def test_admin_editing_the_review_date_records_the_reviewer(tracker_data, staff_client, staff_user):
    roadmap = RoadmapFactory(title="Plain roadmap", slug="plain", last_reviewed_on=None)

    response = staff_client.post(
        f"{ROADMAPS}{roadmap.pk}/change/",
        {
            **roadmap_form(roadmap),
            "last_reviewed_on": "2025-06-01",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    roadmap.refresh_from_db()
    assert roadmap.last_reviewed_on == datetime.date(2025, 6, 1)
    assert roadmap.last_reviewed_by == staff_user


# --- Forms check the tracker's rules --------------------------------------------------------


def empty_inlines() -> dict:
    data = {}
    for prefix in ("targets", "levers", "sources"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def roadmap_form(roadmap: Roadmap, **overrides) -> dict:
    data = {
        "title": roadmap.title,
        "slug": roadmap.slug,
        "scope": roadmap.scope,
        "country": roadmap.country.code,
        "publisher": roadmap.publisher,
        "status": roadmap.status,
        "summary": roadmap.summary,
        "language": roadmap.language,
        **empty_inlines(),
    }
    data.update(overrides)
    return data


def test_admin_roadmap_national_without_country_says_so(tracker_data, staff_client):
    roadmap = RoadmapFactory(title="Plain roadmap", slug="plain")

    response = staff_client.post(
        f"{ROADMAPS}{roadmap.pk}/change/", roadmap_form(roadmap, country="")
    )

    assert response.status_code == 200
    assert "A national roadmap needs a country." in response.content.decode()


def test_admin_roadmap_add_with_a_target_inline(tracker_data, staff_client):
    data = {
        "title": "German steel roadmap",
        "slug": "deu-steel",
        "scope": "national",
        "country": "DE",
        "publisher": "BMWK",
        "status": "adopted",
        **empty_inlines(),
        "targets-TOTAL_FORMS": "1",
        "targets-0-kind": "net_zero",
        "targets-0-country": "DE",
        "targets-0-target_year": "2045",
        "targets-0-base_year": "1990",
        "targets-0-status": "law",
    }

    response = staff_client.post(ROADMAPS + "add/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    roadmap = Roadmap.objects.get(slug="deu-steel")
    assert roadmap.targets.get().target_year == 2045
    assert roadmap.history.count() == 1


def test_admin_roadmap_inline_target_before_its_base_year_says_so(tracker_data, staff_client):
    data = {
        "title": "German steel roadmap",
        "slug": "deu-steel",
        "scope": "national",
        "country": "DE",
        "publisher": "BMWK",
        "status": "adopted",
        **empty_inlines(),
        "targets-TOTAL_FORMS": "1",
        "targets-0-kind": "net_zero",
        "targets-0-target_year": "2020",
        "targets-0-base_year": "2030",
        "targets-0-status": "law",
    }

    response = staff_client.post(ROADMAPS + "add/", data)

    assert response.status_code == 200
    assert "The target year 2020 is before the base year 2030." in response.content.decode()
    assert not Roadmap.objects.filter(slug="deu-steel").exists()


def end_target_options(page: str) -> list[str]:
    select = re.search(r'<select name="end_target"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="(\d+)"', select)


def test_admin_target_end_target_offers_only_the_roadmaps_end_targets(tracker_data, staff_client):
    roadmap, end = tracker_data["roadmap"], tracker_data["end"]
    interim = Target.objects.get(end_target=end)
    second_end = TargetFactory(roadmap=roadmap, target_year=2050)
    foreign = TargetFactory(roadmap=RoadmapFactory(country="DE"))

    page = staff_client.get(f"/admin/tracker/target/{interim.pk}/change/").content.decode()
    own = staff_client.get(f"/admin/tracker/target/{end.pk}/change/").content.decode()

    assert sorted(end_target_options(page)) == sorted([str(end.pk), str(second_end.pk)])
    assert str(foreign.pk) not in end_target_options(page)
    assert str(end.pk) not in end_target_options(own)


def test_admin_target_refuses_an_end_target_of_another_roadmap(tracker_data, staff_client):
    interim = Target.objects.get(end_target=tracker_data["end"])
    foreign = TargetFactory(roadmap=RoadmapFactory(country="DE"))

    response = staff_client.post(
        f"/admin/tracker/target/{interim.pk}/change/",
        {
            "roadmap": interim.roadmap_id,
            "country": "SE",
            "kind": "absolute",
            "target_year": "2030",
            "status": "law",
            "end_target": foreign.pk,
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    interim.refresh_from_db()
    assert interim.end_target == tracker_data["end"]


def test_admin_roadmap_change_form_limits_inline_end_targets(tracker_data, staff_client):
    roadmap, end = tracker_data["roadmap"], tracker_data["end"]
    TargetFactory(roadmap=RoadmapFactory(country="DE"))

    page = staff_client.get(f"{ROADMAPS}{roadmap.pk}/change/").content.decode()

    selects = re.findall(r'<select name="targets-\d+-end_target"[^>]*>(.*?)</select>', page, re.S)
    assert selects
    for select in selects:
        assert set(re.findall(r'<option value="(\d+)"', select)) <= {str(end.pk)}
