"""What the partnerships forms share: Markdown help, dates, money fields, and service
errors put on the form's fields."""

from django import forms
from django.core.exceptions import ValidationError

from leadit.validators import SingleLineFieldsMixin

from ..money import clean_amount, clean_currency, known_currencies

MARKDOWN_HELP = (
    "Markdown: **bold**, *italic*, [a link](https://example.org), a blank line between "
    "paragraphs, “- ” at the start of a line for a list. HTML is removed."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def currency_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=3,
        help_text="ISO code, e.g. USD, EUR or INR; the amounts are also shown in US dollars "
        "at the secretariat's rate.",
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )


class MoneyFormMixin(SingleLineFieldsMixin):
    """Amount fields (``amount_fields``) refuse negative and absurd numbers; the currency
    must be one the secretariat keeps a rate for, and is needed when an amount is given."""

    amount_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].help_text += " Known: " + ", ".join(known_currencies()) + "."

    def clean_currency(self):
        return clean_currency(self.cleaned_data.get("currency"))

    def clean(self):
        cleaned = super().clean()
        for name in self.amount_fields:
            value = cleaned.get(name)
            try:
                clean_amount(value, label=str(self.fields[name].label or "The amount"))
            except ValidationError as exc:
                self.add_error(name, exc)
        has_amount = any(cleaned.get(name) is not None for name in self.amount_fields)
        if has_amount and not cleaned.get("currency") and "currency" not in self.errors:
            self.add_error("currency", "Give the currency of the amount.")
        return cleaned


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError on ``form``: on the field it names when the form has
    that field, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
