"""Requests, offers and commitments; suggested matches on each open request (views in
``matches``)."""

from django.contrib import admin

from ..models import OfferCountry, SupportCommitment, SupportOffer, SupportRequest
from ..resources import SupportOfferResource, SupportRequestResource
from .common import ImportExportAdmin, MoneyForm, PortalAdmin, ReadOnlyInline, demo_column, usd_text
from .matches import MatchesAdminMixin


class CommitmentInline(ReadOnlyInline):
    model = SupportCommitment
    fields = ["supporter", "status", "amount", "currency", "proposed_on", "proposed_by"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "commitments (proposed through “We can help” or a suggested match)"

    @admin.display(description="supporter")
    def supporter(self, commitment):
        return commitment.supporter


@admin.register(SupportRequest)
class SupportRequestAdmin(MatchesAdminMixin, ImportExportAdmin):
    form = MoneyForm
    resource_classes = [SupportRequestResource]
    change_form_template = "admin/partnerships/supportrequest/change_form.html"
    change_list_template = "admin/partnerships/supportrequest/change_list.html"
    list_display = ["title", "partnership", "kind", "status", "priority", "usd", "visibility",
                    demo_column, "created_at"]  # fmt: skip
    list_filter = ["status", "kind", "priority", "visibility", "sectors", "is_demo",
                   "partnership"]  # fmt: skip
    list_select_related = ["partnership"]
    search_fields = ["title", "description", "partnership__name"]
    filter_horizontal = ["sectors"]
    autocomplete_fields = ["requesting_member"]
    date_hierarchy = "created_at"
    readonly_fields = ["amount_usd", "usd_rate", "created_by", "created_at", "updated_at"]
    inlines = [CommitmentInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "partnership",
                    "requesting_member",
                    "title",
                    "kind",
                    "sectors",
                    "description",
                ]
            },
        ),  # fmt: skip
        ("Amount", {"fields": ["amount", "currency", "amount_usd", "usd_rate"]}),
        ("Status", {"fields": ["priority", "status", "visibility", "is_demo"]}),
        (
            "Record",
            {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]},
        ),  # fmt: skip
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    @admin.display(description="estimated (USD)", ordering="amount_usd")
    def usd(self, obj):
        return usd_text(obj.amount_usd)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class OfferCountryInline(admin.TabularInline):
    model = OfferCountry
    extra = 0
    verbose_name_plural = "eligible countries (besides the groups)"


@admin.register(SupportOffer)
class SupportOfferAdmin(ImportExportAdmin):
    form = MoneyForm
    resource_classes = [SupportOfferResource]
    list_display = ["title", "provider", "kind", "instrument", "closes_on", "visibility",
                    demo_column]  # fmt: skip
    list_filter = ["kind", "instrument", "visibility", "open_to_all_countries", "sectors",
                   "is_demo"]  # fmt: skip
    list_select_related = ["member", "institution"]
    search_fields = ["title", "description", "member__name", "institution__name"]
    filter_horizontal = ["sectors", "eligible_groups"]
    autocomplete_fields = ["member"]
    date_hierarchy = "created_at"
    readonly_fields = ["amount_min_usd", "amount_max_usd", "usd_rate", "created_by",
                       "created_at", "updated_at"]  # fmt: skip
    inlines = [OfferCountryInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "member",
                    "institution",
                    "title",
                    "kind",
                    "instrument",
                    "sectors",
                    "description",
                ]
            },
        ),  # fmt: skip
        ("Who may ask", {"fields": ["open_to_all_countries", "eligible_groups"]}),
        (
            "Amount",
            {
                "fields": [
                    "amount_min",
                    "amount_max",
                    "currency",
                    "amount_min_usd",
                    "amount_max_usd",
                    "usd_rate",
                ]
            },
        ),  # fmt: skip
        (
            "Window and contact",
            {"fields": ["opens_on", "closes_on", "contact_name", "contact_email"]},
        ),  # fmt: skip
        ("Visibility", {"fields": ["visibility", "is_demo"]}),
        (
            "Record",
            {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]},
        ),  # fmt: skip
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SupportCommitment)
class SupportCommitmentAdmin(PortalAdmin):
    form = MoneyForm
    list_display = ["request", "supporter", "status", "amount", "currency", "proposed_on",
                    demo_column]  # fmt: skip
    list_filter = ["status", "is_demo", "request__partnership"]
    list_select_related = ["request", "member", "institution"]
    search_fields = ["request__title", "member__name", "institution__name", "note"]
    autocomplete_fields = ["member"]
    raw_id_fields = ["request", "offer"]
    date_hierarchy = "proposed_on"
    readonly_fields = ["amount_usd", "usd_rate", "proposed_by", "created_at", "updated_at"]

    @admin.display(description="supporter")
    def supporter(self, commitment):
        return commitment.supporter
