"""The workplan pages in the page cache (``leadit.cache``): any change to what they show
makes every cached workplan page stale at once.

The pages show the workplan's own rows, and live metrics computed from the lower apps'
data (members, progress updates, impact stories, events, roadmaps, targets) and from
briefs, which the publications app (higher: never imported here) registers; its models are
named by label, so nothing is imported from it. Metrics also depend on the date (elapsed
period, events held by now) and bulk imports send no signals: the pages are cached for
``PAGE_SECONDS`` at most.
"""

from leadit.page_signals import stale_on_change

NAMESPACE = "workplan"
PAGE_SECONDS = 15 * 60

# Models of higher apps that a registered metric reads ("briefs_published"), by label.
HIGHER_APP_MODELS = ["publications.Publication", "publications.Brief"]


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

    own = apps.get_app_config("workplan").get_models()
    stale_on_change(
        NAMESPACE,
        models=[*_watched_models(), *HIGHER_APP_MODELS],
        throughs=[
            field.remote_field.through for model in own for field in model._meta.many_to_many
        ],
    )
