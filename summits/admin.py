"""The secretariat's admin for events: every change keeps history (SimpleHistoryAdmin);
documents are added through ``services.document_add`` (type and size checked, board
contacts told); a year of board meetings is planned on its own page (preview, then
create — idempotent); attendee lists export as CSV or XLSX."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from leadit.spreadsheets import EscapeFormulaeMixin

from . import services
from .admin_forms import EventAdminForm, TimeZoneField
from .models import (
    BOARD_KIND_SLUG,
    DeadlineReminder,
    Event,
    EventDocument,
    EventKind,
    Registration,
    WorkingGroup,
)
from .selectors.deadlines import document_deadlines

HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@admin.register(EventKind)
class EventKindAdmin(SimpleHistoryAdmin):
    list_display = ["name", "requires_documents", "agenda_days_before", "minutes_days_after"]
    list_editable = ["requires_documents"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "status", "convenor"]
    list_filter = ["status"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]
    autocomplete_fields = ["convenor"]


# --- Events ----------------------------------------------------------------------------------


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Event.objects.dates("start", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(start__year=int(self.value()))
        return queryset


@admin.display(description="file")
def document_download(_admin, document: EventDocument) -> str:
    """A link to the stored file through the view that checks access (files are private)."""
    if not document.pk or not document.file:
        return "no file"
    return format_html('<a href="{}">{}</a>', document.get_absolute_url(), document.download_name)


class ReadOnlyInline(admin.TabularInline):
    """Rows made elsewhere, seen on their event's page: every field read-only, none added
    here (each links to its own page)."""

    extra = 0
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class DocumentInline(ReadOnlyInline):
    """Documents are added on their own page (type and size checks, notifications)."""

    model = EventDocument
    fields = ["kind", "title", "download", "link", "visibility", "uploaded_by", "uploaded_at"]
    download = document_download


class RegistrationInline(ReadOnlyInline):
    """Registrations come from members' editors on the portal; here they are seen."""

    model = Registration
    fields = ["name", "email", "member", "role", "attendance_mode", "status", "created_at"]


WEEKDAYS = [
    (str(i), name)
    for i, name in enumerate(datetime.date(2024, 1, d).strftime("%A") for d in range(1, 8))
]
WEEKS = [("1", "First"), ("2", "Second"), ("3", "Third"), ("4", "Fourth"), ("-1", "Last")]


class BoardMeetingsPlanForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    week = forms.TypedChoiceField(choices=WEEKS, coerce=int, initial="2", label="Which week")
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, initial="1")
    time_zone = TimeZoneField(label="Time zone", initial="Europe/Stockholm")
    time = forms.TimeField(
        label="Time (in the meetings' time zone)",
        initial=datetime.time(14, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="The local time of every meeting in the time zone above, summer time "
        "included (not your own, and not UTC).",
    )
    kind = forms.ModelChoiceField(queryset=EventKind.objects.all())
    title = forms.CharField(
        max_length=200,
        initial="Management Board meeting, {month} {year}",
        help_text="{month} and {year} are replaced by each meeting's month and year.",
    )

    def plan(self, *, dry_run: bool, user=None) -> list[Event]:
        data = self.cleaned_data
        return services.board_meetings_plan(
            year=data["year"],
            weekday=data["weekday"],
            nth=data["week"],
            time=data["time"],
            time_zone=data["time_zone"],
            kind=data["kind"],
            title_template=data["title"],
            dry_run=dry_run,
            responsible=user,
        )


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    """Times are entered and shown on the wall clock of the event's own time zone
    (``EventAdminForm``), never in the site's UTC."""

    form = EventAdminForm
    formfield_overrides = HTTPS_URLS
    change_list_template = "admin/summits/event/change_list.html"
    list_display = ["title", "kind", "local_start", "visibility", "documents_state"]
    list_filter = ["kind", "visibility", YearFilter]
    list_select_related = ["kind"]
    search_fields = ["title", "slug", "location"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["host_members", "announced_members"]
    autocomplete_fields = ["working_group"]
    inlines = [DocumentInline, RegistrationInline]
    actions = ["plan_board_meetings_action"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "visibility", "description"]}),
        (
            "When and where",
            {
                "fields": ["time_zone", "start", "end", "location", "format", "online_link"],
                "description": "Times are the local times where the event takes place, in "
                "the event's time zone.",
            },
        ),
        (
            "Who",
            {
                "fields": [
                    "host_members",
                    "partners",
                    "working_group",
                    "announced_members",
                    "milestone",
                    "responsible",
                ]
            },
        ),
        ("Registration", {"fields": ["capacity", "registration_deadline"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("documents")

    @admin.display(description="start (event's local time)", ordering="start")
    def local_start(self, event):
        start = event.local(event.start)
        return f"{start:%a %-d %b %Y, %H:%M} ({event.time_zone})"

    @admin.display(description="documents")
    def documents_state(self, event):
        deadlines = document_deadlines(event=event, now=timezone.now())
        if not deadlines:
            return "—"
        return ", ".join(f"{d.label}: {d.state_label}" for d in deadlines)

    def get_urls(self):
        return [
            path(
                "plan-board-meetings/",
                self.admin_site.admin_view(self.plan_board_meetings_view),
                name="summits_event_plan_board_meetings",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Plan a year of board meetings…", permissions=["add"])
    def plan_board_meetings_action(self, request, queryset):
        return HttpResponseRedirect(reverse("admin:summits_event_plan_board_meetings"))

    def plan_board_meetings_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial_kind = EventKind.objects.filter(slug=BOARD_KIND_SLUG).first()
        initial = {"year": timezone.localdate().year + 1, "kind": initial_kind}
        form = BoardMeetingsPlanForm(request.POST or None, initial=initial)
        planned = None
        if request.method == "POST" and form.is_valid():
            try:
                if "confirm" in request.POST:
                    new = sum(e.pk is None for e in form.plan(dry_run=True))
                    events = form.plan(dry_run=False, user=request.user)
                    self.message_user(
                        request,
                        f"{form.cleaned_data['year']}: {new} meeting(s) created; "
                        f"{len(events) - new} already existed and were kept as they are.",
                        messages.SUCCESS,
                    )
                    url = reverse("admin:summits_event_changelist")
                    kind = form.cleaned_data["kind"].pk
                    return HttpResponseRedirect(
                        f"{url}?kind__id__exact={kind}&year={form.cleaned_data['year']}"
                    )
                planned = form.plan(dry_run=True)
            except ValidationError as exc:
                form.add_error(None, exc)
        context = {
            **self.admin_site.each_context(request),
            "title": "Plan a year of board meetings",
            "opts": self.model._meta,
            "form": form,
            "planned": [
                {"event": e, "start": e.local(e.start), "exists": e.pk is not None}
                for e in planned or []
            ],
            "previewed": planned is not None,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/summits/event/plan_board_meetings.html", context)


# --- Documents -------------------------------------------------------------------------------


class EventDocumentForm(forms.ModelForm):
    link = forms.URLField(required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = EventDocument
        fields = ["event", "kind", "title", "file", "link", "visibility"]
        # The stored file is private: the default widget would link to its storage path,
        # which is never served. The "download" field links to the checked view instead.
        widgets = {"file": forms.FileInput}

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):  # a new upload, not the stored file
            errors = services.document_file_errors(file)
            if errors:
                raise ValidationError(errors)
        return file


@admin.register(EventDocument)
class EventDocumentAdmin(SimpleHistoryAdmin):
    form = EventDocumentForm
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "kind", "event", "visibility", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "visibility", "event__kind"]
    list_select_related = ["event", "uploaded_by"]
    search_fields = ["title", "event__title"]
    autocomplete_fields = ["event"]
    readonly_fields = ["download", "uploaded_by", "uploaded_at"]

    download = document_download

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new document goes through the service: its checks, and the board notification.
        created = services.document_add(
            event=obj.event,
            kind=obj.kind,
            title=obj.title,
            file=form.cleaned_data.get("file") or None,
            link=obj.link,
            visibility=obj.visibility,
            user=request.user,
        )
        obj.pk = created.pk
        obj.file = created.file
        obj.uploaded_by = created.uploaded_by
        obj.uploaded_at = created.uploaded_at
        obj._state.adding = False
        obj._state.db = created._state.db


# --- Registrations ---------------------------------------------------------------------------


class RegistrationResource(EscapeFormulaeMixin, resources.ModelResource):
    event = fields.Field(attribute="event__title", column_name="event")
    member = fields.Field(attribute="member__name", column_name="member")

    class Meta:
        model = Registration
        fields = (
            "event",
            "member",
            "name",
            "email",
            "role",
            "attendance_mode",
            "status",
            "created_at",
            "cancelled_at",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("event", "member")


@admin.register(Registration)
class RegistrationAdmin(ExportMixin, SimpleHistoryAdmin):
    """Staff see and export attendee lists (filter by event, then export CSV or XLSX)."""

    resource_classes = [RegistrationResource]
    formats = [CSV, XLSX]
    list_display = ["name", "email", "member", "event", "attendance_mode", "status"]
    list_filter = ["event", "status", "attendance_mode"]
    list_select_related = ["event", "member"]
    search_fields = ["name", "email", "member__name", "event__title"]
    readonly_fields = [
        "event",
        "member",
        "status",
        "registered_by",
        "created_at",
        "cancelled_at",
    ]
    fields = [
        "event",
        "member",
        "name",
        "email",
        "role",
        "attendance_mode",
        "status",
        "registered_by",
        "created_at",
        "cancelled_at",
    ]
    actions = ["cancel_registrations"]

    def has_add_permission(self, request):
        return False  # members' editors register delegates on the portal

    @admin.action(description="Cancel the selected registrations", permissions=["change"])
    def cancel_registrations(self, request, queryset):
        cancelled = 0
        for registration in queryset.select_related("event", "member"):
            try:
                services.registration_cancel(registration=registration, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{registration}: {_errors(exc)}", messages.ERROR)
            else:
                cancelled += 1
        if cancelled:
            self.message_user(request, f"{cancelled} registration(s) cancelled.", messages.SUCCESS)


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(admin.ModelAdmin):
    """The reminders sent (one per document per day); read-only."""

    list_display = ["event", "document_kind", "day", "sent_at"]
    list_filter = ["document_kind", "day"]
    search_fields = ["event__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
