"""A newsletter section is a contribution: an app registers it (leadit.newsletter_sections)
and an assembled issue shows it in its order, without publications knowing the app."""

import datetime

import pytest

from leadit.newsletter_sections import (
    NewsItem,
    newsletter_sections,
    register_newsletter_section,
    unregister_newsletter_section,
)
from publications import newsletter
from tests.factories.publications import NewsletterIssueFactory

NOW = datetime.datetime(2025, 10, 6, 9, 0, tzinfo=datetime.UTC)
KEY = "test_partnerships"


def partnerships(quarter) -> list[NewsItem]:
    """What a new app (partnerships) would find in a quarter."""
    return [
        NewsItem(
            title=f"Partnership {n} signed",
            text=f"Signed in {quarter.label}.",
            url=f"/partnerships/{n}/",
            date=quarter.start + datetime.timedelta(days=n),
            source=f"partnership:{n}",
        )
        for n in range(1, quarter.shared("test-count", lambda: 3) + 1)
    ]


@pytest.fixture
def partnerships_section():
    # Between "New and updated roadmaps" (40) and "Industrial projects" (50).
    register_newsletter_section(
        key=KEY,
        title="New partnerships",
        collect=partnerships,
        order=45,
        more_what="partnerships",
        more_url=lambda items: "/partnerships/",
        summary=("{n} new partnership", "{n} new partnerships"),
    )
    yield
    unregister_newsletter_section(KEY)


@pytest.mark.django_db
def test_a_registered_section_appears_in_an_assembled_issue_in_its_order(partnerships_section):
    issue = NewsletterIssueFactory(year=2025, quarter=3, slug="newsletter-2025-q3")

    result = newsletter.issue_assemble(issue=issue, now=NOW)

    kinds = list(issue.sections.values_list("kind", flat=True))
    assert kinds == [s.key for s in newsletter_sections()]
    assert kinds.index(KEY) == kinds.index("roadmaps") + 1
    assert kinds.index(KEY) == kinds.index("projects") - 1
    section = issue.sections.get(kind=KEY)
    assert section.title == "New partnerships"
    assert section.included
    assert list(section.items.values_list("title", "url", "source", "date")) == [
        ("Partnership 1 signed", "/partnerships/1/", "partnership:1", datetime.date(2025, 7, 2)),
        ("Partnership 2 signed", "/partnerships/2/", "partnership:2", datetime.date(2025, 7, 3)),
        ("Partnership 3 signed", "/partnerships/3/", "partnership:3", datetime.date(2025, 7, 4)),
    ]
    assert section.items.first().text == "Signed in Q3 2025."
    assert result.counts[KEY] == 3
    assert newsletter.issue_summary(counts=result.counts, label="Q3 2025") == (
        "Q3 2025 at LeadIT: 3 new partnerships."
    )


@pytest.mark.django_db
def test_a_registered_section_is_capped_and_kept_by_reassembly(partnerships_section):
    issue = NewsletterIssueFactory(year=2025, quarter=3, slug="newsletter-2025-q3")
    register_newsletter_section(
        key=KEY,
        title="New partnerships",
        collect=lambda quarter: [
            NewsItem(title=f"P{n}", source=f"partnership:{n}") for n in range(20)
        ],
        order=45,
        more_what="partnerships",
        more_url=lambda items: "/partnerships/",
    )
    newsletter.issue_assemble(issue=issue, now=NOW)
    section = issue.sections.get(kind=KEY)
    newsletter.section_annotate(section=section, note="Our new partners.")

    newsletter.issue_assemble(issue=issue, now=NOW)

    items = list(issue.sections.get(kind=KEY).items.all())
    assert len(items) == newsletter.MAX_ITEMS
    assert (items[-1].title, items[-1].url) == ("And 9 more partnerships", "/partnerships/")
    assert issue.sections.filter(kind=KEY).count() == 1
    assert issue.sections.get(kind=KEY).note == "Our new partners."


def test_after_unregistering_the_section_is_gone():
    assert KEY not in [s.key for s in newsletter_sections()]
