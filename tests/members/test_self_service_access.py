"""Member self-service is for the member's own editors: another member's pages and objects
answer 404 and change nothing (logged), staff may edit any member, others sign in."""

import logging

import pytest
from django.urls import reverse

from leadit.models import BackgroundJob
from members.models import (
    MemberCommitment,
    ProgressUpdate,
)
from tests.factories.members import (
    CommitmentFactory,
    ImpactStoryFactory,
    MemberCommitmentFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
)
from tests.factories.users import UserFactory
from tests.members.self_service import (
    commitment_formset_data,
    edit_url,
    profile_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("self_service_settings")]


# --- Another member's pages: 404, nothing changed, logged ---------------------------------


def _other_member_urls(other):
    update = PublishedUpdateFactory(member=other, title="India's update")
    draft = ProgressUpdateFactory(member=other, title="India's draft")
    story = ImpactStoryFactory(member=other, title="India's story")
    return {
        "edit": edit_url("edit", other),
        "edit_profile": edit_url("edit_profile", other),
        "edit_commitments": edit_url("edit_commitments", other),
        "edit_pillars": edit_url("edit_pillars", other),
        "update_new": edit_url("update_new", other),
        "update_edit": edit_url("update_edit", other, update.pk),
        "update_publish": edit_url("update_publish", other, draft.pk),
        "update_withdraw": edit_url("update_withdraw", other, update.pk),
        "story_new": edit_url("story_new", other),
        "story_edit": edit_url("story_edit", other, story.pk),
        "edit_preview": edit_url("edit_preview", other),
        "edit_history": edit_url("edit_history", other),
    }


POST_DATA = {
    **profile_data(),
    "title": "Hijacked",
    "body": "Hijacked",
    "action": "publish",
    "date": "2024-01-01",
    "what_changed": "x",
    "leadit_contribution": "x",
    "is_published": "on",
}


def _snapshot(member):
    member.refresh_from_db()
    return (
        member.description,
        member.website,
        sorted(member.progress_updates.values_list("title", "status", "body")),
        sorted(member.impact_stories.values_list("title", "is_published")),
        list(member.commitments.values_list("status", "evidence")),
        list(member.pillar_engagements.values_list("pillar_id", "role")),
    )


def test_every_edit_url_of_another_member_answers_404_and_changes_nothing(
    editor_client, editor, other, caplog
):
    urls = _other_member_urls(other)
    before = _snapshot(other)
    jobs = BackgroundJob.objects.count()

    for name, url in urls.items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="leadit.access"):
            got = editor_client.get(url)
            posted = editor_client.post(url, POST_DATA)

        assert (got.status_code, posted.status_code) == (404, 404), name
        logged = [r for r in caplog.records if r.name == "leadit.access"]
        assert len(logged) == 2, name
        message = logged[1].getMessage()
        assert f"user {editor.pk}" in message and "'india'" in message
        assert f"POST {url}" in message

    assert _snapshot(other) == before
    assert BackgroundJob.objects.count() == jobs
    assert ProgressUpdate.objects.filter(title="Hijacked").count() == 0


@pytest.mark.parametrize("name", ["update_edit", "update_publish", "update_withdraw", "story_edit"])
def test_own_page_with_another_members_object_id_answers_404(
    editor_client, editor, member, other, caplog, name
):
    if name.startswith("story"):
        target = ImpactStoryFactory(member=other, title="India's story")
    elif name == "update_publish":
        target = ProgressUpdateFactory(member=other, title="India's draft")
    else:
        target = PublishedUpdateFactory(member=other, title="India's update")
    before = _snapshot(other)
    url = edit_url(name, member, target.pk)

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        got = editor_client.get(url)
        posted = editor_client.post(url, POST_DATA)

    assert (got.status_code, posted.status_code) == (404, 404)
    assert _snapshot(other) == before
    assert not member.progress_updates.exists() and not member.impact_stories.exists()
    messages = [r.getMessage() for r in caplog.records if r.name == "leadit.access"]
    assert len(messages) == 2
    assert f"{target.pk}: user {editor.pk} may not edit it (POST {url})" in messages[1]


def test_commitments_form_with_another_members_row_id_answers_404(
    editor_client, member, other, caplog
):
    CommitmentFactory(text="Share our industry roadmap")
    editor_client.get(edit_url("edit_commitments", member))
    theirs = MemberCommitmentFactory(member=other, commitment=member.commitments.get().commitment)
    data = commitment_formset_data([theirs], **{"form-0-status": "met"})

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = editor_client.post(edit_url("edit_commitments", member), data)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == MemberCommitment.Status.NOT_REPORTED
    assert member.commitments.get().status == MemberCommitment.Status.NOT_REPORTED
    assert any(
        f"member commitment {theirs.pk}" in r.getMessage()
        for r in caplog.records
        if r.name == "leadit.access"
    )


def test_plain_user_gets_404_on_a_member_edit_page(client, member):
    client.force_login(UserFactory())

    assert client.get(edit_url("edit", member)).status_code == 404


def test_unknown_member_answers_404_without_logging(editor_client, caplog):
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = editor_client.get(reverse("members:edit", kwargs={"slug": "no-such"}))

    assert response.status_code == 404
    assert not [r for r in caplog.records if r.name == "leadit.access"]


def test_staff_may_edit_any_member(staff_client, member):
    page = staff_client.get(edit_url("edit", member)).content.decode()
    assert "you can edit this page as secretariat staff" in page

    staff_client.post(edit_url("edit_profile", member), profile_data(description="By staff."))

    member.refresh_from_db()
    assert member.description == "By staff."


def test_anonymous_is_sent_to_sign_in(client, member):
    for url in (
        edit_url("edit", member),
        edit_url("edit_profile", member),
        reverse("members:dashboard"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
