"""What the admins of every kind of invitation share (a member's editors, a partnership's
focal points): the state filter and column, an add page that asks only what the
invitation is for and the address, then creates and e-mails it through the app's service
(never a bare save), and the resend (a new link) and revoke actions. Each app's admin
says which form and services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from .invitations import InvitationState, invitation_state


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return InvitationState.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        open_ = Q(accepted_at__isnull=True, revoked_at__isnull=True)
        return {
            InvitationState.PENDING: queryset.filter(open_, expires_at__gt=now),
            InvitationState.ACCEPTED: queryset.filter(accepted_at__isnull=False),
            InvitationState.REVOKED: queryset.filter(revoked_at__isnull=False),
            InvitationState.EXPIRED: queryset.filter(open_, expires_at__lte=now),
        }.get(self.value(), queryset)


class InvitationAdminMixin:
    """``add_form`` (its fields: what the invitation is for, then ``email``) and the
    services ``invitation_create(request, cleaned_data, base_url)``,
    ``invitation_resend(invitation, base_url)`` and ``invitation_revoke(invitation)``;
    ``readonly_fields`` is what an existing invitation's page shows."""

    add_form = None
    actions = ["resend", "revoke"]

    @admin.display(description="state")
    def state_display(self, invitation):
        return invitation_state(invitation).label

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.add_form._meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """A new invitation is made and e-mailed by the service; an existing one changes
        only through the actions."""
        if change:
            return
        created = self.invitation_create(
            request, form.cleaned_data, base_url=request.build_absolute_uri("/")
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        self.message_user(request, f"Invitation e-mailed to {created.email}.", messages.SUCCESS)

    @admin.action(description="Resend the selected invitations (new link)", permissions=["change"])
    def resend(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        sent = self._each_invitation(
            request, queryset, lambda invitation: self.invitation_resend(invitation, base_url)
        )
        if sent:
            self.message_user(
                request, f"{sent} invitation(s) sent again with a new link.", messages.SUCCESS
            )

    @admin.action(description="Revoke the selected invitations", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = self._each_invitation(request, queryset, self.invitation_revoke)
        if revoked:
            self.message_user(request, f"{revoked} invitation(s) revoked.", messages.SUCCESS)

    def _each_invitation(self, request, queryset, service) -> int:
        """``service`` on each selected invitation; each refusal is a message naming its
        address. How many went through."""
        done = 0
        for invitation in queryset.select_related(*self.list_select_related):
            try:
                service(invitation)
            except ValidationError as exc:
                self.message_user(
                    request,
                    f"Invitation of {invitation.email}: {' '.join(exc.messages)}",
                    messages.ERROR,
                )
            else:
                done += 1
        return done
