"""The events app's services: planning board meetings, registrations, documents."""

import datetime
import io
import zipfile
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from leadit.models import BackgroundJob
from members.models import Member
from summits import notifications, services
from summits.models import Event, EventDocument, Registration
from summits.selectors.deadlines import document_deadlines
from summits.tasks import notify_document_added
from tests.factories.members import ContactFactory, EditorFactory, MemberFactory
from tests.factories.summits import (
    BoardKindFactory,
    EventFactory,
    EventKindFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from tests.factories.users import UserFactory

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _plan(kind, *, dry_run, year=2027, nth=2):
    return services.board_meetings_plan(
        year=year,
        weekday=1,  # Tuesday
        nth=nth,
        time=datetime.time(14, 0),
        time_zone="Europe/Stockholm",
        kind=kind,
        dry_run=dry_run,
    )


# --- Board meetings --------------------------------------------------------------------------


@pytest.mark.django_db
def test_board_meetings_plan_creates_twelve_second_tuesdays_at_14_local():
    kind = BoardKindFactory()

    events = _plan(kind, dry_run=False)

    assert len(events) == 12 == Event.objects.filter(kind=kind).count()
    local = [e.start.astimezone(STOCKHOLM) for e in events]
    assert [d.date() for d in local[:3]] == [
        datetime.date(2027, 1, 12),
        datetime.date(2027, 2, 9),
        datetime.date(2027, 3, 9),
    ]
    assert all(d.weekday() == 1 and 8 <= d.day <= 14 and d.hour == 14 for d in local)
    # 14:00 local is 13:00 UTC in winter, 12:00 UTC in summer.
    assert events[0].start.astimezone(datetime.UTC).hour == 13
    assert events[6].start.astimezone(datetime.UTC).hour == 12
    assert events[2].slug == "management-board-2027-03"
    assert events[2].title == "Management Board meeting, March 2027"


@pytest.mark.django_db
def test_board_meetings_plan_preview_creates_nothing():
    events = _plan(BoardKindFactory(), dry_run=True)

    assert len(events) == 12
    assert all(e.pk is None for e in events)
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_board_meetings_plan_twice_creates_nothing_new():
    kind = BoardKindFactory()
    first = _plan(kind, dry_run=False)

    again = _plan(kind, dry_run=False)
    preview = _plan(kind, dry_run=True)

    assert Event.objects.count() == 12
    assert [e.pk for e in again] == [e.pk for e in first] == [e.pk for e in preview]


@pytest.mark.django_db
def test_board_meetings_plan_keeps_an_existing_meeting_on_a_planned_date():
    kind = BoardKindFactory()
    existing = EventFactory(
        kind=kind, slug="board-march", start=datetime.datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM)
    )

    events = _plan(kind, dry_run=False)

    assert events[2] == existing
    assert Event.objects.count() == 12


@pytest.mark.django_db
def test_board_meetings_plan_last_week_of_the_month():
    events = _plan(BoardKindFactory(), dry_run=True, nth=-1)

    assert events[0].start.astimezone(STOCKHOLM).date() == datetime.date(2027, 1, 26)
    assert events[11].start.astimezone(STOCKHOLM).date() == datetime.date(2027, 12, 28)


@pytest.mark.django_db
def test_board_meetings_plan_refuses_an_unknown_time_zone():
    with pytest.raises(ValidationError, match="not a known time zone"):
        services.board_meetings_plan(
            year=2027,
            weekday=1,
            nth=2,
            time=datetime.time(14),
            time_zone="Mars/Olympus",
            kind=BoardKindFactory(),
            dry_run=True,
        )


# --- Registrations ---------------------------------------------------------------------------


def _register(event, editor, **overrides):
    values = {
        "event": event,
        "member": editor.member,
        "user": editor,
        "name": "Ada Delegate",
        "email": "ada@member.example",
        "role": "Minister",
        "attendance_mode": Registration.Mode.IN_PERSON,
    }
    values.update(overrides)
    return services.registration_create(**values)


@pytest.mark.django_db
def test_registration_create_registers_a_delegate_of_the_editors_member():
    editor = EditorFactory()
    event = EventFactory()

    registration = _register(event, editor)

    assert registration.status == Registration.Status.REGISTERED
    assert registration.registered_by == editor
    assert registration.member == editor.member


@pytest.mark.django_db
def test_registration_create_refuses_another_members_delegates():
    editor = EditorFactory()

    with pytest.raises(ValidationError, match="only register delegates of the members you edit"):
        _register(EventFactory(), editor, member=MemberFactory())
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_registration_create_by_staff_for_any_member():
    staff = UserFactory(is_staff=True)
    event = EventFactory(visibility=Event.Visibility.STAFF)
    member = MemberFactory()

    services.registration_create(
        event=event,
        member=member,
        user=staff,
        name="Staff Added",
        email="added@member.example",
        role="",
        attendance_mode=Registration.Mode.ONLINE,
    )

    # What the event's registrations list shows: the delegate, for that member, by staff.
    registration = Registration.objects.get(event=event)
    assert (registration.name, registration.email) == ("Staff Added", "added@member.example")
    assert registration.member == member and registration.registered_by == staff
    assert registration.status == Registration.Status.REGISTERED
    assert registration.attendance_mode == Registration.Mode.ONLINE


@pytest.mark.django_db
def test_registration_create_refuses_after_the_deadline():
    event = EventFactory(registration_deadline=timezone.now() - datetime.timedelta(hours=1))

    with pytest.raises(ValidationError, match="Registration closed on"):
        _register(event, EditorFactory())
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_registration_create_refuses_when_the_event_is_over():
    start = timezone.now() - datetime.timedelta(days=2)
    event = EventFactory(start=start, end=start + datetime.timedelta(hours=1))

    with pytest.raises(ValidationError, match="event is over"):
        _register(event, EditorFactory())


@pytest.mark.django_db
def test_registration_create_refuses_over_capacity_and_cancelled_places_free_up():
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event)
    cancelled = RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    editor = EditorFactory()
    _register(event, editor, email="second@member.example")

    with pytest.raises(ValidationError, match="full: all 2 places are taken"):
        _register(event, editor, email="third@member.example")
    assert event.registrations.filter(status="registered").count() == 2
    assert cancelled.status == Registration.Status.CANCELLED


@pytest.mark.django_db
def test_registration_create_refuses_a_duplicate_email_for_the_event():
    editor = EditorFactory()
    event = EventFactory()
    _register(event, editor, email="ada@member.example")

    with pytest.raises(ValidationError) as excinfo:
        _register(event, editor, email="ADA@member.example ")

    assert excinfo.value.message_dict["email"] == [
        "ADA@member.example is already registered for this event."
    ]
    # Another event is fine.
    assert _register(EventFactory(), editor, email="ada@member.example").pk


@pytest.mark.django_db
def test_registration_create_refuses_an_event_the_user_may_not_see():
    event = EventFactory(visibility=Event.Visibility.STAFF)

    with pytest.raises(ValidationError, match="not open to you"):
        _register(event, EditorFactory())


@pytest.mark.django_db
def test_registration_create_refuses_a_bad_email_and_writes_nothing():
    with pytest.raises(ValidationError) as excinfo:
        _register(EventFactory(), EditorFactory(), email="not-an-address")

    assert "email" in excinfo.value.message_dict
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_registration_cancel_by_the_members_editor_only():
    editor = EditorFactory()
    registration = _register(EventFactory(capacity=1), editor)

    with pytest.raises(ValidationError, match="only cancel registrations"):
        services.registration_cancel(registration=registration, user=EditorFactory())
    services.registration_cancel(registration=registration, user=editor)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.cancelled_at is not None
    with pytest.raises(ValidationError, match="already cancelled"):
        services.registration_cancel(registration=registration, user=editor)
    # The place is free again, and the same address may register again.
    assert _register(registration.event, editor).pk


# --- Documents -------------------------------------------------------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def _add(event, user, **overrides):
    values = {
        "event": event,
        "kind": EventDocument.Kind.PRESENTATION,
        "title": "Slides",
        "file": SimpleUploadedFile("slides.pdf", PDF, content_type="application/pdf"),
        "visibility": Event.Visibility.MEMBERS,
        "user": user,
    }
    values.update(overrides)
    return services.document_add(**values)


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
def test_document_add_stores_a_pdf_and_an_office_file(staff_user):
    event = EventFactory()

    pdf = _add(event, staff_user)
    docx = _add(event, staff_user, file=SimpleUploadedFile("minutes.docx", _docx()), title="Notes")

    assert pdf.file.name.endswith(".pdf")
    assert docx.file.name.endswith(".docx")
    assert pdf.uploaded_by == staff_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "is not an accepted type"),
        ("page.html", b"<html></html>", "is not an accepted type"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "is not a PDF document"),
        ("fake.docx", b"%PDF-1.4", "is not an Office document"),
        ("binary.txt", b"abc\x00def", "is not a text file"),
    ],
)
def test_document_add_refuses_a_forbidden_type(staff_user, name, content, message):
    with pytest.raises(ValidationError) as excinfo:
        _add(EventFactory(), staff_user, file=SimpleUploadedFile(name, content))

    assert message in " ".join(excinfo.value.message_dict["file"])
    assert not EventDocument.objects.exists()


@pytest.mark.django_db
def test_document_add_refuses_a_file_over_the_size_limit(staff_user, settings):
    settings.EVENT_DOCUMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1))

    with pytest.raises(ValidationError) as excinfo:
        _add(EventFactory(), staff_user, file=big)

    assert excinfo.value.message_dict["file"] == ["The file is 1.0 MB; the limit is 1 MB."]
    assert not EventDocument.objects.exists()


@pytest.mark.django_db
def test_document_add_is_for_staff_and_needs_a_file_or_link(staff_user):
    with pytest.raises(ValidationError, match="Only the secretariat"):
        _add(EventFactory(), EditorFactory())
    with pytest.raises(ValidationError, match="Upload a file or give a link"):
        _add(EventFactory(), staff_user, file=None, link="")


@pytest.mark.django_db
def test_document_add_agenda_notifies_board_contacts_after_commit(
    staff_user, django_capture_on_commit_callbacks
):
    host, other = MemberFactory(), MemberFactory()
    ContactFactory(member=host, email="host@member.example")
    ContactFactory(member=other, email="other@member.example", is_primary=True)
    event = EventFactory(kind=EventKindFactory(requires_documents=True), host_members=[host])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = _add(
            event, staff_user, kind=EventDocument.Kind.AGENDA, file=None, link="https://x.org/a"
        )

    job = BackgroundJob.objects.get()
    assert job.task_name == notify_document_added.name
    assert job.arguments == {"document_id": document.pk}
    # One job sent after commit (the other callbacks make the cached events pages stale).
    assert len([c for c in callbacks if "job_send" in repr(c)]) == 1
    # The task's work, run here (the worker path is proved in test_reminders).
    assert notifications.document_notify(document_id=document.pk) == 1
    assert mail.outbox[0].to == ["host@member.example"]
    assert "Agenda" in mail.outbox[0].subject
    assert event.get_absolute_url() in mail.outbox[0].body


@pytest.mark.django_db
def test_document_add_presentation_or_staff_only_agenda_notifies_nobody(staff_user):
    event = EventFactory()

    _add(event, staff_user, file=None, link="https://x.org/p")
    _add(
        event,
        staff_user,
        kind=EventDocument.Kind.AGENDA,
        file=None,
        link="https://x.org/a",
        visibility=Event.Visibility.STAFF,
    )

    assert not BackgroundJob.objects.exists()


@pytest.mark.django_db
def test_document_recipients_of_a_board_meeting_are_all_active_members_primary_contacts():
    active, former = MemberFactory(), MemberFactory(status=Member.Status.FORMER)
    ContactFactory(member=active, email="primary@a.example", is_primary=True)
    ContactFactory(member=active, email="secondary@a.example", is_primary=False)
    ContactFactory(member=former, email="primary@former.example", is_primary=True)
    board = EventFactory(kind=BoardKindFactory())

    assert notifications.document_recipients(event=board) == ["primary@a.example"]


@pytest.mark.django_db
def test_document_recipients_include_the_working_groups_primary_contacts():
    host, wg_member = MemberFactory(), MemberFactory()
    ContactFactory(member=host, email="host@h.example")
    ContactFactory(member=wg_member, email="wg@w.example", is_primary=True)
    group = WorkingGroupFactory(members=[wg_member])
    event = EventFactory(host_members=[host], working_group=group)

    assert notifications.document_recipients(event=event) == ["host@h.example", "wg@w.example"]


# --- Events ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_event_end_before_start_is_refused_with_a_clear_message():
    event = EventFactory.build(kind=EventKindFactory())
    event.end = event.start - datetime.timedelta(minutes=1)

    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()

    assert "The end must not be before the start." in excinfo.value.message_dict["end"]


# --- What other pages show -------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_lists_the_next_three_public_events(client):
    now = timezone.now()
    for days in (5, 10, 15, 20):
        EventFactory(title=f"Public in {days} days", start=now + datetime.timedelta(days=days))
    EventFactory(title="Members only soon", visibility=Event.Visibility.MEMBERS, start=now)
    EventFactory(title="Long over", start=now - datetime.timedelta(days=30))

    html = client.get("/").content.decode()

    assert "Leadership Group for Industry Transition" in html  # the page's own content stays
    assert "Next events" in html
    assert [t for t in ("5", "10", "15", "20") if f"Public in {t} days" in html] == [
        "5",
        "10",
        "15",
    ]
    assert "Members only soon" not in html
    assert "Long over" not in html
    assert 'href="/events/"' in html


@pytest.mark.django_db
def test_home_page_without_events_says_so(client):
    assert "No public event is planned just now." in client.get("/").content.decode()


@pytest.mark.django_db
def test_workplan_dashboard_shows_the_next_document_deadlines(staff_client):
    now = timezone.now()
    late = EventFactory(
        kind=BoardKindFactory(), title="Board of last week", start=now - 10 * datetime.timedelta(1)
    )

    html = staff_client.get("/workplan/dashboard/").content.decode()

    assert "Next document deadlines" in html
    assert "Board of last week" in html
    assert "Late" in html and "Minutes" in html
    assert f"/admin/summits/event/{late.pk}/change/" in html


@pytest.mark.django_db
def test_events_held_metric_counts_events_over_in_the_period_by_kind():
    from tests.factories.workplan import WorkplanFactory
    from workplan.metrics import METRICS

    workplan = WorkplanFactory(
        period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)
    )
    summit = EventKindFactory(slug="leadership-summit")
    EventFactory(kind=summit, start=datetime.datetime(2025, 11, 10, tzinfo=datetime.UTC))
    EventFactory(start=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC))
    EventFactory(kind=summit, start=datetime.datetime(2024, 11, 11, tzinfo=datetime.UTC))

    metric = METRICS["events_held"]

    assert metric.compute(workplan, {}) == 2
    assert metric.compute(workplan, {"kind": "leadership-summit"}) == 1


@pytest.mark.django_db
def test_seed_demo_adds_summits_board_meetings_groups_and_a_workshop_idempotently():
    from members.demo import seed_demo as seed_members
    from summits.demo import seed_demo

    seed_members()
    seed_demo()
    counts = Event.objects.count(), EventDocument.objects.count()
    seed_demo()

    assert (Event.objects.count(), EventDocument.objects.count()) == counts
    cop28 = Event.objects.get(slug="leadit-summit-cop28")
    assert cop28.start.astimezone(zoneinfo.ZoneInfo("Asia/Dubai")).date() == datetime.date(
        2023, 12, 9
    )
    assert {m.slug for m in cop28.host_members.all()} == {"sweden", "india"}
    assert not Event.objects.filter(slug="leadit-summit-cop26", start__year=2020).exists()
    assert Event.objects.filter(kind__slug="leadership-summit").count() == 6  # COP25–COP30
    assert Event.objects.filter(kind__slug="management-board", start__year=2026).count() == 12
    assert Event.objects.filter(kind__slug="working-group-meeting").count() == 2
    assert Event.objects.filter(kind__slug="workshop").count() == 1
    september = Event.objects.get(slug="management-board-2026-09")
    states = {d.kind: d.state for d in document_deadlines(event=september, now=timezone.now())}
    assert states == {"agenda": "late", "minutes": "late"}
    january = Event.objects.get(slug="management-board-2026-01")
    states = {d.kind: d.state for d in document_deadlines(event=january, now=timezone.now())}
    assert states == {"agenda": "done", "minutes": "done"}
