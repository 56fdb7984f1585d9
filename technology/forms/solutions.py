"""A member editor's technology solution, with its patent families; and what the project
form shares with it (TRL choices, choices that follow the chosen technology, formset rows).

Reference plants are chosen among the tracker's plants that use the solution's technology:
the tracker holds over a thousand plants, so a list of all of them is neither usable nor
light, while a plant that does not use the technology is no reference for it. The list
follows the technology submitted (else the one saved, else ``?technology=`` on a new form),
and a plant outside it is refused with a form error."""

from collections.abc import Iterable

from django import forms
from django.db.models import Q
from django.utils import timezone
from django_countries import countries

from leadit.validators import SingleLineFieldsMixin
from members.models import Member
from partnerships.forms.common import MARKDOWN_HELP, DateInput
from tracker.models import IndustrialProject, Sector, Technology

from ..models import OFFER_FIELDS, OfferKind, PatentFamily, TechnologySolution

OWN_MEMBERS_ONLY = "Choose one of the members whose pages you keep."
TRL_OUT_OF_RANGE = (
    "The technology readiness level runs from 1 to 9: “%(value)s” is not one of them."
)
TRL_ERRORS = {"invalid_choice": TRL_OUT_OF_RANGE}
PATENT_EXPIRES_BEFORE_FILING = "A patent expires after it was filed: check the two dates."


def chosen_technology(form: forms.BaseForm) -> int | None:
    """The id of the technology the form's scoped choices follow: the one submitted, else
    the instance's, else the initial one."""
    if form.is_bound:
        value = form.data.get(form.add_prefix("technology"))
    else:
        value = form.initial.get("technology") or getattr(form.instance, "technology_id", None)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PlantChoiceMixin:
    """Tracker plants labelled with their country, so two plants of one name differ."""

    def label_from_instance(self, obj: IndustrialProject) -> str:
        return f"{obj.name} ({obj.country.name})" if obj.country else obj.name


class PlantsField(PlantChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class PlantField(PlantChoiceMixin, forms.ModelChoiceField):
    pass


def plants_using(technology_id: int | None, *, also: Iterable[int] = ()):
    """The tracker's plants using a technology, and the plants ``also`` already chosen (by
    the secretariat, or before the tracker's data changed), which stay choosable."""
    chosen = Q(pk__in=list(also))
    if technology_id is not None:
        chosen |= Q(technologies=technology_id)
    return IndustrialProject.objects.filter(chosen).distinct().order_by("country", "name")


def kept_rows(formset: forms.BaseFormSet, fields: tuple[str, ...]) -> list[dict]:
    """The rows of a valid inline formset that stay: each a dict of ``fields`` and ``id``
    (the row's saved object, or None for a new row). Rows left empty or marked for removal
    are not in it; the service removes the saved rows that are not."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or (formset.can_delete and data.get("DELETE")):
            continue
        row = {field: data.get(field) for field in fields}
        row["id"] = form.instance if form.instance.pk else None
        rows.append(row)
    return rows


class SolutionForm(SingleLineFieldsMixin, forms.ModelForm):
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        label="Offered by",
        error_messages={"invalid_choice": OWN_MEMBERS_ONLY},
    )
    offers = forms.MultipleChoiceField(
        choices=OfferKind.choices,
        widget=forms.CheckboxSelectMultiple,
        label="What is offered",
        error_messages={"required": "Tick at least one thing you offer with this solution."},
    )
    countries = forms.MultipleChoiceField(
        choices=list(countries),
        required=False,
        label="Countries where it is available",
        help_text="Leave empty when it is available worldwide.",
    )
    reference_plants = PlantsField(
        queryset=IndustrialProject.objects.none(),
        required=False,
        label="Reference plants",
        help_text="Plants in the Industry Transition Tracker that use this solution. The list "
        "shows the tracker's plants using the technology chosen above.",
        error_messages={
            "invalid_choice": "This plant does not use the chosen technology in the tracker.",
            "invalid_pk_value": "“%(pk)s” is not a tracker plant.",
        },
    )

    class Meta:
        model = TechnologySolution
        fields = [
            "member", "name", "technology", "sectors", "trl", "trl_assessed_year",
            "trl_assessed_by", "summary", "description", "offers", "ip_status", "ip_licence",
            "available_worldwide", "countries", "reference_plants", "contact_name",
            "contact_email", "visibility",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 10}),
            "sectors": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "description": MARKDOWN_HELP,
            "ip_licence": "Required for an open licence, e.g. CC BY 4.0 or Apache 2.0.",
            "contact_email": "Shown to signed-in LeadIT members only.",
            "visibility": "Who may read this solution in the catalogue.",
        }
        labels = {"available_worldwide": "Available worldwide"}
        error_messages = {"trl": TRL_ERRORS}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.institution_id:
            # A partner institution's solution (the secretariat's to keep) stays its own.
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members
            only = list(members[:2])
            if len(only) == 1 and not self.instance.pk:
                self.fields["member"].initial = only[0]
        self.fields["technology"].queryset = Technology.objects.order_by("name")
        self.fields["sectors"].queryset = Sector.objects.order_by("name")
        year = self.fields["trl_assessed_year"]
        year.widget.attrs.update(min=1990, max=timezone.localdate().year)
        saved = self.instance.reference_plants.all() if self.instance.pk else ()
        self.fields["reference_plants"].queryset = plants_using(
            chosen_technology(self), also=[plant.pk for plant in saved]
        )
        if self.instance.pk:
            self.fields["offers"].initial = [kind.value for kind in self.instance.offer_kinds]
            self.fields["countries"].initial = [
                str(row.country) for row in self.instance.countries.all()
            ]

    def clean_trl_assessed_year(self):
        year = self.cleaned_data.get("trl_assessed_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError("The TRL cannot have been assessed in a future year.")
        return year

    def clean(self):
        cleaned = super().clean()
        status, licence = cleaned.get("ip_status"), cleaned.get("ip_licence")
        if status == TechnologySolution.IPStatus.OPEN_LICENCE and not licence:
            self.add_error("ip_licence", "Name the open licence the solution is offered under.")
        elif status and status != TechnologySolution.IPStatus.OPEN_LICENCE and licence:
            self.add_error(
                "ip_licence",
                "Name a licence only when the intellectual property is “Open licence”.",
            )
        worldwide, chosen = cleaned.get("available_worldwide"), cleaned.get("countries")
        if worldwide and chosen:
            self.add_error(
                "countries", "Leave the countries empty: the solution is available worldwide."
            )
        elif not worldwide and not chosen and "countries" not in self.errors:
            self.add_error(
                "countries",
                "Choose the countries where the solution is available, or tick “Available "
                "worldwide”.",
            )
        return cleaned

    def offer_flags(self) -> dict[str, bool]:
        """The six ``offers_*`` fields from the ticked offers."""
        ticked = set(self.cleaned_data.get("offers") or ())
        return {field: kind.value in ticked for kind, field in OFFER_FIELDS.items()}


class PatentFamilyForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = PatentFamily
        fields = ["number", "office", "filed_on", "expires_on"]
        widgets = {"filed_on": DateInput(), "expires_on": DateInput()}
        labels = {"filed_on": "Filed on", "expires_on": "Expires on"}

    def clean(self):
        cleaned = super().clean()
        filed, expires = cleaned.get("filed_on"), cleaned.get("expires_on")
        if filed and expires and expires <= filed:
            self.add_error("expires_on", PATENT_EXPIRES_BEFORE_FILING)
        return cleaned


PATENT_FIELDS = ("number", "office", "filed_on", "expires_on")

PatentFamilyFormSet = forms.inlineformset_factory(
    TechnologySolution,
    PatentFamily,
    form=PatentFamilyForm,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=50,
    validate_max=True,
)
