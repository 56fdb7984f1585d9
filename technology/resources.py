"""Spreadsheet import/export of technology solutions, co-development projects, innovation
programmes and their calls for proposals (admin, CSV and XLSX).

Columns are declared explicitly; rows are matched on their slug (a call, which has none, on
``id``: an empty ``id`` is a new row). Every row is validated as the model would validate
it, with the rules the forms state in plain words (a TRL from 1 to 9, a target TRL not below
the start, one provider, a known country code, a known currency); a project's budget is
converted to US dollars at the secretariat's rate of the day. A file with any bad row
imports nothing (``leadit.spreadsheets``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone
from import_export import fields
from import_export.widgets import DecimalWidget, Widget

from leadit.countries import country_code_clean, normalise_country_code
from leadit.spreadsheets import (
    PortalModelResource,
    StrictForeignKeyWidget,
    column,
    errors_raised_by,
    raise_errors,
    slugs_column,
)
from members.models import Member
from partnerships.models import PartnerInstitution, PipelineProject
from partnerships.services.amounts import amounts_apply
from tracker.models import IndustrialProject, Sector, Technology

from .models import (
    TRL_MAX,
    TRL_MIN,
    CallForProposals,
    CoDevelopmentProject,
    InnovationProgramme,
    PatentFamily,
    ProjectMilestone,
    ProjectParticipant,
    SolutionCountry,
    TechnologySolution,
)

TRL_FIELDS = {
    TechnologySolution: ["trl"],
    CoDevelopmentProject: ["trl_start", "trl_target", "trl_current"],
    ProjectMilestone: ["trl_reached"],
}
# The check constraints the rules below tell in words (the database names them otherwise).
CONSTRAINTS_TOLD = frozenset(
    {
        "solution_trl_1_to_9",
        "technology_solution_one_provider",
        "codev_participant_one_party",
        "codev_target_not_below_start",
        "codev_ends_after_start",
        "patent_expires_after_filing",
        "call_deadline_after_opening",
    }
)


def budget_set(project: CoDevelopmentProject, *, on: date | None = None) -> None:
    """Check a project's currency and budget and set its US-dollar budget at the rate of
    ``on`` (today), as partnerships does for its amounts; a ValidationError by field."""
    amounts_apply(
        project,
        fields={"budget": "budget_usd"},
        currency=project.currency,
        on=on or timezone.localdate(),
    )


def _trl_errors(instance) -> dict[str, str]:
    errors = {}
    for name in TRL_FIELDS.get(type(instance), []):
        value = getattr(instance, name)
        if value is not None and not TRL_MIN <= value <= TRL_MAX:
            label = instance._meta.get_field(name).verbose_name
            errors[name] = f"The {label} is {value}: a TRL is a whole number from 1 to 9."
    return errors


def _before(first, second) -> bool:
    """Both given and ``second`` earlier than ``first``."""
    return first is not None and second is not None and second < first


def _order_errors(instance) -> dict[str, str]:
    if isinstance(instance, CoDevelopmentProject):
        if _before(instance.trl_start, instance.trl_target):
            return {
                "trl_target": f"The target TRL ({instance.trl_target}) is below the TRL at "
                f"start ({instance.trl_start})."
            }
        if _before(instance.starts_on, instance.ends_on):
            return {"ends_on": "The project cannot end before it starts."}
    filed, expires = getattr(instance, "filed_on", None), getattr(instance, "expires_on", None)
    if isinstance(instance, PatentFamily) and filed and expires and expires <= filed:
        return {"expires_on": "A patent expires after it was filed."}
    if isinstance(instance, CallForProposals) and _before(instance.opens_on, instance.deadline):
        return {
            "deadline": f"The deadline ({instance.deadline}) is before the call opens "
            f"({instance.opens_on})."
        }
    if isinstance(instance, ProjectMilestone):
        try:
            ends_on = instance.project.ends_on
        except ObjectDoesNotExist:
            return {}
        if _before(instance.due_on, ends_on):
            return {"due_on": f"The project ends on {ends_on}: a milestone cannot come later."}
    return {}


def _provider_errors(instance) -> dict[str, str]:
    kept_by_one = isinstance(instance, TechnologySolution | ProjectParticipant)
    if kept_by_one and bool(instance.member_id) == bool(instance.institution_id):
        return {"member": "Give a member or a partner institution (one of the two, not both)."}
    return {}


def rule_errors(instance, *, already=()) -> dict[str, list[str]]:
    """What breaks a technology record's rules, by field, in plain words: a TRL outside
    1–9, a target TRL below the start, an end before the start, a patent expiring before it
    was filed, a deadline before the opening, a milestone after the project's end, no
    provider or two. Fields in ``already`` (errors found before) are left alone, and a
    comparison that reads one of them is not made."""
    errors = _trl_errors(instance)
    if not errors and not set(already) & set(TRL_FIELDS.get(type(instance), [])):
        errors.update(_order_errors(instance))
    errors.update(_provider_errors(instance))
    return {name: [message] for name, message in errors.items() if name not in already}


def _with_rule_errors(errors: dict, instance) -> dict:
    for name, messages in rule_errors(instance, already=errors.keys()).items():
        errors[name] = [ValidationError(message) for message in messages]
    return errors


class CountryCodesWidget(Widget):
    """Country codes, comma-separated (``IN, se``), read as ``leadit.countries`` reads
    them; an unknown one is the row's error."""

    def clean(self, value, row=None, **kwargs) -> list[str]:
        codes = []
        for part in str(value or "").split(","):
            code = normalise_country_code(part.strip())
            if not code:
                continue
            if country_code_clean(code) is None:
                raise ValueError(
                    f"Unknown country code “{code}”: use the two-letter ISO 3166-1 code, e.g. SE."
                )
            if code not in codes:
                codes.append(code)
        return codes

    def render(self, value, obj=None, **kwargs) -> str:
        return ",".join(value or [])


class SolutionCountriesField(fields.Field):
    """The countries where a solution is available: rows of SolutionCountry, written after
    the solution is saved and replaced by the file's list."""

    def get_value(self, obj):
        # During an import the file's list, so that the preview's diff and the "unchanged
        # row" check compare it with the stored one.
        imported = getattr(obj, "_imported_countries", None)
        if imported is not None:
            return sorted(imported)
        if obj.pk is None:
            return []
        return sorted(str(country.country) for country in obj.countries.all())

    def save(self, instance, row, is_m2m=False, **kwargs):
        # Kept on the instance until after_save_instance: the solution may be new.
        instance._imported_countries = self.clean(row, **kwargs)


class TechnologySolutionResource(PortalModelResource):
    member = column("member", StrictForeignKeyWidget(Member, "slug"))
    institution = column("institution", StrictForeignKeyWidget(PartnerInstitution, "slug"))
    technology = column("technology", StrictForeignKeyWidget(Technology, "slug"))
    sectors = slugs_column("sectors", Sector)
    reference_plants = slugs_column("reference_plants", IndustrialProject)
    countries = SolutionCountriesField(
        attribute="countries", column_name="countries", widget=CountryCodesWidget()
    )

    class Meta:
        model = TechnologySolution
        fields = (
            "slug", "name", "member", "institution", "technology", "sectors", "trl",
            "trl_assessed_year", "trl_assessed_by", "summary", "description",
            "offers_licence", "offers_co_development", "offers_demonstration",
            "offers_training", "offers_joint_venture", "offers_know_how", "ip_status",
            "ip_licence", "available_worldwide", "countries", "reference_plants",
            "contact_name", "contact_email", "visibility", "is_demo",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("slug",)

    def import_instance(self, instance, row, **kwargs):
        errors = errors_raised_by(super().import_instance, instance, row, **kwargs)
        raise_errors(_with_rule_errors(errors, instance))

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        codes = getattr(instance, "_imported_countries", None)
        if codes is None:
            return
        instance.countries.exclude(country__in=codes).delete()
        kept = {str(code) for code in instance.countries.values_list("country", flat=True)}
        SolutionCountry.objects.bulk_create(
            SolutionCountry(solution=instance, country=code) for code in codes if code not in kept
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("member", "institution", "technology").prefetch_related(
            "sectors", "reference_plants", "countries"
        )


class CoDevelopmentProjectResource(PortalModelResource):
    lead_member = column("lead_member", StrictForeignKeyWidget(Member, "slug"))
    technology = column("technology", StrictForeignKeyWidget(Technology, "slug"))
    sectors = slugs_column("sectors", Sector)
    solution = column("solution", StrictForeignKeyWidget(TechnologySolution, "slug"))
    tracker_project = column("tracker_project", StrictForeignKeyWidget(IndustrialProject, "slug"))
    pipeline_project = column("pipeline_project", StrictForeignKeyWidget(PipelineProject, "slug"))
    budget_usd = column("budget_usd", DecimalWidget(), readonly=True)

    class Meta:
        model = CoDevelopmentProject
        fields = (
            "slug", "title", "lead_member", "technology", "sectors", "solution", "summary",
            "description", "status", "trl_start", "trl_target", "trl_current", "starts_on",
            "ends_on", "budget", "currency", "budget_usd", "results", "tracker_project",
            "pipeline_project", "visibility", "is_demo",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("slug",)

    def import_instance(self, instance, row, **kwargs):
        errors = _with_rule_errors(
            errors_raised_by(super().import_instance, instance, row, **kwargs), instance
        )
        for name, field_errors in errors_raised_by(budget_set, instance).items():
            errors.setdefault(name, []).extend(field_errors)
        raise_errors(errors)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(
            "lead_member", "technology", "solution", "tracker_project", "pipeline_project"
        ).prefetch_related("sectors")


class InnovationProgrammeResource(PortalModelResource):
    member = column("member", StrictForeignKeyWidget(Member, "slug"))
    sectors = slugs_column("sectors", Sector)
    technologies = slugs_column("technologies", Technology)

    class Meta:
        model = InnovationProgramme
        fields = (
            "slug", "name", "kind", "run_by", "member", "description", "website", "sectors",
            "technologies", "source", "is_demo",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("slug",)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("member").prefetch_related("sectors", "technologies")


class CallForProposalsResource(PortalModelResource):
    programme = column("programme", StrictForeignKeyWidget(InnovationProgramme, "slug"))

    class Meta:
        model = CallForProposals
        fields = ("id", "programme", "title", "description", "opens_on", "deadline", "url",
                  "is_demo")  # fmt: skip
        export_order = fields
        import_id_fields = ("id",)

    def import_instance(self, instance, row, **kwargs):
        errors = errors_raised_by(super().import_instance, instance, row, **kwargs)
        raise_errors(_with_rule_errors(errors, instance))

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("programme")
