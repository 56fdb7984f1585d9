"""The secretariat's technology admin: every list and form opens, introductions are read
with their history, the forms tell each rule in words and write nothing when one is broken,
guideline versions are kept as they are and new ones are uploaded as checked PDFs."""

import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from technology.models import (
    GuidelineVersion,
    Introduction,
    NeedsDigestSent,
    TechnologySolution,
)
from tests.factories.members import MemberFactory, SectorFactory
from tests.factories.partnerships import PartnerInstitutionFactory
from tests.factories.technology import (
    CallForProposalsFactory,
    CoDevelopmentProjectFactory,
    GuidelineVersionFactory,
    IntroductionFactory,
    PatentFamilyFactory,
    ProjectMilestoneFactory,
    ProjectParticipantFactory,
    ProjectPublicationFactory,
    SolutionCountryFactory,
    TechnologySolutionFactory,
    one_page_pdf,
)
from tests.factories.tracker import TechnologyFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "technologysolution", "introduction", "codevelopmentproject", "innovationprogramme",
    "callforproposals", "technicalguideline", "guidelineversion", "needsdigestsent",
]  # fmt: skip
ADDABLE = [
    "technologysolution", "codevelopmentproject", "innovationprogramme", "callforproposals",
    "technicalguideline", "guidelineversion",
]  # fmt: skip
PDF = one_page_pdf()  # a real one-page PDF: the upload is read, not only sniffed


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    h2_dri = TechnologyFactory(name="Hydrogen direct reduction", slug="h2-dri")
    steel = SectorFactory(name="Iron and steel", slug="steel")
    steelco = MemberFactory(name="Steelco", slug="steelco")
    solution = TechnologySolutionFactory(
        name="H2-DRI shaft furnace",
        member=steelco,
        technology=h2_dri,
        offers_training=True,
        sectors=[steel],
    )
    PatentFamilyFactory(solution=solution, number="EP3456789")
    SolutionCountryFactory(solution=solution, country="SE")
    project = CoDevelopmentProjectFactory(title="Kiln trial", lead_member=steelco, sectors=[steel])
    ProjectParticipantFactory(project=project, member=MemberFactory(name="Cemco"))
    ProjectMilestoneFactory(project=project, title="Pilot kiln fired")
    ProjectPublicationFactory(project=project)
    call = CallForProposalsFactory(title="Green cement call")
    version = GuidelineVersionFactory(version="1.0")
    introduction = IntroductionFactory(
        solution=solution, requester_member=MemberFactory(name="Asker Co")
    )
    NeedsDigestSent.objects.create(
        user=UserFactory(), month=datetime.date(2026, 2, 1), request_count=3
    )
    return {
        "solution": solution, "project": project, "call": call, "version": version,
        "introduction": introduction, "steelco": steelco, "h2_dri": h2_dri, "steel": steel,
    }  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_record_opens_for_staff(staff_client, world, model):
    changelist = staff_client.get(reverse(f"admin:technology_{model}_changelist"))
    assert changelist.status_code == 200
    first = changelist.context["cl"].result_list[0]
    change = staff_client.get(reverse(f"admin:technology_{model}_change", args=[first.pk]))
    assert change.status_code == 200


@pytest.mark.parametrize("model", ADDABLE)
def test_every_add_form_opens_for_staff(staff_client, model):
    assert staff_client.get(reverse(f"admin:technology_{model}_add")).status_code == 200


def test_introductions_and_digests_sent_are_read_not_written(staff_client, world):
    for model in ("introduction", "needsdigestsent"):
        assert staff_client.get(reverse(f"admin:technology_{model}_add")).status_code == 403
    introduction = world["introduction"]
    url = reverse("admin:technology_introduction_change", args=[introduction.pk])
    staff_client.post(url, {"status": "accepted", "message": "Changed"})
    introduction.refresh_from_db()
    assert introduction.status == Introduction.Status.PENDING
    assert introduction.message == "We would like to discuss a licence."


def test_the_introduction_list_shows_who_asked_about_what_and_the_other_side(staff_client, world):
    page = staff_client.get(reverse("admin:technology_introduction_changelist")).content.decode()
    assert "Asker Co" in page
    assert "H2-DRI shaft furnace" in page
    assert "Steelco" in page
    assert "Waiting for an answer" in page


def test_staff_see_an_introductions_full_history(staff_client, world):
    introduction = world["introduction"]
    introduction.status = Introduction.Status.DECLINED
    introduction.answered_at = timezone.now()
    introduction.answer_note = "Not this year."
    introduction.save()

    page = staff_client.get(
        reverse("admin:technology_introduction_history", args=[introduction.pk])
    ).content.decode()

    assert "Introduction of Asker Co to H2-DRI shaft furnace" in page
    assert "Created" in page and "Changed" in page


def test_the_solution_list_shows_each_kind_of_offer_as_yes_or_no(staff_client, world):
    page = staff_client.get(reverse("admin:technology_technologysolution_changelist"))
    html = page.content.decode()
    row = html.split("H2-DRI shaft furnace", 1)[1].split("</tr>", 1)[0]
    # licence and training offered, the four others not
    assert row.count('alt="True"') == 2
    assert row.count('alt="False"') == 4


def test_the_solution_list_filters_by_trl_and_technology(staff_client, world):
    TechnologySolutionFactory(name="Calcined clay kiln", trl=4)
    url = reverse("admin:technology_technologysolution_changelist")
    by_trl = staff_client.get(url, {"trl": 4}).content.decode()
    assert "Calcined clay kiln" in by_trl and "H2-DRI shaft furnace" not in by_trl
    by_technology = staff_client.get(url, {"technology__id__exact": world["h2_dri"].pk})
    html = by_technology.content.decode()
    assert "H2-DRI shaft furnace" in html and "Calcined clay kiln" not in html


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        ("technologysolution", TechnologySolutionFactory),
        ("introduction", IntroductionFactory),
        ("codevelopmentproject", CoDevelopmentProjectFactory),
    ],
)
def test_lists_take_the_same_queries_for_few_and_many_records(staff_client, model, factory):
    url = reverse(f"admin:technology_{model}_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(url).status_code == 200
        return len(captured)

    factory.create_batch(3)
    few = queries()
    factory.create_batch(27)
    assert queries() == few


def _form_data(response) -> dict:
    """The admin form's current values as a POST, with its inlines' management forms."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple) or hasattr(value, "all"):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial[name]
        for index, inline_form in enumerate(formset.formset.initial_forms):
            data[f"{formset.formset.prefix}-{index}-id"] = inline_form.instance.pk
            for name in inline_form.fields:
                value = inline_form.initial.get(name)
                if name != "id" and value is not None and not isinstance(value, FieldFile):
                    value = getattr(value, "pk", value)
                    if value is True:
                        value = "on"
                    if value is not False:
                        data[f"{formset.formset.prefix}-{index}-{name}"] = value
    return data


def test_a_target_trl_below_the_start_is_refused_in_words_and_nothing_is_saved(staff_client, world):
    project = world["project"]
    url = reverse("admin:technology_codevelopmentproject_change", args=[project.pk])
    data = _form_data(staff_client.get(url))
    data.update({"trl_start": 6, "trl_target": 3, "title": "Renamed"})

    response = staff_client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "The target TRL (3) is below the TRL at start (6)." in html
    assert "is violated" not in html
    project.refresh_from_db()
    assert (project.title, project.trl_target) == ("Kiln trial", 7)


def test_a_milestone_after_the_projects_end_is_refused(staff_client, world):
    project = world["project"]
    url = reverse("admin:technology_codevelopmentproject_change", args=[project.pk])
    data = _form_data(staff_client.get(url))
    data["milestones-0-due_on"] = "2030-01-01"

    response = staff_client.post(url, data)

    assert "The project ends on 2027-12-31: a milestone cannot come later." in (
        response.content.decode()
    )
    assert project.milestones.get().due_on == datetime.date(2026, 6, 30)


def test_a_budget_in_a_known_currency_is_converted_and_an_unknown_one_refused(staff_client, world):
    project = world["project"]
    url = reverse("admin:technology_codevelopmentproject_change", args=[project.pk])
    data = _form_data(staff_client.get(url))

    refused = staff_client.post(url, {**data, "budget": "1000", "currency": "XYZ"})
    assert "Unknown currency “XYZ”" in refused.content.decode()
    project.refresh_from_db()
    assert project.budget is None

    saved = staff_client.post(url, {**data, "budget": "250000", "currency": "usd"})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.budget_usd == 250000


def test_a_solution_needs_one_provider_told_in_words(staff_client, world):
    solution = world["solution"]
    url = reverse("admin:technology_technologysolution_change", args=[solution.pk])
    data = _form_data(staff_client.get(url))
    data["institution"] = PartnerInstitutionFactory().pk

    response = staff_client.post(url, data)

    assert "Give a member or a partner institution (one of the two, not both)." in (
        response.content.decode()
    )
    solution.refresh_from_db()
    assert solution.institution is None


def test_a_patent_expiring_before_its_filing_is_refused(staff_client, world):
    solution = world["solution"]
    url = reverse("admin:technology_technologysolution_change", args=[solution.pk])
    data = _form_data(staff_client.get(url))
    data["patents-0-expires_on"] = "2019-01-01"

    response = staff_client.post(url, data)

    assert "A patent expires after it was filed." in response.content.decode()
    assert solution.patents.get().expires_on == datetime.date(2040, 1, 1)


def test_a_new_solution_from_the_admin_records_who_made_it(staff_client, world, staff_user):
    url = reverse("admin:technology_technologysolution_add")
    data = _form_data(staff_client.get(url))
    data.update({
        "member": world["steelco"].pk, "name": "Oxyfuel kiln", "slug": "oxyfuel-kiln",
        "technology": world["h2_dri"].pk, "sectors": [world["steel"].pk], "trl": 6, "summary": "Kiln with oxygen firing.",
        "offers_co_development": "on", "countries-0-country": "IN",
        "countries-TOTAL_FORMS": 1,
    })  # fmt: skip

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = TechnologySolution.objects.get(slug="oxyfuel-kiln")
    assert created.created_by == staff_user
    assert [str(c.country) for c in created.countries.all()] == ["IN"]


# --- Guideline versions --------------------------------------------------------------------


def _guideline_post(staff_client, version, upload):
    guideline = version.guideline
    url = reverse("admin:technology_technicalguideline_change", args=[guideline.pk])
    data = _form_data(staff_client.get(url))
    data.update({
        "versions-TOTAL_FORMS": 2, "versions-1-version": "2.0",
        "versions-1-published_on": "2026-03-01", "versions-1-pdf": upload,
        "versions-1-change_note": "Updated figures.",
    })  # fmt: skip
    return staff_client.post(url, data)


def test_versions_made_are_shown_read_only_and_marked_current(staff_client, world):
    guideline = world["version"].guideline
    page = staff_client.get(
        reverse("admin:technology_technicalguideline_change", args=[guideline.pk])
    ).content.decode()
    assert 'name="versions-0-version"' not in page
    assert "current" in page


def test_a_new_version_is_uploaded_as_a_pdf_and_supersedes_the_older(
    staff_client, world, staff_user
):
    version = world["version"]
    upload = SimpleUploadedFile("guideline.pdf", PDF, content_type="application/pdf")

    response = _guideline_post(staff_client, version, upload)

    assert response.status_code == 302
    new = GuidelineVersion.objects.get(version="2.0")
    assert new.render_status == GuidelineVersion.RenderStatus.UPLOADED
    assert new.created_by == staff_user
    listing = staff_client.get(reverse("admin:technology_guidelineversion_changelist"))
    html = listing.content.decode()
    assert "superseded" in html and "current" in html


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(staff_client, world):
    version = world["version"]
    upload = SimpleUploadedFile(
        "guideline.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )

    response = _guideline_post(staff_client, version, upload)

    assert "“guideline.pdf” is not a PDF document (its content is not PDF, whatever its name)." in (
        html.unescape(response.content.decode())
    )
    assert not GuidelineVersion.objects.filter(version="2.0").exists()


def test_a_member_editor_cannot_open_the_technology_admin(member_client, world):
    response = member_client.get(reverse("admin:technology_technologysolution_changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
