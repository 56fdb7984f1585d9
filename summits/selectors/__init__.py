"""Reads of the events app: ``deadlines`` (agendas and minutes due, for the reminders, the
event page and the staff dashboard) and ``events`` (what the events pages show each user,
and the home page's next public events). Other apps import the two below from here."""

from .deadlines import next_deadlines
from .events import next_public_events

__all__ = ["next_deadlines", "next_public_events"]
