"""The monthly technology needs digest: each editor of an active member with solutions gets
last month's open technology needs that fit those solutions' technologies or sectors,
once a month at most, with a one-click opt-out; nothing to say, no e-mail."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from leadit.models import MailOptOut
from members.models import Member, MembershipRole
from partnerships.models import SupportRequest, Visibility
from technology.digest import TOPIC, digest_collect, digest_send, month_covered
from technology.models import NeedsDigestSent
from technology.tasks_digest import send_needs_digests
from tests.factories.members import CompanyMemberFactory, EditorFactory, SectorFactory
from tests.factories.technology import TechnologyNeedFactory, TechnologySolutionFactory
from tests.factories.tracker import TechnologyFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)
MONTH = datetime.date(2026, 11, 1)


def _posted(need: SupportRequest, day: datetime.date) -> SupportRequest:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    SupportRequest.objects.filter(pk=need.pk).update(created_at=moment)
    return need


def _need(title: str, *, day=datetime.date(2026, 11, 10), **kwargs) -> SupportRequest:
    return _posted(TechnologyNeedFactory(title=title, **kwargs), day)


@pytest.fixture
def world():
    """Two members with solutions (hydrogen steel; cement capture), their editors, and
    the month's needs."""
    h2, ccus, other_tech = TechnologyFactory(), TechnologyFactory(), TechnologyFactory()
    steel, cement, shipping = SectorFactory(), SectorFactory(), SectorFactory()
    steelco = EditorFactory(member=CompanyMemberFactory(name="Steelco"), email="s@steel.example")
    cementco = EditorFactory(member=CompanyMemberFactory(name="Cementco"), email="c@cem.example")
    TechnologySolutionFactory(member=steelco.member, technology=h2, sectors=[steel])
    TechnologySolutionFactory(member=cementco.member, technology=ccus, sectors=[cement])
    return {
        "steel_editor": steelco,
        "cement_editor": cementco,
        "h2": h2,
        "ccus": ccus,
        "other_tech": other_tech,
        "steel": steel,
        "cement": cement,
        "shipping": shipping,
        "by_tech": _need("Hydrogen DRI equipment", technologies=[h2], sectors=[shipping]),
        "by_sector": _need("Cement kiln retrofit", technologies=[other_tech], sectors=[cement]),
    }


def test_month_covered_is_the_month_before():
    assert month_covered(datetime.date(2026, 12, 1)) == MONTH
    assert month_covered(datetime.date(2027, 1, 15)) == datetime.date(2026, 12, 1)


def test_each_editor_gets_the_needs_that_fit_their_members_solutions(world, mailoutbox):
    # Not fitting, or not to be sent: another month, closed, secretariat-only, other kind.
    _need("October need", technologies=[world["h2"]], day=datetime.date(2026, 10, 31))
    _need("December need", technologies=[world["h2"]], day=datetime.date(2026, 12, 1))
    _need("Closed need", technologies=[world["h2"]], status=SupportRequest.Status.CLOSED)
    _need("Staff need", technologies=[world["h2"]], visibility=Visibility.SECRETARIAT)
    _need("Study", technologies=[world["h2"]], kind="technical_study")
    _need("Unrelated", technologies=[world["other_tech"]], sectors=[world["shipping"]])
    partly = _need(
        "Members-only partly supported",
        technologies=[world["h2"]],
        visibility=Visibility.MEMBERS,
        status=SupportRequest.Status.PARTLY_SUPPORTED,
    )

    assert digest_send(today=TODAY) == {"sent": 2, "failed": 0}

    mails = {mail.to[0]: mail for mail in mailoutbox}
    steel, cement = mails["s@steel.example"].body, mails["c@cem.example"].body
    assert "Hydrogen DRI equipment" in steel and partly.title in steel
    assert "Fits your technology: " + world["h2"].name in steel
    assert "Cement kiln retrofit" not in steel
    assert "Cement kiln retrofit" in cement and "Hydrogen DRI equipment" not in cement
    assert "Fits your sector: " + world["cement"].name in cement
    for body in (steel, cement):
        for title in ("October", "December", "Closed", "Staff need", "Study", "Unrelated"):
            assert title not in body
    assert "November 2026" in mails["s@steel.example"].subject
    assert world["by_tech"].get_absolute_url() in steel
    rows = NeedsDigestSent.objects.order_by("user__email")
    assert [(r.user.email, r.month, r.request_count) for r in rows] == [
        ("c@cem.example", MONTH, 1),
        ("s@steel.example", MONTH, 2),
    ]


def test_never_twice_in_a_month(world, mailoutbox):
    assert digest_send(today=TODAY)["sent"] == 2
    # Run again (beat twice, a retry), even after a new need came in that month.
    _need("Late hydrogen need", technologies=[world["h2"]], day=datetime.date(2026, 11, 30))
    assert digest_send(today=datetime.date(2026, 12, 2)) == {"sent": 0, "failed": 0}
    assert len(mailoutbox) == 2
    assert NeedsDigestSent.objects.count() == 2


def test_a_person_editing_two_members_gets_one_email(world, mailoutbox):
    person = world["steel_editor"]
    MembershipRole.objects.create(user=person, member=world["cement_editor"].member)
    digest_send(today=TODAY)
    theirs = [mail for mail in mailoutbox if mail.to == [person.email]]
    assert len(theirs) == 1
    assert "Hydrogen DRI equipment" in theirs[0].body
    assert "Cement kiln retrofit" in theirs[0].body
    assert "Cementco" in theirs[0].body and "Steelco" in theirs[0].body


def test_nothing_to_say_sends_nothing(world, mailoutbox):
    SupportRequest.objects.all().delete()
    _need("Unrelated", technologies=[world["other_tech"]], sectors=[world["shipping"]])
    assert digest_send(today=TODAY) == {"sent": 0, "failed": 0}
    assert mailoutbox == []
    assert not NeedsDigestSent.objects.exists()


def test_members_without_solutions_get_nothing(world, mailoutbox):
    EditorFactory(email="nosolution@member.example")
    digest_send(today=TODAY)
    assert "nosolution@member.example" not in [mail.to[0] for mail in mailoutbox]


def test_former_member_and_inactive_person_get_nothing(world, mailoutbox):
    Member.objects.filter(pk=world["cement_editor"].member.pk).update(status=Member.Status.FORMER)
    colleague = EditorFactory(member=world["steel_editor"].member, email="gone@steel.example")
    colleague.is_active = False
    colleague.save()
    digest_send(today=TODAY)
    assert [mail.to[0] for mail in mailoutbox] == ["s@steel.example"]


def test_opted_out_person_gets_none_others_still_do(world, mailoutbox):
    MailOptOut.objects.create(user=world["steel_editor"], topic=TOPIC)
    MailOptOut.objects.create(user=world["cement_editor"], topic="another-kind-of-email")
    digest_send(today=TODAY)
    assert [mail.to[0] for mail in mailoutbox] == ["c@cem.example"]


def test_each_email_carries_a_working_one_click_opt_out(world, mailoutbox, settings):
    settings.SITE_URL = "https://portal.example"
    digest_send(today=TODAY)
    mail = next(m for m in mailoutbox if m.to == ["s@steel.example"])
    header = mail.extra_headers["List-Unsubscribe"]
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url.startswith("https://portal.example/mail/opt-out/")
    assert f"Stop these e-mails (one click): {url}" in mail.body

    response = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert MailOptOut.objects.filter(user=world["steel_editor"], topic=TOPIC).exists()
    # Next month's digest leaves them out.
    _need("December hydrogen need", technologies=[world["h2"]], day=datetime.date(2026, 12, 5))
    mailoutbox.clear()
    digest_send(today=datetime.date(2027, 1, 1))
    assert mailoutbox == []


def test_queries_do_not_grow_with_members(django_assert_max_num_queries):
    """Working out who gets what: a fixed number of queries for 3 or 30 members."""
    technology, sector = TechnologyFactory(), SectorFactory()

    def add_members(count: int) -> None:
        for _ in range(count):
            editor = EditorFactory(member=CompanyMemberFactory())
            EditorFactory(member=editor.member)
            TechnologySolutionFactory(member=editor.member, technology=technology)
            TechnologySolutionFactory(member=editor.member, sectors=[sector])
            _need("A need", technologies=[technology], sectors=[sector])

    add_members(3)
    with django_assert_max_num_queries(8):
        few = digest_collect(month=MONTH)
    add_members(27)
    with django_assert_max_num_queries(8):
        many = digest_collect(month=MONTH)
    assert len(few) == 6 and len(many) == 60
    assert all(len(person.fits) == 30 for person in many)


def test_the_task_sends_last_months_digest(world, mailoutbox, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    assert send_needs_digests.apply().get() == {"sent": 2, "failed": 0}
    assert len(mailoutbox) == 2


def test_a_failed_send_leaves_no_row_and_is_tried_again(world, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.technology.test_digest.RefusingBackend"
    assert digest_send(today=TODAY) == {"sent": 0, "failed": 2}
    assert not NeedsDigestSent.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest_send(today=TODAY)["sent"] == 2


class RefusingBackend:
    """A mail server that refuses every recipient (a permanent error, not a retry)."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"No such user") for m in messages})
