"""Staff invite a member's editor, who signs up, publishes progress and sees it public."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories.members import EditorFactory, MemberFactory
from tests.factories.users import StaffFactory

NEW_PASSWORD = "Steel-and-hydrogen-2050"


@pytest.mark.django_db(transaction=True)
def test_invited_editor_publishes_progress_and_others_cannot_edit(
    page, browser, live_server, sign_in, axe_check, csp_violations
):
    member = MemberFactory(name="Demo Republic", slug="demo-republic")
    other_editor = EditorFactory()

    # Staff invite an editor from the admin.
    sign_in(page, StaffFactory())
    page.goto(live_server.url + "/admin/members/invitation/add/")
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Demo Rep")
    page.locator(".select2-results__option", has_text="Demo Republic").click()
    page.get_by_label("Email").fill("minister.office@demo-republic.example")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("minister.office@demo-republic.example")

    # The invited person opens the e-mailed link in their own browser.
    (invitation_email,) = mail.outbox
    link = re.search(r"https?://\S+/members/invitations/\S+/", invitation_email.body).group(0)
    invited = browser.new_context().new_page()
    invited.goto(live_server.url + link[link.index("/members/") :])
    expect(invited.get_by_role("heading", level=1)).to_contain_text("Demo Republic")
    axe_check(invited)
    invited.get_by_role("button", name="Create your account").click()
    axe_check(invited)
    invited.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    invited.get_by_label(re.compile(r"^Password \(again\)")).fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Create account").click()

    # Straight to the member's editing home: write and publish an update.
    expect(invited).to_have_url(live_server.url + "/members/demo-republic/edit/")
    invited.get_by_role("link", name="New progress update").first.click()
    invited.get_by_label("Title").fill("Green steel procurement rules adopted")
    invited.get_by_label("Update").fill("We adopted **new** procurement rules.")
    invited.get_by_role("button", name="Save and publish").click()

    invited.goto(live_server.url + "/members/demo-republic/")
    timeline = invited.get_by_role("region", name="Progress updates")
    expect(timeline).to_contain_text("Green steel procurement rules adopted")
    axe_check(invited)

    # Another member's editor cannot open this member's editing pages.
    intruder = browser.new_context().new_page()
    sign_in(intruder, other_editor)
    response = intruder.goto(live_server.url + "/members/demo-republic/edit/")
    assert response.status == 404
    expect(intruder.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert member.progress_updates.get().author.email == "minister.office@demo-republic.example"
    assert csp_violations == []
