"""A focal point's invitation link: /partnerships/invitations/<key>/ (public; the key is
the credential). The same steps as members' invitations, through leadit/invitations.py."""

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from leadit.invitations import (
    InvitationState,
    account_exists,
    invitation_open_signup,
    invitation_state,
)

from ..services.invitations import focal_point_invitation_accept, focal_point_invitation_find

logger = logging.getLogger(__name__)


def _manage_url(invitation) -> str:
    return reverse(
        "partnerships:manage", kwargs={"iso2": invitation.partnership.country.code.lower()}
    )


@never_cache
def invitation_detail(request, key):
    invitation = focal_point_invitation_find(key=key)
    state = invitation_state(invitation) if invitation else None
    if state != InvitationState.PENDING:
        if invitation is None:
            logger.info("Unknown focal point invitation key requested")
        return render(
            request,
            "members/invitation_unusable.html",
            {"state": state, "State": InvitationState},
            status=404 if invitation is None else 410,
        )
    user = request.user
    exists = not user.is_authenticated and account_exists(invitation.email)
    if request.method == "POST":
        if user.is_authenticated:
            try:
                focal_point_invitation_accept(invitation=invitation, user=user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(request.path)
            messages.success(
                request, f"Invitation accepted: you are a focal point of {invitation.partnership}."
            )
            return redirect(_manage_url(invitation))
        if not exists:
            return invitation_open_signup(
                request, key=key, email=invitation.email, next_url=_manage_url(invitation)
            )
        messages.info(request, "You already have an account: sign in to accept.")
        return redirect(request.path)
    return render(
        request,
        "partnerships/manage/invitation_detail.html",
        {
            "invitation": invitation,
            "signed_in_as_invited": user.is_authenticated
            and user.email.lower() == invitation.email.lower(),
            "account_exists": exists,
            "login_url": reverse("account_login") + "?" + urlencode({"next": request.path}),
        },
    )
