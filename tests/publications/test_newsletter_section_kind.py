"""A section's kind is named by the registry: a section a new app registers shows its title
in the admin (not its raw key), built-in ones keep their names, staff's own say "Other"."""

import datetime
from html import unescape

import pytest

from leadit.newsletter_sections import (
    NewsItem,
    register_newsletter_section,
    unregister_newsletter_section,
)
from publications import newsletter
from publications.models import NewsletterSection
from tests.factories.publications import NewsletterIssueFactory, NewsletterSectionFactory

NOW = datetime.datetime(2025, 10, 6, 9, 0, tzinfo=datetime.UTC)
KEY = "test_partnerships"
SECTIONS = "/admin/publications/newslettersection/"


@pytest.fixture
def partnerships_section():
    register_newsletter_section(
        key=KEY,
        title="New partnerships",
        order=45,
        collect=lambda quarter: [NewsItem(title="Partnership signed", source="partnership:1")],
    )
    yield
    unregister_newsletter_section(KEY)


def assembled_issue() -> tuple:
    issue = NewsletterIssueFactory(year=2025, quarter=3, slug="newsletter-2025-q3")
    newsletter.issue_assemble(issue=issue, now=NOW)
    return issue, issue.sections.get(kind=KEY)


def text_of(response) -> str:
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.mark.django_db
def test_kind_label_comes_from_the_registry(partnerships_section):
    labels = {
        kind: NewsletterSection(kind=kind).kind_label
        for kind in (KEY, "new_members", "workplan", "custom", "gone_app")
    }

    assert labels == {
        KEY: "New partnerships",
        "new_members": "New members and announcements",
        "workplan": "Workplan progress",
        "custom": "Other",
        "gone_app": "gone_app",  # no app registers it any more: its key, not an error
    }


@pytest.mark.django_db
def test_a_registered_section_shows_its_title_on_the_issue_page(partnerships_section, staff_client):
    issue, section = assembled_issue()
    section.title = "Partnerships this quarter"  # staff renamed it: the kind stays named
    section.save()

    html = text_of(staff_client.get(f"/admin/publications/newsletterissue/{issue.pk}/change/"))

    assert "<p>New partnerships</p>" in html
    assert f"<p>{KEY}</p>" not in html


@pytest.mark.django_db
def test_a_registered_section_shows_its_title_on_its_page_and_in_the_list(
    partnerships_section, staff_client
):
    _, section = assembled_issue()
    NewsletterSectionFactory(issue=section.issue, title="Our own")

    page = text_of(staff_client.get(f"{SECTIONS}{section.pk}/change/"))
    listing = text_of(staff_client.get(SECTIONS))
    filtered = text_of(staff_client.get(f"{SECTIONS}?kind={KEY}"))

    assert '<div class="readonly">New partnerships</div>' in page
    assert '<td class="field-kind_label">New partnerships</td>' in listing
    assert '<td class="field-kind_label">Other</td>' in listing
    assert f'href="?kind={KEY}"' in listing and ">New partnerships</a>" in listing
    assert f'href="{SECTIONS}{section.pk}/change/' in filtered
    assert "Our own" not in filtered
