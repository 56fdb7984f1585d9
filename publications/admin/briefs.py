"""Admin of briefs and of their rendered PDFs.

Briefs keep history (SimpleHistoryAdmin). Saving a published brief (or publishing it with
the list action) requests its PDF through ``services.brief_publish``: the PDF always
follows the text, and unchanged text renders nothing new. A brief's page lists its PDFs
(status, error, pages, download) with a "Retry" for failed ones and a "Re-render" for
staff who want a fresh render (a draft too, to proof it).

Those buttons lead to pages of their own that say what will happen (a plain form: no
script, the admin runs under the portal's strict CSP) and re-check the model permissions
themselves, since the admin site only checks ``is_staff``: changing the publication for a
(re-)render or a retry, viewing it for a download.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..documents import document_retry
from ..models import Brief, Publication, RenderedDocument

Status = RenderedDocument.Status
STATUS_SYMBOLS = {  # text, not colour alone
    Status.QUEUED: "◷ Queued",
    Status.RUNNING: "↻ Rendering",
    Status.DONE: "✓ Done",
    Status.FAILED: "✗ Failed",
}


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _may(user, publication: Publication, action: str) -> bool:
    """Whether ``user`` may ``action`` ("change" or "view") ``publication``'s model; as in
    the admin, changing includes viewing."""
    model = "brief" if publication.kind == Publication.Kind.BRIEF else "newsletterissue"
    actions = ("view", "change") if action == "view" else (action,)
    return any(user.has_perm(f"publications.{a}_{model}") for a in actions)


def _status_text(status: str | None) -> str:
    if not status:
        return "No PDF yet"
    return STATUS_SYMBOLS.get(status, status)


def _size(size: int | None) -> str:
    if not size:
        return "—"
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


# --- Briefs --------------------------------------------------------------------------------


class BriefAdminForm(forms.ModelForm):
    class Meta:
        model = Brief
        fields = [
            "title", "slug", "summary", "authors", "body", "status", "published_on",
            "licence", "cite_as", "sectors", "countries", "activity", "cover_image",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 30, "class": "vLargeTextField"}),
            "cite_as": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "body": (
                "Markdown: ## and ### headings (they make the table of contents), tables, "
                "footnotes ([^1] in the text, “[^1]: the note” below) and figures: a line "
                "of its own such as [[chart: roadmaps-by-sector | Caption]] (charts: "
                "roadmaps-by-sector, net-zero-years, roadmaps-over-time)."
            ),
            "status": "Saving a published brief publishes it and renders its PDF.",
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Publication.Status.PUBLISHED and not cleaned.get(
            "published_on"
        ):
            cleaned["published_on"] = timezone.localdate()
            self.instance.published_on = cleaned["published_on"]
        return cleaned


class PdfStatusFilter(admin.SimpleListFilter):
    title = "PDF"
    parameter_name = "pdf"

    def lookups(self, request, model_admin):
        return [("none", "No PDF yet"), *((s.value, s.label) for s in Status)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(newest_pdf_status__isnull=True)
        if self.value() in Status.values:
            return queryset.filter(newest_pdf_status=self.value())
        return queryset


@admin.register(Brief)
class BriefAdmin(SimpleHistoryAdmin):
    form = BriefAdminForm
    list_display = ["title", "status", "published_on", "authors", "pdf_status"]
    list_filter = [
        "status",
        PdfStatusFilter,
        "sectors",
        ("published_on", admin.DateFieldListFilter),
    ]
    search_fields = ["title", "slug", "summary", "authors", "body"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["sectors"]
    raw_id_fields = ["activity"]
    readonly_fields = ["pdf_documents", "created_at", "updated_at"]
    actions = ["publish", "unpublish", "rerender"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "authors", "body"]}),
        ("Publication", {"fields": ["status", "published_on", "licence", "cite_as"]}),
        ("What it concerns", {"fields": ["sectors", "countries", "activity", "cover_image"]}),
        ("PDF", {"fields": ["pdf_documents"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        newest = RenderedDocument.objects.filter(publication=OuterRef("pk")).order_by("-created_at")
        return (
            super()
            .get_queryset(request)
            .annotate(newest_pdf_status=Subquery(newest.values("status")[:1]))
        )

    @admin.display(description="PDF", ordering="newest_pdf_status")
    def pdf_status(self, brief):
        return _status_text(getattr(brief, "newest_pdf_status", None))

    @admin.display(description="Rendered PDFs")
    def pdf_documents(self, brief):
        if brief.pk is None:
            return "Save the brief first; publishing it renders its PDF."
        documents = list(brief.documents.order_by("-created_at")[:10])
        render_url = reverse("admin:publications_brief_render", args=[brief.pk])
        render_link = format_html('<a class="button" href="{}">Re-render the PDF…</a>', render_url)
        if not documents:
            return format_html(
                "<p>No PDF yet: publishing the brief renders it.</p><p>{}</p>", render_link
            )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (_document_row(document) for document in documents),
        )
        return format_html(
            '<table class="pdf-documents"><caption>The newest first</caption><thead><tr>'
            '<th scope="col">Requested</th><th scope="col">Status</th>'
            '<th scope="col">Pages</th><th scope="col">Size</th>'
            '<th scope="col">Error</th><th scope="col">File</th></tr></thead>'
            "<tbody>{}</tbody></table><p>{}</p>",
            rows,
            render_link,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the sectors are saved: they are part of the PDF's content.
        brief = form.instance
        if brief.status == Publication.Status.PUBLISHED:
            try:
                document = services.brief_publish(brief=brief, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"Not published: {_errors(exc)}", messages.ERROR)
                return
            self._tell_document(request, document)

    def _tell_document(self, request, document: RenderedDocument) -> None:
        if document.status == Status.DONE:
            text = "Its PDF is up to date (the content has not changed since it was rendered)."
        elif document.status in (Status.QUEUED, Status.RUNNING):
            text = "Its PDF is being rendered; the status below changes to “Done” when it is."
        else:
            text = f"Its PDF: {document.get_status_display()}."
        self.message_user(request, text, messages.INFO)

    @admin.action(
        description="Publish the selected briefs (and render their PDFs)", permissions=["change"]
    )
    def publish(self, request, queryset):
        published, refused = 0, []
        for brief in queryset:
            try:
                services.brief_publish(brief=brief, user=request.user)
                published += 1
            except ValidationError as exc:
                refused.append(f"“{brief}”: {_errors(exc)}")
        if published:
            self.message_user(
                request,
                f"{published} brief(s) published; their PDFs are being rendered.",
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, f"Not published: {message}", messages.ERROR)

    @admin.action(
        description="Unpublish the selected briefs (back to draft)", permissions=["change"]
    )
    def unpublish(self, request, queryset):
        for brief in queryset:
            services.brief_unpublish(brief=brief, user=request.user)
        self.message_user(
            request, f"{queryset.count()} brief(s) are drafts again.", messages.SUCCESS
        )

    @admin.action(description="Re-render the PDFs of the selected briefs", permissions=["change"])
    def rerender(self, request, queryset):
        counts = {"new": 0, "unchanged": 0}
        for brief in queryset:
            before = brief.documents.count()
            services.brief_request_render(brief=brief, user=request.user)
            counts["new" if brief.documents.count() > before else "unchanged"] += 1
        self.message_user(
            request,
            f"{counts['new']} new render(s) queued; {counts['unchanged']} brief(s) unchanged "
            "since their last render (nothing new to render; failed ones are retried).",
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/render/",
                self.admin_site.admin_view(self.render_view),
                name="publications_brief_render",
            ),
            *super().get_urls(),
        ]

    def render_view(self, request, object_id):
        brief = self.get_object(request, unquote(object_id))
        if brief is None:
            raise Http404("No such brief.")
        if not self.has_change_permission(request, brief):
            raise PermissionDenied
        change_url = reverse("admin:publications_brief_change", args=[brief.pk])
        if request.method == "POST":
            document = services.brief_request_render(brief=brief, user=request.user)
            self._tell_document(request, document)
            return HttpResponseRedirect(change_url)
        return TemplateResponse(
            request,
            "admin/publications/confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "object": brief,
                "title": f"Re-render the PDF of “{brief}”",
                "explanation": (
                    "The PDF is rendered from the brief as it is now. If nothing changed "
                    "since the last render, that document is kept and nothing new is "
                    "rendered; a failed render of the same content is tried again."
                ),
                "confirm_label": "Render the PDF",
                "can_confirm": True,
                "cancel_url": change_url,
            },
        )


def _document_row(document: RenderedDocument):
    requested = timezone.localtime(document.created_at).strftime("%-d %b %Y %H:%M")
    status = _status_text(document.status)
    if document.status == Status.FAILED:
        retry = reverse("admin:publications_rendereddocument_retry", args=[document.pk])
        status = format_html('{} <a class="button" href="{}">Retry…</a>', status, retry)
    if document.status == Status.DONE and document.file:
        download = reverse("admin:publications_rendereddocument_download", args=[document.pk])
        file_cell = format_html('<a href="{}">Download</a>', download)
    else:
        file_cell = "—"
    return (
        requested,
        status,
        document.page_count or "—",
        _size(document.size_bytes),
        document.last_error[:300] or "—",
        file_cell,
    )


# --- Rendered documents ---------------------------------------------------------------------


@admin.register(RenderedDocument)
class RenderedDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are made by publishing or re-rendering, and only retried here."""

    list_display = [
        "created_at",
        "publication",
        "status_text",
        "attempts",
        "page_count",
        "render_seconds",
        "short_error",
        "download",
    ]
    list_filter = ["status", "publication__kind"]
    list_select_related = ["publication"]
    search_fields = ["publication__title", "last_error", "content_hash"]
    readonly_fields = [
        *(field.name for field in RenderedDocument._meta.fields if field.name != "file"),
        "download",
    ]
    exclude = ["file"]
    actions = ["retry"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # The newsletter and brief pages link to "all renders of this publication".
        return lookup in ("publication__id__exact", "publication") or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description="Status", ordering="status")
    def status_text(self, document):
        return _status_text(document.status)

    @admin.display(description="Error")
    def short_error(self, document):
        return document.last_error[:120]

    @admin.display(description="File")
    def download(self, document):
        if document.status != Status.DONE or not document.file:
            return "—"
        url = reverse("admin:publications_rendereddocument_download", args=[document.pk])
        return format_html('<a href="{}">Download ({})</a>', url, _size(document.size_bytes))

    def _may_retry(self, request, document: RenderedDocument) -> bool:
        return _may(request.user, document.publication, "change")

    @admin.action(description="Retry the selected failed renders")
    def retry(self, request, queryset):
        retried = refused = 0
        for document in queryset.select_related("publication").filter(status=Status.FAILED):
            if not self._may_retry(request, document):
                refused += 1
                continue
            document_retry(document=document)
            retried += 1
        self.message_user(request, f"{retried} render(s) queued again.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{refused} not retried: you may not change their publication.",
                messages.ERROR,
            )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/retry/",
                self.admin_site.admin_view(self.retry_view),
                name="publications_rendereddocument_retry",
            ),
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="publications_rendereddocument_download",
            ),
            *super().get_urls(),
        ]

    def _document(self, object_id) -> RenderedDocument:
        document = (
            RenderedDocument.objects.select_related("publication")
            .filter(pk=unquote(object_id))
            .first()
            if str(unquote(object_id)).isdigit()
            else None
        )
        if document is None:
            raise Http404("No such document.")
        return document

    def retry_view(self, request, object_id):
        document = self._document(object_id)
        if not self._may_retry(request, document):
            raise PermissionDenied
        back = request.GET.get("next") or request.POST.get("next") or ""
        publication = document.publication
        if publication.kind == Publication.Kind.BRIEF:
            back_url = reverse("admin:publications_brief_change", args=[publication.pk])
        else:
            back_url = reverse("admin:publications_rendereddocument_changelist")
        if back == "documents":
            back_url = reverse("admin:publications_rendereddocument_changelist")
        if request.method == "POST":
            try:
                document_retry(document=document)
            except ValidationError as exc:
                self.message_user(request, _errors(exc), messages.WARNING)
            else:
                self.message_user(
                    request,
                    f"The PDF of “{publication}” is queued again.",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(back_url)
        return TemplateResponse(
            request,
            "admin/publications/confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "object": document,
                "title": f"Retry the PDF of “{publication}”",
                "explanation": format_html(
                    "This render failed after {} attempt(s) with: <code>{}</code>. Retrying "
                    "renders the publication as it is now.",
                    document.attempts,
                    document.last_error or "no error recorded",
                )
                if document.status == Status.FAILED
                else mark_safe(  # noqa: S308 - constant text
                    "This render has not failed: there is nothing to retry."
                ),
                "confirm_label": "Retry the render",
                "can_confirm": document.status == Status.FAILED,
                "cancel_url": back_url,
                "next": back,
            },
        )

    def download_view(self, request, object_id):
        document = self._document(object_id)
        if not _may(request.user, document.publication, "view"):
            raise PermissionDenied
        if document.status != Status.DONE or not document.file:
            raise Http404("This document has no file.")
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing from storage.") from exc
        return FileResponse(
            handle,
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{document.publication.slug}-{document.pk}.pdf",
        )
