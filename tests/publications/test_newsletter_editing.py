"""The quarterly newsletter's editing: re-assembly that keeps staff's notes and choices,
reordering, trimming, creating and publishing an issue."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from publications import newsletter
from publications.models import NewsletterSection, RenderedDocument
from publications.models import Publication as PublicationModel
from tests.factories.members import (
    MemberFactory,
)
from tests.factories.publications import (
    BriefFactory,
    NewsletterIssueFactory,
    NewsletterItemFactory,
    NewsletterSectionFactory,
)
from tests.publications.newsletter_quarter import (
    NOW,
    Kind,
    assemble,
    issue_for_q3,
    section,
)

# --- Re-assembly -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reassemble_keeps_notes_titles_positions_choices_and_custom_sections():
    first = MemberFactory(name="First member", joined_on=datetime.date(2025, 7, 2))
    MemberFactory(name="Second member", joined_on=datetime.date(2025, 7, 3))
    BriefFactory(title="A brief", published_on=datetime.date(2025, 8, 1))
    issue = issue_for_q3()
    custom = NewsletterSectionFactory(issue=issue, title="From the secretariat", position=5)
    NewsletterItemFactory(section=custom, title="We are hiring", source="")
    assemble(issue)
    members = section(issue, Kind.NEW_MEMBERS)
    members.note = "A warm welcome!"
    members.title = "Welcome"
    members.position = 1
    members.save()
    briefs = section(issue, Kind.BRIEFS)
    briefs.included = False  # staff trimmed the whole section
    briefs.save()
    members.items.filter(source=f"member:{first.pk}").update(included=False)
    NewsletterItemFactory(section=members, title="Added by hand", source="", position=99)
    MemberFactory(name="Third member", joined_on=datetime.date(2025, 9, 1))

    assemble(issue)

    members.refresh_from_db()
    assert (members.title, members.note, members.position) == ("Welcome", "A warm welcome!", 1)
    assert list(members.items.values_list("title", "included")) == [
        ("First member", False),
        ("Second member", True),
        ("Third member", True),
        ("Added by hand", True),
    ]
    briefs.refresh_from_db()
    assert briefs.included is False
    custom.refresh_from_db()
    assert list(custom.items.values_list("title", flat=True)) == ["We are hiring"]
    assert issue.sections.count() == len(newsletter.ASSEMBLED_KINDS) + 1  # + the custom one


@pytest.mark.django_db
def test_reassemble_includes_a_section_that_was_empty_and_leaves_out_one_that_empties():
    issue = issue_for_q3()
    assemble(issue)
    assert section(issue, Kind.BRIEFS).included is False
    brief = BriefFactory(published_on=datetime.date(2025, 8, 1))

    assemble(issue)
    assert section(issue, Kind.BRIEFS).included is True

    brief.delete()
    assemble(issue)
    assert section(issue, Kind.BRIEFS).included is False
    assert section(issue, Kind.BRIEFS).items.count() == 0


@pytest.mark.django_db
def test_reassemble_brings_back_a_deleted_section_at_the_end():
    issue = issue_for_q3()
    assemble(issue)
    section(issue, Kind.NEW_MEMBERS).delete()

    result = assemble(issue)

    assert result.created_sections == 1
    assert list(issue.sections.values_list("kind", flat=True))[-1] == Kind.NEW_MEMBERS


@pytest.mark.django_db
def test_reassemble_is_refused_once_the_issue_was_sent():
    issue = issue_for_q3(send_requested_at=NOW)
    custom = NewsletterSectionFactory(issue=issue, title="As sent")

    with pytest.raises(ValidationError, match="stays as it was sent"):
        assemble(issue)

    assert list(issue.sections.all()) == [custom]


@pytest.mark.django_db
def test_assembled_state_counts_what_a_reassembly_would_replace():
    MemberFactory(joined_on=datetime.date(2025, 7, 2))
    MemberFactory(joined_on=datetime.date(2025, 7, 3))
    issue = issue_for_q3()
    NewsletterSectionFactory(issue=issue, title="Custom")
    assemble(issue)
    members = section(issue, Kind.NEW_MEMBERS)
    members.items.filter(pk=members.items.first().pk).update(included=False)
    NewsletterItemFactory(section=members, source="")
    newsletter.section_annotate(section=members, note="Welcome!")

    state = newsletter.issue_assembled_state(issue)

    sections = len(newsletter.ASSEMBLED_KINDS)
    assert (state.sections, state.items, state.left_out) == (sections, 2, 1)
    assert (state.added_by_staff, state.notes, state.custom_sections) == (1, 1, 1)
    assert state.would_replace


@pytest.mark.django_db
def test_assemble_records_who_assembled_in_the_issue_history(staff_user):
    issue = issue_for_q3()

    newsletter.issue_assemble(issue=issue, user=staff_user, now=NOW)

    record = issue.history.first()
    assert record.history_user == staff_user
    assert record.history_change_reason == "Assembled from the data of Q3 2025"


# --- Reorder, trim, annotate -----------------------------------------------------------------


@pytest.mark.django_db
def test_section_move_swaps_with_its_neighbour_and_renumbers():
    issue = issue_for_q3()
    a, b, c = (NewsletterSectionFactory(issue=issue, title=t, position=0) for t in "ABC")

    newsletter.section_move(section=c, direction="up")

    assert list(issue.sections.values_list("title", "position")) == [
        ("A", 10),
        ("C", 20),
        ("B", 30),
    ]
    newsletter.section_move(section=a, direction="up")  # already first: nothing moves
    newsletter.section_move(section=a, direction="down")
    assert list(issue.sections.values_list("title", flat=True)) == ["C", "A", "B"]
    assert c.position == 20


@pytest.mark.django_db
def test_item_move_and_trim_change_what_the_issue_shows():
    from publications.selectors import issue_sections

    issue = issue_for_q3()
    kept = NewsletterSectionFactory(issue=issue, title="Kept")
    x, y = (
        NewsletterItemFactory(section=kept, title="X"),
        NewsletterItemFactory(section=kept, title="Y"),
    )
    dropped = NewsletterSectionFactory(issue=issue, title="Dropped")

    newsletter.item_move(item=y, direction="up")
    newsletter.item_set_included(item=x, included=False)
    newsletter.section_set_included(section=dropped, included=False)

    shown = list(issue_sections(issue))
    assert [s.title for s in shown] == ["Kept"]
    assert [i.title for i in shown[0].kept_items] == ["Y"]


@pytest.mark.django_db
def test_section_move_shows_at_once_on_the_cached_public_page(client):
    issue = issue_for_q3(status="published", published_on=datetime.date(2025, 10, 8))
    first = NewsletterSectionFactory(issue=issue, title="First section", position=10)
    NewsletterSectionFactory(issue=issue, title="Second section", position=20)
    url = f"/publications/{issue.slug}/"
    before = client.get(url).content.decode()
    assert before.index("First section") < before.index("Second section")

    newsletter.section_move(section=first, direction="down")

    after = client.get(url).content.decode()
    assert after.index("Second section") < after.index("First section")


@pytest.mark.django_db
def test_sections_renumber_after_positions_typed_by_hand():
    issue = issue_for_q3()
    NewsletterSectionFactory(issue=issue, title="B", position=15)
    NewsletterSectionFactory(issue=issue, title="A", position=3)

    newsletter.sections_renumber(issue=issue)

    assert list(issue.sections.values_list("title", "position")) == [("A", 10), ("B", 20)]


@pytest.mark.django_db
def test_section_move_refuses_a_sideways_move():
    with pytest.raises(ValidationError):
        newsletter.section_move(section=NewsletterSection(), direction="left")


# --- Creating and publishing -----------------------------------------------------------------


@pytest.mark.django_db
def test_issue_create_for_quarter_takes_the_next_number_and_assembles(staff_user):
    NewsletterIssueFactory(number=6, year=2025, quarter=2, slug="newsletter-2025-q2")
    BriefFactory(published_on=datetime.date(2025, 8, 1))

    issue = newsletter.issue_create_for_quarter(year=2025, quarter=3, user=staff_user, now=NOW)

    assert issue.number == 7
    assert issue.title == "LeadIT newsletter No. 7 — Q3 2025"
    assert issue.slug == "newsletter-2025-q3"
    assert issue.status == PublicationModel.Status.DRAFT
    assert section(issue, Kind.BRIEFS).items.count() == 1
    assert issue.summary == "Q3 2025 at LeadIT: 1 brief."
    assert issue.history.last().history_user == staff_user


@pytest.mark.django_db
def test_issue_create_for_quarter_refuses_a_second_issue_for_the_quarter():
    issue_for_q3()

    with pytest.raises(ValidationError, match="already an issue for Q3 2025"):
        newsletter.issue_create_for_quarter(year=2025, quarter=3)


@pytest.fixture
def render_requests(monkeypatch):
    """Records the calls of the render helper's ``document_request_render`` (which still
    does its work: a queued document row, its job sent after commit)."""
    from publications import documents

    calls = []
    real = documents.document_request_render

    def request(*, publication, requested_by=None):
        calls.append((publication.pk, requested_by))
        return real(publication=publication, requested_by=requested_by)

    monkeypatch.setattr(documents, "document_request_render", request)
    return calls


@pytest.mark.django_db
def test_issue_publish_publishes_and_requests_the_pdf(staff_user, render_requests):
    issue = issue_for_q3()
    NewsletterSectionFactory(issue=issue)

    published = newsletter.issue_publish(
        issue=issue, user=staff_user, on=datetime.date(2025, 10, 8)
    )

    issue.refresh_from_db()
    assert issue.is_published
    assert issue.published_on == published.published_on == datetime.date(2025, 10, 8)
    assert render_requests == [(issue.pk, staff_user)]
    assert RenderedDocument.objects.filter(publication=issue, requested_by=staff_user).exists()
    assert issue.history.first().history_change_reason == "Published on 2025-10-08"


@pytest.mark.django_db
def test_issue_publish_refuses_an_issue_with_nothing_kept(render_requests):
    issue = issue_for_q3()
    NewsletterSectionFactory(issue=issue, included=False)

    with pytest.raises(ValidationError, match="no section to publish"):
        newsletter.issue_publish(issue=issue)

    issue.refresh_from_db()
    assert issue.status == PublicationModel.Status.DRAFT
    assert render_requests == []


@pytest.mark.django_db
def test_issue_publish_again_keeps_the_first_date(render_requests):
    issue = issue_for_q3()
    NewsletterSectionFactory(issue=issue)
    newsletter.issue_publish(issue=issue, on=datetime.date(2025, 10, 8))

    newsletter.issue_publish(issue=issue)

    issue.refresh_from_db()
    assert issue.published_on == datetime.date(2025, 10, 8)
