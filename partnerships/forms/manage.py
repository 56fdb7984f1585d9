"""Forms of a partnership's focal points: requests, projects, stage changes, plan values.
None lets a user choose the partnership: the view takes it from the URL."""

from django import forms

from leadit.validators import SingleLineFieldsMixin
from tracker.models import Sector, Technology

from ..models import Outcome, PipelineProject, SupportRequest
from .common import MARKDOWN_HELP, DateInput, MoneyFormMixin, currency_field


class SupportRequestForm(MoneyFormMixin, forms.ModelForm):
    amount_fields = ("amount",)
    currency = currency_field()

    class Meta:
        model = SupportRequest
        fields = [
            "title", "kind", "sectors", "description", "amount", "currency", "priority",
            "visibility",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 10}),
            "sectors": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "description": MARKDOWN_HELP,
            "amount": "Leave empty if not known yet.",
            "visibility": "Who may read this request on the portal.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].queryset = Sector.objects.order_by("name")


class PipelineProjectForm(MoneyFormMixin, forms.ModelForm):
    amount_fields = ("capex", "financing_gap")
    currency = currency_field()

    class Meta:
        model = PipelineProject
        fields = [
            "name", "sector", "technologies", "sponsor", "location", "description", "capex",
            "financing_gap", "currency", "abatement_t_per_year", "visibility",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "technologies": forms.CheckboxSelectMultiple,
        }
        help_texts = {"description": MARKDOWN_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("name")
        self.fields["technologies"].queryset = Technology.objects.order_by("name")
        self.fields["abatement_t_per_year"].min_value = 0

    def clean(self):
        cleaned = super().clean()
        capex, gap = cleaned.get("capex"), cleaned.get("financing_gap")
        if capex is not None and gap is not None and gap > capex:
            self.add_error("financing_gap", "The financing gap cannot exceed the capex.")
        return cleaned

    def clean_abatement_t_per_year(self):
        value = self.cleaned_data.get("abatement_t_per_year")
        if value is not None and value < 0:
            raise forms.ValidationError("The abatement cannot be negative.")
        return value


class StageChangeForm(SingleLineFieldsMixin, forms.Form):
    """A move on a stage ladder: the choices are the model's stages."""

    stage = forms.ChoiceField()
    changed_on = forms.DateField(label="Date of the change", widget=DateInput())
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when moving back to an earlier stage.",
    )

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stages


class OutcomeMeasurementForm(SingleLineFieldsMixin, forms.Form):
    outcome = forms.ModelChoiceField(queryset=Outcome.objects.none())
    measured_on = forms.DateField(label="Measured on", widget=DateInput())
    value = forms.DecimalField(max_digits=16, decimal_places=2)
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this partnership's outcomes: another's id is "not one of the choices".
        self.fields["outcome"].queryset = partnership.outcomes.all()
