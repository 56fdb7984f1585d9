from django.apps import AppConfig


class SummitsConfig(AppConfig):
    name = "summits"
    verbose_name = "Events and summits"

    def ready(self):
        from django.utils import timezone

        from leadit.home import home_depends_on, register_home_section

        from .models import Event, EventKind

        def next_events_context(request) -> dict:
            from .selectors import next_public_events

            events = next_public_events(now=timezone.now(), limit=3)
            return {
                "events": [
                    {"event": e, "start": e.local(e.start), "end": e.local(e.end)} for e in events
                ]
            }

        register_home_section(
            key="next-events",
            template="summits/home_next_events.html",
            context=next_events_context,
            order=10,
        )
        home_depends_on([Event, EventKind])

        # The events pages are page-cached: a change makes them stale.
        from . import signals

        signals.connect()

        # The newsletter: new members and announcements, events held and to come.
        from . import newsletter

        newsletter.register()
