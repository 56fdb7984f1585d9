"""Focal points' invitations: staff invite an address to keep one partnership as they
invite a member's editors (the shared leadit/invitation_admin.py), through the focal point
services: the add page makes the invitation and e-mails its link after commit; actions
resend (a new link) and revoke."""

from django.contrib import admin

from leadit.invitation_admin import InvitationAdminMixin, InvitationStateFilter

from ..forms.invitations import FocalPointInvitationAddForm
from ..models import FocalPointInvitation
from ..services.invitations import (
    focal_point_invitation_create,
    focal_point_invitation_resend,
    focal_point_invitation_revoke,
)
from .common import PortalAdmin


@admin.register(FocalPointInvitation)
class FocalPointInvitationAdmin(InvitationAdminMixin, PortalAdmin):
    add_form = FocalPointInvitationAddForm
    list_display = ["email", "partnership", "state_display", "sent_at", "expires_at",
                    "send_count"]  # fmt: skip
    list_filter = [InvitationStateFilter, "partnership"]
    list_select_related = ["partnership"]
    search_fields = ["email", "partnership__name"]
    autocomplete_fields = ["partnership"]
    date_hierarchy = "created_at"
    readonly_fields = ["email", "partnership", "state_display", "invited_by", "created_at",
                       "sent_at", "send_count", "expires_at", "accepted_at", "accepted_by",
                       "revoked_at"]  # fmt: skip

    def invitation_create(self, request, cleaned_data, base_url):
        return focal_point_invitation_create(
            partnership=cleaned_data["partnership"],
            email=cleaned_data["email"],
            invited_by=request.user,
            base_url=base_url,
        )

    def invitation_resend(self, invitation, base_url):
        return focal_point_invitation_resend(invitation=invitation, base_url=base_url)

    def invitation_revoke(self, invitation):
        return focal_point_invitation_revoke(invitation=invitation)
