"""Document deadlines: computed on the event's own wall clock, across DST and month ends."""

import datetime
import zoneinfo

import pytest

from summits.models import EventDocument
from summits.selectors import next_deadlines
from summits.selectors.deadlines import document_deadlines
from tests.factories.summits import (
    BoardKindFactory,
    EventDocumentFactory,
    EventFactory,
    EventKindFactory,
)

UTC = datetime.UTC
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _local(year, month, day, hour, zone):
    return datetime.datetime(year, month, day, hour, tzinfo=zoneinfo.ZoneInfo(zone))


def _event(start, end=None, zone="Europe/Stockholm", kind=None):
    return EventFactory(
        kind=kind or BoardKindFactory(),
        start=start,
        end=end or start + datetime.timedelta(hours=2),
        time_zone=zone,
    )


def _by_kind(event, now):
    return {d.kind: d for d in document_deadlines(event=event, now=now)}


@pytest.mark.django_db
def test_deadlines_agenda_due_crosses_the_month_end_backwards():
    event = _event(_local(2027, 3, 1, 14, "Europe/Stockholm"))

    agenda = _by_kind(event, now=datetime.datetime(2027, 1, 1, tzinfo=UTC))["agenda"]

    assert agenda.due_local.date() == datetime.date(2027, 2, 22)
    assert agenda.due_local.hour == 14
    assert agenda.due == datetime.datetime(2027, 2, 22, 13, tzinfo=UTC)  # CET = UTC+1


@pytest.mark.django_db
def test_deadlines_minutes_due_crosses_the_month_end_forwards():
    start = _local(2027, 2, 26, 10, "Europe/Stockholm")
    event = _event(start, end=_local(2027, 2, 28, 16, "Europe/Stockholm"))

    minutes = _by_kind(event, now=datetime.datetime(2027, 1, 1, tzinfo=UTC))["minutes"]

    assert minutes.due_local.replace(tzinfo=None) == datetime.datetime(2027, 3, 7, 16)


@pytest.mark.django_db
def test_deadlines_keep_the_local_time_across_the_october_dst_change():
    # Summer time in Sweden ends on 31 October 2027: the meeting is at 14:00 CET (13:00 UTC),
    # its agenda due a week earlier at 14:00 CEST (12:00 UTC), not 13:00 CEST.
    event = _event(_local(2027, 11, 2, 14, "Europe/Stockholm"))

    agenda = _by_kind(event, now=datetime.datetime(2027, 1, 1, tzinfo=UTC))["agenda"]

    assert event.start == datetime.datetime(2027, 11, 2, 13, tzinfo=UTC)
    assert agenda.due == datetime.datetime(2027, 10, 26, 12, tzinfo=UTC)
    assert agenda.due_local.hour == 14


@pytest.mark.django_db
def test_deadlines_keep_the_local_time_across_the_march_dst_change():
    # Summer time starts on 28 March 2027: minutes of a 26 March meeting ending 16:00 CET are
    # due 2 April at 16:00 CEST (14:00 UTC).
    start = _local(2027, 3, 26, 14, "Europe/Stockholm")
    event = _event(start, end=_local(2027, 3, 26, 16, "Europe/Stockholm"))

    minutes = _by_kind(event, now=datetime.datetime(2027, 1, 1, tzinfo=UTC))["minutes"]

    assert minutes.due == datetime.datetime(2027, 4, 2, 14, tzinfo=UTC)


@pytest.mark.django_db
def test_deadlines_use_the_events_time_zone_not_the_servers():
    # 09:00 in Kolkata (UTC+05:30, no DST) on 3 March; agenda due 24 February 09:00 local.
    event = _event(_local(2027, 3, 3, 9, "Asia/Kolkata"), zone="Asia/Kolkata")

    agenda = _by_kind(event, now=datetime.datetime(2027, 1, 1, tzinfo=UTC))["agenda"]

    assert agenda.due == datetime.datetime(2027, 2, 24, 3, 30, tzinfo=UTC)
    assert agenda.due_local.replace(tzinfo=None) == datetime.datetime(2027, 2, 24, 9)


@pytest.mark.django_db
def test_deadlines_follow_the_days_set_on_the_kind_across_a_leap_day():
    kind = EventKindFactory(requires_documents=True, agenda_days_before=14, minutes_days_after=1)
    event = _event(_local(2028, 3, 10, 14, "America/New_York"), zone="America/New_York", kind=kind)

    deadlines = _by_kind(event, now=datetime.datetime(2028, 1, 1, tzinfo=UTC))

    # 14 days before 10 March 2028 is 25 February (2028 has a 29 February).
    assert deadlines["agenda"].due_local.replace(tzinfo=None) == datetime.datetime(2028, 2, 25, 14)
    # US summer time starts on 12 March 2028: 16:00 EST on the 10th → 16:00 EST on the 11th.
    assert deadlines["minutes"].due_local.replace(tzinfo=None) == datetime.datetime(2028, 3, 11, 16)


@pytest.mark.django_db
def test_deadlines_states_are_done_late_or_due():
    event = _event(_local(2027, 3, 1, 14, "Europe/Stockholm"))
    EventDocumentFactory(event=event, kind=EventDocument.Kind.AGENDA)

    after_minutes_due = _by_kind(event, now=datetime.datetime(2027, 3, 9, tzinfo=UTC))
    before_minutes_due = _by_kind(event, now=datetime.datetime(2027, 3, 2, tzinfo=UTC))

    assert after_minutes_due["agenda"].state == "done"
    assert after_minutes_due["minutes"].state == "late"
    assert before_minutes_due["minutes"].state == "due"


@pytest.mark.django_db
def test_deadlines_are_none_for_kinds_without_documents():
    event = _event(_local(2027, 3, 1, 14, "Europe/Stockholm"), kind=EventKindFactory())

    assert document_deadlines(event=event, now=datetime.datetime(2027, 1, 1, tzinfo=UTC)) == []


@pytest.mark.django_db
def test_next_deadlines_lists_missing_documents_late_first_and_skips_done_ones():
    now = datetime.datetime(2027, 3, 20, 12, tzinfo=UTC)
    past = _event(_local(2027, 3, 9, 14, "Europe/Stockholm"))  # minutes due 16 March: late
    EventDocumentFactory(event=past, kind=EventDocument.Kind.AGENDA)
    coming = _event(_local(2027, 4, 13, 14, "Europe/Stockholm"))
    _event(_local(2026, 12, 8, 14, "Europe/Stockholm"))  # overdue far beyond 30 days: left out

    deadlines = next_deadlines(now=now)

    assert [(d.event, d.kind, d.state) for d in deadlines] == [
        (past, "minutes", "late"),
        (coming, "agenda", "due"),
        (coming, "minutes", "due"),
    ]
    assert len(next_deadlines(now=now, limit=1)) == 1
