"""Forms of member editors (and staff): a technical guideline and a new version of it."""

from django import forms

from leadit.validators import SingleLineFieldsMixin
from members.models import Member
from partnerships.forms.common import MARKDOWN_HELP, DateInput
from tracker.models import Sector, Technology

from ..models import GuidelineVersion, TechnicalGuideline
from ..services.guidelines import PDF_MAX_BYTES


class GuidelineForm(SingleLineFieldsMixin, forms.ModelForm):
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        label="Kept by",
        help_text="The member whose editors keep this guideline.",
    )

    class Meta:
        model = TechnicalGuideline
        fields = ["member", "title", "summary", "sectors", "technologies", "licence", "visibility"]
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "technologies": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "summary": "One or two sentences: what the guideline helps to do, and for whom.",
            "visibility": "Who may see the guideline and download its versions.",
        }

    def __init__(self, *args, members, secretariat: bool = False, **kwargs):
        """``members``: those the user may keep guidelines for; ``secretariat``: staff may
        leave the keeper empty (the secretariat's own guideline)."""
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        member.queryset = members
        if secretariat:
            member.required = False
            member.empty_label = "The LeadIT secretariat"
        elif len(only := list(members[:2])) == 1:
            member.initial = only[0]
        if self.instance.pk:
            member.disabled = True
            member.initial = self.instance.member_id
        self.fields["sectors"].queryset = Sector.objects.order_by("name")
        self.fields["technologies"].queryset = Technology.objects.order_by("name")


class GuidelineVersionForm(SingleLineFieldsMixin, forms.Form):
    """A version's fields; the service checks the rest (the PDF's content, a label used
    before) and writes nothing when something is wrong."""

    version = forms.CharField(
        max_length=GuidelineVersion._meta.get_field("version").max_length,
        help_text="E.g. 1.0 or 2025-06; each version of a guideline has its own.",
    )
    published_on = forms.DateField(label="Published on", widget=DateInput())
    change_note = forms.CharField(
        required=False,
        label="Change note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed from the version before.",
    )
    pdf = forms.FileField(
        required=False,
        label="PDF document",
        help_text=f"A PDF file of at most {PDF_MAX_BYTES // 1024 // 1024} MB. Leave it empty "
        "to write the text below instead.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    body = forms.CharField(
        required=False,
        label="Text",
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Instead of a PDF: the guideline's text, which the portal renders to a PDF "
        "with its title, version and licence. " + MARKDOWN_HELP,
    )
