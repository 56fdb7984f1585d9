"""The public member pages: the directory /members/ and a member's profile /members/<slug>/."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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

pytestmark = pytest.mark.django_db

LIST_URL = "/members/"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;])", r"\1", text)


def _names_listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/members/[^"]+/">([^<]+)</a>', html)


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.fixture
def directory():
    """Three countries, two companies, one former member and one prospective member."""
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement and concrete", slug="cement")
    forum = PillarFactory(number=1, title="Global forum", slug="global-forum")
    transfer = PillarFactory(number=2, title="Technology transfer", slug="technology-transfer")
    sweden = MemberFactory(name="Sweden", slug="sweden", country="SE")
    india = MemberFactory(
        name="India",
        slug="india",
        country="IN",
        economy_group=Member.EconomyGroup.DEVELOPING,
        joined_on=datetime.date(2019, 9, 23),
    )
    germany = MemberFactory(name="Germany", slug="germany", country="DE")
    steelco = CompanyMemberFactory(name="Demo Steel AB", slug="demo-steel", country="SE")
    steelco.sectors.set([steel])
    cementco = CompanyMemberFactory(name="Demo Cement Ltd", slug="demo-cement", country="IN")
    cementco.sectors.set([cement, steel])
    former = MemberFactory(
        name="Formerland", slug="formerland", country="FR", status=Member.Status.FORMER
    )
    prospective = MemberFactory(
        name="Hopeful Republic", slug="hopeful", country="BR", status=Member.Status.PROSPECTIVE
    )
    PillarEngagementFactory(member=sweden, pillar=forum, role=PillarEngagement.Role.LEAD)
    PillarEngagementFactory(member=india, pillar=forum)
    PillarEngagementFactory(member=steelco, pillar=transfer)
    return {
        "sweden": sweden,
        "india": india,
        "germany": germany,
        "steelco": steelco,
        "cementco": cementco,
        "former": former,
        "prospective": prospective,
    }


# --- The directory ----------------------------------------------------------------------


def test_directory_lists_public_members_with_their_details(client, directory):
    html = _page(client, LIST_URL)

    text = _text(html)
    assert "<h1>Members</h1>" in html
    assert sorted(_names_listed(html)) == sorted(
        ["Sweden", "India", "Germany", "Demo Steel AB", "Demo Cement Ltd", "Formerland"]
    )
    assert "6 members" in text
    assert '<a href="/members/india/">India</a>' in html
    assert "Formerland Former member" in text
    assert (
        "Demo Cement Ltd Company India (headquarters) Cement and concrete, Iron and steel" in text
    )
    assert "Sweden Country Sweden — not applicable Pillar 1 (lead) 2021" in text
    assert "India Country India — not applicable Pillar 1 2019" in text


def test_directory_never_lists_prospective_members(client, directory):
    html = _page(client, LIST_URL)

    assert "Hopeful Republic" not in html
    assert "Prospective" not in html


def test_directory_form_works_without_javascript(client, directory):
    html = _page(client, LIST_URL)

    assert '<form method="get" action="/members/"' in html
    for name, label in [
        ("q", "Name contains"),
        ("kind", "Kind"),
        ("country", "Country"),
        ("sector", "Sector"),
        ("pillar", "Pillar"),
        ("economy_group", "Economy group"),
        ("status", "Status"),
    ]:
        assert f'<label for="id_{name}">{label}</label>' in html
        assert f'name="{name}" id="id_{name}"' in html
    assert '<button type="submit">Show members</button>' in html
    assert "No filters on" in html


def test_directory_shows_facet_counts_for_every_option(client, directory):
    text = _text(_page(client, LIST_URL))

    assert "Country (4)" in text
    assert "Company (2)" in text
    assert "India (2)" in text
    assert "Sweden (2)" in text
    assert "Iron and steel (2)" in text
    assert "Cement and concrete (1)" in text
    assert "1. Global forum (2)" in text
    assert "2. Technology transfer (1)" in text
    assert "Developed economy (3)" in text
    assert "Developing or emerging economy (1)" in text
    assert "Active (5)" in text
    assert "Former (1)" in text
    assert "Brazil" not in text  # the prospective member's country is no option


def test_directory_filters_by_kind_and_keeps_the_other_kinds_count(client, directory):
    html = _page(client, LIST_URL + "?kind=company")

    text = _text(html)
    assert sorted(_names_listed(html)) == ["Demo Cement Ltd", "Demo Steel AB"]
    assert "2 members" in text
    assert "Filters on: Kind: Company" in text
    # A facet counts with every *other* filter kept: the kind facet is unchanged...
    assert "Country (4)" in text
    assert '<option value="company" selected>Company (2)</option>' in html
    # ...the others count companies only.
    assert "India (1)" in text
    assert "Developed economy (0)" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=IN", ["Demo Cement Ltd", "India"]),
        ("country=se", ["Demo Steel AB", "Sweden"]),
        ("sector=steel", ["Demo Cement Ltd", "Demo Steel AB"]),
        ("sector=cement", ["Demo Cement Ltd"]),
        ("pillar=global-forum", ["India", "Sweden"]),
        ("pillar=2", ["Demo Steel AB"]),
        ("economy_group=developing", ["India"]),
        ("status=former", ["Formerland"]),
        ("status=active&kind=country", ["Germany", "India", "Sweden"]),
        ("q=demo", ["Demo Cement Ltd", "Demo Steel AB"]),
        ("q=land&status=former", ["Formerland"]),
        ("kind=company&country=SE&sector=steel&pillar=2", ["Demo Steel AB"]),
    ],
)
def test_directory_filters_narrow_the_list(client, directory, query, expected):
    html = _page(client, f"{LIST_URL}?{query}")

    assert sorted(_names_listed(html)) == expected
    count = len(expected)
    assert f"{count} member{'s' if count != 1 else ''}</h2>" in html


def test_directory_facet_counts_follow_the_other_filters(client, directory):
    text = _text(_page(client, LIST_URL + "?sector=steel&country=IN"))

    assert "1 member " in text
    assert "Iron and steel (1)" in text  # Indian members in steel
    assert "Cement and concrete (1)" in text
    assert "India (1)" in text  # steel members in India
    assert "Sweden (1)" in text  # steel members in Sweden


def test_directory_names_each_filter_on_with_a_link_to_remove_it(client, directory):
    html = _page(client, LIST_URL + "?kind=company&sector=steel")

    text = _text(html)
    assert "Filters on: Kind: Company Remove filter Kind: Company" in text
    assert "Sector: Iron and steel Remove filter Sector: Iron and steel" in text
    assert '<a href="?sector=steel">Remove<span class="visually-hidden"> filter Kind' in html
    assert '<a href="?kind=company">Remove<span class="visually-hidden"> filter Sector' in html
    assert '<a href="/members/">Clear all filters</a>' in html


def test_directory_removing_the_last_filter_links_to_the_plain_list(client, directory):
    html = _page(client, LIST_URL + "?q=India")

    assert "Name contains: “India”" in html
    assert '<a href="/members/">Remove<span class="visually-hidden"> filter Name contains' in html


@pytest.mark.parametrize(
    ("query", "label", "value"),
    [
        ("kind=planet", "Kind", "planet"),
        ("country=XX", "Country", "XX"),
        ("sector=unobtainium", "Sector", "unobtainium"),
        ("pillar=99", "Pillar", "99"),
        ("pillar=no-such-pillar", "Pillar", "no-such-pillar"),
        ("economy_group=rich", "Economy group", "rich"),
        ("status=prospective", "Status", "prospective"),
    ],
)
def test_directory_ignores_an_unknown_filter_value_and_says_so(
    client, directory, query, label, value
):
    html = _page(client, f"{LIST_URL}?{query}")

    text = _text(html)
    assert "Some filters were ignored because their values are not known" in text
    assert f"{label}: “{value}” is not one of the choices" in text
    assert len(_names_listed(html)) == 6
    assert "Hopeful Republic" not in html


def test_directory_keeps_valid_filters_beside_an_unknown_one(client, directory):
    html = _page(client, LIST_URL + "?kind=planet&country=IN")

    assert sorted(_names_listed(html)) == ["Demo Cement Ltd", "India"]
    assert "Kind: “planet” is not one of the choices" in _text(html)


def test_directory_escapes_the_unknown_value_it_shows(client, directory):
    html = _page(client, LIST_URL + "?kind=%3Cscript%3Ealert(1)%3C/script%3E")

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_directory_says_when_nothing_matches(client, directory):
    html = _page(client, LIST_URL + "?q=zzz")

    assert "0 members" in html
    assert "No members match these filters." in html


def test_directory_paginates_at_fifty_members(client):
    for n in range(51):
        MemberFactory(name=f"Member {n:03d}", slug=f"member-{n:03d}")

    first = _page(client, LIST_URL)
    second = _page(client, LIST_URL + "?page=2")

    assert len(_names_listed(first)) == 50
    assert "51 members" in first
    assert "Page 1 of 2 (members 1–50)" in first
    assert '<a href="?page=2" rel="next">Next page</a>' in first
    assert _names_listed(second) == ["Member 050"]
    assert '<a href="?page=1" rel="prev">Previous page</a>' in second


def test_directory_page_links_keep_the_filters(client):
    for n in range(55):
        CompanyMemberFactory(name=f"Company {n:03d}", slug=f"company-{n:03d}")

    html = _page(client, LIST_URL + "?kind=company")

    assert '<a href="?kind=company&amp;page=2" rel="next">Next page</a>' in html


@pytest.mark.parametrize(("page", "expected_page"), [("999", 2), ("abc", 1), ("-1", 2)])
def test_directory_page_out_of_range_shows_a_real_page(client, page, expected_page):
    for n in range(51):
        MemberFactory(name=f"Member {n:03d}", slug=f"member-{n:03d}")

    html = _page(client, f"{LIST_URL}?page={page}")

    assert f"Page {expected_page} of 2" in html


def _directory_world(size: int) -> None:
    sectors = [SectorFactory(slug=f"s{n}", name=f"S{n}") for n in range(3)]
    pillars = [PillarFactory(number=n + 1, slug=f"p{n + 1}") for n in range(3)]
    for n in range(size):
        if n % 2:
            member = CompanyMemberFactory(country=["SE", "IN", "DE"][n % 3])
            member.sectors.set(sectors[: n % 3 + 1])
        else:
            member = MemberFactory(country=["SE", "IN", "DE", "CL"][n % 4])
        for pillar in pillars[: n % 3 + 1]:
            PillarEngagementFactory(member=member, pillar=pillar)
    MemberFactory(status=Member.Status.FORMER)
    MemberFactory(status=Member.Status.PROSPECTIVE)


@pytest.mark.parametrize(
    "query",
    ["", "?kind=company&sector=s0&pillar=1&country=IN&q=Demo", "?page=2", "?kind=planet"],
)
def test_directory_query_count_does_not_grow_with_the_members(client, query):
    _directory_world(5)
    small = _query_count(client, LIST_URL + query)
    _directory_world(95)

    large = _query_count(client, LIST_URL + query)

    assert large == small


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

    html = _page(client, "/members/demo-steel/")

    text = _text(html)
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

    html = _page(client, "/members/sweden/")

    assert (
        '<nav aria-label="Breadcrumb" class="breadcrumbs"><ol><li><a href="/">Home</a></li>'
        '<li><a href="/members/">Members</a></li><li aria-current="page">Sweden</li></ol></nav>'
    ) in html


def test_profile_of_a_country_shows_its_economy_group(client):
    MemberFactory(
        name="India", slug="india", country="IN", economy_group=Member.EconomyGroup.DEVELOPING
    )

    text = _text(_page(client, "/members/india/"))

    assert "Country India" in text
    assert "Economy group Developing or emerging economy" in text
    assert "Sectors" not in text


def test_profile_of_a_former_member_says_so(client):
    MemberFactory(name="Formerland", slug="formerland", status=Member.Status.FORMER)

    text = _text(_page(client, "/members/formerland/"))

    assert "Former member. Formerland is no longer a member of LeadIT." in text
    assert "Status Former member" in text


def test_profile_shows_a_logo_with_alt_text(client):
    member = MemberFactory(name="Sweden", slug="sweden")
    Member.objects.filter(pk=member.pk).update(logo="members/logos/sweden.png")

    html = _page(client, "/members/sweden/")

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

    html = _page(client, "/members/sweden/")

    text = _text(html)
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

    assert "No commitments reported yet." in _page(client, "/members/sweden/")


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

    text = _text(_page(client, "/members/sweden/"))

    assert (
        "Pillar 1: Global forum — lead member Co-chairs the summit. "
        "Pillar 2: Technology transfer — participant"
    ) in text


def test_profile_shows_published_updates_newest_first_as_a_timeline(client):
    member = MemberFactory(slug="sweden")
    PublishedUpdateFactory(
        member=member,
        title="Our COP28 report",
        milestone=MilestoneFactory(name="COP28 Dubai 2023"),
        published_at=datetime.datetime(2023, 12, 1, 12, tzinfo=datetime.UTC),
        body="We *cut* emissions.",
    )
    PublishedUpdateFactory(
        member=member,
        title="Our COP29 report",
        milestone=MilestoneFactory(name="COP29 Baku 2024"),
        published_at=datetime.datetime(2024, 11, 12, 12, tzinfo=datetime.UTC),
    )

    html = _page(client, "/members/sweden/")

    text = _text(html)
    assert (
        "Our COP29 report COP29 Baku 2024 · Published 12 November 2024 We did things. "
        "Our COP28 report COP28 Dubai 2023 · Published 1 December 2023 We cut emissions."
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

    html = _page(client, "/members/sweden/")

    assert "The public update" in html
    for hidden in ["A draft in the works", "Secret draft", "A hidden update", "Hidden body"]:
        assert hidden not in html
    assert "Off topic" not in html


def test_profile_without_updates_says_so(client):
    member = MemberFactory(slug="sweden")
    ProgressUpdateFactory(member=member)

    assert "No progress updates published yet." in _page(client, "/members/sweden/")


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

    html = _page(client, "/members/sweden/")

    text = _text(html)
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

    html = _page(client, "/members/sweden/")

    assert "Pat Primary, Head of unit" in html
    assert '<a href="mailto:pat@sweden.example">pat@sweden.example</a>' in html
    assert "Other Person" not in html


def test_profile_hides_the_contact_when_not_public(client):
    member = MemberFactory(slug="sweden", contact_details_public=False)
    ContactFactory(member=member, name="Pat Primary", email="pat@sweden.example", is_primary=True)

    html = _page(client, "/members/sweden/")

    assert "Pat Primary" not in html
    assert "pat@sweden.example" not in html
    assert ">Contact</h2>" not in html


def _set_updated_at(model, pk, day: datetime.date) -> None:
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    model.objects.filter(pk=pk).update(updated_at=moment)


def test_profile_says_when_it_was_last_updated(client):
    member = MemberFactory(slug="sweden")
    _set_updated_at(Member, member.pk, datetime.date(2024, 1, 10))

    html = _page(client, "/members/sweden/")

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

    text = _text(_page(client, "/members/sweden/"))

    assert "Last updated 10 April 2024" in text


def test_profile_renders_markdown_from_members_inert(client):
    attack = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    member = MemberFactory(slug="sweden", description=attack)
    PublishedUpdateFactory(member=member, title="Update", body=attack)
    ImpactStoryFactory(member=member, what_changed=attack, leadit_contribution=attack)
    PillarEngagementFactory(member=member, note=attack)

    html = _page(client, "/members/sweden/")

    assert "<script>alert(1)</script>" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert html.count("<script") == 0


def test_profile_escapes_plain_fields(client):
    MemberFactory(slug="sweden", name="<b>Bold</b> Land", website="javascript:alert(1)")

    html = _page(client, "/members/sweden/")

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

    small = _query_count(client, reverse("members:detail", kwargs={"slug": "small"}))
    large = _query_count(client, reverse("members:detail", kwargs={"slug": "large"}))

    assert large == small


def test_profile_query_count_does_not_grow_with_the_members(client):
    _profile_world("watched", 3)
    small = _query_count(client, "/members/watched/")
    MemberFactory.create_batch(95)

    large = _query_count(client, "/members/watched/")

    assert large == small


@pytest.mark.django_db
def test_member_export_csv_holds_exactly_the_filtered_list_with_formulae_escaped(client):
    MemberFactory(name="=HYPERLINK(1) Demo", slug="formula-demo", country="SE")
    CompanyMemberFactory(name="Company Demo", slug="company-demo", country="IN")

    page = client.get("/members/?kind=country").content.decode()
    response = client.get("/members/export.csv?kind=country")

    assert 'href="/members/export.csv?kind=country"' in page
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["name", "kind", "country_code"]
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(1) Demo"]
    assert rows[0][-2:] == ["profile_url", "demo_record"]
    assert rows[1][-2:] == ["http://testserver/members/formula-demo/", "no"]
