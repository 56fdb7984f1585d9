"""Focal points' invitations: an e-mailed one-time link (only its hash stored) that opens
sign-up or, for a signed-in invited user, makes them a focal point; members' invitations
keep working beside them."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from leadit.invitations import INVITATION_SESSION_KEY, hash_invitation_key
from partnerships.models import FocalPoint, FocalPointInvitation
from partnerships.services.invitations import (
    focal_point_invitation_create,
    focal_point_invitation_revoke,
)
from tests.factories.partnerships import PartnershipFactory
from tests.factories.users import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _invite(staff_user, email="new.focal@kenya.example"):
    partnership = PartnershipFactory(country="KE", name="Kenya")
    invitation = focal_point_invitation_create(
        partnership=partnership, email=email, invited_by=staff_user, base_url="http://testserver"
    )
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/partnerships/invitations/\S+/)", message.body).group(1)
    return invitation, link


def test_only_the_hash_of_the_key_is_stored_and_the_link_is_emailed(staff_user):
    invitation, link = _invite(staff_user)
    key = link.rstrip("/").rsplit("/", 1)[1]
    invitation.refresh_from_db()
    assert invitation.key_hash == hash_invitation_key(key) and key not in invitation.key_hash
    assert invitation.sent_at is not None


def test_signup_through_the_invitation_makes_a_focal_point(client, staff_user):
    invitation, link = _invite(staff_user)
    response = client.post(link)
    assert response["Location"].startswith(reverse("account_signup"))
    client.post(
        reverse("account_signup"),
        {"email": invitation.email, "password1": PASSWORD, "password2": PASSWORD},
    )
    focal = FocalPoint.objects.get()
    assert (focal.user.email, focal.partnership) == (invitation.email, invitation.partnership)
    assert INVITATION_SESSION_KEY not in client.session
    assert client.get(reverse("partnerships:manage", args=["ke"])).status_code == 200


def test_a_signed_in_invited_user_accepts_once(client, staff_user):
    user = UserFactory(email="new.focal@kenya.example")
    _invitation, link = _invite(staff_user)
    client.force_login(user)
    assert client.post(link)["Location"] == reverse("partnerships:manage", args=["ke"])
    assert FocalPoint.objects.filter(user=user).exists()
    assert client.get(link).status_code == 410


def test_a_revoked_or_unknown_link_opens_nothing(client, staff_user):
    invitation, link = _invite(staff_user)
    focal_point_invitation_revoke(invitation=invitation)
    assert client.post(link).status_code == 410
    assert client.get("/partnerships/invitations/not-a-key/").status_code == 404
    assert client.get(reverse("account_signup")).status_code != 200 or (
        INVITATION_SESSION_KEY not in client.session
    )
    assert not FocalPoint.objects.exists()
    assert FocalPointInvitation.objects.get().revoked_at is not None
