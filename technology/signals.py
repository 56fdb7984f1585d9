"""The technology pages in the page cache (``leadit.cache``): any change to what they show
makes every cached technology page stale at once (catalogue, solutions, one technology,
projects, programmes, guidelines, the calendar of calls and the downloads share one
namespace).

Only anonymous visitors' pages are cached, and they show public records only, so a
signed-in member always gets a fresh page."""

from django.apps import apps

from leadit.page_signals import stale_on_change

PAGES_NAMESPACE = "technology"

# Rows of the apps below that the pages show: providers and participants, tracker sectors,
# technologies, plants and roadmap levers, partnership needs and pipeline projects.
SHOWN_BELOW = [
    "members.Member",
    "tracker.Sector",
    "tracker.Technology",
    "tracker.IndustrialProject",
    "tracker.Roadmap",
    "tracker.RoadmapLever",
    "partnerships.PartnerInstitution",
    "partnerships.Partnership",
    "partnerships.SupportRequest",
    "partnerships.PipelineProject",
]

# Records no public page shows: introductions between two sides and the digest's rows.
NOT_SHOWN = {"introduction", "needsdigestsent"}


def _own_models() -> list:
    return [
        model
        for model in apps.get_app_config("technology").get_models()
        if not model._meta.model_name.startswith("historical")
        and model._meta.model_name not in NOT_SHOWN
    ]


def register() -> None:
    throughs = [
        field.remote_field.through
        for model in apps.get_app_config("technology").get_models()
        for field in model._meta.local_many_to_many
    ]
    throughs.append(apps.get_model("partnerships", "SupportRequest").technologies.through)
    stale_on_change(PAGES_NAMESPACE, models=_own_models() + SHOWN_BELOW, throughs=throughs)
