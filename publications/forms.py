"""Forms of the publications pages: the newsletter sign-up."""

from django import forms

from leadit.validators import SingleLineFieldsMixin


class SubscribeForm(SingleLineFieldsMixin, forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="We send a link to this address; the subscription starts when you open it.",
    )
    name = forms.CharField(label="Name (optional)", max_length=200, required=False)
    # A honeypot: hidden from people (and from screen readers), filled in by form robots.
    website = forms.CharField(label="Leave this field empty", required=False)
    single_line_exempt = ("website",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
