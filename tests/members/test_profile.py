"""A member's public profile /members/<slug>/: what it shows, what it never shows, and its
query count."""

import datetime

import pytest
from django.urls import reverse

from members.models import (
    Commitment,
    ImpactStory,
    Member,
    MemberCommitment,
    PillarEngagement,
    ProgressUpdate,
)
from tests.factories.members import (
    CommitmentFactory,
    CompanyMemberFactory,
    ContactFactory,
    ImpactStoryFactory,
    MemberCommitmentFactory,
    MemberFactory,
    MilestoneFactory,
    PillarEngagementFactory,
    PillarFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
    SectorFactory,
)
from tests.members.pages import page_html, page_text, query_count

pytestmark = pytest.mark.django_db


# --- A member's profile -----------------------------------------------------------------


def test_profile_shows_the_member(client):
    steel = SectorFactory(name="Iron and steel", slug="steel")
    member = CompanyMemberFactory(
        name="Demo Steel AB",
        slug="demo-steel",
        country="SE",
        website="https://steel.example",
        description="We make **fossil-free** steel.",
        joined_on=datetime.date(2020, 3, 5),
    )
    member.sectors.set([steel])

    html = page_html(client, "/members/demo-steel/")

    text = page_text(html)
    assert "<h1>Demo Steel AB</h1>" in html
    assert "Kind of member Company" in text
    assert "Headquarters Sweden" in text
    assert "Sectors Iron and steel" in text
    assert "Joined LeadIT 5 March 2020" in text
    assert "Status Active member" in text
    assert '<a href="https://steel.example" rel="noopener noreferrer">' in html
    assert "We make <strong>fossil-free</strong> steel." in html
    assert "Former member" not in text


def test_profile_has_breadcrumbs(client):
    MemberFactory(name="Sweden", slug="sweden")

    html = page_html(client, "/members/sweden/")

    assert (
        '<nav aria-label="Breadcrumb" class="breadcrumbs"><ol><li><a href="/">Home</a></li>'
        '<li><a href="/members/">Members</a></li><li aria-current="page">Sweden</li></ol></nav>'
    ) in html


def test_profile_of_a_country_shows_its_economy_group(client):
    MemberFactory(
        name="India", slug="india", country="IN", economy_group=Member.EconomyGroup.DEVELOPING
    )

    text = page_text(page_html(client, "/members/india/"))

    assert "Country India" in text
    assert "Economy group Developing or emerging economy" in text
    assert "Sectors" not in text


def test_profile_of_a_former_member_says_so(client):
    MemberFactory(name="Formerland", slug="formerland", status=Member.Status.FORMER)

    text = page_text(page_html(client, "/members/formerland/"))

    assert "Former member. Formerland is no longer a member of LeadIT." in text
    assert "Status Former member" in text


def test_profile_shows_a_logo_with_alt_text(client):
    member = MemberFactory(name="Sweden", slug="sweden")
    Member.objects.filter(pk=member.pk).update(logo="members/logos/sweden.png")

    html = page_html(client, "/members/sweden/")

    assert '<img class="profile__logo" src="/media/members/logos/sweden.png"' in html
    assert 'alt="Logo of Sweden"' in html


def test_unknown_member_is_not_found(client):
    response = client.get("/members/no-such-member/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_prospective_member_profile_is_not_found(client):
    MemberFactory(slug="hopeful", status=Member.Status.PROSPECTIVE)

    response = client.get("/members/hopeful/")

    assert response.status_code == 404


def test_profile_groups_commitments_by_category_with_status_as_text(client):
    member = MemberFactory(slug="sweden")
    support = CommitmentFactory(category=Commitment.Category.SUPPORT, text="Endorse the vision")
    engage = CommitmentFactory(category=Commitment.Category.ENGAGE, text="Join a pillar")
    promote = CommitmentFactory(category=Commitment.Category.PROMOTE, text="Report progress")
    retired = CommitmentFactory(text="An old commitment", is_active=False)
    MemberCommitmentFactory(
        member=member,
        commitment=promote,
        status=MemberCommitment.Status.MET,
        evidence="Reported at *COP28*.",
        evidence_links="https://evidence.example/cop28\njavascript:alert(1)",
    )
    MemberCommitmentFactory(
        member=member, commitment=support, status=MemberCommitment.Status.IN_PROGRESS
    )
    MemberCommitmentFactory(member=member, commitment=engage)
    MemberCommitmentFactory(member=member, commitment=retired)

    html = page_html(client, "/members/sweden/")

    text = page_text(html)
    assert (
        "Support industry transitions Endorse the vision Status: In progress "
        "Engage on industry transitions Join a pillar Status: Not reported "
        "Promote industry transitions Report progress Status: Met Reported at COP28."
    ) in text
    assert "Reported at <em>COP28</em>." in html
    assert '<a href="https://evidence.example/cop28" rel="noopener noreferrer nofollow">' in html
    assert 'href="javascript:' not in html
    assert "<li>javascript:alert(1)</li>" in html  # shown as text, not as a link
    assert "An old commitment" not in html


def test_profile_without_commitments_says_so(client):
    MemberFactory(slug="sweden")

    assert "No commitments reported yet." in page_html(client, "/members/sweden/")


def test_profile_shows_pillar_engagements(client):
    member = MemberFactory(slug="sweden")
    PillarEngagementFactory(
        member=member,
        pillar=PillarFactory(number=2, title="Technology transfer", slug="transfer"),
        role=PillarEngagement.Role.PARTICIPANT,
    )
    PillarEngagementFactory(
        member=member,
        pillar=PillarFactory(number=1, title="Global forum", slug="forum"),
        role=PillarEngagement.Role.LEAD,
        note="Co-chairs the summit.",
    )

    text = page_text(page_html(client, "/members/sweden/"))

    assert (
        "Pillar 1: Global forum — lead member Co-chairs the summit. "
        "Pillar 2: Technology transfer — participant"
    ) in text


def test_profile_shows_published_updates_newest_first_as_a_timeline(client):
    member = MemberFactory(slug="sweden")
    PublishedUpdateFactory(
        member=member,
        title="Our COP28 report",
        milestone=MilestoneFactory(name="COP28 Dubai 2023", date=datetime.date(2023, 11, 30)),
        published_at=datetime.datetime(2023, 12, 1, 12, tzinfo=datetime.UTC),
        body="We *cut* emissions.",
    )
    PublishedUpdateFactory(
        member=member,
        title="Our COP29 report",
        milestone=MilestoneFactory(name="COP29 Baku 2024", date=datetime.date(2024, 11, 11)),
        published_at=datetime.datetime(2024, 11, 12, 12, tzinfo=datetime.UTC),
    )

    html = page_html(client, "/members/sweden/")

    text = page_text(html)
    # Grouped by milestone, the newest first.
    assert (
        "Progress updates "
        "COP29 Baku 2024 ( 11 November 2024 ) Our COP29 report Published 12 November 2024 "
        "We did things. "
        "COP28 Dubai 2023 ( 30 November 2023 ) Our COP28 report Published 1 December 2023 "
        "We cut emissions."
    ) in text
    assert "We <em>cut</em> emissions." in html
    assert '<ol class="timeline">' in html


def test_profile_never_shows_draft_or_hidden_updates(client):
    member = MemberFactory(slug="sweden")
    ProgressUpdateFactory(member=member, title="A draft in the works", body="Secret draft")
    ProgressUpdateFactory(
        member=member,
        title="A hidden update",
        body="Hidden body",
        status=ProgressUpdate.Status.HIDDEN,
        hidden_reason="Off topic",
        published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    )
    PublishedUpdateFactory(member=member, title="The public update")

    html = page_html(client, "/members/sweden/")

    assert "The public update" in html
    for hidden in ["A draft in the works", "Secret draft", "A hidden update", "Hidden body"]:
        assert hidden not in html
    assert "Off topic" not in html


def test_profile_without_updates_says_so(client):
    member = MemberFactory(slug="sweden")
    ProgressUpdateFactory(member=member)

    assert "No progress updates published yet." in page_html(client, "/members/sweden/")


def test_profile_shows_published_impact_stories_only(client):
    member = MemberFactory(slug="sweden")
    ImpactStoryFactory(
        member=member,
        title="A steel plant switched to hydrogen",
        what_changed="The plant uses **hydrogen**.",
        leadit_contribution="LeadIT brought the partners together.",
        date=datetime.date(2024, 5, 1),
        evidence_link="https://story.example/plant",
    )
    ImpactStoryFactory(member=member, title="An unpublished story", is_published=False)

    html = page_html(client, "/members/sweden/")

    text = page_text(html)
    assert (
        "A steel plant switched to hydrogen 1 May 2024 What changed The plant uses hydrogen. "
        "LeadIT's contribution LeadIT brought the partners together. Evidence"
    ) in text
    assert (
        '<a href="https://story.example/plant" rel="noopener noreferrer nofollow">Evidence' in html
    )
    assert "An unpublished story" not in html


def test_profile_shows_the_primary_contact_only_when_public(client):
    member = MemberFactory(slug="sweden", contact_details_public=True)
    ContactFactory(
        member=member,
        name="Pat Primary",
        email="pat@sweden.example",
        role_title="Head of unit",
        is_primary=True,
    )
    ContactFactory(member=member, name="Other Person", email="other@sweden.example")

    html = page_html(client, "/members/sweden/")

    assert "Pat Primary, Head of unit" in html
    assert '<a href="mailto:pat@sweden.example">pat@sweden.example</a>' in html
    assert "Other Person" not in html


def test_profile_hides_the_contact_when_not_public(client):
    member = MemberFactory(slug="sweden", contact_details_public=False)
    ContactFactory(member=member, name="Pat Primary", email="pat@sweden.example", is_primary=True)

    html = page_html(client, "/members/sweden/")

    assert "Pat Primary" not in html
    assert "pat@sweden.example" not in html
    assert ">Contact</h2>" not in html


def _set_updated_at(model, pk, day: datetime.date) -> None:
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    model.objects.filter(pk=pk).update(updated_at=moment)


def test_profile_says_when_it_was_last_updated(client):
    member = MemberFactory(slug="sweden")
    _set_updated_at(Member, member.pk, datetime.date(2024, 1, 10))

    html = page_html(client, "/members/sweden/")

    assert 'Last updated <time datetime="2024-01-10T12:00:00+00:00">10 January 2024</time>' in html


def test_profile_last_updated_is_the_latest_change_to_what_it_shows(client):
    member = MemberFactory(slug="sweden")
    commitment = MemberCommitmentFactory(member=member)
    update = PublishedUpdateFactory(member=member)
    story = ImpactStoryFactory(member=member)
    draft = ProgressUpdateFactory(member=member)
    _set_updated_at(Member, member.pk, datetime.date(2024, 1, 10))
    _set_updated_at(MemberCommitment, commitment.pk, datetime.date(2024, 2, 10))
    _set_updated_at(ProgressUpdate, update.pk, datetime.date(2024, 3, 10))
    _set_updated_at(ImpactStory, story.pk, datetime.date(2024, 4, 10))
    _set_updated_at(ProgressUpdate, draft.pk, datetime.date(2025, 1, 1))  # not public

    text = page_text(page_html(client, "/members/sweden/"))

    assert "Last updated 10 April 2024" in text


def test_profile_renders_markdown_from_members_inert(client):
    attack = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    member = MemberFactory(slug="sweden", description=attack)
    PublishedUpdateFactory(member=member, title="Update", body=attack)
    ImpactStoryFactory(member=member, what_changed=attack, leadit_contribution=attack)
    PillarEngagementFactory(member=member, note=attack)

    html = page_html(client, "/members/sweden/")

    assert "<script>alert(1)</script>" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert html.count("<script") == 0


def test_profile_escapes_plain_fields(client):
    MemberFactory(slug="sweden", name="<b>Bold</b> Land", website="javascript:alert(1)")

    html = page_html(client, "/members/sweden/")

    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; Land" in html
    assert 'href="javascript:' not in html


def _profile_world(slug: str, size: int) -> None:
    member = MemberFactory(slug=slug, contact_details_public=True)
    ContactFactory(member=member, is_primary=True)
    for n in range(size):
        sector = SectorFactory(slug=f"{slug}-sector-{n}")
        member.sectors.add(sector)
        commitment = CommitmentFactory(category=Commitment.Category.values[n % 3])
        MemberCommitmentFactory(
            member=member, commitment=commitment, evidence_links="https://a.example"
        )
        PublishedUpdateFactory(member=member, milestone=MilestoneFactory())
        ProgressUpdateFactory(member=member)
        ImpactStoryFactory(member=member)
        PillarEngagementFactory(member=member, pillar=PillarFactory(number=100 + n))


def test_profile_query_count_does_not_grow_with_its_content(client):
    _profile_world("small", 1)
    _profile_world("large", 20)
    MemberFactory.create_batch(20)

    small = query_count(client, reverse("members:detail", kwargs={"slug": "small"}))
    large = query_count(client, reverse("members:detail", kwargs={"slug": "large"}))

    assert large == small


def test_profile_query_count_does_not_grow_with_the_members(client):
    _profile_world("watched", 3)
    small = query_count(client, "/members/watched/")
    MemberFactory.create_batch(95)

    large = query_count(client, "/members/watched/")

    assert large == small
