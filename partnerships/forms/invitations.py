"""Staff's form to invite a partnership's focal point (the admin's add page)."""

from django import forms
from django.core.exceptions import ValidationError

from leadit.invitations import INVITATION_VALID_DAYS

from ..models import FocalPointInvitation


class FocalPointInvitationAddForm(forms.ModelForm):
    """A partnership and an address; the service makes the link and e-mails it."""

    class Meta:
        model = FocalPointInvitation
        fields = ["partnership", "email"]
        help_texts = {
            "email": "The person gets an e-mail with a one-time link; it expires in "
            f"{INVITATION_VALID_DAYS} days. Signing up through it makes them a focal point "
            "of this partnership only.",
        }

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        partnership, email = cleaned.get("partnership"), cleaned.get("email")
        if partnership and email:
            if partnership.invitations.filter(
                email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
            ).exists():
                raise ValidationError(
                    f"{email} already has an open invitation to {partnership}: "
                    "resend that one (or revoke it first)."
                )
            if partnership.focal_points.filter(user__email__iexact=email).exists():
                raise ValidationError(f"{email} is already a focal point of {partnership}.")
        return cleaned
