"""The public members' directory /members/: what it lists, its filters and facets, its
pages, its query count and its CSV export."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache

from members.models import (
    Member,
    PillarEngagement,
)
from tests.factories.members import (
    CompanyMemberFactory,
    MemberFactory,
    PillarEngagementFactory,
    PillarFactory,
    SectorFactory,
)
from tests.members.pages import LIST_URL, names_listed, page_html, page_text, query_count

pytestmark = pytest.mark.django_db


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
    html = page_html(client, LIST_URL)

    text = page_text(html)
    assert "<h1>Members</h1>" in html
    assert sorted(names_listed(html)) == sorted(
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
    html = page_html(client, LIST_URL)

    assert "Hopeful Republic" not in html
    assert "Prospective" not in html


def test_directory_form_works_without_javascript(client, directory):
    html = page_html(client, LIST_URL)

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
    text = page_text(page_html(client, LIST_URL))

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
    html = page_html(client, LIST_URL + "?kind=company")

    text = page_text(html)
    assert sorted(names_listed(html)) == ["Demo Cement Ltd", "Demo Steel AB"]
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
    html = page_html(client, f"{LIST_URL}?{query}")

    assert sorted(names_listed(html)) == expected
    count = len(expected)
    assert f"{count} member{'s' if count != 1 else ''}</h2>" in html


def test_directory_facet_counts_follow_the_other_filters(client, directory):
    text = page_text(page_html(client, LIST_URL + "?sector=steel&country=IN"))

    assert "1 member " in text
    assert "Iron and steel (1)" in text  # Indian members in steel
    assert "Cement and concrete (1)" in text
    assert "India (1)" in text  # steel members in India
    assert "Sweden (1)" in text  # steel members in Sweden


def test_directory_names_each_filter_on_with_a_link_to_remove_it(client, directory):
    html = page_html(client, LIST_URL + "?kind=company&sector=steel")

    text = page_text(html)
    assert "Filters on: Kind: Company Remove filter Kind: Company" in text
    assert "Sector: Iron and steel Remove filter Sector: Iron and steel" in text
    assert '<a href="?sector=steel">Remove<span class="visually-hidden"> filter Kind' in html
    assert '<a href="?kind=company">Remove<span class="visually-hidden"> filter Sector' in html
    assert '<a href="/members/">Clear all filters</a>' in html


def test_directory_removing_the_last_filter_links_to_the_plain_list(client, directory):
    html = page_html(client, LIST_URL + "?q=India")

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
    html = page_html(client, f"{LIST_URL}?{query}")

    text = page_text(html)
    assert "Some filters were ignored because their values are not known" in text
    assert f"{label}: “{value}” is not one of the choices" in text
    assert len(names_listed(html)) == 6
    assert "Hopeful Republic" not in html


def test_directory_keeps_valid_filters_beside_an_unknown_one(client, directory):
    html = page_html(client, LIST_URL + "?kind=planet&country=IN")

    assert sorted(names_listed(html)) == ["Demo Cement Ltd", "India"]
    assert "Kind: “planet” is not one of the choices" in page_text(html)


def test_directory_escapes_the_unknown_value_it_shows(client, directory):
    html = page_html(client, LIST_URL + "?kind=%3Cscript%3Ealert(1)%3C/script%3E")

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_directory_says_when_nothing_matches(client, directory):
    html = page_html(client, LIST_URL + "?q=zzz")

    assert "0 members" in html
    assert "No members match these filters." in html


def test_directory_paginates_at_fifty_members(client):
    for n in range(51):
        MemberFactory(name=f"Member {n:03d}", slug=f"member-{n:03d}")

    first = page_html(client, LIST_URL)
    second = page_html(client, LIST_URL + "?page=2")

    assert len(names_listed(first)) == 50
    assert "51 members" in first
    assert "Page 1 of 2 (members 1–50)" in first
    assert '<a href="?page=2" rel="next">Next page</a>' in first
    assert names_listed(second) == ["Member 050"]
    assert '<a href="?page=1" rel="prev">Previous page</a>' in second


def test_directory_page_links_keep_the_filters(client):
    for n in range(55):
        CompanyMemberFactory(name=f"Company {n:03d}", slug=f"company-{n:03d}")

    html = page_html(client, LIST_URL + "?kind=company")

    assert '<a href="?kind=company&amp;page=2" rel="next">Next page</a>' in html


@pytest.mark.parametrize(("page", "expected_page"), [("999", 2), ("abc", 1), ("-1", 2)])
def test_directory_page_out_of_range_shows_a_real_page(client, page, expected_page):
    for n in range(51):
        MemberFactory(name=f"Member {n:03d}", slug=f"member-{n:03d}")

    html = page_html(client, f"{LIST_URL}?page={page}")

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
    small = query_count(client, LIST_URL + query)
    _directory_world(55)  # 60 listed: a second page of the 50-a-page directory

    large = query_count(client, LIST_URL + query)

    assert large == small


@pytest.mark.parametrize("query", ["", "?kind=company&sector=s0&pillar=1&country=IN"])
def test_member_export_csv_query_count_does_not_grow_with_the_members(client, query):
    url = "/members/export.csv" + query
    _directory_world(5)
    cache.clear()  # the view, not the page cache
    small = query_count(client, url)
    small_rows = len(client.get(url).content.splitlines())
    _directory_world(30)
    cache.clear()

    large = query_count(client, url)

    assert len(client.get(url).content.splitlines()) > small_rows
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
