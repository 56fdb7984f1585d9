"""What members adds to the apps below it (``AppConfig.ready()`` calls :func:`register`):
the tracker's "LeadIT member countries" group and the staleness of its pages, the home
page's numbers and the newsletter's "members' progress" section."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse

from leadit.cache import invalidate
from leadit.home import HomeNumber, home_depends_on, register_home_numbers
from tracker.groups import register_derived_group

from . import newsletter
from .models import Member


def register() -> None:
    register_derived_group(
        slug="leadit-members", name="LeadIT member countries", countries=member_countries
    )
    _connect_tracker_pages()
    # The home page: LeadIT in numbers (members and member countries; the coverage map
    # marks the member countries too).
    register_home_numbers(key="members", compute=member_numbers, order=10)
    home_depends_on([Member])
    newsletter.register()


def member_countries() -> set[str]:
    """The countries of the active country members: the tracker's derived group."""
    return set(
        Member.objects.filter(kind=Member.Kind.COUNTRY, status=Member.Status.ACTIVE).values_list(
            "country", flat=True
        )
    )


def _tracker_pages_changed(sender, **kwargs) -> None:
    invalidate("tracker", "members")


def _connect_tracker_pages() -> None:
    """Tracker pages show LeadIT-member badges and groups: a member change makes them stale."""
    for signal, sender, uid in (
        (post_save, Member, "members-invalidate-save"),
        (post_delete, Member, "members-invalidate-del"),
        (m2m_changed, Member.sectors.through, "members-invalidate-m2m"),
    ):
        signal.connect(_tracker_pages_changed, sender=sender, weak=False, dispatch_uid=uid)


def member_numbers() -> list[HomeNumber]:
    """Members and member countries for the home page; invented demo members are not
    counted, and the note says how many there are."""
    counts = Member.objects.filter(status=Member.Status.ACTIVE).aggregate(
        members=Count("pk", filter=Q(is_demo=False)),
        countries=Count("pk", filter=Q(is_demo=False, kind=Member.Kind.COUNTRY)),
        demo=Count("pk", filter=Q(is_demo=True)),
    )
    demo = counts["demo"]
    note = f"{demo} demo member{'s' if demo != 1 else ''} (invented) not counted." if demo else ""
    return [
        HomeNumber(
            value=counts["members"],
            label="members: countries and companies",
            url=reverse("members:index"),
            note=note,
        ),
        HomeNumber(
            value=counts["countries"],
            label="member countries",
            url=reverse("members:index") + "?kind=country",
        ),
    ]
