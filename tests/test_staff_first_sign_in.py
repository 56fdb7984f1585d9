"""A staff member's first sign-in in the production shape (staff MFA required): password
once, authenticator setup, recovery codes, then on to the page they asked for (issue 13,
item 7)."""

import re
from html import unescape

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories.users import PASSWORD, StaffFactory, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


@pytest.fixture(autouse=True)
def _production_shape(settings):
    settings.LEADIT_STAFF_MFA_REQUIRED = True


def _secret(page: str) -> str:
    """The authenticator secret the setup page shows (for typing into the app)."""
    match = re.search(r"id=\"authenticator_secret\"[^>]*value=\"([A-Z2-7]+)\"", page) or re.search(
        r"value=\"([A-Z2-7]+)\"[^>]*id=\"authenticator_secret\"", page
    )
    assert match, "the setup page shows no secret"
    return match.group(1)


def test_first_sign_in_goes_through_setup_and_ends_on_the_admin(client):
    staff = StaffFactory(email="officer@secretariat.example.org", totp=False)

    # The admin sends a visitor to the portal's login, keeping where they were going.
    to_login = client.get("/admin/")
    assert to_login.status_code == 302 and "next=/admin/" in unescape(to_login["Location"])
    signed_in = client.post(
        f"{LOGIN}?next=/admin/", {"login": staff.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert signed_in["Location"] == "/admin/"

    # No authenticator yet: sent to set one up — and not asked for the password again.
    to_setup = client.get("/admin/")
    assert to_setup["Location"] == reverse("mfa_activate_totp")
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200, setup.get("Location")
    page = setup.content.decode()
    assert 'name="password"' not in page

    activated = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(_secret(page))}, follow=True
    )

    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert activated.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    codes = activated.content.decode()
    assert "recovery_codes" in codes  # the codes are shown once, here
    assert 'name="password"' not in codes
    link = re.search(r'<a href="([^"]+)" id="continue-after-mfa-setup">([^<]+)</a>', codes)
    assert link, "no way on from the recovery codes"
    assert link.group(1) == "/admin/"
    assert "the secretariat's administration" in link.group(2)

    admin = client.get(link.group(1))
    assert admin.status_code == 200
    assert "Portal administration" in admin.content.decode()
    # Once there, the way on is forgotten: the account pages no longer offer it.
    again = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert "continue-after-mfa-setup" not in again


def test_a_later_sign_in_asks_for_the_code_and_keeps_next(client):
    staff = StaffFactory(email="officer@secretariat.example.org")

    first = client.post(
        f"{LOGIN}?next=/admin/members/member/",
        {"login": staff.email, "password": PASSWORD, "next": "/admin/members/member/"},
    )
    assert first["Location"] == reverse("mfa_authenticate")
    second = client.post(reverse("mfa_authenticate"), {"code": totp_code(staff.totp_secret)})

    assert second["Location"] == "/admin/members/member/"
    assert client.get(second["Location"]).status_code == 200


def test_a_sensitive_change_long_after_sign_in_still_asks_for_the_password(client, settings):
    """The sign-in stands in for a reauthentication only for as long as one would."""
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    staff = StaffFactory(totp=False)
    client.post(LOGIN, {"login": staff.email, "password": PASSWORD})

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
