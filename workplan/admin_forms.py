"""The forms of the workplan admin's own steps: the new period of a copied workplan, and
the workplan whose activities a spreadsheet imports or exports."""

from django import forms
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm

from .models import Workplan


class PeriodFormMixin:
    """A workplan's period (``period_start``, ``period_end``) cannot end before it starts."""

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period ends before it starts.")
        return data


class WorkplanCopyForm(PeriodFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=100, help_text="The workplan's address: /workplan/<slug>/")
    period_start = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _workplan_choice(**kwargs) -> forms.ModelChoiceField:
    """The workplan whose activities a file imports or exports."""
    return forms.ModelChoiceField(queryset=Workplan.objects.all(), **kwargs)


class ActivityImportForm(ImportForm):
    workplan = _workplan_choice(
        help_text="Besides the columns above, the file has one column per objective number "
        "of this workplan (1, 2, …) holding X or blank.",
    )
    field_order = ["workplan"]


class ActivityConfirmImportForm(ConfirmImportForm):
    workplan = _workplan_choice(widget=forms.HiddenInput)


class ActivityExportForm(ExportForm):
    workplan = _workplan_choice(
        help_text="Its activities, grouped like the plan, then one column per objective "
        "number holding X or blank.",
    )
    field_order = ["workplan"]
