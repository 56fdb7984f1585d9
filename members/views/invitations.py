"""The invitation link: /members/invitations/<key>/ (public; the key is the credential)."""

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from leadit.invitations import account_exists as _account_exists
from leadit.invitations import invitation_open_signup

from .. import services
from ..models import Invitation

logger = logging.getLogger(__name__)

# Unknown keys answer 404; keys that were good once answer 410 Gone.
_STATUS = {None: 404}


@never_cache
def invitation_detail(request, key):
    invitation = services.invitation_find(key=key)
    if invitation is None or not invitation.is_usable:
        if invitation is None:
            logger.info("Unknown invitation key requested")
        state = invitation.state if invitation else None
        return render(
            request,
            "members/invitation_unusable.html",
            {"state": state, "State": Invitation.State},
            status=_STATUS.get(state, 410),
        )

    user = request.user
    signed_in_as_invited = user.is_authenticated and user.email.lower() == invitation.email.lower()
    account_exists = not user.is_authenticated and _account_exists(invitation.email)

    if request.method == "POST":
        if user.is_authenticated:
            try:
                services.invitation_accept(invitation=invitation, user=user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(request.path)
            messages.success(
                request, f"Invitation accepted: you are now an editor of {invitation.member}."
            )
            return redirect("members:edit", slug=invitation.member.slug)
        if not account_exists:
            return invitation_open_signup(
                request,
                key=key,
                email=invitation.email,
                next_url=reverse("members:edit", kwargs={"slug": invitation.member.slug}),
            )
        messages.info(request, "You already have an account: sign in to accept.")
        return redirect(request.path)

    return render(
        request,
        "members/invitation_detail.html",
        {
            "invitation": invitation,
            "signed_in_as_invited": signed_in_as_invited,
            "account_exists": account_exists,
            "login_url": reverse("account_login") + "?" + urlencode({"next": request.path}),
        },
    )
