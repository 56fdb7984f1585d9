"""The members' dashboard /members/dashboard/: an editor's members and what needs doing,
every active member for staff, and its query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import (
    Member,
    MembershipRole,
)
from tests.factories.members import (
    EditorFactory,
    MemberFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
)
from tests.factories.users import UserFactory
from tests.members.self_service import (
    TODAY,
    edit_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("self_service_settings")]


# --- Dashboard ----------------------------------------------------------------------------


def test_dashboard_for_an_editor_shows_their_members_and_what_needs_doing(client):
    sweden = MemberFactory(name="Sweden", slug="sweden")
    germany = MemberFactory(name="Germany", slug="germany")
    editor = EditorFactory(member=sweden)
    MembershipRole.objects.create(user=editor, member=germany)
    MemberFactory(name="Not Mine")
    MilestoneFactory(name="COP29 Baku", date=TODAY - datetime.timedelta(days=30))
    MilestoneFactory(name="COP31", date=TODAY + datetime.timedelta(days=100))
    ProgressUpdateFactory(member=sweden)
    ProgressUpdateFactory(member=sweden)
    ProgressUpdateFactory(member=sweden, status="hidden", hidden_reason="Why")
    PublishedUpdateFactory(member=germany)
    client.force_login(editor)

    page = client.get(reverse("members:dashboard")).content.decode()

    assert "The members you keep up to date" in page
    sweden_card = page[page.index(">Sweden<") : page.index(">Germany<")]
    assert "Stale:" in sweden_card and "2 drafts" in sweden_card
    assert "1 update hidden by the secretariat" in sweden_card
    germany_card = page[page.index(">Germany<") :]
    assert "Up to date." in germany_card.split("</li>\n    \n")[0]
    assert edit_url("edit", sweden) in page and edit_url("edit", germany) in page
    assert "Not Mine" not in page
    assert "All active members" not in page
    assert "COP31" in page


def test_dashboard_for_staff_lists_every_active_member(staff_client):
    MilestoneFactory(name="COP29 Baku", date=TODAY - datetime.timedelta(days=30))
    fresh = MemberFactory(name="Fresh Member")
    PublishedUpdateFactory(member=fresh, published_at=timezone.now())
    MemberFactory(name="Quiet Member")
    MemberFactory(name="Gone Member", status=Member.Status.FORMER)

    page = staff_client.get(reverse("members:dashboard")).content.decode()

    assert "All active members" in page
    assert "2 active members, 1 stale" in page
    quiet_row = page[page.index("Quiet Member") :].split("</tr>")[0]
    assert "Never" in quiet_row and "<strong>Stale</strong>" in quiet_row
    fresh_row = page[page.index("Fresh Member") :].split("</tr>")[0]
    assert "Up to date" in fresh_row
    assert "Gone Member" not in page
    assert reverse("admin:index") in page
    assert "You do not edit a member's page yet" not in page


def test_dashboard_for_a_user_without_a_member_explains(client):
    client.force_login(UserFactory())

    page = client.get(reverse("members:dashboard")).content.decode()

    assert "You do not edit a member&#x27;s page yet" in page or (
        "You do not edit a member's page yet" in page
    )
    assert "ask the secretariat for an invitation" in page


def test_sign_in_lands_on_the_dashboard(client, settings):
    user = UserFactory(email="editor@example.org")

    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")


def test_dashboard_for_staff_query_count_does_not_grow_with_members(staff_client):
    def count_queries():
        with CaptureQueriesContext(connection) as context:
            assert staff_client.get(reverse("members:dashboard")).status_code == 200
        return len(context)

    for _ in range(2):
        PublishedUpdateFactory(member=MemberFactory())
    few = count_queries()
    for _ in range(20):
        ProgressUpdateFactory(member=MemberFactory())

    assert count_queries() == few
