"""Admin of newsletter issues: staff create an issue for a quarter, assemble it from the
quarter's data, reorder (position numbers), trim (untick "included") and annotate (notes)
its sections and items, send a test copy, publish it and send it to the subscribers — with
the PDF's status and the send's progress on the issue's page.

Modules: this one (the issue's form, its fields and list), ``newsletter_pages`` (the issue's
own pages: create, assemble, publish, test, send, preview; their permission checks),
``newsletter_sections`` (sections and items). The PDF's state comes from
``publications.documents`` and the send's from ``publications.sending``, imported inside the
fields that show them, so that this admin loads whatever state their modules are in.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from .. import newsletter
from ..models import Delivery, NewsletterIssue
from .newsletter_pages import IssuePagesMixin
from .newsletter_sections import ReadOnlySectionInline, SectionInline


def _admin_url(name: str, *args, query: str = "") -> str:
    """An admin URL, or "" if that admin is not registered (yet)."""
    try:
        return reverse(f"admin:{name}", args=args) + query
    except NoReverseMatch:
        return ""


class SearchableCountries(FilteredSelectMultiple):
    """The admin's two searchable boxes for a list of countries. Its script puts the boxes
    first in the select's parent: the wrapper keeps them after the field's label."""

    def __init__(self, attrs=None):
        super().__init__("countries", is_stacked=False, attrs=attrs)

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return format_html('<div class="searchable-countries">{}</div>', html)


class IssueAdminForm(forms.ModelForm):
    class Meta:
        model = NewsletterIssue
        fields = [
            "title", "slug", "summary", "introduction", "licence", "cite_as", "sectors",
            "countries",
        ]  # fmt: skip
        widgets = {
            # ~250 countries: the admin's two searchable boxes (its own script, no inline
            # code) rather than a long multi-select.
            "countries": SearchableCountries(),
            "cite_as": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(IssuePagesMixin, SimpleHistoryAdmin):
    form = IssueAdminForm
    change_form_template = "admin/publications/newsletterissue/change_form.html"
    list_display = ["number", "title", "quarter_label", "status", "published_on", "send_state"]
    list_display_links = ["number", "title"]
    list_filter = ["status", "year"]
    search_fields = ["title", "slug"]
    ordering = ["-year", "-quarter"]
    inlines = [SectionInline]
    filter_horizontal = ["sectors"]
    readonly_fields = [
        "number",
        "year",
        "quarter",
        "status",
        "published_on",
        "pdf_state",
        "send_progress",
        "send_jobs",
        "test_sent_to",
        "test_sent_at",
        "send_requested_at",
        "send_finished_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "number", "year", "quarter"]}),
        ("Content", {"fields": ["summary", "introduction"]}),
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "published_on",
                    "pdf_state",
                    "licence",
                    "cite_as",
                    "sectors",
                    "countries",
                ]
            },
        ),
        (
            "Sending",
            {
                "fields": [
                    "test_sent_to",
                    "test_sent_at",
                    "send_requested_at",
                    "send_finished_at",
                    "send_progress",
                    "send_jobs",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": ["css/admin-portal.css"]}

    # --- List and fields ---

    @admin.display(description="quarter", ordering="year")
    def quarter_label(self, issue):
        return issue.quarter_label

    @admin.display(description="sent")
    def send_state(self, issue):
        if issue.send_finished_at:
            return f"Sent {timezone.localtime(issue.send_finished_at):%-d %b %Y}"
        if issue.send_requested_at:
            return "Sending"
        return "Not sent"

    @admin.display(description="PDF")
    def pdf_state(self, issue):
        from ..documents import latest_document

        newest = issue.documents.order_by("-created_at").first()
        done = latest_document(issue)
        parts = []
        if done is not None:
            pages = f", {done.page_count} pages" if done.page_count else ""
            parts.append(
                format_html(
                    'Ready: <a href="{}">the PDF</a> (rendered {}{})',
                    issue.get_pdf_url(),
                    f"{timezone.localtime(done.finished_at or done.created_at):%-d %b %Y %H:%M}",
                    pages,
                )
            )
        if newest is not None and newest != done:
            error = f": {newest.last_error}" if newest.last_error else ""
            parts.append(f"Newest render: {newest.get_status_display().lower()}{error}")
        if not parts:
            return "No PDF yet: it is rendered when the issue is published."
        documents = _admin_url(
            "publications_rendereddocument_changelist",
            query=f"?publication__id__exact={issue.pk}",
        )
        if documents:
            parts.append(format_html('<a href="{}">All renders of this issue</a>', documents))
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))

    @admin.display(description="progress of the send")
    def send_progress(self, issue):
        from ..sending import issue_send_progress

        progress = issue_send_progress(issue)
        if not progress.get("total"):
            return "Not sent yet."
        labels = dict(Delivery.Status.choices)
        counts = ", ".join(
            f"{labels[status].lower()}: {progress[status]}"
            for status in Delivery.Status.values
            if progress.get(status)
        )
        summary = (
            f"Sent to {progress['sent']:,} of {progress['total']:,}; "
            f"{progress['done']} of {progress['total']} done ({counts})"
        )
        deliveries = _admin_url(
            "publications_delivery_changelist", query=f"?issue__id__exact={issue.pk}"
        )
        if deliveries:
            return format_html('{} — <a href="{}">the deliveries</a>', summary, deliveries)
        return summary

    @admin.display(description="jobs of the send")
    def send_jobs(self, issue):
        """Every job that worked on the send, oldest first, each with its story: one that
        was interrupted and resumed by another says so."""
        from leadit.jobs import job_story
        from leadit.models import BackgroundJob

        from ..sending import send_issue

        jobs = list(
            BackgroundJob.objects.filter(
                task_name=send_issue.name, arguments__issue_id=issue.pk
            ).order_by("created_at")
        )
        if not jobs:
            return "None yet."
        lines = []
        for job in jobs:
            url = _admin_url("leadit_backgroundjob_change", job.pk)
            label = f"Job #{job.pk}"
            link = format_html('<a href="{}">{}</a>', url, label) if url else label
            lines.append((link, job.description, job_story(job)))
        return format_html_join(mark_safe("<br>"), "{} — {}: {}", lines)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.send_requested_at:
            readonly += ["title", "slug", "summary", "introduction"]  # as it was sent
        return readonly

    def get_inline_instances(self, request, obj=None):
        if obj is None:
            return []
        return super().get_inline_instances(request, obj)

    def get_inlines(self, request, obj):
        if obj is not None and obj.send_requested_at:
            return [ReadOnlySectionInline]
        return super().get_inlines(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        newsletter.sections_renumber(issue=form.instance)

    def response_change(self, request, obj):
        """Back to the issue's page: staff see the sections in their new order (and the
        steps that come next) rather than the list of issues."""
        if any(key in request.POST for key in ("_continue", "_addanother", "_saveasnew")):
            return super().response_change(request, obj)
        self.message_user(request, f"“{obj}” was saved.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["newsletter_steps"] = self._steps(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
