"""Admin of a newsletter issue's sections and items: the sections' table on the issue's page
(position numbers to reorder, "included" to trim, a note to annotate) and each section's own
page with its items. A sent issue's sections are shown as they were sent, not edited.

A section's kind is the key of a registered section (``leadit.newsletter_sections``) or
staff's "custom": the admin names it by the registry's title (``NewsletterSection.kind_label``),
so a section a new app registers needs nothing here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from .. import newsletter
from ..models import NewsletterItem, NewsletterSection, section_kind_label


class ItemForm(forms.ModelForm):
    class Meta:
        model = NewsletterItem
        fields = ["position", "included", "title", "text", "url", "date"]
        widgets = {
            "position": forms.NumberInput(attrs={"size": 4, "class": "vIntegerField"}),
            "title": forms.TextInput(attrs={"size": 24}),
            "text": forms.Textarea(attrs={"rows": 3, "cols": 34}),
            "url": forms.TextInput(attrs={"size": 18}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new item goes last unless staff type another position.
            self.fields["position"].initial = 990


class ItemInline(admin.TabularInline):
    """A section's items: reorder by position numbers, untick "included" to trim, edit the
    wording. Items added here (no source) survive a re-assembly."""

    model = NewsletterItem
    form = ItemForm
    extra = 1
    fields = ["position", "included", "title", "text", "url", "date", "source"]
    readonly_fields = ["source"]


class SectionKindFilter(admin.SimpleListFilter):
    """The kinds the sections have, named by the registry (a plain field has no choices)."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = NewsletterSection.objects.order_by("kind").values_list("kind", flat=True)
        return [(kind, section_kind_label(kind)) for kind in kinds.distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(kind=self.value())
        return queryset


@admin.register(NewsletterSection)
class NewsletterSectionAdmin(admin.ModelAdmin):
    """One section with its items, reached from its issue's page (hidden from the index)."""

    change_form_template = "admin/publications/newslettersection/change_form.html"
    list_display = ["title", "issue", "kind_label", "position", "included"]
    list_filter = [SectionKindFilter, "included"]
    list_select_related = ["issue"]
    search_fields = ["title", "issue__title"]
    fields = ["issue_link", "kind_label", "title", "position", "included", "note"]
    readonly_fields = ["issue_link", "kind_label"]
    inlines = [ItemInline]

    def has_module_permission(self, request):
        return False  # reached from the issue's page

    def has_add_permission(self, request):
        return False  # sections are added on the issue's page

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.issue.send_requested_at:
            return False  # a sent issue stays as it was sent
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.issue.send_requested_at:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, section):
        return section.kind_label

    @admin.display(description="issue")
    def issue_link(self, section):
        url = reverse("admin:publications_newsletterissue_change", args=[section.issue_id])
        return format_html('<a href="{}">{}</a>', url, section.issue)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        newsletter.sections_renumber(issue=form.instance.issue)

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, f"The section “{obj}” was saved.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:publications_newsletterissue_change", args=[obj.issue_id])
        )

    def response_delete(self, request, obj_display, obj_id):
        return HttpResponseRedirect(reverse("admin:publications_newsletterissue_changelist"))


class SectionInline(admin.TabularInline):
    """The issue's sections: position numbers to reorder, "included" to trim, a note to
    annotate; items are edited on the section's own page."""

    model = NewsletterSection
    extra = 0
    fields = ["position", "included", "kind_label", "title", "note", "items_kept", "edit_items"]
    readonly_fields = ["kind_label", "items_kept", "edit_items"]
    classes = ["newsletter-sections"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 26})},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "position":
            kwargs["widget"] = forms.NumberInput(attrs={"class": "vIntegerField"})
        elif db_field.name == "title":
            kwargs["widget"] = forms.TextInput(attrs={"size": 22})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                item_count=Count("items"),
                kept_count=Count("items", filter=Q(items__included=True)),
            )
            # Explicit: with the annotation's GROUP BY Django drops the model's default
            # ordering and the formset falls back to the primary key, so renumbered
            # sections would show in their old order.
            .order_by("position", "pk")
        )

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, section):
        return section.kind_label

    @admin.display(description="items kept")
    def items_kept(self, section):
        if section.pk is None:
            return "—"
        if not section.item_count:
            custom = section.kind == NewsletterSection.Kind.CUSTOM
            return "none yet" if custom else "nothing this quarter"
        return f"{section.kept_count} of {section.item_count}"

    @admin.display(description="items")
    def edit_items(self, section):
        if section.pk is None:
            return "Save first"
        url = reverse("admin:publications_newslettersection_change", args=[section.pk])
        return format_html(
            '<a href="{}">Edit items<span class="visually-hidden"> of “{}”</span></a>',
            url,
            section.title,
        )


class ReadOnlySectionInline(SectionInline):
    """A sent issue's sections: shown as they were sent, not edited."""

    readonly_fields = SectionInline.fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
