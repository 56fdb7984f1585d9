"""The events pages in the page cache (``leadit.cache``): any change to what they show makes
every cached events page stale at once.

The pages also depend on the clock (an event moves from "upcoming" to "past" when it ends,
registration closes at its deadline), which no signal announces: they are cached for
``PAGE_SECONDS`` only. Only anonymous visitors' pages are cached, and they show public events
and documents only; members and staff always get a fresh page.
"""

from leadit.page_signals import stale_on_change

NAMESPACE = "events"
# The longest an event shows as upcoming after it ended (or registration as open after its
# deadline) to an anonymous visitor.
PAGE_SECONDS = 5 * 60


def _watched_models():
    """Events and what their pages show: kinds, documents, registrations (places left),
    working groups, and the members named as hosts, announced members or group members."""
    from members.models import Member

    from .models import Event, EventDocument, EventKind, Registration, WorkingGroup

    return [Event, EventKind, EventDocument, Registration, WorkingGroup, Member]


def connect() -> None:
    from .models import Event, WorkingGroup

    stale_on_change(
        NAMESPACE,
        models=_watched_models(),
        throughs=[
            Event.host_members.through,
            Event.announced_members.through,
            WorkingGroup.members.through,
        ],
    )
