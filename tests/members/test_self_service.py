"""Member self-service: a member's editors keep its page current (profile, commitments,
pillars, impact stories), see it as the public will and its history."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.models import (
    ImpactStory,
    MemberCommitment,
    PillarEngagement,
)
from tests.factories.members import (
    CommitmentFactory,
    ImpactStoryFactory,
    MilestoneFactory,
    PillarEngagementFactory,
    PillarFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
)
from tests.members.self_service import (
    TODAY,
    commitment_formset_data,
    edit_url,
    png_bytes,
    profile_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("self_service_settings")]


# --- Profile ------------------------------------------------------------------------------


def test_profile_edit_by_editor_saves_and_shows_on_public_page(editor_client, member):
    response = editor_client.post(edit_url("edit_profile", member), profile_data(), follow=True)

    assert "Your profile is saved." in response.content.decode()
    member.refresh_from_db()
    assert member.description == "We make **green steel** policy."
    assert member.website == "https://www.example.org/"
    assert member.contact_details_public is True
    public = editor_client.get(member.get_absolute_url()).content.decode()
    assert "<strong>green steel</strong>" in public


def test_profile_edit_ignores_fields_only_staff_may_change(editor_client, member):
    editor_client.post(
        edit_url("edit_profile", member),
        profile_data(
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
    page = editor_client.get(edit_url("edit_profile", member)).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert "Markdown:" in page
    assert 'name="name"' not in page
    assert 'name="status"' not in page
    assert "write to the secretariat" in page


def test_profile_logo_png_is_saved(editor_client, member):
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")

    editor_client.post(edit_url("edit_profile", member), profile_data(logo=logo))

    member.refresh_from_db()
    assert member.logo.name.startswith("members/logos/logo")
    page = editor_client.get(edit_url("edit_profile", member)).content.decode()
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

    response = editor_client.post(edit_url("edit_profile", member), profile_data(logo=logo))

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Nothing was saved" in page
    member.refresh_from_db()
    assert not member.logo
    assert member.description == "A demo member."


def test_profile_logo_over_one_megabyte_is_refused(editor_client, member):
    content = png_bytes(size=(830, 830), noise=True)
    assert len(content) > 2 * 1000 * 1000
    logo = SimpleUploadedFile("big.png", content, content_type="image/png")

    response = editor_client.post(edit_url("edit_profile", member), profile_data(logo=logo))

    page = response.content.decode()
    assert f"The logo is {len(content) // 1024} KB; the limit is 1024 KB." in page
    member.refresh_from_db()
    assert not member.logo


# --- Commitments --------------------------------------------------------------------------


def test_commitments_edit_saves_status_evidence_and_links(editor_client, editor, member):
    CommitmentFactory(text="Share our industry roadmap")
    CommitmentFactory(text="Host a dialogue")
    page = editor_client.get(edit_url("edit_commitments", member)).content.decode()
    assert "Share our industry roadmap" in page and "Host a dialogue" in page
    rows = list(member.commitments.order_by("commitment__order"))

    response = editor_client.post(
        edit_url("edit_commitments", member),
        commitment_formset_data(
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
    editor_client.get(edit_url("edit_commitments", member))
    rows = list(member.commitments.all())

    response = editor_client.post(
        edit_url("edit_commitments", member),
        commitment_formset_data(
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
        edit_url("edit_pillars", member),
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
    page = editor_client.get(edit_url("edit_pillars", member)).content.decode()
    assert "We chair the working group." in page
    assert "Pillar 1: Pillar title 1" in page


def test_pillars_note_without_engagement_is_refused(editor_client, member):
    pillar = PillarFactory(number=1)

    response = editor_client.post(
        edit_url("edit_pillars", member),
        {f"pillar-{pillar.pk}-role": "", f"pillar-{pillar.pk}-note": "A note"},
    )

    assert "Choose participant or lead to keep a note." in response.content.decode()
    assert not PillarEngagement.objects.exists()


# --- Impact stories -----------------------------------------------------------------------


def test_story_new_and_edit(editor_client, member):
    editor_client.post(
        edit_url("story_new", member),
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
        edit_url("story_edit", member, story.pk),
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
    overview = editor_client.get(edit_url("edit", member)).content.decode()
    assert "A hydrogen valley, phase 2" in overview and "Not published" in overview


# --- Overview, preview, history -----------------------------------------------------------


def test_overview_says_stale_and_lists_upcoming_milestones(editor_client, member):
    MilestoneFactory(name="COP29 Baku", date=TODAY - datetime.timedelta(days=30))
    MilestoneFactory(name="COP31", date=TODAY + datetime.timedelta(days=200))
    PublishedUpdateFactory(member=member, published_at=timezone.now() - datetime.timedelta(days=60))

    page = editor_client.get(edit_url("edit", member)).content.decode()

    assert "Progress reporting: update needed" in page
    assert "you have published no progress update since\n    COP29 Baku" in page
    assert "COP31" in page


def test_overview_not_stale_after_an_update_since_the_milestone(editor_client, member):
    MilestoneFactory(name="COP29 Baku", date=TODAY - datetime.timedelta(days=30))
    PublishedUpdateFactory(member=member)

    page = editor_client.get(edit_url("edit", member)).content.decode()

    assert "Progress reporting: up to date" in page


def test_preview_shows_the_public_content_only(editor_client, member):
    PublishedUpdateFactory(member=member, title="Public news")
    ProgressUpdateFactory(member=member, title="Secret draft")
    ImpactStoryFactory(member=member, title="Unpublished story", is_published=False)

    page = editor_client.get(edit_url("edit_preview", member)).content.decode()

    assert "<strong>Preview</strong>" in page
    assert "Public news" in page
    assert "Secret draft" not in page
    assert "Unpublished story" not in page


def test_history_lists_changes_newest_first_with_who_and_fields(
    editor_client, editor, member, django_assert_max_num_queries
):
    editor_client.post(edit_url("edit_profile", member), profile_data(), follow=True)
    editor_client.post(
        edit_url("update_new", member),
        {"title": "First draft", "body": "x", "action": "save"},
        follow=True,
    )
    for n in range(20):
        ProgressUpdateFactory(member=member, title=f"Bulk {n}")

    with django_assert_max_num_queries(25):
        response = editor_client.get(edit_url("edit_history", member))

    page = response.content.decode()
    assert "Progress update “First draft”" in page
    assert editor.email in page
    assert "Changed: contact details public, description, website" in page
    rows = page[page.index("<tbody>") :]
    assert rows.index("Bulk 19") < rows.index("First draft") < rows.index(">Profile<")


def test_history_shows_only_this_member(editor_client, member, other):
    ProgressUpdateFactory(member=other, title="India's draft")

    page = editor_client.get(edit_url("edit_history", member)).content.decode()

    assert "India&#x27;s draft" not in page and "India's draft" not in page


def test_history_keeps_fifty_entries(editor_client, member):
    for n in range(60):
        ProgressUpdateFactory(member=member, title=f"Update {n}")

    page = editor_client.get(edit_url("edit_history", member)).content.decode()

    assert "The latest 50 changes" in page
    assert "Update 59" in page and "Update 9”" not in page
