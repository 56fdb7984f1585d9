"""Progress updates that name the pillars and the member's commitments they report on,
with the status reported: the editor's form, what a save writes (and when the commitments'
own statuses change), forged input, the ?milestone= link of the reminders, and the
member's public page grouped by milestone."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services
from members.models import Commitment, MemberCommitment, ProgressUpdate, ReportedCommitment
from tests.factories.members import (
    CommitmentFactory,
    MemberCommitmentFactory,
    MemberFactory,
    MilestoneFactory,
    PillarFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
    ReportedCommitmentFactory,
)
from tests.members.pages import page_html, page_text
from tests.members.self_service import edit_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("self_service_settings")]


@pytest.fixture
def commitments(member):
    """Sweden's three commitments, one per category; none reported yet."""
    return {
        category: MemberCommitmentFactory(
            member=member, commitment=CommitmentFactory(category=category, text=text)
        )
        for category, text in [
            (Commitment.Category.SUPPORT, "Endorse the LeadIT vision"),
            (Commitment.Category.ENGAGE, "Join the work of a pillar"),
            (Commitment.Category.PROMOTE, "Report progress at milestones"),
        ]
    }


@pytest.fixture
def others_commitment(other):
    return MemberCommitmentFactory(
        member=other, commitment=CommitmentFactory(text="India's own commitment")
    )


def _post(commitments_reported=(), pillars=(), action="save", **extra):
    data = {"title": "Our COP30 report", "body": "What we did.", "action": action}
    data["commitments"] = [str(mc.pk) for mc, _ in commitments_reported]
    for mc, status in commitments_reported:
        data[f"commitment-{mc.pk}-status"] = status
    data["pillars"] = [str(p.pk) for p in pillars]
    data.update(extra)
    return data


def _nothing_written(commitments):
    assert not ProgressUpdate.objects.exists()
    assert not ReportedCommitment.objects.exists()
    for mc in commitments:
        mc.refresh_from_db()
        assert mc.status == MemberCommitment.Status.NOT_REPORTED
        assert mc.history.count() == 1  # its creation only


# --- The editor's form --------------------------------------------------------------------


def test_form_offers_own_commitments_by_category_and_the_pillars(
    editor_client, member, commitments, others_commitment
):
    PillarFactory(number=1, title="Global forum", slug="forum")

    html = editor_client.get(edit_url("update_new", member)).content.decode()

    text = page_text(html)
    assert (
        "Support industry transitions Reports on “Endorse the LeadIT vision” Status to report"
    ) in text
    assert "Engage on industry transitions Reports on “Join the work of a pillar”" in text
    assert "Promote industry transitions Reports on “Report progress at milestones”" in text
    for mc in commitments.values():
        assert f'name="commitments" value="{mc.pk}"' in html
        assert f'name="commitment-{mc.pk}-status"' in html
    assert "India's own commitment" not in html
    assert f'value="{others_commitment.pk}"' not in html
    assert 'value="not_reported"' not in html  # a status to report, never "not reported"
    assert ">Not started<" in html and ">In progress<" in html and ">Met<" in html
    assert "Pillars it reports on" in text and "1. Global forum" in text


def test_form_for_an_update_ticks_what_it_reports(editor_client, member, commitments):
    pillar = PillarFactory(number=2)
    update = ProgressUpdateFactory(member=member)
    update.pillars.add(pillar)
    ReportedCommitmentFactory(update=update, member_commitment=commitments["engage"], status="met")

    html = editor_client.get(edit_url("update_edit", member, update.pk)).content.decode()

    engage = commitments["engage"].pk
    assert f'name="commitments" value="{engage}" id="id_commitments_' in html
    assert f'value="{engage}" id="id_commitments_1" checked' in html
    assert f'value="{commitments["support"].pk}" id="id_commitments_0" checked' not in html
    assert f'name="pillars" value="{pillar.pk}" id="id_pillars_0" checked' in html
    select = html.split(f'name="commitment-{engage}-status"')[1].split("</select>")[0]
    assert '<option value="met" selected>' in select


# --- Saving: drafts keep the statuses; publishing sets them -------------------------------


def test_draft_keeps_reported_statuses_and_publishing_sets_them_with_history(
    editor_client, editor, member, commitments, django_capture_on_commit_callbacks
):
    pillar = PillarFactory(number=1)
    support, promote = commitments["support"], commitments["promote"]

    editor_client.post(
        edit_url("update_new", member),
        _post([(support, "in_progress"), (promote, "met")], pillars=[pillar]),
    )

    update = ProgressUpdate.objects.get()
    assert update.status == ProgressUpdate.Status.DRAFT
    assert list(update.pillars.all()) == [pillar]
    assert dict(update.reported_commitments.values_list("member_commitment", "status")) == {
        support.pk: "in_progress",
        promote.pk: "met",
    }
    support.refresh_from_db()
    assert support.status == MemberCommitment.Status.NOT_REPORTED  # a draft changes nothing
    assert support.history.count() == 1

    with django_capture_on_commit_callbacks(execute=False):
        editor_client.post(edit_url("update_publish", member, update.pk))

    for mc, status in [(support, "in_progress"), (promote, "met")]:
        mc.refresh_from_db()
        assert (mc.status, mc.updated_by) == (status, editor)
        latest = mc.history.first()
        assert (latest.status, latest.history_type) == (status, "~")
    commitments["engage"].refresh_from_db()
    assert commitments["engage"].status == MemberCommitment.Status.NOT_REPORTED


def test_save_and_publish_sets_the_statuses_in_the_same_save(
    editor_client, editor, member, commitments, django_capture_on_commit_callbacks
):
    engage = commitments["engage"]
    with django_capture_on_commit_callbacks(execute=False):
        response = editor_client.post(
            edit_url("update_new", member), _post([(engage, "met")], action="publish"), follow=True
        )

    assert "is published" in response.content.decode()
    engage.refresh_from_db()
    assert (engage.status, engage.updated_by) == ("met", editor)
    assert [h.status for h in engage.history.all()] == ["met", "not_reported"]


def test_editing_a_published_update_changes_the_status_at_once(editor_client, member, commitments):
    engage = commitments["engage"]
    update = PublishedUpdateFactory(member=member)
    ReportedCommitmentFactory(update=update, member_commitment=engage, status="in_progress")
    MemberCommitment.objects.filter(pk=engage.pk).update(status="in_progress")

    editor_client.post(
        edit_url("update_edit", member, update.pk),
        _post([(engage, "met")], title=update.title, body=update.body),
    )

    engage.refresh_from_db()
    assert engage.status == "met"
    assert update.reported_commitments.get().status == "met"


def test_an_older_update_does_not_undo_a_newer_report(editor, member, commitments):
    engage = commitments["engage"]
    older = PublishedUpdateFactory(
        member=member, published_at=datetime.datetime(2024, 11, 1, tzinfo=datetime.UTC)
    )
    newer = PublishedUpdateFactory(
        member=member, published_at=datetime.datetime(2025, 11, 1, tzinfo=datetime.UTC)
    )
    ReportedCommitmentFactory(update=newer, member_commitment=engage, status="met")
    MemberCommitment.objects.filter(pk=engage.pk).update(status="met")

    services.progress_update_save(
        member=member,
        update=older,
        title=older.title,
        milestone=None,
        body=older.body,
        author=editor,
        reported={engage: "in_progress"},
    )

    engage.refresh_from_db()
    assert engage.status == "met"
    assert older.reported_commitments.get().status == "in_progress"


def test_unticking_a_commitment_removes_its_report(editor_client, member, commitments):
    update = ProgressUpdateFactory(member=member)
    ReportedCommitmentFactory(update=update, member_commitment=commitments["support"])

    editor_client.post(
        edit_url("update_edit", member, update.pk),
        _post([(commitments["promote"], "not_started")], title=update.title, body="x"),
    )

    assert list(update.reported_commitments.values_list("member_commitment", "status")) == [
        (commitments["promote"].pk, "not_started")
    ]


# --- Bad input: a clear error, nothing written --------------------------------------------


def test_forged_commitment_of_another_member_is_refused_and_nothing_written(
    editor_client, member, commitments, others_commitment
):
    response = editor_client.post(
        edit_url("update_new", member),
        _post([(commitments["support"], "met"), (others_commitment, "met")], action="publish"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert (
        f"Commitment {others_commitment.pk} is not one of your organisation&#x27;s commitments"
    ) in html
    _nothing_written([*commitments.values(), others_commitment])


def test_service_refuses_another_members_commitment(editor, member, others_commitment):
    with pytest.raises(services.ValidationError):
        services.progress_update_save(
            member=member,
            title="Forged",
            milestone=None,
            body="x",
            author=editor,
            reported={others_commitment: "met"},
        )

    _nothing_written([others_commitment])


@pytest.mark.parametrize(
    "status, message",
    [
        ("not_reported", "Choose not started, in progress or met."),
        ("finished", "Choose not started, in progress or met."),
        ("", "Choose the status to report for this commitment, or untick it."),
    ],
)
def test_a_status_not_in_the_choices_is_refused(
    editor_client, member, commitments, status, message
):
    support = commitments["support"]

    response = editor_client.post(
        edit_url("update_new", member), _post([(support, status)], action="publish")
    )

    html = response.content.decode()
    assert (
        f'<ul class="errorlist" id="id_commitment-{support.pk}-status_error"><li>{message}' in html
    )
    assert f'aria-describedby="id_commitment-{support.pk}-status_error"' in html
    _nothing_written(commitments.values())


def test_a_pillar_that_does_not_exist_is_refused(editor_client, member, commitments):
    response = editor_client.post(
        edit_url("update_new", member),
        _post([(commitments["support"], "met")], action="publish", pillars=[]) | {"pillars": "999"},
    )

    assert "Pillar 999 does not exist" in response.content.decode()
    _nothing_written(commitments.values())


# --- The reminders' link: ?milestone=<slug> -----------------------------------------------


def test_milestone_in_the_address_is_chosen_and_an_unknown_one_ignored(editor_client, member):
    cop30 = MilestoneFactory(name="COP30 Belém", slug="cop30")
    MilestoneFactory(name="COP29 Baku", slug="cop29")
    url = edit_url("update_new", member)

    html = editor_client.get(url + "?milestone=cop30").content.decode()
    assert f'<option value="{cop30.pk}" selected>COP30 Belém</option>' in html

    response = editor_client.get(url + "?milestone=no-such-milestone")
    assert response.status_code == 200
    assert "selected>COP" not in response.content.decode()
    assert '<option value="" selected>No milestone</option>' in response.content.decode()


# --- The member's public page --------------------------------------------------------------


def test_member_page_groups_updates_by_milestone_with_what_they_report(client, member, commitments):
    cop29 = MilestoneFactory(name="COP29 Baku", date=datetime.date(2024, 11, 11))
    cop30 = MilestoneFactory(name="COP30 Belém", date=datetime.date(2025, 11, 10))
    pillar = PillarFactory(number=1, title="Global forum", slug="forum")
    at = lambda y, m, d: datetime.datetime(y, m, d, 12, tzinfo=datetime.UTC)  # noqa: E731
    first = PublishedUpdateFactory(
        member=member, title="Baku report", milestone=cop29, published_at=at(2024, 11, 20)
    )
    first.pillars.add(pillar)
    ReportedCommitmentFactory(
        update=first, member_commitment=commitments["support"], status="not_started"
    )
    PublishedUpdateFactory(member=member, title="Loose note", published_at=at(2025, 3, 1))
    belem = PublishedUpdateFactory(
        member=member, title="Belém report", milestone=cop30, published_at=at(2025, 11, 12)
    )
    ReportedCommitmentFactory(
        update=belem, member_commitment=commitments["support"], status="in_progress"
    )
    draft = ProgressUpdateFactory(member=member, title="Unpublished plan", milestone=cop30)
    ReportedCommitmentFactory(update=draft, member_commitment=commitments["engage"], status="met")

    text = page_text(page_html(client, member.get_absolute_url()))

    assert (
        "COP30 Belém ( 10 November 2025 ) Belém report Published 12 November 2025 We did things. "
        "Commitments it reports on: Endorse the LeadIT vision — In progress "
        "COP29 Baku ( 11 November 2024 ) Baku report Published 20 November 2024 We did things. "
        "Pillars it reports on: Pillar 1: Global forum "
        "Commitments it reports on: Endorse the LeadIT vision — Not started "
        "Not tied to a milestone Loose note Published 1 March 2025 We did things."
    ) in text
    assert (
        "Latest reported status of each commitment "
        "From the latest published progress update that reported on the commitment. "
        "“Not reported” means no published update has reported on it yet. "
        "Endorse the LeadIT vision In progress, reported 12 November 2025 in “Belém report” "
        "Join the work of a pillar Not reported "  # only a draft reported on it
        "Report progress at milestones Not reported"
    ) in text
    assert "Unpublished plan" not in text
    assert " none" not in text.lower().replace("none listed", "")


def _member_with_updates(slug: str, count: int) -> None:
    member = MemberFactory(slug=slug)
    pillars = [PillarFactory(number=n) for n in (1, 2)]
    mcs = [
        MemberCommitmentFactory(member=member, commitment=CommitmentFactory(category=c))
        for c in Commitment.Category.values
    ]
    for n in range(count):
        update = PublishedUpdateFactory(
            member=member, milestone=MilestoneFactory() if n % 3 else None
        )
        update.pillars.set(pillars)
        for mc in mcs:
            ReportedCommitmentFactory(update=update, member_commitment=mc, status="met")
        ProgressUpdateFactory(member=member)


def test_member_page_query_count_does_not_grow_with_the_updates(client, django_assert_num_queries):
    _member_with_updates("few", 3)
    _member_with_updates("many", 30)

    with CaptureQueriesContext(connection) as few:
        page_html(client, reverse("members:detail", kwargs={"slug": "few"}))

    with django_assert_num_queries(len(few.captured_queries)):
        html = page_html(client, reverse("members:detail", kwargs={"slug": "many"}))
    assert html.count('<li class="timeline__item">') == 30


def test_hidden_update_changes_no_commitment_and_a_new_report_is_an_edit_to_review(
    editor, member, commitments, django_capture_on_commit_callbacks
):
    hidden = ProgressUpdateFactory(
        member=member,
        status=ProgressUpdate.Status.HIDDEN,
        hidden_reason="Off topic",
        published_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    )

    with django_capture_on_commit_callbacks(execute=False):
        services.progress_update_save(
            member=member,
            update=hidden,
            title=hidden.title,
            milestone=None,
            body=hidden.body,
            author=editor,
            reported={commitments["support"]: "met"},
        )

    hidden.refresh_from_db()
    assert hidden.status == ProgressUpdate.Status.HIDDEN
    assert hidden.edited_since_hidden_at is not None  # the secretariat reviews it
    commitments["support"].refresh_from_db()
    assert commitments["support"].status == MemberCommitment.Status.NOT_REPORTED
