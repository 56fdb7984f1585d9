"""Spreadsheet import/export of targets."""

from django.core.exceptions import ValidationError

from leadit.spreadsheets import CountryCodeWidget, column, errors_raised_by, raise_errors

from ..models import Roadmap, Sector, Target
from ..selectors.targets import TARGET_STATEMENT_FIELDS
from .base import TrackerModelResource
from .rules import target_rule_errors
from .widgets import (
    CachedForeignKeyWidget,
    IsoDateWidget,
    StrictDecimalWidget,
    WholeNumberWidget,
    YearWidget,
)


class TargetResource(TrackerModelResource):
    id = column("id", WholeNumberWidget())
    roadmap = column("roadmap", CachedForeignKeyWidget(Roadmap, field="slug"))
    country = column("country", CountryCodeWidget())
    sector = column("sector", CachedForeignKeyWidget(Sector, field="slug"))
    base_year = column("base_year", YearWidget())
    target_year = column("target_year", YearWidget())
    value = column("value", StrictDecimalWidget())
    source_year = column("source_year", YearWidget())
    last_reviewed_on = column("last_reviewed_on", IsoDateWidget())
    end_target = column("end_target", CachedForeignKeyWidget(Target, field="pk"))

    class Meta:
        model = Target
        fields = (
            "id",
            "roadmap",
            "country",
            "sector",
            "kind",
            *TARGET_STATEMENT_FIELDS,
            "source_publisher",
            "source_title",
            "source_year",
            "source_url",
            "last_reviewed_on",
        )
        export_order = fields
        import_id_fields = ("id",)

    def import_instance(self, instance, row, **kwargs):
        errors = errors_raised_by(super().import_instance, instance, row, **kwargs)
        # An id names an existing target; a new one leaves it blank (ids are the database's).
        if instance._state.adding and str(row.get("id") or "").strip():
            errors["id"] = [
                ValidationError(
                    f"No target with id {row['id']}: leave the id blank for a new target.",
                    code="invalid",
                )
            ]
            instance.id = None
        raise_errors(errors)

    def rule_errors(self, instance) -> dict[str, str]:
        return target_rule_errors(instance)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("roadmap", "sector")
