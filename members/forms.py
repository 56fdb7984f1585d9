"""Forms of the member self-service pages. None of them lets a user choose the member:
the view takes it from the URL (through ``Member.objects.editable_by``)."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.forms.boundfield import BoundField, BoundWidget

from leadit.validators import SingleLineFieldsMixin

from .models import (
    Commitment,
    ImpactStory,
    Member,
    MemberCommitment,
    Milestone,
    Pillar,
    PillarEngagement,
    ProgressUpdate,
)
from .selectors import COMMITMENT_CATEGORY_ORDER

MARKDOWN_HELP = (
    "Markdown: **bold**, *italic*, [a link](https://example.org), a blank line between "
    "paragraphs, “- ” at the start of a line for a list. HTML is removed."
)


def _formfield(db_field, **kwargs):
    """Web addresses typed without a scheme get https:// (Django 6's default)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class LogoField(forms.ImageField):
    """An image upload that says plainly why an SVG or a non-image is refused (the model's
    validators then check the real format and the size)."""

    default_error_messages = {
        "invalid_image": (
            "The logo must be a PNG, JPEG or WebP image; this file is not one, or is damaged."
        ),
        "svg": "SVG logos are not accepted (they can carry scripts). Upload a PNG, JPEG or WebP image.",
    }
    # The model's FileExtensionValidator and validate_logo speak for the allowed formats.
    default_validators = []

    def to_python(self, data):
        if data and (
            (getattr(data, "name", "") or "").lower().endswith((".svg", ".svgz"))
            or getattr(data, "content_type", "") == "image/svg+xml"
        ):
            raise ValidationError(self.error_messages["svg"], code="svg")
        return super().to_python(data)


class MemberProfileForm(SingleLineFieldsMixin, forms.ModelForm):
    """What a member's editors may change. Name, slug, kind, status, country and economy
    group are not fields here: the secretariat changes them in the admin."""

    logo = LogoField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text="PNG, JPEG or WebP, at most 1 MB. SVG is not accepted.",
    )

    class Meta:
        model = Member
        formfield_callback = _formfield
        fields = ["description", "website", "logo", "contact_details_public"]
        labels = {
            "description": "About your organisation",
            "contact_details_public": "Show our primary contact on the public profile",
        }
        help_texts = {
            "description": MARKDOWN_HELP,
            "website": "The full address, starting with https://",
            "contact_details_public": (
                "Your primary contact is the person the secretariat has on record; write to "
                "the secretariat to change them."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 10})}

    def _get_validation_exclusions(self):
        # An unchanged logo is not validated again (its file is the one already accepted).
        exclusions = super()._get_validation_exclusions()
        if "logo" not in self.changed_data:
            exclusions.add("logo")
        return exclusions


def evidence_links_validate(value: str) -> str:
    """One http(s) address per line; blank lines are dropped. Errors name the bad line."""
    validate = URLValidator(schemes=["http", "https"])
    links, errors = [], []
    for number, raw in enumerate(value.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            validate(line)
        except ValidationError:
            errors.append(
                ValidationError(
                    "Line %(number)s, “%(line)s”, is not a web address starting with "
                    "http:// or https://.",
                    code="invalid_link",
                    params={"number": number, "line": line[:200]},
                )
            )
        links.append(line)
    if errors:
        raise ValidationError(errors)
    return "\n".join(links)


class MemberCommitmentForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = MemberCommitment
        fields = ["status", "evidence", "evidence_links"]
        labels = {"evidence": "Evidence", "evidence_links": "Evidence links"}
        help_texts = {
            "evidence": MARKDOWN_HELP,
            "evidence_links": "One web address per line, each starting with http:// or https://.",
        }
        widgets = {
            "evidence": forms.Textarea(attrs={"rows": 4}),
            "evidence_links": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_evidence_links(self) -> str:
        return evidence_links_validate(self.cleaned_data.get("evidence_links", ""))


MemberCommitmentFormSet = forms.modelformset_factory(
    MemberCommitment,
    form=MemberCommitmentForm,
    extra=0,
    edit_only=True,  # rows are created by member_commitments_ensure, never by a POST
    can_delete=False,
)


NOT_ENGAGED = ""
PILLAR_ROLE_CHOICES = [
    (NOT_ENGAGED, "Not engaged"),
    (PillarEngagement.Role.PARTICIPANT, PillarEngagement.Role.PARTICIPANT.label),
    (PillarEngagement.Role.LEAD, PillarEngagement.Role.LEAD.label),
]


class PillarEngagementForm(SingleLineFieldsMixin, forms.Form):
    """One pillar's engagement; the view makes one per pillar, prefixed by its id."""

    role = forms.ChoiceField(
        label="Engagement", choices=PILLAR_ROLE_CHOICES, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you do in this pillar (optional).",
    )

    def __init__(self, *args, pillar, **kwargs):
        self.pillar = pillar
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("note", "").strip() and not cleaned.get("role"):
            self.add_error("note", "Choose participant or lead to keep a note.")
        return cleaned


# The statuses an update may report: what the member says, never "not reported".
REPORTED_STATUS_CHOICES = [
    (status.value, status.label)
    for status in MemberCommitment.Status
    if status != MemberCommitment.Status.NOT_REPORTED
]


@dataclass(frozen=True)
class ReportedCommitmentRow:
    """One of the member's commitments in the update form: its "reports on this" checkbox
    and the status to report."""

    member_commitment: MemberCommitment
    checkbox: BoundWidget
    status: BoundField


@dataclass(frozen=True)
class ReportedCommitmentGroup:
    label: str
    rows: list[ReportedCommitmentRow]


class ProgressUpdateForm(SingleLineFieldsMixin, forms.ModelForm):
    """A progress update, the pillars it reports on and the member's commitments it reports
    on, each with the status reported.

    ``commitments`` offers only ``member``'s own commitments: a forged id (another
    member's) is an invalid choice, so nothing is saved. Each commitment has a status
    field ``commitment-<id>-status``, required when the commitment is ticked."""

    milestone = forms.ModelChoiceField(
        queryset=Milestone.objects.order_by("-date"),
        required=False,
        empty_label="No milestone",
        help_text="The COP or summit this update reports on, if any.",
    )
    pillars = forms.ModelMultipleChoiceField(
        queryset=Pillar.objects.order_by("number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Pillars it reports on",
        error_messages={
            "invalid_choice": "Pillar %(value)s does not exist: choose among the pillars listed.",
            "invalid_pk_value": "“%(pk)s” is not a pillar: choose among the pillars listed.",
        },
    )
    commitments = forms.ModelMultipleChoiceField(
        queryset=MemberCommitment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Commitments it reports on",
        error_messages={
            "invalid_choice": (
                "Commitment %(value)s is not one of your organisation's commitments: an "
                "update reports only on its own member's commitments."
            ),
            "invalid_pk_value": "“%(pk)s” is not one of your organisation's commitments.",
        },
    )

    class Meta:
        model = ProgressUpdate
        fields = ["title", "milestone", "body"]
        labels = {"body": "Update"}
        help_texts = {"body": MARKDOWN_HELP}
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, member: Member, **kwargs):
        self.member = member
        super().__init__(*args, **kwargs)
        update = self.instance if self.instance.pk else None
        # The member's active commitments, and any this update already reports on (a
        # commitment retired from the catalogue since keeps its report).
        offered = Q(commitment__is_active=True)
        if update is not None:
            offered |= Q(reports__update=update)
        self.member_commitments = list(
            MemberCommitment.objects.filter(offered, member=member)
            .select_related("commitment")
            .distinct()
            .order_by(COMMITMENT_CATEGORY_ORDER, "commitment__order", "commitment__pk")
        )
        self.fields["commitments"].queryset = MemberCommitment.objects.filter(
            member=member, pk__in=[row.pk for row in self.member_commitments]
        )
        reported = {}
        if update is not None:
            reported = dict(update.reported_commitments.values_list("member_commitment", "status"))
            self.initial.setdefault("pillars", list(update.pillars.values_list("pk", flat=True)))
            self.initial.setdefault("commitments", list(reported))
        for row in self.member_commitments:
            current = row.status if row.status != MemberCommitment.Status.NOT_REPORTED else ""
            self.fields[self._status_name(row)] = forms.ChoiceField(
                label="Status to report",
                choices=[("", "Choose a status")] + REPORTED_STATUS_CHOICES,
                required=False,
                initial=reported.get(row.pk, current),
                error_messages={
                    "invalid_choice": "Choose not started, in progress or met.",
                },
            )

    @staticmethod
    def _status_name(member_commitment: MemberCommitment) -> str:
        return f"commitment-{member_commitment.pk}-status"

    def clean(self):
        cleaned = super().clean()
        for member_commitment in cleaned.get("commitments") or []:
            name = self._status_name(member_commitment)
            if name in self.errors:
                continue
            if not cleaned.get(name):
                self.add_error(
                    name, "Choose the status to report for this commitment, or untick it."
                )
        return cleaned

    @property
    def reported(self) -> dict[MemberCommitment, str]:
        """The commitments ticked, each with its status (after ``is_valid()``)."""
        return {
            member_commitment: self.cleaned_data[self._status_name(member_commitment)]
            for member_commitment in self.cleaned_data.get("commitments") or []
        }

    def commitment_groups(self) -> list[ReportedCommitmentGroup]:
        """The member's commitments, Support / Engage / Promote, for the template."""
        checkboxes = {
            int(str(widget.data["value"])): widget for widget in self["commitments"].subwidgets
        }
        rows = [
            ReportedCommitmentRow(
                member_commitment=row,
                checkbox=checkboxes[row.pk],
                status=self[self._status_name(row)],
            )
            for row in self.member_commitments
            if row.pk in checkboxes
        ]
        return [
            ReportedCommitmentGroup(
                label=label,
                rows=[r for r in rows if r.member_commitment.commitment.category == value],
            )
            for value, label in Commitment.Category.choices
            if any(r.member_commitment.commitment.category == value for r in rows)
        ]


class ImpactStoryForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = ImpactStory
        formfield_callback = _formfield
        fields = [
            "title",
            "date",
            "what_changed",
            "leadit_contribution",
            "evidence_link",
            "is_published",
        ]
        labels = {
            "what_changed": "What changed",
            "is_published": "Published: show this story on our public profile",
        }
        help_texts = {
            "date": "When the change happened.",
            "what_changed": MARKDOWN_HELP,
            "leadit_contribution": "How LeadIT's work contributed. " + MARKDOWN_HELP,
            "evidence_link": "A public web page that shows the change (optional).",
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "what_changed": forms.Textarea(attrs={"rows": 6}),
            "leadit_contribution": forms.Textarea(attrs={"rows": 6}),
        }
