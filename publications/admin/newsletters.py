"""Admin of newsletter issues: staff create an issue for a quarter, assemble it from the
quarter's data, reorder (position numbers), trim (untick "included") and annotate (notes)
its sections and items, send a test copy, publish it and send it to the subscribers — with
the PDF's status and the send's progress on the issue's page.

Each button leads to a page of its own (a plain form, no script: the admin runs under the
portal's strict CSP) which says what will happen before it happens. Those pages re-check
the model permissions (the admin site itself only checks ``is_staff``): change for
assembling, publishing and test copies; change plus "Can add delivery" for the real send,
which writes one delivery per subscriber.

The services live in ``publications.newsletter`` (assembly, publishing) and
``publications.sending`` (test send, send, progress); the PDF's state comes from
``publications.documents``. Those two are imported inside the views that use them, so that
this admin loads whatever state their modules are in.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from members.models import Contact

from .. import newsletter
from ..models import (
    Delivery,
    NewsletterIssue,
    NewsletterItem,
    NewsletterSection,
    Subscriber,
)

SEND_PERMISSION = "publications.add_delivery"
# The e-mail preview shows the message exactly as mail programs get it, inline styles
# included (e-mail needs them). It is a staff-only page, sandboxed: no script runs, nothing
# is loaded from elsewhere, and it cannot be framed.
EMAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _admin_url(name: str, *args, query: str = "") -> str:
    """An admin URL, or "" if that admin is not registered (yet)."""
    try:
        return reverse(f"admin:{name}", args=args) + query
    except NoReverseMatch:
        return ""


# --- Sections and items ---------------------------------------------------------------------


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


@admin.register(NewsletterSection)
class NewsletterSectionAdmin(admin.ModelAdmin):
    """One section with its items, reached from its issue's page (hidden from the index)."""

    change_form_template = "admin/publications/newslettersection/change_form.html"
    list_display = ["title", "issue", "kind", "position", "included"]
    list_filter = ["kind", "included"]
    list_select_related = ["issue"]
    search_fields = ["title", "issue__title"]
    fields = ["issue_link", "kind", "title", "position", "included", "note"]
    readonly_fields = ["issue_link", "kind"]
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
    fields = ["position", "included", "kind", "title", "note", "items_kept", "edit_items"]
    readonly_fields = ["kind", "items_kept", "edit_items"]
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

    @admin.display(description="items kept")
    def items_kept(self, section):
        if section.pk is None:
            return "—"
        if not section.item_count:
            return "nothing this quarter" if section.kind != "custom" else "none yet"
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


# --- Forms of the issue's own pages ---------------------------------------------------------


class CreateForQuarterForm(forms.Form):
    year = forms.IntegerField(min_value=2019, max_value=2100)
    quarter = forms.TypedChoiceField(
        choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int, label="Quarter"
    )


class PublishForm(forms.Form):
    published_on = forms.DateField(
        label="Publication date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Shown on the issue and in its PDF.",
    )


class TestSendForm(forms.Form):
    email = forms.EmailField(
        label="Send a test copy to",
        max_length=254,
        help_text="One address. The subject starts with “[Test]”; nobody else receives it.",
    )


# --- Issues ---------------------------------------------------------------------------------


def recipient_estimate() -> int:
    """How many people a send now would reach: the current subscribers plus the member
    contacts flagged to receive the newsletter that the send will add as subscribers.
    Two queries."""
    from ..subscriptions import recipients

    known = Subscriber.objects.annotate(email_ci=Lower("email")).values("email_ci")
    new_contacts = (
        Contact.objects.filter(receives_newsletter=True)
        .exclude(email="")
        .annotate(email_ci=Lower("email"))
        .exclude(email_ci__in=known)
        .values("email_ci")
        .distinct()
        .count()
    )
    return recipients().count() + new_contacts


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
class NewsletterIssueAdmin(SimpleHistoryAdmin):
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

    def _steps(self, request, issue) -> list[dict]:
        """The steps of preparing and sending the issue, each with the links the user may
        follow (a step whose action they may not take shows no link)."""
        change = self.has_change_permission(request, issue)
        sent = bool(issue.send_requested_at)
        may_send = change and request.user.has_perm(SEND_PERMISSION) and not sent
        publish = "Publish again (re-render the PDF)" if issue.is_published else "Publish…"

        def step(text: str, *links) -> dict:
            return {"text": text, "links": [(label, url) for label, url in links if url]}

        return [
            step(
                "Fill the sections from the quarter’s data (again, after the data changed).",
                (
                    "Assemble from the quarter’s data",
                    change and not sent and self._url("assemble", issue),
                ),
            ),
            step(
                "Reorder the sections by their position numbers, untick “included” to trim, "
                "write notes — below; edit each section’s items on its own page."
            ),
            step(
                "Check it as readers will see it.",
                ("Preview the page", issue.get_absolute_url()),
                ("Preview the e-mail", self._url("preview_email", issue)),
            ),
            step(
                "Send a test copy to yourself.",
                ("Send a test…", change and self._url("send_test", issue)),
            ),
            step(
                "Publish: the page goes public and the PDF is rendered.",
                (publish, change and self._url("publish", issue)),
            ),
            step(
                "Send it to the subscribers, once."
                + (" Done: its progress shows under “Sending”." if sent else ""),
                ("Send to subscribers…", may_send and self._url("send", issue)),
            ),
        ]

    # --- The issue's own pages ---

    def get_urls(self):
        def view(function, suffix: str):
            return path(
                f"<path:object_id>/{suffix.replace('_', '-')}/",
                self.admin_site.admin_view(function),
                name=f"publications_newsletterissue_{suffix}",
            )

        return [
            path(
                "create-for-quarter/",
                self.admin_site.admin_view(self.create_for_quarter_view),
                name="publications_newsletterissue_create_for_quarter",
            ),
            view(self.assemble_view, "assemble"),
            view(self.publish_view, "publish"),
            view(self.send_test_view, "send_test"),
            view(self.send_view, "send"),
            view(self.preview_email_view, "preview_email"),
            *super().get_urls(),
        ]

    def _url(self, suffix: str, issue) -> str:
        return reverse(f"admin:publications_newsletterissue_{suffix}", args=[issue.pk])

    def _change_url(self, issue) -> str:
        return reverse("admin:publications_newsletterissue_change", args=[issue.pk])

    def _issue(self, request, object_id: str, *, permission: str) -> NewsletterIssue:
        """The issue, after re-checking the model permission ("view", "change" or "send")."""
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("No such newsletter issue.")
        allowed = {
            "view": self.has_view_permission,
            "change": self.has_change_permission,
            "send": lambda r, o: (
                self.has_change_permission(r, o) and r.user.has_perm(SEND_PERMISSION)
            ),
        }[permission](request, issue)
        if not allowed:
            raise PermissionDenied
        return issue

    def _page(self, request, issue, *, title: str, template: str = "confirm", **context):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": issue,
            "issue": issue,
            "change_url": self._change_url(issue) if issue is not None else "",
            **context,
        }
        return TemplateResponse(
            request, f"admin/publications/newsletterissue/{template}.html", context
        )

    def add_view(self, request, form_url="", extra_context=None):
        # A new issue is always one quarter's, numbered and assembled: the quarter form.
        return HttpResponseRedirect(
            reverse("admin:publications_newsletterissue_create_for_quarter")
        )

    def create_for_quarter_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        # By default the quarter that ended last: the one an issue is usually written about.
        last_year, last_quarter = (
            (today.year - 1, 4) if today.month <= 3 else (today.year, (today.month - 1) // 3)
        )
        form = CreateForQuarterForm(
            request.POST or None, initial={"year": last_year, "quarter": last_quarter}
        )
        if request.method == "POST" and form.is_valid():
            try:
                issue = newsletter.issue_create_for_quarter(
                    year=form.cleaned_data["year"],
                    quarter=form.cleaned_data["quarter"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    f"“{issue.title}” was created and assembled from the quarter’s data. "
                    "Review its sections, then send a test copy.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(issue))
        return self._page(
            request,
            None,
            title="New newsletter issue",
            form=form,
            submit="Create and assemble",
            cancel_url=reverse("admin:publications_newsletterissue_changelist"),
            lines=[
                "The issue gets the next number and is assembled from the quarter’s data: "
                "new members, events held and coming, roadmaps and projects, briefs, members’ "
                "progress and the workplan’s progress. You review it before anything is sent.",
            ],
        )

    def assemble_view(self, request, object_id):
        issue = self._issue(request, object_id, permission="change")
        if request.method == "POST":
            try:
                result = newsletter.issue_assemble(issue=issue, user=request.user)
                if issue.is_published:
                    # The published PDF should show what the page now shows.
                    newsletter.issue_publish(issue=issue, user=request.user)
            except ValidationError as exc:
                self.message_user(request, _errors(exc), messages.ERROR)
                return HttpResponseRedirect(self._change_url(issue))
            message = (
                f"Assembled from the data of {issue.quarter_label}: {_count(result.items, 'item')}."
            )
            if result.empty:
                message += " Nothing this quarter in: " + ", ".join(result.empty) + " (left out)."
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(self._change_url(issue))
        state = newsletter.issue_assembled_state(issue)
        lines = []
        if issue.send_requested_at:
            lines.append("This issue has been sent: its content stays as it was sent.")
        elif state.would_replace:
            kept = ["the sections’ titles, order and notes, and which are included"]
            if state.left_out:
                kept.append(f"{_count(state.left_out, 'item')} you left out (still left out)")
            if state.added_by_staff:
                kept.append(f"{_count(state.added_by_staff, 'item')} you added by hand")
            if state.custom_sections:
                kept.append(f"{_count(state.custom_sections, 'section')} of your own")
            lines += [
                f"The items assembled earlier ({_count(state.items, 'item')}) are replaced by "
                f"fresh ones from the data of {issue.quarter_label}.",
                "Kept as they are: " + "; ".join(kept) + ".",
                "Wording you changed on an assembled item is replaced: use the sections’ "
                "notes for your own words.",
            ]
        else:
            lines.append(
                f"The sections are filled from the data of {issue.quarter_label}. Sections "
                "with nothing this quarter are created and left out."
            )
        if issue.is_published and not issue.send_requested_at:
            lines.append("The issue is published: its PDF is rendered again afterwards.")
        return self._page(
            request,
            issue,
            title=f"Assemble “{issue}” from the quarter’s data",
            lines=lines,
            submit=None if issue.send_requested_at else "Assemble",
        )

    def publish_view(self, request, object_id):
        issue = self._issue(request, object_id, permission="change")
        initial = {"published_on": issue.published_on or timezone.localdate()}
        form = PublishForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                newsletter.issue_publish(
                    issue=issue, user=request.user, on=form.cleaned_data["published_on"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    f"“{issue}” is published on {issue.published_on:%-d %B %Y}. Its PDF is "
                    "being rendered: its state shows below.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(issue))
        lines = [
            f"“{issue}” becomes public at {issue.get_absolute_url()} and its PDF is rendered.",
            "Publishing does not e-mail anyone: “Send to subscribers” does, afterwards.",
        ]
        if issue.is_published:
            lines = [
                "The issue is already published. Publishing again renders the PDF again if "
                "its content changed."
            ]
        return self._page(
            request,
            issue,
            title=f"Publish “{issue}”",
            form=form,
            lines=lines,
            submit="Publish",
        )

    def send_test_view(self, request, object_id):
        from ..sending import issue_send_test

        issue = self._issue(request, object_id, permission="change")
        form = TestSendForm(
            request.POST or None, initial={"email": issue.test_sent_to or request.user.email}
        )
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            try:
                issue_send_test(issue=issue, email=email, user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request, f"A test copy of “{issue}” was sent to {email}.", messages.SUCCESS
                )
                return HttpResponseRedirect(self._change_url(issue))
        return self._page(
            request,
            issue,
            title=f"Send a test copy of “{issue}”",
            form=form,
            lines=["The e-mail as subscribers will get it, to one address, now."],
            submit="Send the test copy",
        )

    def send_view(self, request, object_id):
        from ..sending import issue_send

        issue = self._issue(request, object_id, permission="send")
        refusal = ""
        if issue.send_requested_at:
            refusal = (
                "This issue has already been sent (or is being sent): an issue is sent only "
                "once. Its progress shows on the issue’s page."
            )
        elif not issue.is_published:
            refusal = "Publish the issue first: only a published issue is sent."
        if request.method == "POST" and not refusal:
            try:
                issue_send(issue=issue, user=request.user)
            except ValidationError as exc:
                self.message_user(request, _errors(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Sending “{issue}” has started. Its progress shows below; reload the "
                    "page to follow it.",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(self._change_url(issue))
        if request.method == "POST":
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(self._change_url(issue))
        count = 0 if refusal else recipient_estimate()
        if refusal:
            lines = [refusal]
        else:
            lines = [
                f"“{issue}” will be e-mailed to {count:,} recipient"
                f"{'' if count == 1 else 's'}: the confirmed subscribers and the member "
                "contacts flagged to receive the newsletter.",
                "It is sent once, in batches, by a background job. This cannot be undone.",
            ]
            if issue.test_sent_at:
                lines.append(
                    f"Last test copy: to {issue.test_sent_to} on "
                    f"{timezone.localtime(issue.test_sent_at):%-d %B %Y at %H:%M}."
                )
            else:
                lines.append("No test copy was sent yet: consider sending one first.")
        return self._page(
            request,
            issue,
            title=f"Send “{issue}” to subscribers",
            lines=lines,
            recipients=count,
            submit=None if refusal else f"Send to {count:,} recipients",
        )

    def preview_email_view(self, request, object_id):
        from ..emails import issue_email

        issue = self._issue(request, object_id, permission="view")
        response = HttpResponse(issue_email(issue).html)
        response["Content-Security-Policy"] = EMAIL_PREVIEW_CSP
        response["X-Robots-Tag"] = "noindex"
        return response


class ReadOnlySectionInline(SectionInline):
    """A sent issue's sections: shown as they were sent, not edited."""

    readonly_fields = SectionInline.fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
