"""A member editor's co-development project (led by one of its members), with its
participants, milestones and publications. The solution and the tracker plant are chosen
among those of the project's technology (see forms/solutions.py for why)."""

import datetime

from django import forms
from django.utils import timezone

from leadit.validators import SingleLineFieldsMixin
from members.models import Member
from partnerships.forms.common import MARKDOWN_HELP, DateInput, MoneyFormMixin, currency_field
from partnerships.models import PartnerInstitution, PipelineProject
from tracker.models import Sector, Technology

from ..models import (
    CoDevelopmentProject,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPublication,
    TechnologySolution,
)
from .solutions import OWN_MEMBERS_ONLY, TRL_ERRORS, PlantField, chosen_technology, plants_using

TARGET_BELOW_START = "The target TRL cannot be below the TRL at the start."
ENDS_BEFORE_START = "The project cannot end before it starts."


class ProjectForm(MoneyFormMixin, forms.ModelForm):
    amount_fields = ("budget",)
    currency = currency_field()
    lead_member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        label="Lead member",
        help_text="Its editors keep the project's page.",
        error_messages={"invalid_choice": OWN_MEMBERS_ONLY},
    )
    solution = forms.ModelChoiceField(
        queryset=TechnologySolution.objects.none(),
        required=False,
        label="Solution developed or demonstrated",
        help_text="Solutions of the chosen technology in the catalogue.",
        error_messages={
            "invalid_choice": "Choose a solution of this technology from the catalogue."
        },
    )
    tracker_project = PlantField(
        queryset=plants_using(None),
        required=False,
        label="Tracker plant",
        help_text="The plant in the Industry Transition Tracker where it is demonstrated; "
        "the list shows the tracker's plants using the chosen technology.",
        error_messages={
            "invalid_choice": "This plant does not use the chosen technology in the tracker."
        },
    )
    pipeline_project = forms.ModelChoiceField(
        queryset=PipelineProject.objects.none(),
        required=False,
        label="Pipeline project",
        help_text="A bankable project of a partnership country it serves.",
        error_messages={"invalid_choice": "Choose a pipeline project you can see."},
    )

    class Meta:
        model = CoDevelopmentProject
        fields = [
            "lead_member", "title", "technology", "sectors", "solution", "summary",
            "description", "status", "trl_start", "trl_target", "trl_current", "starts_on",
            "ends_on", "budget", "currency", "results", "tracker_project", "pipeline_project",
            "visibility",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "results": forms.Textarea(attrs={"rows": 6}),
            "sectors": forms.CheckboxSelectMultiple,
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {
            "description": MARKDOWN_HELP,
            "results": MARKDOWN_HELP,
            "ends_on": "Leave empty while the end is open.",
            "visibility": "Who may read this project on the portal.",
        }
        labels = {"starts_on": "Starts on", "ends_on": "Ends on"}
        error_messages = {
            "trl_start": TRL_ERRORS,
            "trl_target": TRL_ERRORS,
            "trl_current": TRL_ERRORS,
        }

    def __init__(self, *args, members, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_member"].queryset = members
        only = list(members[:2])
        if len(only) == 1 and not self.instance.pk:
            self.fields["lead_member"].initial = only[0]
        self.fields["technology"].queryset = Technology.objects.order_by("name")
        self.fields["sectors"].queryset = Sector.objects.order_by("name")
        technology = chosen_technology(self)
        self.fields["solution"].queryset = (
            TechnologySolution.objects.visible_to(user).filter(technology=technology)
            if technology is not None
            else TechnologySolution.objects.none()
        ).order_by("name")
        saved_plant = [self.instance.tracker_project_id] if self.instance.tracker_project_id else []
        self.fields["tracker_project"].queryset = plants_using(technology, also=saved_plant)
        self.fields["pipeline_project"].queryset = PipelineProject.objects.visible_to(
            user
        ).order_by("name")

    def clean(self):
        cleaned = super().clean()
        start, target = cleaned.get("trl_start"), cleaned.get("trl_target")
        if start is not None and target is not None and target < start:
            self.add_error("trl_target", TARGET_BELOW_START)
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", ENDS_BEFORE_START)
        return cleaned


class ParticipantForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = ProjectParticipant
        fields = ["member", "institution", "role"]
        labels = {"member": "LeadIT member", "institution": "or partner institution"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.public().order_by("name")
        self.fields["institution"].queryset = PartnerInstitution.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        member, institution = cleaned.get("member"), cleaned.get("institution")
        if member and institution:
            self.add_error(
                "institution", "Choose a member or a partner institution for this row, not both."
            )
        elif not member and not institution and "member" not in self.errors:
            self.add_error("member", "Choose the member or the partner institution taking part.")
        return cleaned


class BaseParticipantFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            party = data.get("member") or data.get("institution")
            if party is None or data.get("DELETE"):
                continue
            if party in seen:
                raise forms.ValidationError(f"{party} is listed twice among the participants.")
            seen.add(party)


class MilestoneForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = ProjectMilestone
        fields = ["title", "due_on", "status", "completed_on", "trl_reached"]
        widgets = {"due_on": DateInput(), "completed_on": DateInput()}
        labels = {"due_on": "Due on", "completed_on": "Completed on"}
        help_texts = {"completed_on": "Only for a milestone that is done."}
        error_messages = {"trl_reached": TRL_ERRORS}

    def __init__(self, *args, project_ends: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project_ends = project_ends

    def clean(self):
        cleaned = super().clean()
        due, done_on = cleaned.get("due_on"), cleaned.get("completed_on")
        if due and self.project_ends and due > self.project_ends:
            self.add_error(
                "due_on",
                f"This milestone is due after the project ends ({self.project_ends:%d %B %Y}): "
                "move it, or the project's end.",
            )
        if done_on and cleaned.get("status") != ProjectMilestone.Status.DONE:
            self.add_error("completed_on", "Only a milestone that is done has a completion date.")
        elif done_on and done_on > timezone.localdate():
            self.add_error("completed_on", "A milestone cannot be completed in the future.")
        return cleaned


class PublicationForm(SingleLineFieldsMixin, forms.ModelForm):
    url = forms.URLField(label="Address", max_length=500, assume_scheme="https")

    class Meta:
        model = ProjectPublication
        fields = ["title", "url", "year"]

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not 1950 <= year <= timezone.localdate().year + 1:
            raise forms.ValidationError("Give the year the publication appeared.")
        return year


PARTICIPANT_FIELDS = ("member", "institution", "role")
MILESTONE_FIELDS = ("title", "due_on", "status", "completed_on", "trl_reached")
PUBLICATION_FIELDS = ("title", "url", "year")

# New rows have no "Delete" box: left empty, they are skipped.
_ROWS = {
    "extra": 2, "can_delete": True, "can_delete_extra": False, "max_num": 50,
    "validate_max": True,
}  # fmt: skip
ParticipantFormSet = forms.inlineformset_factory(
    CoDevelopmentProject,
    ProjectParticipant,
    form=ParticipantForm,
    formset=BaseParticipantFormSet,
    **{**_ROWS, "extra": 3},
)
MilestoneFormSet = forms.inlineformset_factory(
    CoDevelopmentProject, ProjectMilestone, form=MilestoneForm, **{**_ROWS, "extra": 3}
)
PublicationFormSet = forms.inlineformset_factory(
    CoDevelopmentProject, ProjectPublication, form=PublicationForm, **_ROWS
)
