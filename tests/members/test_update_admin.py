"""Staff keep the commitments an update reports on in the admin, as editors do in their
form: only the member's own commitments, and a published update's statuses apply."""

import re

import pytest

from members.models import MemberCommitment, ReportedCommitment
from tests.factories.members import MemberCommitmentFactory, PublishedUpdateFactory

pytestmark = pytest.mark.django_db


def _form_data(staff_client, url: str) -> dict:
    """The change form's current values (inputs, selected options, textareas)."""
    html = staff_client.get(url).content.decode()
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data.setdefault(name, value)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body.strip()
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        if selected:
            data[name] = selected.group(1)
    return {k: v for k, v in data.items() if not k.startswith(("_", "csrf"))}


def _with_reported(data: dict, member_commitment, status: str) -> dict:
    prefix = "reported_commitments"
    return data | {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-member_commitment": str(member_commitment.pk),
        f"{prefix}-0-status": status,
        "_save": "Save",
    }


def test_staff_report_a_published_updates_commitment_and_its_status_applies(staff_client):
    update = PublishedUpdateFactory()
    own = MemberCommitmentFactory(member=update.member)
    url = f"/admin/members/progressupdate/{update.pk}/change/"

    response = staff_client.post(url, _with_reported(_form_data(staff_client, url), own, "met"))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert ReportedCommitment.objects.get(update=update).status == "met"
    own.refresh_from_db()
    assert own.status == MemberCommitment.Status.MET
    assert own.history.first().status == "met"


def test_staff_cannot_report_another_members_commitment_on_an_update(staff_client):
    update = PublishedUpdateFactory()
    others = MemberCommitmentFactory()
    url = f"/admin/members/progressupdate/{update.pk}/change/"

    response = staff_client.post(url, _with_reported(_form_data(staff_client, url), others, "met"))

    assert response.status_code == 200
    assert not ReportedCommitment.objects.exists()
    others.refresh_from_db()
    assert others.status == MemberCommitment.Status.NOT_REPORTED
