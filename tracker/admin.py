"""The secretariat's admin for the Industry Transition Tracker.

Every model keeps its history (SimpleHistoryAdmin, with a "History" button on each page),
roadmaps and targets import and export as spreadsheets (``tracker.resources``: dry run,
per-row errors, all-or-nothing), and "Mark reviewed today" records the review with history
(``services.mark_reviewed``; a bare ``QuerySet.update`` would leave none).
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils import timezone
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from leadit.spreadsheets import PortalImportExportMixin

from . import services
from .models import (
    CountryGroup,
    CountryGroupMembership,
    GuideStep,
    IndustrialProject,
    PolicyInstrument,
    ProjectCapacity,
    Roadmap,
    RoadmapLever,
    Sector,
    Source,
    Target,
    Technology,
)
from .resources import (
    RoadmapResource,
    TargetResource,
    roadmap_rule_errors,
    target_rule_errors,
)
from .selectors.targets import TARGET_STATEMENT_FIELDS

# Web addresses typed without a scheme are taken as https:// (Django 6's default, asked for
# explicitly: Django 5.2 warns otherwise).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


# --- Forms that check the tracker's rules with readable messages ---------------------------


class RuleCheckedForm(forms.ModelForm):
    """Adds the tracker's cross-field rules (``tracker.resources``) to the model's own
    validation, so the admin and the spreadsheet import say the same thing."""

    rules = staticmethod(lambda instance: {})

    def _post_clean(self):
        super()._post_clean()
        for field, message in self.rules(self.instance).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
            elif field not in self.fields:
                self.add_error(None, message)


class RoadmapForm(RuleCheckedForm):
    rules = staticmethod(roadmap_rule_errors)


class TargetForm(RuleCheckedForm):
    rules = staticmethod(target_rule_errors)


def limit_end_targets(field: forms.ModelChoiceField | None, target_roadmap, target=None):
    """Offer as end targets only the end targets of the same roadmap (never the target
    itself, never an interim target): a roadmap has a handful, not the whole table."""
    if field is None:
        return
    if target_roadmap is None or target_roadmap.pk is None:
        field.queryset = Target.objects.none()
        field.help_text = (
            "For an interim target: the end target it leads to. Save the roadmap's targets "
            "first, then link the interim ones."
        )
        return
    candidates = Target.objects.filter(roadmap=target_roadmap, end_target__isnull=True)
    if target is not None and target.pk:
        candidates = candidates.exclude(pk=target.pk)
    field.queryset = candidates.select_related("sector")


# --- Reference data ------------------------------------------------------------------------


@admin.register(Sector)
class SectorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


class CountryGroupMembershipInline(admin.TabularInline):
    model = CountryGroupMembership
    extra = 3
    fields = ["country"]
    verbose_name = "country"
    verbose_name_plural = "countries"


@admin.register(CountryGroup)
class CountryGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "kind", "country_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CountryGroupMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_countries=Count("memberships"))

    @admin.display(description="countries", ordering="_countries")
    def country_count(self, group):
        return group._countries


@admin.register(PolicyInstrument)
class PolicyInstrumentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "roadmap_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_roadmaps=Count("roadmaps"))

    @admin.display(description="roadmaps", ordering="_roadmaps")
    def roadmap_count(self, instrument):
        return instrument._roadmaps


@admin.register(Technology)
class TechnologyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "project_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_projects=Count("projects"))

    @admin.display(description="projects", ordering="_projects")
    def project_count(self, technology):
        return technology._projects


# --- Roadmaps and targets ------------------------------------------------------------------


class ReviewedFilter(admin.SimpleListFilter):
    title = "last reviewed"
    parameter_name = "reviewed"

    def lookups(self, request, model_admin):
        return [
            ("never", "Never"),
            ("over-a-year", "More than a year ago"),
            ("this-year", "Within the last year"),
        ]

    def queryset(self, request, queryset):
        year_ago = timezone.localdate() - timezone.timedelta(days=365)
        return {
            "never": queryset.filter(last_reviewed_on__isnull=True),
            "over-a-year": queryset.filter(last_reviewed_on__lt=year_ago),
            "this-year": queryset.filter(last_reviewed_on__gte=year_ago),
        }.get(self.value(), queryset)


class RoadmapLeverInline(admin.TabularInline):
    model = RoadmapLever
    extra = 0
    fields = ["lever", "milestone_year", "description", "technologies"]
    autocomplete_fields = ["technologies"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    fields = ["title", "url", "accessed_on"]
    formfield_overrides = HTTPS_URLS


class TargetInline(admin.TabularInline):
    model = Target
    form = TargetForm
    extra = 0
    fields = [
        "kind",
        "sector",
        "country",
        *TARGET_STATEMENT_FIELDS,
    ]
    show_change_link = True

    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 18})},
        models.DecimalField: {"widget": forms.NumberInput(attrs={"class": "vIntegerField"})},
    }

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        fields = formset.form.base_fields
        limit_end_targets(fields.get("end_target"), obj)
        # A row of the table: no add/change/view icons beside its selects.
        for name in ("sector", "end_target"):
            widget = getattr(fields.get(name), "widget", None)
            for flag in (
                "can_add_related",
                "can_change_related",
                "can_delete_related",
                "can_view_related",
            ):
                if hasattr(widget, flag):
                    setattr(widget, flag, False)
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sector", "end_target__sector")


class LargeFileNoteMixin:
    """Says on the import preview of a large file that every row was checked although the
    preview lists the values of the first rows only (the resource's ``PREVIEW_ROWS``)."""

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        limit = self.resource_classes[0].PREVIEW_ROWS
        if (
            result is not None
            and not result.has_errors()
            and not result.has_validation_errors()
            and result.total_rows > limit
        ):
            self.message_user(
                request,
                f"All {result.total_rows:,} rows were checked. The preview shows the values of "
                f"new records in the first {limit:,} rows only.",
                messages.INFO,
            )
        return response


class MarkReviewedMixin:
    """The "Mark reviewed today" action, with history (``services.mark_reviewed``)."""

    @admin.action(description="Mark reviewed today", permissions=["change"])
    def mark_reviewed_today(self, request, queryset):
        today = timezone.localdate()
        count = services.mark_reviewed(objects=queryset, user=request.user, on=today)
        noun = self.model._meta.verbose_name if count == 1 else self.model._meta.verbose_name_plural
        self.message_user(
            request,
            f"{count} {noun} marked reviewed on {today:%d %B %Y}.",
            messages.SUCCESS,
        )


@admin.register(Roadmap)
class RoadmapAdmin(
    MarkReviewedMixin, LargeFileNoteMixin, PortalImportExportMixin, SimpleHistoryAdmin
):
    resource_classes = [RoadmapResource]
    formats = [CSV, XLSX]
    form = RoadmapForm
    formfield_overrides = HTTPS_URLS
    list_display = [
        "title",
        "scope",
        "country",
        "region",
        "status",
        "published_on",
        "last_reviewed_on",
        "is_demo",
    ]
    list_filter = ["scope", "status", "is_demo", "sectors", "region", ReviewedFilter, "language"]
    list_select_related = ["region"]
    search_fields = ["title", "slug", "publisher", "country"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["region", "superseded_by", "sectors", "instruments"]
    readonly_fields = ["last_reviewed_by", "created_at", "updated_at"]
    actions = ["mark_reviewed_today"]
    inlines = [TargetInline, RoadmapLeverInline, SourceInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "scope", "country", "region", "is_demo"]}),
        ("Document", {"fields": ["publisher", "published_on", "document_url", "language"]}),
        ("Status", {"fields": ["status", "superseded_by"]}),
        ("Content", {"fields": ["sectors", "instruments", "summary"]}),
        (
            "Review",
            {"fields": ["last_reviewed_on", "last_reviewed_by", "created_at", "updated_at"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        if "last_reviewed_on" in form.changed_data and obj.last_reviewed_on:
            obj.last_reviewed_by = request.user
        super().save_model(request, obj, form, change)


class InterimFilter(admin.SimpleListFilter):
    title = "interim or end target"
    parameter_name = "interim"

    def lookups(self, request, model_admin):
        return [("end", "End targets"), ("interim", "Interim targets")]

    def queryset(self, request, queryset):
        return {
            "end": queryset.filter(end_target__isnull=True),
            "interim": queryset.filter(end_target__isnull=False),
        }.get(self.value(), queryset)


@admin.register(Target)
class TargetAdmin(LargeFileNoteMixin, PortalImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [TargetResource]
    formats = [CSV, XLSX]
    form = TargetForm
    formfield_overrides = HTTPS_URLS
    list_display = ["__str__", "roadmap", "country", "kind", "target_year", "value", "status"]
    list_filter = ["kind", "status", "sector", InterimFilter]
    list_select_related = ["roadmap", "sector"]
    search_fields = ["description", "roadmap__title", "roadmap__slug", "country"]
    autocomplete_fields = ["roadmap"]
    readonly_fields = ["updated_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            roadmap = obj.roadmap
        else:  # an add link may name the roadmap: ?roadmap=<id>
            roadmap_id = request.GET.get("roadmap", "")
            roadmap = (
                Roadmap.objects.filter(pk=roadmap_id).first() if roadmap_id.isdigit() else None
            )
        if obj is not None and roadmap is None:
            # A country's target without a roadmap: that country's other end targets.
            field = form.base_fields.get("end_target")
            if field is not None:
                field.queryset = Target.objects.filter(
                    roadmap__isnull=True, country=obj.country, end_target__isnull=True
                ).exclude(pk=obj.pk)
        else:
            limit_end_targets(form.base_fields.get("end_target"), roadmap, obj)
        return form


# --- Industrial projects -------------------------------------------------------------------


class ProjectCapacityInline(admin.TabularInline):
    model = ProjectCapacity
    extra = 0
    fields = ["product", "status", "value", "unit"]


@admin.register(IndustrialProject)
class IndustrialProjectAdmin(MarkReviewedMixin, SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = [
        "name",
        "country",
        "sector",
        "status",
        "start_year",
        "owner",
        "last_reviewed_on",
    ]
    list_filter = ["status", "sector", "technologies", ReviewedFilter, "source"]
    list_select_related = ["sector"]
    search_fields = ["name", "slug", "owner", "parent", "location", "external_id", "country"]
    list_per_page = 50
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["technologies"]
    readonly_fields = ["updated_at"]
    actions = ["mark_reviewed_today"]
    inlines = [ProjectCapacityInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "sector", "status", "start_year", "technologies"]}),
        ("Ownership", {"fields": ["owner", "parent"]}),
        (
            "Location",
            {
                "fields": [
                    "country",
                    "location",
                    "latitude",
                    "longitude",
                    "coordinate_accuracy",
                ]
            },
        ),
        ("Equipment", {"fields": ["production_equipment"]}),
        ("Source", {"fields": ["source", "external_id", "source_url"]}),
        ("Review", {"fields": ["last_reviewed_on", "updated_at"]}),
    ]


# --- The how-to guide ----------------------------------------------------------------------


@admin.register(GuideStep)
class GuideStepAdmin(SimpleHistoryAdmin):
    list_display = ["order", "title", "slug"]
    list_display_links = ["order", "title"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
