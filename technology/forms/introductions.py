"""Forms of the introductions: asking (on behalf of one of the user's own members or
partnerships) and answering."""

from django import forms
from django.core.exceptions import ValidationError

from leadit.validators import SingleLineFieldsMixin

from ..services.introductions import MESSAGE_MAX_LENGTH, clean_text

MESSAGE_ERRORS = {"required": "Write a message: say why you would like to be introduced."}


def _cleaned(field: str, value: str, *, required: bool) -> str:
    try:
        return clean_text(value, field=field, required=required)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict[field]) from None


class IntroductionRequestForm(SingleLineFieldsMixin, forms.Form):
    """``on_behalf_of`` offers only the user's own members and partnerships: another
    one's id is "not one of the choices", and nothing is written."""

    on_behalf_of = forms.ChoiceField(label="On behalf of")
    message = forms.CharField(
        label="Your message",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why you would like to be introduced and what you hope to discuss. The "
        "other side and the secretariat read it; your contact details are shared only if "
        "they accept.",
        error_messages=MESSAGE_ERRORS,
    )

    def __init__(self, *args, requesters, **kwargs):
        super().__init__(*args, **kwargs)
        self.requesters = {f"member-{m.pk}": m for m in requesters.members}
        self.requesters.update({f"partnership-{p.pk}": p for p in requesters.partnerships})
        field = self.fields["on_behalf_of"]
        field.choices = [
            (key, f"{value} (partnership)" if key.startswith("partnership") else str(value))
            for key, value in self.requesters.items()
        ]
        field.error_messages["invalid_choice"] = (
            "Choose one of your own members or partnerships: you may ask only on their behalf."
        )
        if len(self.requesters) == 1:
            field.initial = next(iter(self.requesters))
            field.widget = forms.HiddenInput()
        self.only_requester = (
            next(iter(self.requesters.values())) if len(self.requesters) == 1 else None
        )

    def clean_message(self):
        return _cleaned("message", self.cleaned_data["message"], required=True)

    def requester_kwargs(self) -> dict:
        """``member=`` or ``partnership=`` for the service."""
        key = self.cleaned_data["on_behalf_of"]
        kind = "member" if key.startswith("member-") else "partnership"
        return {kind: self.requesters[key]}


class IntroductionAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        error_messages={"required": "Choose to accept or to decline the introduction."},
    )
    note = forms.CharField(
        label="A note for them (optional)",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent with your answer.",
    )

    def clean_note(self):
        return _cleaned("note", self.cleaned_data["note"], required=False)
