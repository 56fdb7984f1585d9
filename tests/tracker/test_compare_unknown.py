"""Compare never drops what was asked for without saying so: an unknown country code or
roadmap address is named as ignored, with what it probably meant, near the top of the page,
and the rest is compared."""

import re

import pytest

from tests.factories.tracker import RoadmapFactory

URL = "/tracker/compare/"


def _notes(html: str) -> list[str]:
    block = re.search(r'<div class="compare-notes" role="status">(.*?)</div>', html, re.S)
    if not block:
        return []
    return [
        re.sub(r"<[^>]+>", "", p).strip()
        for p in re.findall(r"<p[^>]*>(.*?)</p>", block.group(1), re.S)
    ]


def _page(client, query: str) -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_an_unknown_country_code_is_said_to_be_ignored(client):
    html = _page(client, "?c=SE&c=XX")

    notes = _notes(html)
    assert notes[0] == "“XX” is not a country code we know; ignored."
    assert "Pick at least one more country to compare with Sweden." in notes
    # The notice comes before the comparison and the picker.
    assert html.index("compare-notes") < html.index("compare-picker")


@pytest.mark.django_db
def test_a_country_given_by_name_or_a_common_wrong_code_gets_a_suggestion(client):
    html = _page(client, "?c=SE&c=UK&c=Germany")

    (note, *_rest) = _notes(html)
    assert note == (
        "“UK”, “Germany” are not country codes we know; ignored. "
        "Did you mean GB (United Kingdom) for “UK”? Did you mean DE (Germany) for “Germany”?"
    )


@pytest.mark.django_db
def test_an_unknown_roadmap_is_said_to_be_ignored_with_the_likely_one(client):
    RoadmapFactory(title="Fossil-free steel roadmap", slug="se-steel", country="SE")
    RoadmapFactory(title="Green steel mission", slug="in-steel", country="IN")

    html = _page(client, "?r=se-steel&r=in-stel&r=no-such-thing")

    (note, *_rest) = _notes(html)
    assert note == (
        "“in-stel”, “no-such-thing” are not roadmaps we know; ignored. "
        "Did you mean in-steel (Green steel mission) for “in-stel”?"
    )


@pytest.mark.django_db
def test_a_repeated_unknown_value_is_named_once(client):
    notes = _notes(_page(client, "?c=SE&c=XX&c=xx&c=XX&c=IN"))

    assert notes == [
        "“XX”, “xx” are not country codes we know; ignored.",
    ]
