"""Forms of the events pages: the list's filters are read in the view; this is the form a
member user fills in to register a delegate."""

from django import forms

from leadit.validators import SingleLineFieldsMixin
from members.models import Member

from .models import Registration


class RegistrationForm(SingleLineFieldsMixin, forms.Form):
    """A delegate of one of the user's own members. With one member the choice is implicit
    (a hidden field); with several, a select."""

    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        empty_label=None,
        label="Registering for",
        help_text="The member organisation the delegate represents.",
    )
    name = forms.CharField(max_length=200, label="Delegate's name")
    email = forms.EmailField(label="Delegate's e-mail address")
    role = forms.CharField(
        max_length=200, required=False, label="Role", help_text="For example: Head of delegation."
    )
    attendance_mode = forms.ChoiceField(
        choices=Registration.Mode.choices,
        initial=Registration.Mode.IN_PERSON,
        label="Attendance",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        if len(members) == 1:
            self.fields["member"].widget = forms.HiddenInput()
            self.fields["member"].initial = members[0].pk
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["role"].widget.attrs["autocomplete"] = "organization-title"
