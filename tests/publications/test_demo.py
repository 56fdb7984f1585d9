"""The publications demo: two briefs and the newsletter issue of Q4 2021, published, with
their PDFs rendered; seeding twice changes nothing.

The PDFs are rendered as in the embedded default: Celery eager, the render running when the
seeding transaction commits."""

import io

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from pypdf import PdfReader

import leadit.demo
import members.demo
import summits.demo
import tracker.demo
import workplan.demo
from leadit.celery import app
from publications import demo
from publications.models import (
    Brief,
    NewsletterIssue,
    NewsletterItem,
    NewsletterSection,
    Publication,
    RenderedDocument,
    Subscriber,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for this module's tests, as in the embedded default: tasks run
    in-process when they are sent (after commit), so the PDFs are rendered. All in a
    transaction rolled back after the tests; each test runs in a savepoint of it."""
    folder = tmp_path_factory.mktemp("publications-demo")
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        with (
            pytest.MonkeyPatch.context() as patch,
            override_settings(MEDIA_ROOT=folder / "media"),
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            patch.setattr(leadit.demo, "DEMO_LOGINS_FILE", folder / "demo-logins.json")
            _seed()
            yield
            transaction.set_rollback(True)
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def seeded(db, _seeded_once):
    """The seeded demo; the test runs in a savepoint of the seeding transaction."""


def _seed():
    # The apps below publications, in INSTALLED_APPS order, as ``seed_demo`` runs them.
    for module in (leadit.demo, tracker.demo, members.demo, summits.demo, workplan.demo):
        module.seed_demo()
    with TestCase.captureOnCommitCallbacks(execute=True):
        demo.seed_demo()


def _counts():
    return {
        "briefs": Brief.objects.count(),
        "issues": NewsletterIssue.objects.count(),
        "sections": NewsletterSection.objects.count(),
        "items": NewsletterItem.objects.count(),
        "documents": RenderedDocument.objects.count(),
        "subscribers": Subscriber.objects.filter(confirmed_at__isnull=False).count(),
        "done": RenderedDocument.objects.filter(status=RenderedDocument.Status.DONE).count(),
        "brief history": Brief.history.count(),
    }


def test_demo_publishes_two_briefs_and_a_newsletter_with_their_pdfs(seeded, client):
    briefs = {b.slug: b for b in Brief.objects.all()}
    assert set(briefs) == {
        "green-public-procurement-steel-cement",
        "carbon-contracts-for-difference",
    }
    procurement = briefs["green-public-procurement-steel-cement"]
    assert procurement.is_published
    # Invented briefs: labelled in the title, the summary and the text, not attributed to
    # the real secretariat.
    assert procurement.authors == "Demo authors (invented)"
    for publication in Publication.objects.all():
        assert publication.title.endswith("(demo)")
        assert "not a LeadIT" in publication.summary
    assert procurement.activity.group.pathway.workplan.slug == "2021"
    assert {s.slug for s in procurement.sectors.all()} == {"steel", "cement"}
    for brief in briefs.values():
        assert "|---|" in brief.body and "[^" in brief.body and "[[chart:" in brief.body

    issue = NewsletterIssue.objects.get()
    assert (issue.year, issue.quarter) == (2021, 4)
    assert issue.is_published
    assert issue.sections.filter(included=True).exists()
    assert NewsletterItem.objects.filter(
        section__issue=issue, title__icontains="COP26", included=True
    ).exists()

    for publication in Publication.objects.all():
        document = RenderedDocument.objects.get(publication=publication)
        assert document.status == RenderedDocument.Status.DONE, document.last_error
        with document.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF")
        assert len(PdfReader(io.BytesIO(content)).pages) == document.page_count >= 2
        first_page = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        assert "demo" in first_page.lower(), first_page[:300]

    # The public pages show them.
    archive = client.get("/publications/").content.decode()
    assert "Green public procurement for steel and cement (demo)" in archive
    assert "Demo brief, written to show the portal: not a LeadIT publication." in archive
    assert "/publications/newsletter-2021-q4.pdf" in archive
    pdf = client.get("/publications/carbon-contracts-for-difference.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_demo_seeded_twice_changes_nothing(seeded):
    first = _counts()

    _seed()

    assert _counts() == first
    assert first["documents"] == first["done"] == 3
    assert first["subscribers"] == 3  # so that staff can try a send on the demo
