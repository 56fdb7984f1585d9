"""Forms of member editors: their member's offers, "We can help", commitment updates."""

from django import forms
from django_countries import countries

from members.models import Member
from tracker.models import CountryGroup, Sector

from ..models import SupportCommitment, SupportOffer
from .common import MARKDOWN_HELP, DateInput, MoneyFormMixin, currency_field


class SupportOfferForm(MoneyFormMixin, forms.ModelForm):
    amount_fields = ("amount_min", "amount_max")
    currency = currency_field()
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label="Offered by")
    countries = forms.MultipleChoiceField(
        choices=list(countries),
        required=False,
        label="Eligible countries",
        help_text="Countries the offer is open to, beyond the groups chosen above.",
    )

    class Meta:
        model = SupportOffer
        fields = [
            "member", "title", "kind", "sectors", "description", "instrument",
            "open_to_all_countries", "eligible_groups", "countries", "amount_min",
            "amount_max", "currency", "opens_on", "closes_on", "contact_name",
            "contact_email", "visibility",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "sectors": forms.CheckboxSelectMultiple,
            "eligible_groups": forms.CheckboxSelectMultiple,
            "opens_on": DateInput(),
            "closes_on": DateInput(),
        }
        help_texts = {"description": MARKDOWN_HELP}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        only = list(members[:2])
        if len(only) == 1:
            self.fields["member"].initial = only[0]
        self.fields["sectors"].queryset = Sector.objects.order_by("name")
        self.fields["eligible_groups"].queryset = CountryGroup.objects.order_by("name")
        if self.instance.pk:
            self.fields["countries"].initial = list(
                self.instance.eligible_countries.values_list("country", flat=True)
            )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The window cannot end before it opens.")
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and high < low:
            self.add_error("amount_max", "The largest amount cannot be below the smallest.")
        return cleaned


class WeCanHelpForm(MoneyFormMixin, forms.Form):
    amount_fields = ("amount",)
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label="On behalf of")
    offer = forms.ModelChoiceField(
        queryset=SupportOffer.objects.none(), required=False, label="Through the offer"
    )
    amount = forms.DecimalField(
        required=False, max_digits=16, decimal_places=2, label="Amount you could commit"
    )
    currency = currency_field()
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What you can offer",
        help_text="The secretariat and the partnership's focal points read it.",
    )
    above_request_confirmed = forms.BooleanField(
        required=False, label="I know this is above the request"
    )

    def __init__(self, *args, members, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["offer"].queryset = offers
        if len(members) == 1:
            self.fields["member"].initial = members[0]

    def clean(self):
        cleaned = super().clean()
        offer, member = cleaned.get("offer"), cleaned.get("member")
        if offer is not None and member is not None and offer.member_id != member.pk:
            self.add_error("offer", f"This offer is not one of {member}'s.")
        return cleaned


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(label="New status")
    on = forms.DateField(label="Date", widget=DateInput())

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s, label) for s, label in SupportCommitment.Status.choices if s in statuses
        ]
