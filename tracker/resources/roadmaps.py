"""Spreadsheet import/export of roadmaps."""

from leadit.spreadsheets import CountryCodeWidget, column, slugs_column

from ..models import CountryGroup, PolicyInstrument, Roadmap, Sector
from .base import TrackerModelResource
from .rules import roadmap_rule_errors
from .widgets import CachedForeignKeyWidget, CachedManyToManyWidget, IsoDateWidget


class RoadmapResource(TrackerModelResource):
    country = column("country", CountryCodeWidget())
    region = column("region", CachedForeignKeyWidget(CountryGroup, field="slug"))
    superseded_by = column("superseded_by", CachedForeignKeyWidget(Roadmap, field="slug"))
    published_on = column("published_on", IsoDateWidget())
    last_reviewed_on = column("last_reviewed_on", IsoDateWidget())
    sectors = slugs_column("sectors", Sector, CachedManyToManyWidget)
    instruments = slugs_column("instruments", PolicyInstrument, CachedManyToManyWidget)

    class Meta:
        model = Roadmap
        fields = (
            "slug",
            "title",
            "scope",
            "country",
            "region",
            "publisher",
            "published_on",
            "status",
            "superseded_by",
            "sectors",
            "instruments",
            "summary",
            "document_url",
            "language",
            "last_reviewed_on",
            "is_demo",
        )
        export_order = fields
        import_id_fields = ("slug",)

    def rule_errors(self, instance) -> dict[str, str]:
        return roadmap_rule_errors(instance)

    def get_queryset(self):
        return Roadmap.objects.prefetch_related("sectors", "instruments")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("region", "superseded_by").prefetch_related(
            "sectors", "instruments"
        )
