"""Fixtures of the publications tests: the published archive, a real PDF, a staff
member's own browser."""

import datetime

import pytest
from django.test import Client

from leadit.pdf import render_pdf
from publications.models import Publication
from tests.factories.members import SectorFactory
from tests.factories.publications import BriefFactory, NewsletterIssueFactory
from tests.factories.users import StaffFactory

D = datetime.date


@pytest.fixture
def staff_browser():
    """A signed-in staff member's own client, beside the anonymous ``client``."""
    browser = Client()
    browser.force_login(StaffFactory())
    return browser


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    """A real two-page PDF (rendered once: it never changes)."""
    return render_pdf("<h1>A brief</h1><p style='break-after: page'>One</p><p>Two</p>")


@pytest.fixture
def archive():
    """Two briefs and a newsletter issue published; a draft and a brief in review."""
    steel = SectorFactory(name="Iron and steel", slug="steel")
    cement = SectorFactory(name="Cement and concrete", slug="cement")
    SectorFactory(name="Aviation", slug="aviation")  # nothing published about it
    procurement = BriefFactory(
        title="Green public procurement for steel and cement",
        slug="green-public-procurement",
        summary="How public buyers can create lead markets for near-zero steel and cement.",
        published_on=D(2025, 3, 14),
        countries=["SE", "DE"],
        sectors=[steel, cement],
    )
    ccfd = BriefFactory(
        title="Carbon contracts for difference",
        slug="carbon-contracts-for-difference",
        summary="Closing the cost gap of low-carbon cement with a contract.",
        published_on=D(2024, 6, 1),
        countries=["IN"],
        sectors=[cement],
    )
    issue = NewsletterIssueFactory(
        number=4,
        year=2025,
        quarter=1,
        title="LeadIT newsletter, first quarter 2025",
        slug="newsletter-2025-q1",
        summary="Summit news and two new roadmaps.",
        status=Publication.Status.PUBLISHED,
        published_on=D(2025, 4, 10),
    )
    draft = BriefFactory(
        title="Hydrogen for industry (draft)",
        slug="hydrogen-draft",
        status=Publication.Status.DRAFT,
        published_on=None,
    )
    BriefFactory(
        title="Industrial heat (in review)",
        slug="industrial-heat",
        status=Publication.Status.IN_REVIEW,
        published_on=None,
    )
    return {"procurement": procurement, "ccfd": ccfd, "issue": issue, "draft": draft}
