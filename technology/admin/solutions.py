"""Technology solutions with their patent families and the countries they are available in;
the kinds of offer as yes/no columns."""

from django.contrib import admin

from ..models import PatentFamily, SolutionCountry, TechnologySolution
from ..resources import TechnologySolutionResource
from .common import ImportExportAdmin, RulesForm, demo_column


class PatentFamilyInline(admin.TabularInline):
    model = PatentFamily
    form = RulesForm
    extra = 0
    fields = ["number", "office", "filed_on", "expires_on"]


class SolutionCountryInline(admin.TabularInline):
    model = SolutionCountry
    extra = 0
    verbose_name_plural = "countries where it is available (unless available worldwide)"


def _offer_column(field: str, title: str):
    def column(solution) -> bool:
        return getattr(solution, field)

    column.__name__ = field
    return admin.display(description=title, boolean=True, ordering=field)(column)


OFFER_COLUMNS = [
    _offer_column("offers_licence", "licence"),
    _offer_column("offers_co_development", "co-dev."),
    _offer_column("offers_demonstration", "demo site"),
    _offer_column("offers_training", "training"),
    _offer_column("offers_joint_venture", "JV"),
    _offer_column("offers_know_how", "know-how"),
]


@admin.register(TechnologySolution)
class TechnologySolutionAdmin(ImportExportAdmin):
    form = RulesForm
    resource_classes = [TechnologySolutionResource]
    list_display = ["name", "provider", "technology", "trl", *OFFER_COLUMNS, "visibility",
                    demo_column, "updated_at"]  # fmt: skip
    list_filter = ["technology", "trl", "visibility", "is_demo", "ip_status",
                   "available_worldwide"]  # fmt: skip
    list_select_related = ["member", "institution", "technology"]
    search_fields = ["name", "slug", "summary", "member__name", "institution__name",
                     "technology__name"]  # fmt: skip
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["member", "institution", "technology", "reference_plants"]
    filter_horizontal = ["sectors"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [PatentFamilyInline, SolutionCountryInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "member",
                    "institution",
                    "name",
                    "slug",
                    "technology",
                    "sectors",
                    "summary",
                    "description",
                ]
            },
        ),  # fmt: skip
        ("Readiness", {"fields": ["trl", "trl_assessed_year", "trl_assessed_by"]}),
        (
            "What is offered",
            {
                "fields": [
                    "offers_licence",
                    "offers_co_development",
                    "offers_demonstration",
                    "offers_training",
                    "offers_joint_venture",
                    "offers_know_how",
                ]
            },
        ),  # fmt: skip
        ("Intellectual property", {"fields": ["ip_status", "ip_licence"]}),
        ("Where and where used", {"fields": ["available_worldwide", "reference_plants"]}),
        ("Contact (members only)", {"fields": ["contact_name", "contact_email"]}),
        ("Visibility", {"fields": ["visibility", "is_demo"]}),
        (
            "Record",
            {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]},
        ),  # fmt: skip
    ]

    @admin.display(description="offered by")
    def provider(self, solution):
        return solution.provider

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
