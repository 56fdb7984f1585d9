"""The events pages in the page cache (``leadit.cache``): any change to what they show makes
every cached events page stale at once.

The pages also depend on the clock (an event moves from "upcoming" to "past" when it ends,
registration closes at its deadline), which no signal announces: they are cached for
``PAGE_SECONDS`` only. Only anonymous visitors' pages are cached, and they show public events
and documents only; members and staff always get a fresh page.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from leadit.cache import invalidate

NAMESPACE = "events"
# The longest an event shows as upcoming after it ended (or registration as open after its
# deadline) to an anonymous visitor.
PAGE_SECONDS = 5 * 60


def pages_changed() -> None:
    """Make every cached events page stale: now, and again after commit (a page rendered
    meanwhile from the old rows must not outlive the transaction)."""
    invalidate(NAMESPACE)
    transaction.on_commit(lambda: invalidate(NAMESPACE))


def _events_changed(sender, **kwargs) -> None:
    pages_changed()


def _watched_models():
    """Events and what their pages show: kinds, documents, registrations (places left),
    working groups, and the members named as hosts, announced members or group members."""
    from members.models import Member

    from .models import Event, EventDocument, EventKind, Registration, WorkingGroup

    return [Event, EventKind, EventDocument, Registration, WorkingGroup, Member]


def connect() -> None:
    from .models import Event, WorkingGroup

    for model in _watched_models():
        uid = f"events-pages-{model._meta.label_lower}"
        post_save.connect(_events_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_events_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (
        Event.host_members.through,
        Event.announced_members.through,
        WorkingGroup.members.through,
    ):
        m2m_changed.connect(
            _events_changed,
            sender=through,
            dispatch_uid=f"events-pages-{through._meta.label_lower}",
        )
