"""Partnerships, their plan, focal points, institutions and rates; the factsheet button and
downloads; the weekly digests."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ..forms.common import add_service_errors
from ..forms.manage import StageChangeForm
from ..models import (
    CurrencyRate,
    Factsheet,
    FocalPoint,
    Outcome,
    OutcomeMeasurement,
    PartnerInstitution,
    Partnership,
    PartnershipSource,
    PartnershipStageChange,
    SecretariatDigest,
)
from ..resources import CurrencyRateResource, PartnerInstitutionResource, PartnershipResource
from ..services.factsheets import factsheet_request
from ..services.stages import partnership_stage_change
from .common import HTTPS_URLS, ImportExportAdmin, PortalAdmin, ReadOnlyInline, demo_column


@admin.register(CurrencyRate)
class CurrencyRateAdmin(ImportExportAdmin):
    resource_classes = [CurrencyRateResource]
    list_display = ["currency", "usd_per_unit", "as_of", "source"]
    list_filter = ["currency"]
    search_fields = ["currency", "source"]
    date_hierarchy = "as_of"


@admin.register(PartnerInstitution)
class PartnerInstitutionAdmin(ImportExportAdmin):
    resource_classes = [PartnerInstitutionResource]
    list_display = ["name", "kind", "country", demo_column]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class StageChangeInline(ReadOnlyInline):
    model = PartnershipStageChange
    fields = ["changed_on", "stage", "reason", "recorded_by"]
    readonly_fields = fields
    verbose_name_plural = "stage history (“Move to another stage” above adds a row)"


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0
    fields = ["order", "title", "indicator", "unit", "baseline", "baseline_year", "target",
              "target_year"]  # fmt: skip
    show_change_link = True  # its measured values are on its own page


class SourceInline(admin.TabularInline):
    model = PartnershipSource
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["title", "publisher", "url", "published_on"]


class FocalPointInline(ReadOnlyInline):
    model = FocalPoint
    fields = ["user", "created_at"]
    readonly_fields = fields
    can_delete = True
    verbose_name_plural = "focal points (from accepted invitations)"


@admin.register(Partnership)
class PartnershipAdmin(ImportExportAdmin):
    resource_classes = [PartnershipResource]
    change_form_template = "admin/partnerships/partnership/change_form.html"
    list_display = ["name", "country", "stage", "stage_since", demo_column, "updated_at"]
    list_filter = ["stage", "is_demo"]
    search_fields = ["name", "country"]
    filter_horizontal = ["lead_members", "supporting_members"]
    inlines = [StageChangeInline, OutcomeInline, SourceInline, FocalPointInline]
    readonly_fields = ["factsheets"]
    fieldsets = [
        (None, {"fields": ["country", "name", "summary", "is_demo"]}),
        ("Stage", {"fields": ["stage", "stage_since"]}),
        ("Members", {"fields": ["lead_members", "supporting_members"]}),
        ("Factsheets", {"fields": ["factsheets"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    def get_readonly_fields(self, request, obj=None):
        # A stage moves through partnership_stage_change (dated row, reason for a step
        # back), never by editing the field.
        return [*self.readonly_fields, *(["stage", "stage_since"] if obj else [])]

    @admin.display(description="Factsheet PDFs")
    def factsheets(self, partnership):
        if partnership.pk is None:
            return "Save the partnership first."
        factsheets = list(partnership.factsheets.all()[:5])
        if not factsheets:
            return "None yet: “Render factsheet” above makes one."
        items = format_html_join("", "<li>{}</li>", ((_factsheet_line(f),) for f in factsheets))
        return format_html("<ul>{}</ul>", items)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/factsheet/",
                self.admin_site.admin_view(self.render_factsheet_view),
                name="partnerships_partnership_factsheet",
            ),
            path(
                "<path:object_id>/stage/",
                self.admin_site.admin_view(self.move_stage_view),
                name="partnerships_partnership_stage",
            ),
            *super().get_urls(),
        ]

    def render_factsheet_view(self, request, object_id):
        partnership = self.get_object(request, unquote(object_id))
        if partnership is None:
            raise Http404("No such partnership.")
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:partnerships_partnership_change", args=[partnership.pk])
            )
        if not self.has_view_or_change_permission(request, partnership):
            raise PermissionDenied
        factsheet_request(partnership=partnership, user=request.user)
        self.message_user(
            request,
            "The factsheet is being rendered; its download link appears below when it is done.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:partnerships_partnership_change", args=[partnership.pk])
        )

    def move_stage_view(self, request, object_id):
        """Move the partnership to another stage through partnership_stage_change: a
        dated history row; a step back without a reason is the form's error, nothing
        written."""
        partnership = self.get_object(request, unquote(object_id))
        if partnership is None:
            raise Http404("No such partnership.")
        if not self.has_change_permission(request, partnership):
            raise PermissionDenied
        form = StageChangeForm(
            request.POST or None,
            stages=Partnership.Stage.choices,
            initial={"stage": partnership.stage, "changed_on": timezone.localdate()},
        )
        if request.method == "POST" and form.is_valid():
            try:
                partnership_stage_change(
                    partnership=partnership, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                partnership.refresh_from_db()
                self.message_user(
                    request,
                    f"{partnership} is now at “{partnership.get_stage_display()}” "
                    f"(since {partnership.stage_since:%-d %B %Y}).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:partnerships_partnership_change", args=[partnership.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Move {partnership} to another stage",
            "partnership": partnership,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/partnerships/partnership/move_stage.html", context)


def _factsheet_line(factsheet: Factsheet):
    when = f"{factsheet.requested_at:%-d %b %Y %H:%M}"
    if factsheet.status == Factsheet.Status.RENDERED and factsheet.pdf:
        url = reverse("admin:partnerships_factsheet_download", args=[factsheet.pk])
        return format_html('{}: ✓ rendered — <a href="{}">Download PDF</a>', when, url)
    if factsheet.status == Factsheet.Status.FAILED:
        return format_html("{}: ✗ failed — {}", when, factsheet.error[:200])
    return format_html("{}: ◷ queued", when)


@admin.register(Factsheet)
class FactsheetAdmin(admin.ModelAdmin):
    """Made by the partnership's "Render factsheet" button; here listed and downloaded."""

    list_display = ["partnership", "status", "requested_at", "rendered_at", "requested_by",
                    "download"]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["partnership", "requested_by"]
    search_fields = ["partnership__name"]
    readonly_fields = ["partnership", "status", "error", "requested_by", "requested_at",
                       "rendered_at", "download"]  # fmt: skip
    exclude = ["pdf"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="file")
    def download(self, factsheet):
        return _factsheet_line(factsheet)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="partnerships_factsheet_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id):
        factsheet = self.get_object(request, unquote(object_id))
        if factsheet is None or not factsheet.pdf:
            raise Http404("This factsheet has no file.")
        if not self.has_view_or_change_permission(request, factsheet):
            raise PermissionDenied
        try:
            handle = factsheet.pdf.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing from storage.") from exc
        code = factsheet.partnership.country.code.lower()
        return FileResponse(
            handle,
            content_type="application/pdf",
            as_attachment=True,
            filename=f"partnership-factsheet-{code}-{factsheet.requested_at:%Y-%m-%d}.pdf",
        )


class MeasurementInline(admin.TabularInline):
    model = OutcomeMeasurement
    extra = 0
    fields = ["measured_on", "value", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Outcome)
class OutcomeAdmin(PortalAdmin):
    list_display = ["title", "partnership", "indicator", "baseline", "target", "target_year"]
    list_filter = ["partnership"]
    list_select_related = ["partnership"]
    search_fields = ["title", "indicator", "partnership__name"]
    inlines = [MeasurementInline]


@admin.register(FocalPoint)
class FocalPointAdmin(PortalAdmin):
    list_display = ["user", "partnership", "created_at"]
    list_filter = ["partnership"]
    list_select_related = ["user", "partnership"]
    search_fields = ["user__email", "partnership__name"]
    autocomplete_fields = ["user"]


@admin.register(SecretariatDigest)
class SecretariatDigestAdmin(admin.ModelAdmin):
    list_display = ["week_start", "sent_at", "summary"]
    readonly_fields = ["week_start", "sent_at", "summary"]
    date_hierarchy = "week_start"

    def has_add_permission(self, request):
        return False
