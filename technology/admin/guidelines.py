"""Technical guidelines and their versions. A version, once made, is kept as it was (older
ones are superseded, not edited): the secretariat adds a new one by uploading its PDF,
checked by content, not by name. Markdown versions are written, and rendered to PDF by a
worker, on the guideline's own pages."""

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Subquery

from ..models import GuidelineVersion, TechnicalGuideline
from ..services.guidelines import pdf_upload_errors
from .common import PortalAdmin, demo_column


class VersionUploadForm(forms.ModelForm):
    """A new version by upload: the PDF is required and checked."""

    class Meta:
        model = GuidelineVersion
        fields = ["guideline", "version", "published_on", "pdf", "change_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "pdf" in self.fields:
            self.fields["pdf"].required = True

    def clean_pdf(self):
        file = self.cleaned_data.get("pdf")
        if file and not self.instance.pk:
            errors = pdf_upload_errors(file)
            if errors:
                raise forms.ValidationError(errors)
        return file


def with_latest(versions):
    """``versions`` each with the id of its guideline's latest version, in the same query."""
    latest = GuidelineVersion.objects.filter(guideline=OuterRef("guideline")).order_by(
        "-published_on", "-id"
    )
    return versions.annotate(latest_pk=Subquery(latest.values("pk")[:1]))


def _version_state(version: GuidelineVersion) -> str:
    if version.pk is None:
        return ""
    return "current" if version.latest_pk == version.pk else "superseded"


class VersionInline(admin.TabularInline):
    """Versions made are shown as they are; a new one is added by uploading its PDF."""

    model = GuidelineVersion
    form = VersionUploadForm
    extra = 0
    fields = ["version", "published_on", "pdf", "change_note", "state", "render_status",
              "created_by"]  # fmt: skip
    readonly_fields = ["state", "render_status", "created_by"]
    verbose_name_plural = "versions (older ones are superseded; add one by uploading its PDF)"

    @admin.display(description="state")
    def state(self, version):
        return _version_state(version)

    def get_queryset(self, request):
        return with_latest(super().get_queryset(request)).select_related("created_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TechnicalGuideline)
class TechnicalGuidelineAdmin(PortalAdmin):
    list_display = ["title", "member", "licence", "visibility", demo_column, "updated_at"]
    list_filter = ["visibility", "is_demo", "sectors", "technologies"]
    list_select_related = ["member"]
    search_fields = ["title", "slug", "summary", "member__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["member"]
    filter_horizontal = ["sectors", "technologies"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [VersionInline]

    def save_formset(self, request, form, formset, change):
        for version in formset.save(commit=False):
            if version.pk is None:
                version.created_by = request.user
                version.render_status = GuidelineVersion.RenderStatus.UPLOADED
            version.save()
        formset.save_m2m()


@admin.register(GuidelineVersion)
class GuidelineVersionAdmin(PortalAdmin):
    form = VersionUploadForm
    list_display = ["guideline", "version", "published_on", "state", "render_status",
                    "created_by"]  # fmt: skip
    list_filter = ["render_status", "published_on"]
    list_select_related = ["guideline", "created_by"]
    search_fields = ["guideline__title", "version", "change_note"]
    autocomplete_fields = ["guideline"]
    date_hierarchy = "published_on"

    @admin.display(description="state")
    def state(self, version):
        return _version_state(version)

    def get_queryset(self, request):
        return with_latest(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        if obj is None:
            return VersionUploadForm.Meta.fields
        return ["guideline", "version", "published_on", "pdf", "body", "change_note", "state",
                "render_status", "render_error", "created_by", "created_at"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.render_status = GuidelineVersion.RenderStatus.UPLOADED
        super().save_model(request, obj, form, change)
