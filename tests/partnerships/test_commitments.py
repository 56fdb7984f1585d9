""" "We can help" and the commitments' statuses: proposed by a member editor, e-mailed to
the secretariat and the partnership's focal points after commit, updated by the editor."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from partnerships.models import SupportCommitment, SupportRequest
from partnerships.services.commitments import propose_commitment, set_commitment_status
from tests.factories.partnerships import (
    FocalPointFactory,
    SupportCommitmentFactory,
    SupportOfferFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(member_user):
    focal = FocalPointFactory(user__email="focal@kenya.example", partnership__country="KE")
    return SupportRequestFactory(partnership=focal.partnership, amount=Decimal("100000"))


def _help(client, need, member, **data):
    return client.post(
        reverse("partnerships:we_can_help", args=[need.pk]), {"member": member.pk, **data}
    )


def test_we_can_help_proposes_a_commitment(member_client, member_user, need):
    response = _help(member_client, need, member_user.member, note="Two engineers for a year.")
    assert response.status_code == 302
    commitment = SupportCommitment.objects.get()
    assert (commitment.status, commitment.member, commitment.proposed_by) == (
        "proposed", member_user.member, member_user,
    )  # fmt: skip
    listing = member_client.get(reverse("partnerships:my_commitments")).content.decode()
    assert need.title in listing and "Proposed" in listing


def test_we_can_help_twice_is_refused(member_client, member_user, need):
    _help(member_client, need, member_user.member)
    again = _help(member_client, need, member_user.member)
    assert "already offered help" in again.content.decode()
    assert SupportCommitment.objects.count() == 1


@pytest.mark.parametrize("status", ["withdrawn", "closed"])
def test_no_commitment_to_a_finished_request(member_client, member_user, need, status):
    SupportRequest.objects.filter(pk=need.pk).update(status=status)
    response = _help(member_client, need, member_user.member)
    assert "takes no more commitments" in response.content.decode()
    assert not SupportCommitment.objects.exists()


def test_no_commitment_through_an_expired_offer(member_user, need):
    offer = SupportOfferFactory(member=member_user.member, closes_on=datetime.date(2020, 1, 1))
    with pytest.raises(Exception, match="closed on"):
        propose_commitment(
            support_request=need, member=member_user.member, offer=offer, proposed_by=member_user
        )
    assert not SupportCommitment.objects.exists()


def test_an_amount_above_the_request_needs_the_confirmation(member_client, member_user, need):
    above = _help(member_client, need, member_user.member, amount="150000", currency="USD")
    assert "I know this is above the request" in " ".join(above.context["form"].errors["amount"])
    assert not SupportCommitment.objects.exists()
    _help(
        member_client, need, member_user.member, amount="150000", currency="USD",
        above_request_confirmed="on",
    )  # fmt: skip
    assert SupportCommitment.objects.get().amount_usd == Decimal("150000.00")


def test_a_request_the_user_may_not_see_answers_404(member_client, member_user, need):
    SupportRequest.objects.filter(pk=need.pk).update(visibility="secretariat")
    assert _help(member_client, need, member_user.member).status_code == 404


def test_status_updates_are_dated_and_the_request_follows(member_client, member_user, need):
    commitment = SupportCommitmentFactory(
        request=need, member=member_user.member, status="proposed", agreed_on=None,
        amount=Decimal("100000"),
    )  # fmt: skip
    url = reverse("partnerships:commitment", args=[commitment.pk])
    member_client.post(url, {"status": "agreed", "on": "2025-05-02"})
    commitment.refresh_from_db()
    need.refresh_from_db()
    assert (commitment.status, commitment.agreed_on) == ("agreed", datetime.date(2025, 5, 2))
    assert need.status == SupportRequest.Status.SUPPORTED
    refused = member_client.post(url, {"status": "proposed", "on": "2025-05-03"})
    assert "Select a valid choice" in " ".join(refused.context["form"].errors["status"])


def test_another_members_commitment_answers_404(member_client, need):
    commitment = SupportCommitmentFactory(request=need)
    response = member_client.post(
        reverse("partnerships:commitment", args=[commitment.pk]), {"status": "declined"}
    )
    assert response.status_code == 404
    commitment.refresh_from_db()
    assert commitment.status == "agreed"


def test_a_declined_commitment_cannot_be_reopened(member_user, need):
    commitment = SupportCommitmentFactory(request=need, member=member_user.member)
    set_commitment_status(commitment=commitment, status="declined", by=member_user)
    with pytest.raises(Exception, match="cannot become"):
        set_commitment_status(commitment=commitment, status="agreed", by=member_user)


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_and_focal_points_are_emailed_by_the_worker(
    celery_worker, settings, member_user
):
    settings.ADMIN_NOTIFICATION_EMAILS = ["secretariat@leadit.example"]
    focal = FocalPointFactory(user__email="focal@kenya.example", partnership__country="KE")
    need = SupportRequestFactory(partnership=focal.partnership)
    propose_commitment(support_request=need, member=member_user.member, proposed_by=member_user)
    from leadit.models import BackgroundJob

    job = BackgroundJob.objects.get(task_name="partnerships.notify_commitment_proposed")
    for _ in range(100):
        job.refresh_from_db()
        if job.status not in ("queued", "running"):
            break
        import time

        time.sleep(0.1)
    assert job.status == "done", job.error
    (message,) = mail.outbox
    assert sorted(message.to) == ["focal@kenya.example", "secretariat@leadit.example"]
    assert need.title in message.subject
