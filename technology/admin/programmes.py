"""Innovation programmes with their calls for proposals."""

from django.contrib import admin
from django.utils import timezone

from ..models import CallForProposals, InnovationProgramme
from ..resources import CallForProposalsResource, InnovationProgrammeResource
from .common import HTTPS_URLS, ImportExportAdmin, RulesForm, demo_column


class CallInline(admin.TabularInline):
    model = CallForProposals
    form = RulesForm
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["title", "opens_on", "deadline", "url", "is_demo"]
    show_change_link = True  # its description is on its own page


@admin.register(InnovationProgramme)
class InnovationProgrammeAdmin(ImportExportAdmin):
    resource_classes = [InnovationProgrammeResource]
    list_display = ["name", "kind", "run_by", "member", demo_column]
    list_filter = ["kind", "is_demo", "sectors", "technologies"]
    list_select_related = ["member"]
    search_fields = ["name", "slug", "run_by", "member__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["member"]
    filter_horizontal = ["sectors", "technologies"]
    inlines = [CallInline]


class OpenFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open today"), ("past", "Deadline passed")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.open_on(today)
        if self.value() == "past":
            return queryset.filter(deadline__lt=today)
        return queryset


@admin.register(CallForProposals)
class CallForProposalsAdmin(ImportExportAdmin):
    form = RulesForm
    resource_classes = [CallForProposalsResource]
    list_display = ["title", "programme", "opens_on", "deadline", demo_column]
    list_filter = [OpenFilter, "is_demo", "programme"]
    list_select_related = ["programme"]
    search_fields = ["title", "description", "programme__name"]
    autocomplete_fields = ["programme"]
    date_hierarchy = "deadline"
    readonly_fields = ["updated_at"]
