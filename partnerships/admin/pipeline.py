"""Pipeline projects with their stage history and sources."""

from django.contrib import admin

from ..models import PipelineProject, PipelineSource, PipelineStageChange
from ..resources import PipelineProjectResource
from .common import HTTPS_URLS, ImportExportAdmin, MoneyForm, ReadOnlyInline, demo_column, usd_text


class PipelineStageInline(ReadOnlyInline):
    model = PipelineStageChange
    fields = ["changed_on", "stage", "reason", "recorded_by"]
    readonly_fields = fields
    verbose_name_plural = "stage history (moves are made on the project's pages)"


class PipelineSourceInline(admin.TabularInline):
    model = PipelineSource
    formfield_overrides = HTTPS_URLS
    extra = 0


@admin.register(PipelineProject)
class PipelineProjectAdmin(ImportExportAdmin):
    form = MoneyForm
    resource_classes = [PipelineProjectResource]
    list_display = ["name", "partnership", "sector", "stage", "stage_since", "capex",
                    "visibility", demo_column]  # fmt: skip
    list_filter = ["stage", "sector", "visibility", "is_demo", "partnership"]
    list_select_related = ["partnership", "sector"]
    search_fields = ["name", "slug", "sponsor", "location", "partnership__name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["technologies", "financing_offers", "financing_institutions"]
    raw_id_fields = ["gem_plant"]
    readonly_fields = ["capex_usd", "financing_gap_usd", "usd_rate"]
    inlines = [PipelineStageInline, PipelineSourceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    def get_readonly_fields(self, request, obj=None):
        # A stage gate moves through pipeline_stage_change (dated, a reason when backwards).
        return [*self.readonly_fields, *(["stage", "stage_since"] if obj else [])]

    @admin.display(description="capex (USD)", ordering="capex_usd")
    def capex(self, project):
        return usd_text(project.capex_usd)
