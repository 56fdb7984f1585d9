"""A member edits an update the secretariat hid: the secretariat is told and the admin says
"edited since hidden" with when (issue 13, item 6)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from leadit.models import BackgroundJob
from members import services
from members.models import ProgressUpdate
from members.tasks import notify_secretariat_of_hidden_update_edit
from tests.factories.members import EditorFactory, MemberFactory, PublishedUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden():
    update = PublishedUpdateFactory(
        member=MemberFactory(name="Sweden", slug="sweden"), title="Steel plan", body="Old text."
    )
    return services.progress_update_hide(update=update, reason="The figures need a source.")


@pytest.fixture
def editor_client(hidden):
    client = Client()
    client.force_login(EditorFactory(member=hidden.member))
    return client


def _edit(client, update, **changes):
    data = {"title": update.title, "milestone": "", "body": update.body, **changes}
    return client.post(
        reverse("members:update_edit", kwargs={"slug": update.member.slug, "pk": update.pk}),
        data,
        follow=True,
    )


def test_editing_a_hidden_update_tells_the_secretariat(
    editor_client, hidden, settings, django_capture_on_commit_callbacks
):
    settings.ADMIN_NOTIFICATION_EMAILS = ["secretariat@example.org"]

    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(editor_client, hidden, body="New text, with the source: IEA 2024.")

    assert "stays hidden until the secretariat has reviewed it" in response.content.decode()
    hidden.refresh_from_db()
    assert hidden.status == ProgressUpdate.Status.HIDDEN
    assert hidden.edited_since_hidden_at is not None
    job = BackgroundJob.objects.get()
    assert job.task_name == "members.notify_secretariat_of_hidden_update_edit"
    assert job.status == BackgroundJob.Status.QUEUED  # a worker sends it

    notify_secretariat_of_hidden_update_edit.apply(kwargs={"job_id": job.pk, **job.arguments})

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.last_error
    (message,) = mail.outbox
    assert message.to == ["secretariat@example.org"]
    assert message.subject == "[LeadIT] Sweden edited a hidden progress update: Steel plan"
    assert "The figures need a source." in message.body
    assert f"/admin/members/progressupdate/{hidden.pk}/change/" in message.body


def test_saving_a_hidden_update_unchanged_tells_nobody(
    editor_client, hidden, settings, django_capture_on_commit_callbacks
):
    settings.ADMIN_NOTIFICATION_EMAILS = ["secretariat@example.org"]

    with django_capture_on_commit_callbacks(execute=True):
        _edit(editor_client, hidden)

    hidden.refresh_from_db()
    assert hidden.edited_since_hidden_at is None
    assert not mail.outbox
    assert not BackgroundJob.objects.exists()


def test_admin_list_and_page_say_edited_since_hidden_with_when(editor_client, hidden, staff_client):
    _edit(editor_client, hidden, body="New text.")
    hidden.refresh_from_db()
    when = hidden.edited_since_hidden_at

    listing = staff_client.get(reverse("admin:members_progressupdate_changelist")).content.decode()
    review = staff_client.get(
        reverse("admin:members_progressupdate_changelist") + "?review=edited"
    ).content.decode()
    page = staff_client.get(
        reverse("admin:members_progressupdate_change", args=[hidden.pk])
    ).content.decode()

    assert "Hidden by the secretariat — edited since hidden (" in listing
    assert f"{when.astimezone().year}" in listing
    assert "Steel plan" in review
    assert "edited since hidden (" in page
    assert "review the new text" in page


def test_hiding_again_clears_the_mark(editor_client, hidden, staff_client):
    _edit(editor_client, hidden, body="New text.")
    hidden.refresh_from_db()

    services.progress_update_hide(update=hidden, reason="Still no source.")

    hidden.refresh_from_db()
    assert hidden.edited_since_hidden_at is None and hidden.hidden_at is not None
    listing = staff_client.get(reverse("admin:members_progressupdate_changelist")).content.decode()
    assert "edited since hidden (" not in listing
