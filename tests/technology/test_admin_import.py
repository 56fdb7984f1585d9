"""Spreadsheet import and export of solutions, co-development projects, programmes and calls
in the admin: a dry run previews every row, each bad row's errors are shown with its row
number, and a file with one bad row writes nothing (also when its confirm step is posted)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from technology.models import (
    CallForProposals,
    CoDevelopmentProject,
    InnovationProgramme,
    TechnologySolution,
)
from tests.factories.members import MemberFactory, SectorFactory
from tests.factories.partnerships import CurrencyRateFactory, PartnerInstitutionFactory
from tests.factories.technology import (
    InnovationProgrammeFactory,
    SolutionCountryFactory,
    TechnologySolutionFactory,
)
from tests.factories.tracker import TechnologyFactory
from tracker.models import Technology

pytestmark = pytest.mark.django_db

SOLUTION_HEADER = (
    "slug,name,member,institution,technology,sectors,trl,summary,offers_licence,"
    "offers_training,ip_status,available_worldwide,countries,visibility,is_demo"
)
PROJECT_HEADER = (
    "slug,title,lead_member,technology,sectors,summary,status,trl_start,trl_target,starts_on,"
    "ends_on,budget,currency,visibility,is_demo"
)


@pytest.fixture
def reference_data():
    MemberFactory(name="Steelco", slug="steelco")
    PartnerInstitutionFactory(name="Clay institute", slug="clay-institute")
    TechnologyFactory(name="Hydrogen direct reduction", slug="h2-dri")
    TechnologyFactory(name="Calcined clay", slug="calcined-clay")
    SectorFactory(name="Iron and steel", slug="steel")
    SectorFactory(name="Cement", slug="cement")
    CurrencyRateFactory(currency="INR", usd_per_unit=Decimal("0.012"))


def solution_row(slug="h2-shaft", **overrides) -> str:
    values = {
        "slug": slug, "name": "H2 shaft furnace", "member": "steelco", "institution": "",
        "technology": "h2-dri", "sectors": "steel", "trl": "7",
        "summary": "Iron ore reduced with hydrogen.", "offers_licence": "1",
        "offers_training": "0", "ip_status": "not_recorded", "available_worldwide": "0",
        "countries": "se,IN", "visibility": "public", "is_demo": "1",
    }  # fmt: skip
    values.update(overrides)
    return ",".join(f'"{v}"' if "," in v else v for v in values.values())


def csv(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def preview(client, model: str, text: str):
    upload = SimpleUploadedFile("rows.csv", text.encode(), content_type="text/csv")
    return client.post(
        reverse(f"admin:technology_{model}_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def confirm(client, model: str, response):
    return client.post(
        reverse(f"admin:technology_{model}_process_import"),
        response.context["confirm_form"].initial,
        follow=True,
    )


def errors_by_row(response) -> dict[int, list[str]]:
    """Row number → every message of that row, as the preview lists them."""
    result = response.context["result"]
    found: dict[int, list[str]] = {}
    for row in result.invalid_rows:
        found.setdefault(row.number, []).extend(
            message for messages in row.error_dict.values() for message in messages
        )
    for number, errors in result.row_errors():
        found.setdefault(number, []).extend(str(error.error) for error in errors)
    return found


# --- Solutions -------------------------------------------------------------------------------


def test_a_good_solution_file_is_previewed_then_written_with_its_countries(
    staff_client, reference_data
):
    text = csv(
        SOLUTION_HEADER,
        solution_row(),
        solution_row("clay-kiln", name="Clay kiln", member="", institution="clay-institute",
                     technology="calcined-clay", sectors="cement", countries=""),
    )  # fmt: skip

    shown = preview(staff_client, "technologysolution", text)

    assert shown.status_code == 200
    assert not errors_by_row(shown)
    assert "H2 shaft furnace" in shown.content.decode()
    assert not TechnologySolution.objects.exists()  # a dry run writes nothing

    confirm(staff_client, "technologysolution", shown)

    furnace = TechnologySolution.objects.get(slug="h2-shaft")
    assert sorted(str(c.country) for c in furnace.countries.all()) == ["IN", "SE"]
    assert [s.slug for s in furnace.sectors.all()] == ["steel"]
    assert TechnologySolution.objects.get(slug="clay-kiln").institution.slug == "clay-institute"


def test_a_trl_outside_1_to_9_and_a_bad_country_are_errors_of_their_rows_and_nothing_is_written(
    staff_client, reference_data
):
    text = csv(
        SOLUTION_HEADER,
        solution_row(),
        solution_row("too-ready", name="Too ready", trl="12"),
        solution_row("nowhere", name="Nowhere", countries="SE,XX"),
    )

    shown = preview(staff_client, "technologysolution", text)

    errors = errors_by_row(shown)
    assert sorted(errors) == [2, 3]
    assert (
        "The technology readiness level (TRL) is 12: a TRL is a whole number from 1 to 9."
        in errors[2]
    )
    assert "Unknown country code “XX”: use the two-letter ISO 3166-1 code, e.g. SE." in errors[3]
    html = shown.content.decode()
    assert "a TRL is a whole number from 1 to 9" in html and "Unknown country code" in html
    assert "confirm_form" not in shown.context or shown.context["confirm_form"] is None
    assert not TechnologySolution.objects.exists()


def test_the_confirm_step_of_a_file_gone_bad_since_its_dry_run_writes_nothing(
    staff_client, reference_data
):
    text = csv(SOLUTION_HEADER, solution_row(), solution_row("second", name="Second"))
    shown = preview(staff_client, "technologysolution", text)
    # Between the dry run and the confirm, another member of staff renames the technology
    # the file names.
    Technology.objects.filter(slug="h2-dri").update(slug="renamed")

    response = confirm(staff_client, "technologysolution", shown)

    assert "Nothing was imported: some rows have errors." in response.content.decode()
    assert not TechnologySolution.objects.filter(slug="h2-shaft").exists()


def test_a_solution_with_no_provider_or_two_is_refused_in_words(staff_client, reference_data):
    text = csv(
        SOLUTION_HEADER,
        solution_row("both", institution="clay-institute"),
        solution_row("neither", member=""),
    )

    errors = errors_by_row(preview(staff_client, "technologysolution", text))

    told = "Give a member or a partner institution (one of the two, not both)."
    assert told in errors[1] and told in errors[2]
    assert not TechnologySolution.objects.exists()


def test_an_unchanged_file_reimports_as_skipped_and_a_changed_country_list_replaces_the_old(
    staff_client, reference_data
):
    preview_first = preview(
        staff_client, "technologysolution", csv(SOLUTION_HEADER, solution_row())
    )
    confirm(staff_client, "technologysolution", preview_first)

    again = preview(staff_client, "technologysolution", csv(SOLUTION_HEADER, solution_row()))
    assert [row.import_type for row in again.context["result"].rows] == ["skip"]

    moved = preview(
        staff_client, "technologysolution", csv(SOLUTION_HEADER, solution_row(countries="BR"))
    )
    assert [row.import_type for row in moved.context["result"].rows] == ["update"]
    confirm(staff_client, "technologysolution", moved)
    furnace = TechnologySolution.objects.get(slug="h2-shaft")
    assert [str(c.country) for c in furnace.countries.all()] == ["BR"]


def test_solutions_export_with_their_countries(staff_client, reference_data):
    solution = TechnologySolutionFactory(name="Exported furnace", slug="exported")
    SolutionCountryFactory(solution=solution, country="ZA")

    response = staff_client.post(
        reverse("admin:technology_technologysolution_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"technologysolutionresource_{name}": "on"
                for name in ["slug", "name", "countries", "trl"]
            },
        },
    )

    assert response.status_code == 200
    assert "exported,Exported furnace,7,ZA" in response.content.decode()


# --- Projects, programmes, calls -------------------------------------------------------------


def project_row(slug="kiln-trial", **overrides) -> str:
    values = {
        "slug": slug, "title": "Kiln trial", "lead_member": "steelco",
        "technology": "calcined-clay", "sectors": "cement", "summary": "A trial.",
        "status": "active", "trl_start": "4", "trl_target": "7", "starts_on": "2025-01-01",
        "ends_on": "2027-12-31", "budget": "1000000", "currency": "INR",
        "visibility": "public", "is_demo": "1",
    }  # fmt: skip
    values.update(overrides)
    return ",".join(values.values())


def test_a_project_file_converts_budgets_and_refuses_a_target_below_the_start(
    staff_client, reference_data
):
    bad = csv(
        PROJECT_HEADER,
        project_row(),
        project_row("backwards", trl_start="6", trl_target="3"),
        project_row("early-end", ends_on="2024-01-01"),
        project_row("odd-money", currency="ABC"),
    )

    errors = errors_by_row(preview(staff_client, "codevelopmentproject", bad))

    assert "The target TRL (3) is below the TRL at start (6)." in errors[2]
    assert "The project cannot end before it starts." in errors[3]
    assert any("Unknown currency “ABC”" in message for message in errors[4])
    assert 1 not in errors
    assert not CoDevelopmentProject.objects.exists()

    good = preview(staff_client, "codevelopmentproject", csv(PROJECT_HEADER, project_row()))
    confirm(staff_client, "codevelopmentproject", good)
    assert CoDevelopmentProject.objects.get().budget_usd == Decimal("12000.00")


def test_programmes_and_their_calls_import_and_a_deadline_before_opening_is_refused(
    staff_client, reference_data
):
    programmes = csv(
        "slug,name,kind,run_by,member,sectors,technologies,is_demo",
        "clay-hub,Clay hub,incubator,A research institute,steelco,cement,calcined-clay,1",
    )
    confirm(
        staff_client,
        "innovationprogramme",
        preview(staff_client, "innovationprogramme", programmes),
    )
    hub = InnovationProgramme.objects.get(slug="clay-hub")
    assert [t.slug for t in hub.technologies.all()] == ["calcined-clay"]

    calls = csv(
        "id,programme,title,opens_on,deadline,is_demo",
        ",clay-hub,Spring call,2026-03-01,2026-05-31,1",
        ",clay-hub,Backwards call,2026-06-01,2026-05-01,1",
        ",no-such-hub,Lost call,,2026-05-01,1",
    )
    errors = errors_by_row(preview(staff_client, "callforproposals", calls))

    assert "The deadline (2026-05-01) is before the call opens (2026-06-01)." in errors[2]
    assert "No innovation programme with slug “no-such-hub”." in errors[3]
    assert not CallForProposals.objects.exists()


def test_calls_export_name_their_programme_by_slug(staff_client):
    InnovationProgrammeFactory(slug="h2-accelerator").calls.create(
        title="Hydrogen call", deadline="2026-09-30"
    )
    response = staff_client.post(
        reverse("admin:technology_callforproposals_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"callforproposalsresource_{n}": "on" for n in ["programme", "title", "deadline"]},
        },
    )
    assert "h2-accelerator,Hydrogen call,2026-09-30" in response.content.decode()
