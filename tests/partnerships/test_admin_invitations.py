"""Staff invite a partnership's focal point from the admin as they invite a member's
editor: the add page e-mails a one-time link after commit; signing up through it makes a
focal point of that partnership only; resend gives a new link, revoke closes it."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.services import invitation_create
from partnerships.models import FocalPoint, FocalPointInvitation
from tests.factories.members import MemberFactory
from tests.factories.partnerships import (
    FocalPointFactory,
    FocalPointInvitationFactory,
    PartnershipFactory,
)
from tests.factories.users import PASSWORD

pytestmark = pytest.mark.django_db

ADD = "/admin/partnerships/focalpointinvitation/add/"
LIST = "/admin/partnerships/focalpointinvitation/"


def link_in(message) -> str:
    return re.search(r"http://testserver(/partnerships/invitations/[^/\s]+/)", message.body)[1]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.fixture
def kenya(db):
    return PartnershipFactory(country="KE", name="Kenya")


@pytest.fixture
def invite(staff_client, django_capture_on_commit_callbacks):
    """Post the add form as staff, running what waits for the commit (the e-mail)."""

    def post(partnership, email, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return staff_client.post(
                ADD, {"partnership": partnership.pk, "email": email}, follow=True, **extra
            )

    return post


def test_add_page_asks_only_partnership_and_address(staff_client):
    page = staff_client.get(ADD)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="partnership"' in html and 'name="email"' in html
    assert 'name="key_hash"' not in html and 'name="expires_at"' not in html


def test_staff_invitation_emails_a_link_that_makes_a_focal_point_of_that_partnership_only(
    invite, kenya, staff_user
):
    other = PartnershipFactory(country="IN", name="India")

    response = invite(kenya, "Wanjiru@Kenya.example")

    assert "Invitation e-mailed to wanjiru@kenya.example." in response.content.decode()
    invitation = FocalPointInvitation.objects.get()
    assert (invitation.email, invitation.partnership, invitation.invited_by) == (
        "wanjiru@kenya.example",
        kenya,
        staff_user,
    )
    assert invitation.send_count == 1
    (message,) = mail.outbox
    assert message.to == ["wanjiru@kenya.example"]
    newcomer = Client()
    signup = newcomer.post(link_in(message), follow=True).content.decode()
    assert "Create your account" in signup
    assert "invitation to be a focal point of Kenya, keeping its requests" in text_of(signup)
    newcomer.post(
        reverse("account_signup"),
        {"email": "wanjiru@kenya.example", "password1": PASSWORD, "password2": PASSWORD},
    )
    focal = FocalPoint.objects.get()
    assert (focal.user.email, focal.partnership) == ("wanjiru@kenya.example", kenya)
    assert newcomer.get(reverse("partnerships:manage", args=["ke"])).status_code == 200
    assert newcomer.get(reverse("partnerships:manage", args=["in"])).status_code == 404
    assert not other.focal_points.exists()


def test_a_second_open_invitation_to_the_same_address_is_a_form_error(invite, kenya):
    invite(kenya, "wanjiru@kenya.example")

    response = invite(kenya, "WANJIRU@kenya.example")

    html = response.content.decode()
    assert "wanjiru@kenya.example already has an open invitation to Kenya:" in html
    assert "is violated" not in html
    assert FocalPointInvitation.objects.count() == 1
    assert len(mail.outbox) == 1
    # Another partnership may invite the same person.
    invite(PartnershipFactory(country="IN", name="India"), "wanjiru@kenya.example")
    assert FocalPointInvitation.objects.count() == 2


def test_an_existing_focal_point_is_not_invited_again(invite, kenya):
    FocalPointFactory(partnership=kenya, user__email="wanjiru@kenya.example")

    response = invite(kenya, "wanjiru@kenya.example")

    assert "wanjiru@kenya.example is already a focal point of Kenya." in (response.content.decode())
    assert not FocalPointInvitation.objects.exists() and not mail.outbox


def test_resend_rotates_the_link_and_revoke_closes_it(
    invite, kenya, staff_client, django_capture_on_commit_callbacks
):
    invite(kenya, "wanjiru@kenya.example")
    invitation = FocalPointInvitation.objects.get()
    old_link = link_in(mail.outbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        resent = staff_client.post(
            LIST, {"action": "resend", "_selected_action": [invitation.pk]}, follow=True
        )

    assert "1 invitation(s) sent again with a new link." in resent.content.decode()
    new_link = link_in(mail.outbox[1])
    anonymous = Client()
    assert anonymous.get(old_link).status_code == 404
    assert anonymous.get(new_link).status_code == 200
    invitation.refresh_from_db()
    assert invitation.send_count == 2

    revoked = staff_client.post(
        LIST, {"action": "revoke", "_selected_action": [invitation.pk]}, follow=True
    )
    assert "1 invitation(s) revoked." in revoked.content.decode()
    assert anonymous.get(new_link).status_code == 410
    again = staff_client.post(
        LIST, {"action": "resend", "_selected_action": [invitation.pk]}, follow=True
    )
    assert "Invitation of wanjiru@kenya.example: This invitation is revoked." in (
        again.content.decode()
    )
    assert len(mail.outbox) == 2


def test_the_list_shows_each_invitations_state(staff_client, kenya):
    FocalPointInvitationFactory(partnership=kenya, email="open@kenya.example")
    FocalPointInvitationFactory(
        partnership=kenya, email="gone@kenya.example", revoked_at=timezone.now()
    )

    pending = staff_client.get(LIST + "?state=pending").content.decode()

    assert "open@kenya.example" in pending and "Pending" in pending
    assert "gone@kenya.example" not in pending


def test_a_member_editors_signup_page_still_names_the_member(
    staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            member=MemberFactory(name="Sweden"),
            email="anna@sweden.example",
            invited_by=staff_user,
            base_url="http://testserver/",
        )
    link = re.search(r"http://testserver(/members/invitations/[^/\s]+/)", mail.outbox[0].body)[1]

    signup = text_of(Client().post(link, follow=True).content.decode())

    assert "invitation to keep Sweden's page up to date" in signup
    assert "focal point" not in signup
