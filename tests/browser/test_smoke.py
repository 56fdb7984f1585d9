"""A visitor opens the portal; a staff member signs in with password and authenticator."""

import pytest
from playwright.sync_api import expect

from tests.factories.users import PASSWORD, StaffFactory, totp_code


@pytest.mark.django_db(transaction=True)
def test_home_page_and_staff_sign_in(page, live_server, axe_check, csp_violations):
    staff = StaffFactory(email="officer@secretariat.example.org")

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Leadership Group for Industry Transition"
    )
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_count(7)
    axe_check(page)

    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    axe_check(page)
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server.url + "/accounts/2fa/authenticate/")
    axe_check(page)
    page.get_by_label("Code").fill(totp_code(staff.totp_secret))
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_text(f"Signed in as {staff.email}", exact=True)).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name="Admin", exact=True).click()
    expect(page.get_by_role("heading", name="Portal administration")).to_be_visible()
    assert csp_violations == []
