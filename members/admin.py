"""The secretariat's admin for members: every change keeps history (SimpleHistoryAdmin),
members and contacts import and export as spreadsheets, invitations go out through
``services`` (never a bare save), and hiding an update asks for a reason."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from leadit.invitation_admin import InvitationAdminMixin, InvitationStateFilter
from leadit.spreadsheets import PortalImportExportMixin

from . import reminders, services
from .models import (
    DEFAULT_REMINDER_DAYS,
    Commitment,
    Contact,
    ImpactStory,
    Invitation,
    Member,
    MemberCommitment,
    MembershipRole,
    Milestone,
    MilestoneReminder,
    MilestoneReminderStep,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
    ReportedCommitment,
)
from .resources import ContactResource, MemberResource

# Web addresses typed without a scheme are taken as https:// (Django 6's default, asked for
# explicitly: Django 5.2 warns otherwise).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Members and the people at them --------------------------------------------------------


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "role_title", "is_primary", "receives_newsletter"]


class MembershipRoleInline(admin.TabularInline):
    """Roles come from accepted invitations; here they can only be seen and removed."""

    model = MembershipRole
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    verbose_name = "editor"
    verbose_name_plural = "editors (from accepted invitations)"

    def has_add_permission(self, request, obj=None):
        return False


class PillarEngagementInline(admin.TabularInline):
    model = PillarEngagement
    extra = 0
    fields = ["pillar", "role", "note"]


@admin.register(Member)
class MemberAdmin(PortalImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [MemberResource]
    formats = [CSV, XLSX]
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "kind", "country", "economy_group", "status", "joined_on"]
    list_filter = ["kind", "status", "economy_group", "sectors", "pillar_engagements__pillar"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["sectors"]
    date_hierarchy = "joined_on"
    inlines = [ContactInline, MembershipRoleInline, PillarEngagementInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "country", "economy_group", "status"]}),
        ("Profile", {"fields": ["joined_on", "sectors", "logo", "website", "description"]}),
        ("Contact details", {"fields": ["contact_details_public"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)


@admin.register(Contact)
class ContactAdmin(PortalImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ContactResource]
    formats = [CSV, XLSX]
    list_display = ["name", "email", "member", "role_title", "is_primary", "receives_newsletter"]
    list_filter = ["is_primary", "receives_newsletter", "member__kind"]
    list_select_related = ["member"]
    search_fields = ["name", "email", "member__name"]
    autocomplete_fields = ["member"]


@admin.register(MembershipRole)
class MembershipRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "member", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "member"]
    search_fields = ["user__email", "member__name"]
    autocomplete_fields = ["user", "member"]


# --- Invitations ---------------------------------------------------------------------------


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["member", "email"]
        help_texts = {
            "email": "The person gets an e-mail with a one-time link; it expires in "
            f"{services.INVITATION_VALID_DAYS} days.",
        }

    def clean(self):
        cleaned = super().clean()
        member, email = cleaned.get("member"), cleaned.get("email")
        if member and email:
            email = email.strip().lower()
            open_invitations = Invitation.objects.filter(
                member=member,
                email__iexact=email,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            )
            if open_invitations.exists():
                raise ValidationError(
                    f"{email} already has an open invitation to {member}: "
                    "resend that one (or revoke it first)."
                )
            if member.roles.filter(user__email__iexact=email).exists():
                raise ValidationError(f"{email} is already an editor of {member}.")
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(InvitationAdminMixin, SimpleHistoryAdmin):
    add_form = InvitationAddForm
    list_display = ["email", "member", "state_display", "sent_at", "expires_at", "send_count"]
    list_filter = [InvitationStateFilter, "member"]
    list_select_related = ["member"]
    search_fields = ["email", "member__name"]
    autocomplete_fields = ["member"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "email",
        "member",
        "role",
        "state_display",
        "invited_by",
        "created_at",
        "sent_at",
        "send_count",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]

    def invitation_create(self, request, cleaned_data, base_url):
        return services.invitation_create(
            member=cleaned_data["member"],
            email=cleaned_data["email"],
            invited_by=request.user,
            base_url=base_url,
        )

    def invitation_resend(self, invitation, base_url):
        return services.invitation_resend(invitation=invitation, base_url=base_url)

    def invitation_revoke(self, invitation):
        return services.invitation_revoke(invitation=invitation)


# --- Commitments and pillars ---------------------------------------------------------------


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["text", "category", "order", "is_active"]
    list_display_links = ["text"]
    list_editable = ["order", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["text"]


@admin.register(MemberCommitment)
class MemberCommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["member", "commitment", "status", "updated_at", "updated_by"]
    list_filter = ["status", "commitment__category"]
    list_select_related = ["member", "commitment", "updated_by"]
    search_fields = ["member__name", "commitment__text"]
    autocomplete_fields = ["member"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(Pillar)
class PillarAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "slug"]
    list_display_links = ["number", "title"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(PillarEngagement)
class PillarEngagementAdmin(SimpleHistoryAdmin):
    list_display = ["member", "pillar", "role"]
    list_filter = ["pillar", "role"]
    list_select_related = ["member", "pillar"]
    search_fields = ["member__name"]
    autocomplete_fields = ["member"]


# --- Progress and impact -------------------------------------------------------------------


class MilestoneReminderStepFormSet(forms.BaseInlineFormSet):
    """The step's own ``clean()`` refuses a new step on a past milestone, but only once the
    milestone is saved; on the add page (a new milestone dated in the past) the same rule
    is checked here, so nothing is written."""

    def clean(self):
        super().clean()
        milestone = self.instance
        if milestone.pk is not None or milestone.date is None:
            return
        if milestone.date >= timezone.localdate():
            return
        for form in self.forms:
            if form.has_changed() and not self._should_delete_form(form):
                form.add_error(
                    None,
                    f"{milestone.name or 'This milestone'} is on {milestone.date:%-d %B %Y}: "
                    "no new reminder can be scheduled for a milestone that has passed.",
                )


class MilestoneReminderStepInline(admin.TabularInline):
    """When the reminders go out. A new milestone left without steps gets the default
    ones (30 and 7 days before) when it is saved, unless it is past."""

    model = MilestoneReminderStep
    formset = MilestoneReminderStepFormSet
    extra = 0
    fields = ["days_before", "send_on_display"]
    readonly_fields = ["send_on_display"]
    verbose_name = "reminder step"
    verbose_name_plural = (
        "reminder steps (left empty on a new milestone: "
        + " and ".join(str(days) for days in DEFAULT_REMINDER_DAYS)
        + " days before)"
    )

    @admin.display(description="goes out on")
    def send_on_display(self, step):
        return date_format(step.send_on, "j M Y") if step.pk else "—"


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["name", "date", "reported", "reminded"]
    search_fields = ["name"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "date", "description"]
    inlines = [MilestoneReminderStepInline]

    def get_queryset(self, request):
        # Both columns as subqueries: one query for the page, whatever its length.
        reported = (
            ProgressUpdate.objects.published()
            .filter(milestone=OuterRef("pk"))
            .order_by()
            .values("milestone")
            .annotate(n=Count("member", distinct=True))
            .values("n")
        )
        reminded = (
            MilestoneReminder.objects.filter(milestone=OuterRef("pk"), sent_at__isnull=False)
            .order_by()
            .values("milestone")
            .annotate(n=Count("user", distinct=True))
            .values("n")
        )
        # Not correlated: PostgreSQL counts the active members once for the whole page.
        active = (
            Member.objects.filter(status=Member.Status.ACTIVE)
            .order_by()
            .values("status")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                reported_count=Coalesce(Subquery(reported), 0),
                reminded_count=Coalesce(Subquery(reminded), 0),
                active_members=Coalesce(Subquery(active), 0),
            )
        )

    @admin.display(description="reported (of active members)", ordering="reported_count")
    def reported(self, milestone):
        return f"{milestone.reported_count} / {milestone.active_members}"

    @admin.display(description="reminded (people)", ordering="reminded_count")
    def reminded(self, milestone):
        url = reverse("admin:members_milestonereminder_changelist")
        return format_html(
            '<a href="{}?milestone__id__exact={}">{}</a>',
            url,
            milestone.pk,
            milestone.reminded_count,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            created = reminders.milestone_default_steps_create(milestone=form.instance)
            if created:
                self.message_user(
                    request,
                    "Reminders will go out "
                    + " and ".join(str(days) for days in DEFAULT_REMINDER_DAYS)
                    + " days before the milestone to members that have not reported.",
                    messages.INFO,
                )


class RemindedMembersFilter(admin.SimpleListFilter):
    title = "sent"
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("yes", "Sent"), ("no", "Not sent (failed, waiting, or reported first)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(sent_at__isnull=True)
        return queryset


@admin.register(MilestoneReminder)
class MilestoneReminderAdmin(admin.ModelAdmin):
    """Who was reminded of which milestone, at which step, and when: written by the daily
    job only (``members.reminders``), so read-only here."""

    list_display = [
        "milestone",
        "days_before",
        "user",
        "members_display",
        "created_at",
        "sent_at",
    ]
    list_filter = ["milestone", "days_before", RemindedMembersFilter]
    list_select_related = ["milestone", "user"]
    search_fields = ["user__email"]
    date_hierarchy = "created_at"
    fields = list_display
    readonly_fields = list_display

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")

    @admin.display(description="members")
    def members_display(self, reminder):
        return ", ".join(sorted(member.name for member in reminder.members.all()))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HideReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="The member sees this reason on their edit page.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Give the member a reason for hiding their update.")
        return reason


def _when(value) -> str:
    return date_format(timezone.localtime(value), "j M Y, H:i")


class EditedSinceHiddenFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("edited", "Hidden, edited since")]

    def queryset(self, request, queryset):
        if self.value() == "edited":
            return queryset.filter(
                status=ProgressUpdate.Status.HIDDEN, edited_since_hidden_at__isnull=False
            )
        return queryset


class ReportedCommitmentInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            reported = data.get("member_commitment")
            if (
                reported
                and not data.get("DELETE")
                and reported.member_id != self.instance.member_id
            ):
                raise ValidationError(
                    f"“{reported}” is another member's commitment: an update reports only on "
                    "its own member's commitments."
                )


class ReportedCommitmentInline(admin.TabularInline):
    model = ReportedCommitment
    formset = ReportedCommitmentInlineFormSet
    fields = ["member_commitment", "status"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member_commitment":
            choices = MemberCommitment.objects.select_related("member", "commitment")
            if update_id := request.resolver_match.kwargs.get("object_id"):
                choices = choices.filter(member__progress_updates__pk=update_id)
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    inlines = [ReportedCommitmentInline]
    list_display = ["title", "member", "status_display", "published_at"]
    list_filter = ["status", EditedSinceHiddenFilter, "milestone"]
    list_select_related = ["member"]
    search_fields = ["title", "member__name"]
    autocomplete_fields = ["member"]
    date_hierarchy = "published_at"
    readonly_fields = [
        "review_state",
        "hidden_at",
        "edited_since_hidden_at",
        "author",
        "created_at",
        "updated_at",
    ]
    actions = ["hide_with_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "pillars":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Staff edits of a published update's reports set the commitments' statuses too
        # (a newer report is never undone; drafts and hidden updates change nothing).
        services.reported_commitment_statuses_apply(update=form.instance, by=request.user)

    @admin.display(description="status", ordering="status")
    def status_display(self, update):
        """ "Hidden by the secretariat — edited since hidden (date)" when the member changed
        a hidden update: it waits for a review."""
        label = update.get_status_display()
        if update.status == ProgressUpdate.Status.HIDDEN and update.edited_since_hidden_at:
            return f"{label} — edited since hidden ({_when(update.edited_since_hidden_at)})"
        return label

    @admin.display(description="review")
    def review_state(self, update):
        if update.status != ProgressUpdate.Status.HIDDEN:
            return "Not hidden."
        hidden = f"Hidden {_when(update.hidden_at)}" if update.hidden_at else "Hidden"
        if update.edited_since_hidden_at:
            return (
                f"{hidden}; edited since hidden ({_when(update.edited_since_hidden_at)}): "
                "review the new text, then publish it again or leave it hidden."
            )
        return f"{hidden}; not edited since."

    @admin.action(description="Hide with reason…", permissions=["change"])
    def hide_with_reason(self, request, queryset):
        """First an intermediate page asking for the reason; its form posts back here."""
        form = HideReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            hidden = 0
            for update in queryset:
                try:
                    services.progress_update_hide(update=update, reason=form.cleaned_data["reason"])
                except ValidationError as exc:
                    self.message_user(request, f"{update}: {_errors(exc)}", messages.ERROR)
                else:
                    hidden += 1
            if hidden:
                self.message_user(
                    request,
                    f"{hidden} progress update(s) hidden; the member sees the reason.",
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Hide progress updates",
            "opts": self.model._meta,
            "updates": queryset.select_related("member"),
            "form": form,
            "action_name": "hide_with_reason",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/members/progressupdate/hide_with_reason.html", context
        )


@admin.register(ImpactStory)
class ImpactStoryAdmin(SimpleHistoryAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "member", "date", "is_published"]
    list_filter = ["is_published"]
    list_select_related = ["member"]
    search_fields = ["title", "member__name"]
    autocomplete_fields = ["member"]
    date_hierarchy = "date"

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)
