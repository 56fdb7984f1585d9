"""The secretariat's admin for workplans: every change keeps history (SimpleHistoryAdmin),
activities import and export as spreadsheets with one X column per objective
(``workplan.resources``), and "Copy to a new period" asks for the new title, slug and
period on an intermediate page before ``services.workplan_copy`` writes anything."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from leadit.spreadsheets import PortalImportExportMixin

from . import services
from .admin_forms import (
    ActivityConfirmImportForm,
    ActivityExportForm,
    ActivityImportForm,
    PeriodFormMixin,
    WorkplanCopyForm,
)
from .metrics import metric_choices, metric_options_errors
from .models import (
    Activity,
    ActivityGroup,
    ImpactPathway,
    MELIndicator,
    MELMeasurement,
    Objective,
    ObjectiveTarget,
    TargetMeasurement,
    Workplan,
)
from .resources import ActivityResource

# Web addresses typed without a scheme are taken as https:// (Django 6's default, asked for
# explicitly: Django 5.2 warns otherwise).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}

DUE_BEFORE_START = "The due date is before the start date."


# --- Needs review (flagged by the copy, cleared when staff save) -------------------------


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "needs review"
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", "Needs review"), ("no", "Reviewed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(needs_review=True)
        if self.value() == "no":
            return queryset.filter(needs_review=False)
        return queryset


@admin.display(description="needs review")
def review_state(_admin, obj) -> str:
    """ "Needs review: mentions COP26, a milestone of the old period", or blank."""
    if obj is None or not obj.needs_review:
        return ""
    return f"Needs review: {obj.review_reason}" if obj.review_reason else "Needs review"


@admin.display(description="review")
def review_state_on_form(_admin, obj) -> str:
    if obj is None or not obj.needs_review:
        return "Reviewed."
    return (
        f"Needs review: {obj.review_reason or 'copied from the previous period'}. "
        "Saving this page marks it reviewed."
    )


def mark_reviewed(obj) -> None:
    if obj.needs_review or obj.review_reason:
        obj.needs_review = False
        obj.review_reason = ""


class ReviewedOnSaveMixin:
    """For a ModelAdmin of Objective or Activity: saving the page is the review."""

    REVIEW_FIELDSET = ("Needs review", {"fields": ["review_state_on_form"]})
    review_state = review_state
    review_state_on_form = review_state_on_form

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "review_state_on_form"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets = [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f != "review_state_on_form"],
                },
            )
            for name, options in fieldsets
        ]
        if obj is not None and obj.needs_review:
            fieldsets.insert(0, self.REVIEW_FIELDSET)
        return fieldsets

    def save_model(self, request, obj, form, change):
        if change:
            mark_reviewed(obj)
        super().save_model(request, obj, form, change)


class ReviewedInlinesMixin:
    """For a ModelAdmin with Objective or Activity inlines: a row staff change and save is
    reviewed."""

    def save_formset(self, request, form, formset, change):
        if formset.model not in (Objective, Activity):
            return super().save_formset(request, form, formset, change)
        for obj in formset.save(commit=False):
            if obj.pk:
                mark_reviewed(obj)
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
        return None


# --- Workplans and the copy action -------------------------------------------------------


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ["number", "short_title", "description", "due_date", "due_event", "review_state"]
    readonly_fields = ["review_state"]
    review_state = review_state
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    show_change_link = True


class ImpactPathwayInline(admin.TabularInline):
    model = ImpactPathway
    extra = 0
    fields = ["order", "title", "description"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    show_change_link = True


class MELIndicatorInline(admin.TabularInline):
    model = MELIndicator
    extra = 0
    fields = ["order", "name", "unit", "description"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    show_change_link = True


class WorkplanAdminForm(PeriodFormMixin, forms.ModelForm):
    class Meta:
        model = Workplan
        fields = ["title", "slug", "status", "period_start", "period_end"]
        fields += ["introduction", "pillars"]


@admin.register(Workplan)
class WorkplanAdmin(ReviewedInlinesMixin, SimpleHistoryAdmin):
    form = WorkplanAdminForm
    list_display = ["title", "slug", "period_start", "period_end", "status"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["pillars"]
    date_hierarchy = "period_start"
    inlines = [ObjectiveInline, ImpactPathwayInline, MELIndicatorInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", ("period_start", "period_end")]}),
        ("Introduction", {"fields": ["introduction", "pillars"]}),
    ]
    actions = ["copy_to_new_period"]

    @admin.action(description="Copy this workplan to a new period…", permissions=["add"])
    def copy_to_new_period(self, request, queryset):
        """First an intermediate page asking for the new title, slug and period; its form
        posts back here. Exactly one workplan is copied at a time."""
        workplans = list(queryset[:2])
        if len(workplans) != 1:
            self.message_user(request, "Select exactly one workplan to copy.", messages.ERROR)
            return None
        source = workplans[0]
        if "apply" in request.POST:
            form = WorkplanCopyForm(request.POST)
        else:
            length = source.period_end - source.period_start
            start = source.period_end + timedelta(days=1)
            form = WorkplanCopyForm(
                initial={
                    "title": f"{source.title} (copy)",
                    "slug": f"{source.slug}-copy",
                    "period_start": start,
                    "period_end": start + length,
                }
            )
        if form.is_bound and form.is_valid():
            try:
                copy = services.workplan_copy(workplan=source, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = field if field in form.fields else None
                    for error in errors:
                        form.add_error(target, error)
            else:
                url = reverse("admin:workplan_workplan_change", args=[copy.pk])
                self.message_user(
                    request,
                    format_html(
                        '“{}” copied to <a href="{}">{}</a> as a draft: every activity is '
                        "planned again; check the dates and the targets.",
                        source,
                        url,
                        copy,
                    ),
                    messages.SUCCESS,
                )
                self._message_review(request, source, copy)
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Copy “{source}” to a new period",
            "opts": self.model._meta,
            "source": source,
            "counts": {
                "objectives": source.objectives.count(),
                "pathways": source.pathways.count(),
                "activities": Activity.objects.filter(group__pathway__workplan=source).count(),
            },
            "form": form,
            "action_name": "copy_to_new_period",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/workplan/workplan/copy_to_new_period.html", context)

    def _message_review(self, request, source, copy) -> None:
        """How many copied texts name the old period's milestones or years, with links to
        them; and whether the introduction does."""
        counts = services.workplan_review_counts(workplan=copy)
        parts = []
        for key, noun, url_name, lookup in [
            ("objectives", ("objective", "objectives"), "objective", "workplan__id__exact"),
            (
                "activities",
                ("activity", "activities"),
                "activity",
                "group__pathway__workplan__id__exact",
            ),
        ]:
            if counts[key]:
                url = reverse(f"admin:workplan_{url_name}_changelist")
                parts.append(
                    format_html(
                        '<a href="{}?{}={}&amp;needs_review=yes">{} {}</a>',
                        url,
                        lookup,
                        copy.pk,
                        counts[key],
                        noun[counts[key] != 1],
                    )
                )
        intro = services.StaleWording(
            old_start=source.period_start,
            old_end=source.period_end,
            new_start=copy.period_start,
            new_end=copy.period_end,
        ).reasons([copy.introduction])
        if not parts and not intro:
            self.message_user(request, "No copied text names the old period's milestones or years.")
            return
        if parts:
            total = counts["objectives"] + counts["activities"]
            self.message_user(
                request,
                format_html(
                    "{} {} review: {} name the old period's milestones or years "
                    "(filter “Needs review”; saving each one marks it reviewed).",
                    format_html_join(" and ", "{}", ((p,) for p in parts)),
                    "needs" if total == 1 else "need",
                    "its text may" if total == 1 else "their texts may",
                ),
                messages.WARNING,
            )
        if intro:
            self.message_user(
                request,
                f"The introduction needs review: it {'; it '.join(intro)}.",
                messages.WARNING,
            )


# --- Objectives and their targets ---------------------------------------------------------


class ObjectiveTargetForm(forms.ModelForm):
    metric = forms.ChoiceField(
        required=False,
        help_text="Computed live from the portal's data; leave blank for a manual target "
        "measured by hand (its measurements below).",
    )

    class Meta:
        model = ObjectiveTarget
        fields = ["objective", "label", "metric", "metric_options", "threshold", "unit", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— none: a manual target —"), *metric_choices()]
        current = self.instance.metric if self.instance.pk else ""
        if current and current not in dict(choices):
            # A metric whose app is not installed any more: keep it choosable.
            choices.append((current, f"{current} (not available)"))
        self.fields["metric"].choices = choices
        if "metric_options" in self.fields:
            self.fields["metric_options"].help_text = (
                'A JSON object, e.g. {"kind": "country", "economy_group": "developing"} for '
                "new members. Blank or {} for none."
            )

    def clean(self):
        data = super().clean()
        metric, options = data.get("metric"), data.get("metric_options")
        if options in (None, ""):
            options = data["metric_options"] = {}
        if metric:
            for error in metric_options_errors(metric, options):
                self.add_error("metric_options", error)
        elif options:
            self.add_error("metric_options", "A manual target has no options.")
        return data


class ObjectiveTargetInline(admin.StackedInline):
    model = ObjectiveTarget
    form = ObjectiveTargetForm
    extra = 0
    fields = [("label", "order"), ("metric", "metric_options"), ("threshold", "unit")]
    show_change_link = True


class TargetMeasurementInline(admin.TabularInline):
    model = TargetMeasurement
    extra = 0
    fields = ["date", "value", "note"]


@admin.register(Objective)
class ObjectiveAdmin(ReviewedOnSaveMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "workplan", "due_date", "due_event", "review_state"]
    list_filter = ["workplan", NeedsReviewFilter]
    exclude = ["needs_review", "review_reason"]
    list_select_related = ["workplan"]
    search_fields = ["short_title", "description", "workplan__title"]
    inlines = [ObjectiveTargetInline]


@admin.register(ObjectiveTarget)
class ObjectiveTargetAdmin(SimpleHistoryAdmin):
    form = ObjectiveTargetForm
    list_display = ["label", "objective", "metric", "threshold", "unit"]
    list_filter = ["objective__workplan", "metric"]
    list_select_related = ["objective__workplan"]
    search_fields = ["label", "objective__short_title"]
    inlines = [TargetMeasurementInline]


# --- Pathways, groups, activities ---------------------------------------------------------


class ActivityGroupInline(admin.TabularInline):
    model = ActivityGroup
    extra = 0
    fields = ["order", "title"]
    show_change_link = True


@admin.register(ImpactPathway)
class ImpactPathwayAdmin(SimpleHistoryAdmin):
    list_display = ["title", "workplan", "order"]
    list_filter = ["workplan"]
    list_select_related = ["workplan"]
    search_fields = ["title"]
    inlines = [ActivityGroupInline]


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["order", "title", "status", "start_date", "due_date", "review_state"]
    readonly_fields = ["review_state"]
    review_state = review_state
    show_change_link = True


@admin.register(ActivityGroup)
class ActivityGroupAdmin(ReviewedInlinesMixin, SimpleHistoryAdmin):
    list_display = ["title", "pathway", "workplan", "order"]
    list_filter = ["pathway__workplan"]
    list_select_related = ["pathway__workplan"]
    search_fields = ["title", "pathway__title"]
    inlines = [ActivityInline]

    @admin.display(description="Workplan", ordering="pathway__workplan")
    def workplan(self, group):
        return group.pathway.workplan


class ActivityAdminForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "group",
            "order",
            "title",
            "description",
            "lead",
            "partner_members",
            "partners",
            "status",
            "start_date",
            "due_date",
            "deliverable_url",
            "objectives",
        ]

    deliverable_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label="Deliverable link"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.group_id and "objectives" in self.fields:
            # An existing activity: only its own workplan's objectives to choose from.
            self.fields["objectives"].queryset = self.fields["objectives"].queryset.filter(
                workplan__pathways__groups=self.instance.group_id
            )

    def clean(self):
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", DUE_BEFORE_START)
        group, objectives = data.get("group"), data.get("objectives")
        if group and objectives:
            foreign = [o for o in objectives if o.workplan_id != group.pathway.workplan_id]
            if foreign:
                names = ", ".join(f"{o} ({o.workplan})" for o in foreign)
                self.add_error(
                    "objectives", f"These objectives belong to another workplan: {names}."
                )
        return data


@admin.register(Activity)
class ActivityAdmin(ReviewedOnSaveMixin, PortalImportExportMixin, SimpleHistoryAdmin):
    form = ActivityAdminForm
    resource_classes = [ActivityResource]
    formats = [CSV, XLSX]
    import_form_class = ActivityImportForm
    confirm_form_class = ActivityConfirmImportForm
    export_form_class = ActivityExportForm
    import_template_name = "admin/workplan/activity/import.html"
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "group", "pathway", "status", "start_date", "due_date", "lead"]
    list_display += ["review_state"]
    list_filter = ["group__pathway__workplan", "status", NeedsReviewFilter, "group__pathway"]
    list_select_related = ["group__pathway__workplan", "lead"]
    search_fields = ["title", "description", "partners", "group__title"]
    filter_horizontal = ["objectives", "events"]
    autocomplete_fields = ["partner_members"]
    date_hierarchy = "due_date"
    fieldsets = [
        (None, {"fields": ["group", "order", "title", "description"]}),
        ("Who", {"fields": ["lead", "partner_members", "partners"]}),
        ("When and what", {"fields": ["status", ("start_date", "due_date"), "deliverable_url"]}),
        ("The objective matrix", {"fields": ["objectives"]}),
    ]

    @admin.display(description="Pathway", ordering="group__pathway__title")
    def pathway(self, activity):
        return activity.group.pathway

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group__pathway__workplan")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group":
            kwargs["queryset"] = ActivityGroup.objects.select_related("pathway__workplan")
        if db_field.name == "lead":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "objectives":
            kwargs["queryset"] = Objective.objects.select_related("workplan")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # import-export: the workplan chosen on the form decides the objective columns.

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        workplan = None
        if form is not None and form.is_bound and form.is_valid():
            workplan = form.cleaned_data.get("workplan")
        return {"workplan": workplan}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["workplan"] = import_form.cleaned_data["workplan"].pk
        return initial

    def get_export_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("export_form")
        return {"workplan": form.cleaned_data.get("workplan") if form is not None else None}

    def get_export_filename(self, request, queryset, file_format):
        filename = super().get_export_filename(request, queryset, file_format)
        workplan = None
        if request.method == "POST":
            workplan = Workplan.objects.filter(pk=request.POST.get("workplan")).first()
        return f"{workplan.slug}-{filename}" if workplan else filename


# --- MEL ----------------------------------------------------------------------------------


class MELMeasurementInline(admin.TabularInline):
    model = MELMeasurement
    extra = 0
    fields = ["date", "value", "note"]


@admin.register(MELIndicator)
class MELIndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "workplan", "unit", "order"]
    list_filter = ["workplan"]
    list_select_related = ["workplan"]
    search_fields = ["name", "description"]
    inlines = [MELMeasurementInline]
