"""Signing in: e-mail login, closed sign-up, rate limits, no enumeration, MFA for staff."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories.users import PASSWORD, StaffFactory, UserFactory, totp_code

LOGIN = "/accounts/login/"
WRONG_CREDENTIALS = "The email address and/or password you specified are not correct."


@pytest.mark.django_db
def test_login_with_email_and_password_signs_the_user_in(client):
    user = UserFactory(email="editor@member.example")

    response = client.post(LOGIN, {"login": "editor@member.example", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")
    page = client.get(reverse("home")).content.decode()
    assert f"Signed in as <strong>{user.email}</strong>" in page


@pytest.mark.django_db
def test_login_with_unverified_email_asks_for_verification(client):
    UserFactory(email="new@member.example", verified_email=False)

    response = client.post(LOGIN, {"login": "new@member.example", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert mail.outbox[-1].to == ["new@member.example"]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_does_not_reveal_whether_an_account_exists(client):
    UserFactory(email="known@member.example")

    unknown = client.post(LOGIN, {"login": "nobody@member.example", "password": "whatever12"})
    wrong = client.post(LOGIN, {"login": "known@member.example", "password": "whatever12"})

    assert WRONG_CREDENTIALS in unknown.content.decode()
    assert WRONG_CREDENTIALS in wrong.content.decode()


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_unknown_and_known_addresses(client):
    UserFactory(email="known@member.example")
    url = reverse("account_reset_password")

    known = client.post(url, {"email": "known@member.example"})
    unknown = client.post(url, {"email": "nobody@member.example"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")


@pytest.mark.django_db
def test_login_after_five_wrong_passwords_is_rate_limited(client):
    UserFactory(email="target@member.example")
    for _ in range(5):
        client.post(LOGIN, {"login": "target@member.example", "password": "wrong-password"})

    # Even the right password is refused until the limit has passed.
    response = client.post(LOGIN, {"login": "target@member.example", "password": PASSWORD})

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_is_closed_without_an_invitation(client):
    response = client.get(reverse("account_signup"))
    posted = client.post(
        reverse("account_signup"),
        {
            "email": "walk-in@example.org",
            "password1": "a-Long-pass-1",
            "password2": "a-Long-pass-1",
        },
    )

    assert "Sign-up is by invitation" in response.content.decode()
    assert "Sign-up is by invitation" in posted.content.decode()
    assert not UserFactory._meta.model.objects.filter(email="walk-in@example.org").exists()


@pytest.mark.django_db
def test_admin_sends_anonymous_visitors_to_the_portal_login(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "Site administration" not in response.content.decode()
    assert "Portal administration" not in response.content.decode()


@pytest.mark.django_db
def test_admin_refuses_signed_in_non_staff_without_showing_admin_content(member_client):
    response = member_client.get("/admin/", follow=True)

    page = response.content.decode()
    assert response.status_code == 403
    assert "Portal administration" not in page
    assert "The administration is for the secretariat" in page


@pytest.mark.django_db
def test_staff_without_authenticator_is_sent_to_set_one_up(client):
    staff = StaffFactory(totp=False)
    client.force_login(staff)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_staff_login_asks_for_the_authenticator_code_before_the_admin(client):
    staff = StaffFactory(email="officer@secretariat.example.org")

    first = client.post(LOGIN, {"login": staff.email, "password": PASSWORD})
    assert first["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in yet

    second = client.post(reverse("mfa_authenticate"), {"code": totp_code(staff.totp_secret)})
    assert second.status_code == 302

    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert "Portal administration" in admin.content.decode()


@pytest.mark.django_db
def test_staff_login_with_a_wrong_code_does_not_reach_the_admin(client):
    staff = StaffFactory()
    client.post(LOGIN, {"login": staff.email, "password": PASSWORD})

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert "Incorrect code." in response.content.decode()
    assert client.get("/admin/").status_code == 302
