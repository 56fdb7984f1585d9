"""Member self-service: progress updates written, published, withdrawn and edited by the
member's editors (a hidden one stays hidden)."""

import datetime

import pytest
from django.core import mail

from leadit.models import BackgroundJob
from members.models import (
    ProgressUpdate,
)
from members.tasks import notify_secretariat_of_progress_update
from tests.factories.members import (
    MilestoneFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
)
from tests.members.self_service import (
    edit_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("self_service_settings")]


# --- Progress updates ---------------------------------------------------------------------


def test_update_new_saves_a_draft_by_the_user(editor_client, editor, member):
    milestone = MilestoneFactory(name="COP30 Belém", date=datetime.date(2025, 11, 10))

    response = editor_client.post(
        edit_url("update_new", member),
        {"title": "Our COP30 report", "milestone": milestone.pk, "body": "Done.", "action": "save"},
        follow=True,
    )

    update = ProgressUpdate.objects.get()
    assert (update.member, update.author, update.status) == (member, editor, "draft")
    assert update.milestone == milestone
    page = response.content.decode()
    assert "is saved as a draft" in page
    assert "Drafts (1)" in page and "Our COP30 report" in page
    assert "Our COP30 report" not in editor_client.get(member.get_absolute_url()).content.decode()
    assert not BackgroundJob.objects.exists()


def test_update_form_cannot_choose_another_member(editor_client, member, other):
    editor_client.post(
        edit_url("update_new", member),
        {"title": "Mine", "body": "Text", "member": other.pk, "action": "save"},
    )

    assert ProgressUpdate.objects.get().member == member
    assert not other.progress_updates.exists()


def test_update_save_and_publish_queues_the_secretariat_notification(
    editor_client, member, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            edit_url("update_new", member),
            {"title": "We published a roadmap", "body": "Details.", "action": "publish"},
            follow=True,
        )

    update = ProgressUpdate.objects.get()
    assert update.status == ProgressUpdate.Status.PUBLISHED
    assert update.published_at is not None
    assert "is published; the secretariat has been told" in response.content.decode()
    job = BackgroundJob.objects.get()
    assert job.task_name == "members.notify_secretariat_of_progress_update"
    assert job.status == BackgroundJob.Status.QUEUED
    assert job.arguments == {"update_id": update.pk}
    public = editor_client.get(member.get_absolute_url()).content.decode()
    assert "We published a roadmap" in public

    notify_secretariat_of_progress_update.apply(kwargs={"job_id": job.pk, "update_id": update.pk})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff_user.email]
    assert "We published a roadmap" in mail.outbox[0].subject
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE


def test_update_publish_and_withdraw_buttons_on_the_overview(
    editor_client, member, django_capture_on_commit_callbacks
):
    update = ProgressUpdateFactory(member=member, title="Steel plan progress")
    overview = editor_client.get(edit_url("edit", member)).content.decode()
    assert edit_url("update_publish", member, update.pk) in overview
    assert 'name="csrfmiddlewaretoken"' in overview

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(edit_url("update_publish", member, update.pk))

    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.PUBLISHED
    assert BackgroundJob.objects.filter(status="queued").count() == 1
    assert "Steel plan progress" in editor_client.get(member.get_absolute_url()).content.decode()
    overview = editor_client.get(edit_url("edit", member)).content.decode()
    assert edit_url("update_withdraw", member, update.pk) in overview

    response = editor_client.post(edit_url("update_withdraw", member, update.pk), follow=True)

    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.DRAFT
    assert "is withdrawn" in response.content.decode()
    public = editor_client.get(member.get_absolute_url()).content.decode()
    assert "Steel plan progress" not in public


@pytest.mark.parametrize("name", ["update_publish", "update_withdraw"])
def test_update_publish_and_withdraw_refuse_get(editor_client, member, name):
    update = PublishedUpdateFactory(member=member) if name == "update_withdraw" else None
    update = update or ProgressUpdateFactory(member=member)
    status = update.status

    response = editor_client.get(edit_url(name, member, update.pk))

    assert response.status_code == 405
    update.refresh_from_db()
    assert update.status == status


def test_update_edit_of_published_update_keeps_it_published(editor_client, member):
    update = PublishedUpdateFactory(member=member, title="Old title")
    page = editor_client.get(edit_url("update_edit", member, update.pk)).content.decode()
    assert "Save changes" in page and "Save and publish" not in page
    assert "Withdraw this update" in page

    editor_client.post(
        edit_url("update_edit", member, update.pk),
        {"title": "New title", "body": "New body", "action": "save"},
    )

    update.refresh_from_db()
    assert (update.title, update.status) == ("New title", ProgressUpdate.Status.PUBLISHED)
    assert "New title" in editor_client.get(member.get_absolute_url()).content.decode()


def test_hidden_update_shows_the_reason_and_stays_hidden_when_edited(editor_client, member):
    update = ProgressUpdateFactory(
        member=member,
        title="Disputed figures",
        status=ProgressUpdate.Status.HIDDEN,
        hidden_reason="The emission figures do not match your national inventory.",
    )
    overview = editor_client.get(edit_url("edit", member)).content.decode()
    assert "Hidden by the secretariat (1)" in overview
    assert "The emission figures do not match your national inventory." in overview
    page = editor_client.get(edit_url("update_edit", member, update.pk)).content.decode()
    assert "The emission figures do not match your national inventory." in page
    assert "the secretariat will review it" in page

    response = editor_client.post(
        edit_url("update_edit", member, update.pk),
        {"title": "Corrected figures", "body": "Fixed.", "action": "publish"},
        follow=True,
    )

    update.refresh_from_db()
    assert (update.title, update.status) == ("Corrected figures", ProgressUpdate.Status.HIDDEN)
    assert "stays hidden until the secretariat has reviewed it" in response.content.decode()


def test_hidden_update_cannot_be_published_by_the_member(editor_client, member):
    update = ProgressUpdateFactory(
        member=member, status=ProgressUpdate.Status.HIDDEN, hidden_reason="Off topic."
    )

    response = editor_client.post(edit_url("update_publish", member, update.pk), follow=True)

    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.HIDDEN
    assert "The secretariat has hidden this update" in response.content.decode()
    assert not BackgroundJob.objects.exists()
