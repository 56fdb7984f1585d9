"""The workplan pages in the page cache (``leadit.cache``): any change to what they show
makes every cached workplan page stale at once.

The pages show the workplan's own rows, and live metrics computed from the lower apps'
data (members, progress updates, impact stories, events, roadmaps, targets) and from
briefs, which the publications app (higher: never imported here) registers; its models are
named by label, so nothing is imported from it. Metrics also depend on the date (elapsed
period, events held by now) and bulk imports send no signals: the pages are cached for
``PAGE_SECONDS`` at most.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from leadit.cache import invalidate

NAMESPACE = "workplan"
PAGE_SECONDS = 15 * 60

# Models of higher apps that a registered metric reads ("briefs_published"), by label.
HIGHER_APP_MODELS = ["publications.Publication", "publications.Brief"]


def pages_changed() -> None:
    """Make every cached workplan page stale: now, and again after commit (a page rendered
    meanwhile from the old rows must not outlive the transaction)."""
    invalidate(NAMESPACE)
    transaction.on_commit(lambda: invalidate(NAMESPACE))


def _workplan_changed(sender, **kwargs) -> None:
    pages_changed()


def _watched_models():
    from django.apps import apps

    from members.models import ImpactStory, Member, Pillar, ProgressUpdate
    from summits.models import Event, EventKind
    from tracker.models import Roadmap, Sector, Target

    own = list(apps.get_app_config("workplan").get_models())
    lower = [Member, Pillar, ProgressUpdate, ImpactStory, Event, EventKind, Roadmap, Target, Sector]
    return own + lower


def connect() -> None:
    from django.apps import apps

    for model in [*_watched_models(), *HIGHER_APP_MODELS]:
        label = model if isinstance(model, str) else model._meta.label_lower
        uid = f"workplan-pages-{label.lower()}"
        # A label is resolved once that app's models are loaded (Django's lazy senders).
        post_save.connect(_workplan_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_workplan_changed, sender=model, dispatch_uid=f"{uid}-delete")

    for model in apps.get_app_config("workplan").get_models():
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _workplan_changed,
                sender=through,
                dispatch_uid=f"workplan-pages-{through._meta.label_lower}",
            )
