"""Co-development projects with their participants, milestones and publications."""

from django.contrib import admin

from ..models import CoDevelopmentProject, ProjectMilestone, ProjectParticipant, ProjectPublication
from ..resources import CoDevelopmentProjectResource
from .common import HTTPS_URLS, ImportExportAdmin, ProjectForm, RulesForm, demo_column, usd_text


class ParticipantInline(admin.TabularInline):
    model = ProjectParticipant
    form = RulesForm
    extra = 0
    fields = ["member", "institution", "role"]
    autocomplete_fields = ["member", "institution"]


class MilestoneInline(admin.TabularInline):
    model = ProjectMilestone
    form = RulesForm
    extra = 0
    fields = ["title", "due_on", "status", "completed_on", "trl_reached"]


class PublicationInline(admin.TabularInline):
    model = ProjectPublication
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["title", "url", "year"]


@admin.register(CoDevelopmentProject)
class CoDevelopmentProjectAdmin(ImportExportAdmin):
    form = ProjectForm
    resource_classes = [CoDevelopmentProjectResource]
    list_display = ["title", "lead_member", "technology", "status", "trl_start", "trl_current",
                    "trl_target", "starts_on", "ends_on", "budget_column", "visibility",
                    demo_column]  # fmt: skip
    list_filter = ["status", "technology", "visibility", "is_demo", "sectors"]
    list_select_related = ["lead_member", "technology"]
    search_fields = ["title", "slug", "summary", "lead_member__name", "technology__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_member", "technology", "solution", "tracker_project",
                           "pipeline_project"]  # fmt: skip
    filter_horizontal = ["sectors"]
    date_hierarchy = "starts_on"
    readonly_fields = ["budget_usd", "usd_rate", "created_by", "created_at", "updated_at"]
    inlines = [ParticipantInline, MilestoneInline, PublicationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "lead_member",
                    "technology",
                    "sectors",
                    "solution",
                    "summary",
                    "description",
                ]
            },
        ),  # fmt: skip
        (
            "Progress",
            {
                "fields": [
                    "status",
                    "trl_start",
                    "trl_target",
                    "trl_current",
                    "starts_on",
                    "ends_on",
                    "results",
                ]
            },
        ),  # fmt: skip
        ("Budget", {"fields": ["budget", "currency", "budget_usd", "usd_rate"]}),
        ("Where it is demonstrated", {"fields": ["tracker_project", "pipeline_project"]}),
        ("Visibility", {"fields": ["visibility", "is_demo"]}),
        (
            "Record",
            {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]},
        ),  # fmt: skip
    ]

    @admin.display(description="budget (USD)", ordering="budget_usd")
    def budget_column(self, project):
        return usd_text(project.budget_usd)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
