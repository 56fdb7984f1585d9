"""The invitation link: a one-time, expiring way in for a member's editors."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leadit.accounts import AccountAdapter
from members import services
from members.models import Invitation, MembershipRole
from tests.factories.members import MemberFactory
from tests.factories.users import UserFactory

User = get_user_model()
NEW_PASSWORD = "a-Long-and-new-pass-7"


def invite(member, email="new.editor@member.example"):
    """Create an invitation the way the admin does; return it and the key from the e-mail."""
    invitation = services.invitation_create(
        member=member, email=email, invited_by=None, base_url="http://testserver/"
    )
    key = re.search(r"/members/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    return invitation, key


def url(key):
    return reverse("members:invitation", kwargs={"key": key})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Links that do not work ------------------------------------------------------------------


@pytest.mark.django_db
def test_invitation_with_forged_key_is_not_valid(client):
    MemberFactory()

    response = client.get(url("forged-key-that-was-never-issued"))

    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()
    assert "Create your account" not in response.content.decode()


@pytest.mark.django_db
def test_invitation_expired_says_so_and_opens_no_signup(client):
    invitation, key = invite(MemberFactory(name="Sweden"))
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.get(url(key))
    posted = client.post(url(key))

    assert response.status_code == posted.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert AccountAdapter.INVITATION_SESSION_KEY not in client.session
    assert "Sign-up is by invitation" in client.get(reverse("account_signup")).content.decode()


@pytest.mark.django_db
def test_invitation_revoked_says_so_and_grants_nothing(client):
    invitation, key = invite(MemberFactory())
    services.invitation_revoke(invitation=invitation)
    user = UserFactory(email=invitation.email)
    client.force_login(user)

    response = client.get(url(key))
    posted = client.post(url(key))

    assert response.status_code == posted.status_code == 410
    assert "This invitation has been withdrawn" in response.content.decode()
    assert not MembershipRole.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_invitation_expired_while_in_session_closes_signup(client):
    invitation, key = invite(MemberFactory())
    client.post(url(key))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    response = client.post(
        reverse("account_signup"),
        {"email": invitation.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert "Sign-up is by invitation" in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.django_db
def test_signup_without_invitation_stays_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "walk-in@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert "Sign-up is by invitation" in response.content.decode()
    assert not User.objects.filter(email="walk-in@example.org").exists()


# --- A new person: sign-up through the invitation --------------------------------------------


@pytest.mark.django_db
def test_invitation_for_new_address_explains_and_offers_an_account(client):
    _, key = invite(MemberFactory(name="Sweden"), email="anna@sweden.example")

    response = client.get(url(key))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Invitation to keep Sweden" in page
    assert "<strong>anna@sweden.example</strong>" in page
    assert "Create your account" in page
    assert "Sign in to accept" not in page


@pytest.mark.django_db
def test_invitation_signup_end_to_end_makes_a_signed_in_editor(client):
    member = MemberFactory(name="Sweden", slug="sweden")
    invitation, key = invite(member, email="anna@sweden.example")

    client.get(url(key))
    to_signup = client.post(url(key))
    signup_page = client.get(to_signup["Location"])
    signed_up = client.post(
        to_signup["Location"],
        {
            "email": "anna@sweden.example",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "next": reverse("members:edit", kwargs={"slug": "sweden"}),
        },
    )

    assert to_signup.status_code == 302
    assert to_signup["Location"].startswith(
        reverse("account_signup") + "?email=anna%40sweden.example"
    )
    page = signup_page.content.decode()
    assert "Create your account" in page
    assert "<strong>Sweden</strong>" in page
    assert "<strong>anna@sweden.example</strong>" in page
    assert 'value="anna@sweden.example"' in page
    # Signed in straight away (no e-mail verification step) and sent to the member's pages.
    assert signed_up.status_code == 302
    assert signed_up["Location"] == reverse("members:edit", kwargs={"slug": "sweden"})
    user = User.objects.get(email="anna@sweden.example")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "Welcome! You can now keep Sweden's page up to date." in messages_of(signed_up)
    assert MembershipRole.objects.filter(
        user=user, member=member, role=MembershipRole.Role.EDITOR
    ).exists()
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == user
    assert AccountAdapter.INVITATION_SESSION_KEY not in client.session
    assert not [m for m in mail.outbox if "confirm" in m.subject.lower()]
    edit_page = client.get(signed_up["Location"])
    assert edit_page.status_code == 200


@pytest.mark.django_db
def test_invitation_used_once_cannot_be_used_again(client):
    member = MemberFactory()
    invitation, key = invite(member, email="anna@sweden.example")
    client.post(url(key))
    client.post(
        reverse("account_signup"),
        {"email": invitation.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.logout()

    response = client.get(url(key))
    posted = client.post(url(key))
    signup = client.get(reverse("account_signup"))

    assert response.status_code == posted.status_code == 410
    assert "This invitation has already been used" in response.content.decode()
    assert "Sign-up is by invitation" in signup.content.decode()
    assert User.objects.filter(email=invitation.email).count() == 1


@pytest.mark.django_db
def test_invitation_signup_with_another_address_is_refused(client):
    invitation, key = invite(MemberFactory(), email="anna@sweden.example")
    client.post(url(key))

    response = client.post(
        reverse("account_signup"),
        {"email": "someone@else.example", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Use the address the invitation was sent to: anna@sweden.example" in (
        response.content.decode()
    )
    assert not User.objects.filter(email="someone@else.example").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# --- Someone who already has an account ------------------------------------------------------


@pytest.mark.django_db
def test_invitation_for_existing_account_asks_to_sign_in(client):
    UserFactory(email="anna@sweden.example")
    _, key = invite(MemberFactory(), email="anna@sweden.example")

    response = client.get(url(key))
    posted = client.post(url(key))

    page = response.content.decode()
    assert "Sign in to accept" in page
    assert f'href="{reverse("account_login")}?next=%2Fmembers%2Finvitations%2F{key}%2F"' in page
    assert "Create your account" not in page
    assert posted["Location"] == url(key)
    assert AccountAdapter.INVITATION_SESSION_KEY not in client.session


@pytest.mark.django_db
def test_invitation_accepted_by_the_signed_in_invited_user(client):
    member = MemberFactory(name="Sweden", slug="sweden")
    user = UserFactory(email="anna@sweden.example")
    invitation, key = invite(member, email="Anna@Sweden.example")
    client.force_login(user)

    page = client.get(url(key)).content.decode()
    response = client.post(url(key))

    assert "Accept the invitation" in page
    assert response.status_code == 302
    assert response["Location"] == reverse("members:edit", kwargs={"slug": "sweden"})
    assert "Invitation accepted: you are now an editor of Sweden." in messages_of(response)
    assert MembershipRole.objects.filter(user=user, member=member).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


@pytest.mark.django_db
def test_invitation_refused_for_another_signed_in_address(client):
    member = MemberFactory()
    other = UserFactory(email="bob@elsewhere.example")
    invitation, key = invite(member, email="anna@sweden.example")
    client.force_login(other)

    page = client.get(url(key)).content.decode()
    response = client.post(url(key), follow=True)

    assert "You are signed in as <strong>bob@elsewhere.example</strong>" in page
    assert "Sign out" in page
    assert "Accept the invitation" not in page
    assert (
        "This invitation is for anna@sweden.example; you are signed in as bob@elsewhere.example."
        in response.content.decode()
    )
    assert not MembershipRole.objects.filter(user=other).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_invitation_sign_out_returns_to_the_invitation(client):
    other = UserFactory(email="bob@elsewhere.example")
    _, key = invite(MemberFactory(), email="anna@sweden.example")
    client.force_login(other)

    response = client.post(reverse("account_logout"), {"next": url(key)})

    assert response["Location"] == url(key)
    assert "Create your account" in client.get(url(key)).content.decode()
