"""Milestone reminders (``members.reminders``): before a milestone, the editors of each active
member that has published nothing for it get one e-mail per reminder step — what is due, a
link to a draft tied to the milestone, last time's update — with a one-click opt-out; staff
see in the admin who was reminded and who has reported."""

import datetime
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from leadit.models import MailOptOut
from leadit.optouts import opt_out, opt_out_token, opt_out_url
from members.models import Member, Milestone, MilestoneReminder, MilestoneReminderStep
from members.reminders import (
    TOPIC,
    _claim,
    due_steps,
    milestone_reminders_claim,
    milestone_reminders_send,
    people_due,
)
from members.tasks_reminders import send_milestone_reminders
from tests.factories.members import (
    EditorFactory,
    MemberFactory,
    MilestoneFactory,
    MilestoneReminderStepFactory,
    ProgressUpdateFactory,
    PublishedUpdateFactory,
)
from tests.factories.users import UserFactory

TODAY = timezone.localdate()
SITE = "https://portal.leadit.example"
MILESTONES = "/admin/members/milestone/"
REMINDERS = "/admin/members/milestonereminder/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _milestone(days_ahead: int = 7, steps=(7,), **kwargs) -> Milestone:
    milestone = MilestoneFactory(date=_days(days_ahead), **kwargs)
    for days in steps:
        MilestoneReminderStepFactory(milestone=milestone, days_before=days)
    return milestone


def _run(today: datetime.date = TODAY) -> dict[str, int]:
    """What the daily job does, in this process: claim, then send every chunk."""
    return milestone_reminders_send(reminder_ids=milestone_reminders_claim(today=today))


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# --- Who gets one ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_editors_of_active_members_without_a_published_update_are_reminded(mailoutbox):
    cop = _milestone(name="COP31")
    earlier = MilestoneFactory(name="COP30", date=_days(-300))
    silent = EditorFactory(email="silent@a.example", member=MemberFactory(name="Silent"))
    EditorFactory(email="gone@a.example", member=silent.member, is_active=False)
    EditorFactory(email="", username="no-address", member=silent.member)
    reported = EditorFactory(email="reported@b.example")
    PublishedUpdateFactory(member=reported.member, milestone=cop)
    drafting = EditorFactory(email="drafting@c.example")
    ProgressUpdateFactory(member=drafting.member, milestone=cop)  # a draft is not a report
    hidden = EditorFactory(email="hidden@d.example")
    PublishedUpdateFactory(
        member=hidden.member, milestone=cop, status="hidden", hidden_reason="Off topic."
    )
    last_time = EditorFactory(email="lasttime@e.example")
    PublishedUpdateFactory(member=last_time.member, milestone=earlier)  # another milestone
    EditorFactory(email="former@f.example", member=MemberFactory(status=Member.Status.FORMER))
    EditorFactory(
        email="prospect@g.example", member=MemberFactory(status=Member.Status.PROSPECTIVE)
    )

    counts = _run()

    assert counts == {"sent": 4, "skipped": 0, "failed": 0}
    assert _recipients() == [
        "drafting@c.example",
        "hidden@d.example",
        "lasttime@e.example",
        "silent@a.example",
    ]
    rows = MilestoneReminder.objects.filter(milestone=cop, days_before=7)
    assert rows.count() == 4
    assert not rows.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_exactly_one_per_person_per_step_over_two_runs_and_again_at_the_next_step(mailoutbox):
    cop = _milestone(days_ahead=30, steps=(30, 7))
    editor = EditorFactory(email="anna@sweden.example")

    _run()
    _run()
    assert _recipients() == ["anna@sweden.example"]
    assert MilestoneReminder.objects.get().days_before == 30

    _run(today=cop.date - datetime.timedelta(days=7))
    _run(today=cop.date - datetime.timedelta(days=7))
    assert _recipients() == ["anna@sweden.example"] * 2
    assert sorted(
        MilestoneReminder.objects.filter(user=editor).values_list("days_before", flat=True)
    ) == [7, 30]


@pytest.mark.django_db
def test_a_claim_skips_the_rows_another_run_holds():
    step = MilestoneReminderStepFactory(milestone=MilestoneFactory(date=_days(7)), days_before=7)
    editor = EditorFactory()
    first = _claim(step, {editor.pk: [editor.member.pk]})
    # A second worker that worked out the same people before the first one committed.
    second = _claim(step, {editor.pk: [editor.member.pk]})
    assert len(first) == 1
    assert second == []
    assert list(MilestoneReminder.objects.get().members.all()) == [editor.member]


@pytest.mark.django_db
def test_a_person_who_edits_two_unreported_members_gets_one_email_naming_both(mailoutbox):
    cop = _milestone(name="COP31")
    editor = EditorFactory(email="both@x.example", member=MemberFactory(name="Sweden"))
    india = MemberFactory(name="India", slug="india")
    editor.member_roles.create(member=india)

    _run()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "India" in message.subject and "Sweden" in message.subject
    assert f"{SITE}/members/india/edit/updates/new/?milestone={cop.slug}" in message.body
    assert f"/members/{editor.member.slug}/edit/updates/new/?milestone={cop.slug}" in message.body
    row = MilestoneReminder.objects.get()
    assert sorted(m.name for m in row.members.all()) == ["India", "Sweden"]


@pytest.mark.django_db
def test_people_who_opted_out_get_none(mailoutbox):
    _milestone()
    stays = EditorFactory(email="stays@x.example")
    leaves = EditorFactory(email="leaves@x.example")
    opt_out(opt_out_token(leaves, TOPIC))
    # Opting out of another kind of e-mail changes nothing here.
    opt_out(opt_out_token(stays, "technology-needs-digest"))

    _run()

    assert _recipients() == ["stays@x.example"]
    assert not MilestoneReminder.objects.filter(user=leaves).exists()


# --- When -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_missed_day_is_made_up_once_and_only_the_nearest_due_step_goes_out(mailoutbox):
    # The job did not run on the 7-day step's day; two days later both steps are due.
    cop = _milestone(days_ahead=5, steps=(30, 7))
    EditorFactory(email="late@x.example")

    assert [step.days_before for step in due_steps(today=TODAY)] == [7]
    _run()
    _run()

    assert _recipients() == ["late@x.example"]
    assert list(MilestoneReminder.objects.values_list("milestone", "days_before")) == [(cop.pk, 7)]


@pytest.mark.django_db
def test_nothing_before_the_step_nor_on_or_after_the_milestone(mailoutbox):
    _milestone(days_ahead=8, steps=(7,))  # the step is tomorrow
    _milestone(days_ahead=0, steps=())  # today: too late
    past = MilestoneFactory(date=_days(-2))
    MilestoneReminderStep.objects.create(milestone=past, days_before=7)  # an old step
    EditorFactory()

    assert _run() == {"sent": 0, "skipped": 0, "failed": 0}
    assert mailoutbox == []
    assert not MilestoneReminder.objects.exists()


@pytest.mark.django_db
def test_an_unsent_row_is_sent_by_the_next_run_and_a_sent_one_never_again(mailoutbox):
    cop = _milestone()
    waiting = EditorFactory(email="waiting@x.example")
    done = EditorFactory(email="done@x.example")
    # An earlier run claimed both; the first e-mail failed, the second went out.
    long_ago = timezone.now() - datetime.timedelta(hours=3)
    for editor, sent_at in ((waiting, None), (done, long_ago)):
        row = MilestoneReminder.objects.create(
            milestone=cop, days_before=7, user=editor, sent_at=sent_at
        )
        row.members.add(editor.member)
    MilestoneReminder.objects.update(created_at=long_ago)

    _run()
    _run()

    assert _recipients() == ["waiting@x.example"]
    assert MilestoneReminder.objects.get(user=done).sent_at == long_ago
    assert MilestoneReminder.objects.get(user=waiting).sent_at is not None


@pytest.mark.django_db
def test_a_member_that_reported_before_the_retry_is_not_named(mailoutbox):
    cop = _milestone()
    editor = EditorFactory()
    ids = milestone_reminders_claim(today=TODAY)
    PublishedUpdateFactory(member=editor.member, milestone=cop)

    assert milestone_reminders_send(reminder_ids=ids) == {"sent": 0, "skipped": 1, "failed": 0}
    assert mailoutbox == []


@pytest.mark.django_db
def test_people_due_is_one_query(django_assert_num_queries):
    cop = _milestone()
    for _ in range(5):
        EditorFactory()
    step = cop.reminder_steps.get()
    with django_assert_num_queries(1):
        assert len(people_due(step=step)) == 5


# --- The e-mail --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_email_says_what_is_due_links_the_draft_and_last_time(mailoutbox):
    cop = _milestone(
        name="COP31",
        slug="cop31",
        description="Report on **green steel** procurement. See [the guide](/members/).",
    )
    cop30 = MilestoneFactory(name="COP30", date=_days(-360))
    reporter = EditorFactory(
        email="anna@sweden.example",
        first_name="Anna",
        member=MemberFactory(name="Sweden", slug="sweden"),
    )
    PublishedUpdateFactory(
        member=reporter.member,
        milestone=cop30,
        title="Our COP30 progress",
        published_at=timezone.make_aware(datetime.datetime(2025, 11, 2, 12)),
    )
    PublishedUpdateFactory(  # not for an earlier milestone: not "last time"
        member=reporter.member, title="An update without milestone"
    )
    newcomer = EditorFactory(
        email="raj@india.example", member=MemberFactory(name="India", slug="india")
    )

    _run()

    by_address = {message.to[0]: message for message in mailoutbox}
    message = by_address["anna@sweden.example"]
    assert message.subject == (
        f"[LeadIT] Progress update due for COP31 ({cop.date:%-d %B %Y}): Sweden"
    )
    text = message.body
    assert text.startswith("Hello Anna,")
    assert f"COP31 is on {cop.date:%-d %B %Y}, in 7 days." in text
    assert "Report on **green steel** procurement." in text
    assert f"{SITE}/members/sweden/edit/updates/new/?milestone=cop31" in text
    assert "Last time: “Our COP30 progress”, published 2 November 2025 for COP30" in text
    assert f"{SITE}/members/sweden/" in text
    html = message.alternatives[0][0]
    assert "<strong>green steel</strong>" in html
    assert f'href="{SITE}/members/"' in html  # a portal link made absolute
    assert f'href="{SITE}/members/sweden/edit/updates/new/?milestone=cop31"' in html
    assert "Our COP30 progress" in html
    url = opt_out_url(reporter, TOPIC)
    assert url in text and url in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    other = by_address["raj@india.example"]
    assert "Last time: no earlier progress update on record." in other.body
    assert opt_out_url(newcomer, TOPIC) in other.body


@pytest.mark.django_db
def test_the_opt_out_link_of_a_reminder_works_and_a_forged_one_writes_nothing(client):
    editor = EditorFactory(email="anna@sweden.example")
    path = urlsplit(opt_out_url(editor, TOPIC)).path
    page = client.get(path).content.decode()
    assert "the reminders to report your members" in page

    token = opt_out_token(editor, TOPIC)
    other_token = opt_out_token(UserFactory(), TOPIC)
    forged = other_token.split(":")[0] + ":" + token.split(":")[-1]
    for bad in (forged, token[:-3], "not-a-token"):
        response = client.post(f"/mail/opt-out/{bad}/")
        assert response.status_code == 400
    assert not MailOptOut.objects.exists()

    assert Client(enforce_csrf_checks=True).post(path).status_code == 200
    assert MailOptOut.objects.filter(user=editor, topic=TOPIC).count() == 1


# --- Through a real worker ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_sends_through_the_worker_once(celery_worker):
    _milestone()
    editors = [EditorFactory(email=f"editor{n}@x.example") for n in range(3)]
    mail.outbox = []

    for _ in range(2):
        send_milestone_reminders.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if MilestoneReminder.objects.filter(sent_at__isnull=False).count() == 3:
                break
            time.sleep(0.1)
    time.sleep(0.5)  # the second run's chunks, had it queued any

    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.email for e in editors)
    assert MilestoneReminder.objects.filter(sent_at__isnull=False).count() == 3


# --- Staff: the admin --------------------------------------------------------------------------


@pytest.mark.django_db
def test_milestone_changelist_shows_who_reported_and_who_was_reminded(staff_client, mailoutbox):
    cop = _milestone(name="COP31")
    reported = EditorFactory()
    PublishedUpdateFactory(member=reported.member, milestone=cop)
    EditorFactory()
    EditorFactory()
    MemberFactory(status=Member.Status.FORMER)
    _run()

    page = staff_client.get(MILESTONES).content.decode()

    assert "COP31" in page
    assert "1 / 3" in page  # one of the three active members reported
    assert f'href="{REMINDERS}?milestone__id__exact={cop.pk}">2</a>' in page


@pytest.mark.django_db
def test_reminder_list_shows_the_person_the_members_and_when(staff_client, mailoutbox):
    cop = _milestone(name="COP31")
    editor = EditorFactory(email="both@x.example", member=MemberFactory(name="Sweden"))
    editor.member_roles.create(member=MemberFactory(name="India"))
    _run()
    row = MilestoneReminder.objects.get()

    page = staff_client.get(REMINDERS).content.decode()
    assert "both@x.example" in page
    assert "India, Sweden" in page
    filtered = staff_client.get(REMINDERS, {"milestone__id__exact": cop.pk, "sent": "yes"})
    assert "both@x.example" in filtered.content.decode()
    assert staff_client.get(REMINDERS, {"sent": "no"}).content.decode().count("both@x") == 0
    assert staff_client.get(f"{REMINDERS}?q=both@x").status_code == 200
    # Read-only: no add page; the row's page shows it without a save button.
    assert staff_client.get(f"{REMINDERS}add/").status_code == 403
    detail = staff_client.get(f"{REMINDERS}{row.pk}/change/").content.decode()
    assert 'name="_save"' not in detail


def _milestone_form(name: str, day: datetime.date, steps=(), **extra) -> dict:
    data = {
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "date": day.isoformat(),
        "description": "Report on your pillar work.",
        "reminder_steps-TOTAL_FORMS": str(len(steps)),
        "reminder_steps-INITIAL_FORMS": "0",
        "reminder_steps-MIN_NUM_FORMS": "0",
        "reminder_steps-MAX_NUM_FORMS": "1000",
    }
    for i, days in enumerate(steps):
        data[f"reminder_steps-{i}-days_before"] = str(days)
    data.update(extra)
    return data


@pytest.mark.django_db
def test_a_new_milestone_gets_the_default_steps_unless_it_has_its_own(staff_client):
    staff_client.post(f"{MILESTONES}add/", _milestone_form("COP32", _days(200)))
    staff_client.post(f"{MILESTONES}add/", _milestone_form("COP33", _days(500), steps=[14]))

    assert list(
        Milestone.objects.get(name="COP32").reminder_steps.values_list("days_before", flat=True)
    ) == [30, 7]
    assert list(
        Milestone.objects.get(name="COP33").reminder_steps.values_list("days_before", flat=True)
    ) == [14]
    page = staff_client.get(f"{MILESTONES}add/").content.decode()
    assert "30 and 7 days before" in page


@pytest.mark.django_db
def test_a_past_milestone_gets_no_steps_and_refuses_a_new_one(staff_client):
    response = staff_client.post(f"{MILESTONES}add/", _milestone_form("COP28", _days(-700)))
    assert response.status_code == 302
    past = Milestone.objects.get(name="COP28")
    assert not past.reminder_steps.exists()

    # Adding a step to it: the step's own rule, shown on the page; nothing written.
    data = _milestone_form("COP28", past.date, steps=[7])
    response = staff_client.post(f"{MILESTONES}{past.pk}/change/", data)
    assert response.status_code == 200
    assert "no new reminder can be scheduled for a milestone that has passed" in (
        response.content.decode()
    )
    assert not MilestoneReminderStep.objects.exists()

    # A new milestone dated in the past with a step: refused as a whole.
    response = staff_client.post(
        f"{MILESTONES}add/", _milestone_form("COP27", _days(-1000), steps=[7])
    )
    assert response.status_code == 200
    assert "no new reminder can be scheduled for a milestone that has passed" in (
        response.content.decode()
    )
    assert not Milestone.objects.filter(name="COP27").exists()


@pytest.mark.parametrize("days", [0, -3])
@pytest.mark.django_db
def test_a_reminder_step_after_the_milestone_is_refused(staff_client, days):
    response = staff_client.post(
        f"{MILESTONES}add/", _milestone_form("COP34", _days(100), steps=[days])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page
    if days == 0:
        assert "A reminder goes out before the milestone: at least 1 day before." in page
    assert not Milestone.objects.filter(name="COP34").exists()
    assert not MilestoneReminderStep.objects.exists()


@pytest.mark.django_db
def test_a_retry_after_the_person_opted_out_sends_nothing(mailoutbox):
    _milestone()
    editor = EditorFactory()
    ids = milestone_reminders_claim(today=TODAY)  # claimed; the send failed, say
    opt_out(opt_out_token(editor, TOPIC))

    assert milestone_reminders_send(reminder_ids=ids)["sent"] == 0
    assert mailoutbox == []
    assert MilestoneReminder.objects.get().sent_at is None
