"""Member self-service: a member's editors keep its page current, and nobody else can."""

import datetime
import io
import logging
import os

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from leadit.models import BackgroundJob
from members.models import (
    ImpactStory,
    Member,
    MemberCommitment,
    MembershipRole,
    PillarEngagement,
    ProgressUpdate,
)
from members.tasks import notify_secretariat_of_progress_update
from tests.factories.members import (
    CommitmentFactory,
    EditorFactory,
    ImpactStoryFactory,
    MemberCommitmentFactory,
    MemberFactory,
    MilestoneFactory,
    PillarEngagementFactory,
    PillarFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
)
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ADMIN_NOTIFICATION_EMAILS = []


@pytest.fixture
def editor():
    return EditorFactory(member=MemberFactory(name="Sweden", slug="sweden"))


@pytest.fixture
def member(editor):
    return editor.member


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def other():
    """Member B, with something of each kind, and an editor of its own."""
    member = MemberFactory(name="India", slug="india", description="India's own words.")
    EditorFactory(member=member)
    return member


def _url(name, member, pk=None):
    kwargs = {"slug": member.slug}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"members:{name}", kwargs=kwargs)


def _png(size=(40, 20), noise=False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (11, 93, 122))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _profile_data(**overrides):
    data = {
        "description": "We make **green steel** policy.",
        "website": "https://www.example.org/",
        "contact_details_public": "on",
    }
    data.update(overrides)
    return data


def _commitment_formset_data(rows, **changes):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data[f"form-{i}-id"] = str(row.pk)
        data[f"form-{i}-status"] = row.status
        data[f"form-{i}-evidence"] = row.evidence
        data[f"form-{i}-evidence_links"] = row.evidence_links
    data.update(changes)
    return data


# --- Profile ------------------------------------------------------------------------------


def test_profile_edit_by_editor_saves_and_shows_on_public_page(editor_client, member):
    response = editor_client.post(_url("edit_profile", member), _profile_data(), follow=True)

    assert "Your profile is saved." in response.content.decode()
    member.refresh_from_db()
    assert member.description == "We make **green steel** policy."
    assert member.website == "https://www.example.org/"
    assert member.contact_details_public is True
    public = editor_client.get(member.get_absolute_url()).content.decode()
    assert "<strong>green steel</strong>" in public


def test_profile_edit_ignores_fields_only_staff_may_change(editor_client, member):
    editor_client.post(
        _url("edit_profile", member),
        _profile_data(
            name="Renamed",
            slug="renamed",
            kind="company",
            status="former",
            country="FR",
            economy_group="developing",
        ),
    )

    member.refresh_from_db()
    assert (member.name, member.slug, member.kind, member.status) == (
        "Sweden",
        "sweden",
        "country",
        "active",
    )
    assert (member.country.code, member.economy_group) == ("SE", "developed")


def test_profile_form_shows_markdown_help_and_no_name_field(editor_client, member):
    page = editor_client.get(_url("edit_profile", member)).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert "Markdown:" in page
    assert 'name="name"' not in page
    assert 'name="status"' not in page
    assert "write to the secretariat" in page


def test_profile_logo_png_is_saved(editor_client, member):
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")

    editor_client.post(_url("edit_profile", member), _profile_data(logo=logo))

    member.refresh_from_db()
    assert member.logo.name.startswith("members/logos/logo")
    page = editor_client.get(_url("edit_profile", member)).content.decode()
    assert "Your current logo" in page


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        (
            "logo.png",
            b"this is plain text, not an image\n",
            "image/png",
            "The logo must be a PNG, JPEG or WebP image; this file is not one, or is damaged.",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
            "SVG logos are not accepted (they can carry scripts).",
        ),
    ],
    ids=["text-named-png", "svg"],
)
def test_profile_logo_that_is_not_a_raster_image_is_refused(
    editor_client, member, name, content, content_type, message
):
    logo = SimpleUploadedFile(name, content, content_type=content_type)

    response = editor_client.post(_url("edit_profile", member), _profile_data(logo=logo))

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Nothing was saved" in page
    member.refresh_from_db()
    assert not member.logo
    assert member.description == "A demo member."


def test_profile_logo_over_one_megabyte_is_refused(editor_client, member):
    content = _png(size=(830, 830), noise=True)
    assert len(content) > 2 * 1000 * 1000
    logo = SimpleUploadedFile("big.png", content, content_type="image/png")

    response = editor_client.post(_url("edit_profile", member), _profile_data(logo=logo))

    page = response.content.decode()
    assert f"The logo is {len(content) // 1024} KB; the limit is 1024 KB." in page
    member.refresh_from_db()
    assert not member.logo


# --- Commitments --------------------------------------------------------------------------


def test_commitments_edit_saves_status_evidence_and_links(editor_client, editor, member):
    CommitmentFactory(text="Share our industry roadmap")
    CommitmentFactory(text="Host a dialogue")
    page = editor_client.get(_url("edit_commitments", member)).content.decode()
    assert "Share our industry roadmap" in page and "Host a dialogue" in page
    rows = list(member.commitments.order_by("commitment__order"))

    response = editor_client.post(
        _url("edit_commitments", member),
        _commitment_formset_data(
            rows,
            **{
                "form-0-status": "met",
                "form-0-evidence": "Published in *2024*.",
                "form-0-evidence_links": "https://example.org/roadmap\n\n  http://example.org/b  ",
            },
        ),
        follow=True,
    )

    assert "Your commitments are saved (1 changed)." in response.content.decode()
    first, second = member.commitments.order_by("commitment__order")
    assert first.status == MemberCommitment.Status.MET
    assert first.evidence == "Published in *2024*."
    assert first.links == ["https://example.org/roadmap", "http://example.org/b"]
    assert first.updated_by == editor
    assert second.updated_by is None
    public = editor_client.get(member.get_absolute_url()).content.decode()
    assert "https://example.org/roadmap" in public


def test_commitments_evidence_link_that_is_not_a_web_address_is_refused(editor_client, member):
    CommitmentFactory(text="Share our industry roadmap")
    editor_client.get(_url("edit_commitments", member))
    rows = list(member.commitments.all())

    response = editor_client.post(
        _url("edit_commitments", member),
        _commitment_formset_data(
            rows,
            **{
                "form-0-status": "met",
                "form-0-evidence_links": "https://example.org/ok\njavascript:alert(1)",
            },
        ),
    )

    page = response.content.decode()
    assert "Line 2, “javascript:alert(1)”, is not a web address" in page
    assert member.commitments.get().status == MemberCommitment.Status.NOT_REPORTED


# --- Pillars ------------------------------------------------------------------------------


def test_pillars_edit_creates_updates_and_deletes_engagements(editor_client, member):
    one, two, three = (PillarFactory(number=n, title=f"Pillar title {n}") for n in (1, 2, 3))
    PillarEngagementFactory(member=member, pillar=three, role="lead")

    editor_client.post(
        _url("edit_pillars", member),
        {
            f"pillar-{one.pk}-role": "lead",
            f"pillar-{one.pk}-note": "We chair the working group.",
            f"pillar-{two.pk}-role": "participant",
            f"pillar-{three.pk}-role": "",
        },
    )

    engagements = {e.pillar.number: e for e in member.pillar_engagements.all()}
    assert set(engagements) == {1, 2}
    assert engagements[1].role == "lead"
    assert engagements[1].note == "We chair the working group."
    assert engagements[2].role == "participant"
    page = editor_client.get(_url("edit_pillars", member)).content.decode()
    assert "We chair the working group." in page
    assert "Pillar 1: Pillar title 1" in page


def test_pillars_note_without_engagement_is_refused(editor_client, member):
    pillar = PillarFactory(number=1)

    response = editor_client.post(
        _url("edit_pillars", member),
        {f"pillar-{pillar.pk}-role": "", f"pillar-{pillar.pk}-note": "A note"},
    )

    assert "Choose participant or lead to keep a note." in response.content.decode()
    assert not PillarEngagement.objects.exists()


# --- Progress updates ---------------------------------------------------------------------


def test_update_new_saves_a_draft_by_the_user(editor_client, editor, member):
    milestone = MilestoneFactory(name="COP30 Belém", date=datetime.date(2025, 11, 10))

    response = editor_client.post(
        _url("update_new", member),
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
        _url("update_new", member),
        {"title": "Mine", "body": "Text", "member": other.pk, "action": "save"},
    )

    assert ProgressUpdate.objects.get().member == member
    assert not other.progress_updates.exists()


def test_update_save_and_publish_queues_the_secretariat_notification(
    editor_client, member, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            _url("update_new", member),
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
    overview = editor_client.get(_url("edit", member)).content.decode()
    assert _url("update_publish", member, update.pk) in overview
    assert 'name="csrfmiddlewaretoken"' in overview

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(_url("update_publish", member, update.pk))

    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.PUBLISHED
    assert BackgroundJob.objects.filter(status="queued").count() == 1
    assert "Steel plan progress" in editor_client.get(member.get_absolute_url()).content.decode()
    overview = editor_client.get(_url("edit", member)).content.decode()
    assert _url("update_withdraw", member, update.pk) in overview

    response = editor_client.post(_url("update_withdraw", member, update.pk), follow=True)

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

    response = editor_client.get(_url(name, member, update.pk))

    assert response.status_code == 405
    update.refresh_from_db()
    assert update.status == status


def test_update_edit_of_published_update_keeps_it_published(editor_client, member):
    update = PublishedUpdateFactory(member=member, title="Old title")
    page = editor_client.get(_url("update_edit", member, update.pk)).content.decode()
    assert "Save changes" in page and "Save and publish" not in page
    assert "Withdraw this update" in page

    editor_client.post(
        _url("update_edit", member, update.pk),
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
    overview = editor_client.get(_url("edit", member)).content.decode()
    assert "Hidden by the secretariat (1)" in overview
    assert "The emission figures do not match your national inventory." in overview
    page = editor_client.get(_url("update_edit", member, update.pk)).content.decode()
    assert "The emission figures do not match your national inventory." in page
    assert "the secretariat will review it" in page

    response = editor_client.post(
        _url("update_edit", member, update.pk),
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

    response = editor_client.post(_url("update_publish", member, update.pk), follow=True)

    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.HIDDEN
    assert "The secretariat has hidden this update" in response.content.decode()
    assert not BackgroundJob.objects.exists()


# --- Impact stories -----------------------------------------------------------------------


def test_story_new_and_edit(editor_client, member):
    editor_client.post(
        _url("story_new", member),
        {
            "title": "A hydrogen valley",
            "date": "2024-05-02",
            "what_changed": "A regional plan.",
            "leadit_contribution": "A LeadIT dialogue brought the partners together.",
            "evidence_link": "https://example.org/valley",
            "is_published": "on",
        },
        follow=True,
    )
    story = ImpactStory.objects.get()
    assert (story.member, story.is_published) == (member, True)
    assert "A hydrogen valley" in editor_client.get(member.get_absolute_url()).content.decode()

    editor_client.post(
        _url("story_edit", member, story.pk),
        {
            "title": "A hydrogen valley, phase 2",
            "date": "2024-05-02",
            "what_changed": "A regional plan.",
            "leadit_contribution": "A dialogue.",
            "evidence_link": "",
        },
        follow=True,
    )

    story.refresh_from_db()
    assert (story.title, story.is_published) == ("A hydrogen valley, phase 2", False)
    assert "phase 2" not in editor_client.get(member.get_absolute_url()).content.decode()
    overview = editor_client.get(_url("edit", member)).content.decode()
    assert "A hydrogen valley, phase 2" in overview and "Not published" in overview


# --- Overview, preview, history -----------------------------------------------------------


def test_overview_says_stale_and_lists_upcoming_milestones(editor_client, member):
    MilestoneFactory(name="COP29 Baku", date=TODAY - datetime.timedelta(days=30))
    MilestoneFactory(name="COP31", date=TODAY + datetime.timedelta(days=200))
    PublishedUpdateFactory(member=member, published_at=timezone.now() - datetime.timedelta(days=60))

    page = editor_client.get(_url("edit", member)).content.decode()

    assert "Progress reporting: update needed" in page
    assert "you have published no progress update since\n    COP29 Baku" in page
    assert "COP31" in page


def test_overview_not_stale_after_an_update_since_the_milestone(editor_client, member):
    MilestoneFactory(name="COP29 Baku", date=TODAY - datetime.timedelta(days=30))
    PublishedUpdateFactory(member=member)

    page = editor_client.get(_url("edit", member)).content.decode()

    assert "Progress reporting: up to date" in page


def test_preview_shows_the_public_content_only(editor_client, member):
    PublishedUpdateFactory(member=member, title="Public news")
    ProgressUpdateFactory(member=member, title="Secret draft")
    ImpactStoryFactory(member=member, title="Unpublished story", is_published=False)

    page = editor_client.get(_url("edit_preview", member)).content.decode()

    assert "<strong>Preview</strong>" in page
    assert "Public news" in page
    assert "Secret draft" not in page
    assert "Unpublished story" not in page


def test_history_lists_changes_newest_first_with_who_and_fields(
    editor_client, editor, member, django_assert_max_num_queries
):
    editor_client.post(_url("edit_profile", member), _profile_data(), follow=True)
    editor_client.post(
        _url("update_new", member),
        {"title": "First draft", "body": "x", "action": "save"},
        follow=True,
    )
    for n in range(20):
        ProgressUpdateFactory(member=member, title=f"Bulk {n}")

    with django_assert_max_num_queries(25):
        response = editor_client.get(_url("edit_history", member))

    page = response.content.decode()
    assert "Progress update “First draft”" in page
    assert editor.email in page
    assert "Changed: contact details public, description, website" in page
    rows = page[page.index("<tbody>") :]
    assert rows.index("Bulk 19") < rows.index("First draft") < rows.index(">Profile<")


def test_history_shows_only_this_member(editor_client, member, other):
    ProgressUpdateFactory(member=other, title="India's draft")

    page = editor_client.get(_url("edit_history", member)).content.decode()

    assert "India&#x27;s draft" not in page and "India's draft" not in page


def test_history_keeps_fifty_entries(editor_client, member):
    for n in range(60):
        ProgressUpdateFactory(member=member, title=f"Update {n}")

    page = editor_client.get(_url("edit_history", member)).content.decode()

    assert "The latest 50 changes" in page
    assert "Update 59" in page and "Update 9”" not in page


# --- Another member's pages: 404, nothing changed, logged ---------------------------------


def _other_member_urls(other):
    update = PublishedUpdateFactory(member=other, title="India's update")
    draft = ProgressUpdateFactory(member=other, title="India's draft")
    story = ImpactStoryFactory(member=other, title="India's story")
    return {
        "edit": _url("edit", other),
        "edit_profile": _url("edit_profile", other),
        "edit_commitments": _url("edit_commitments", other),
        "edit_pillars": _url("edit_pillars", other),
        "update_new": _url("update_new", other),
        "update_edit": _url("update_edit", other, update.pk),
        "update_publish": _url("update_publish", other, draft.pk),
        "update_withdraw": _url("update_withdraw", other, update.pk),
        "story_new": _url("story_new", other),
        "story_edit": _url("story_edit", other, story.pk),
        "edit_preview": _url("edit_preview", other),
        "edit_history": _url("edit_history", other),
    }


POST_DATA = {
    **_profile_data(),
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
    url = _url(name, member, target.pk)

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
    editor_client.get(_url("edit_commitments", member))
    theirs = MemberCommitmentFactory(member=other, commitment=member.commitments.get().commitment)
    data = _commitment_formset_data([theirs], **{"form-0-status": "met"})

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = editor_client.post(_url("edit_commitments", member), data)

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

    assert client.get(_url("edit", member)).status_code == 404


def test_unknown_member_answers_404_without_logging(editor_client, caplog):
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        response = editor_client.get(reverse("members:edit", kwargs={"slug": "no-such"}))

    assert response.status_code == 404
    assert not [r for r in caplog.records if r.name == "leadit.access"]


def test_staff_may_edit_any_member(staff_client, member):
    page = staff_client.get(_url("edit", member)).content.decode()
    assert "you can edit this page as secretariat staff" in page

    staff_client.post(_url("edit_profile", member), _profile_data(description="By staff."))

    member.refresh_from_db()
    assert member.description == "By staff."


def test_anonymous_is_sent_to_sign_in(client, member):
    for url in (_url("edit", member), _url("edit_profile", member), reverse("members:dashboard")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


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
    assert _url("edit", sweden) in page and _url("edit", germany) in page
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
