"""The partnerships pages in the page cache (``leadit.cache``): any change to what they show
makes every cached partnerships page stale at once (overview, a partnership's page, the
needs board, offers and pipeline, and their downloads share one namespace).

Only anonymous visitors' pages are cached, and every public page shows public records only,
so a signed-in member or focal point always gets a fresh page and never a cached one."""

from django.apps import apps

from leadit.page_signals import stale_on_change

PAGES_NAMESPACE = "partnerships"

# Rows of the apps below that the pages show: member names as lead or supporting members,
# offer providers and supporters; tracker sectors, technologies and GEM plants; the
# groups an offer is open to.
SHOWN_BELOW = [
    "members.Member",
    "tracker.Sector",
    "tracker.Technology",
    "tracker.IndustrialProject",
    "tracker.CountryGroup",
    "tracker.CountryGroupMembership",
]

# Records no public page shows: invitations and the staff's weekly digest.
NOT_SHOWN = {"focalpointinvitation", "secretariatdigest"}


def _page_models() -> list:
    """Every partnerships model a page may show, and the rows of lower apps named above.
    (History rows are left out: each is written with a save of its record, which already
    makes the pages stale.)"""
    own = [
        model
        for model in apps.get_app_config("partnerships").get_models()
        if not model._meta.model_name.startswith("historical")
        and model._meta.model_name not in NOT_SHOWN
    ]
    return own + SHOWN_BELOW


def _throughs() -> list:
    """The many-to-many relations of the partnerships models (sectors, members,
    technologies, financiers, eligible groups)."""
    return [
        field.remote_field.through
        for model in apps.get_app_config("partnerships").get_models()
        for field in model._meta.local_many_to_many
    ]


def register() -> None:
    stale_on_change(PAGES_NAMESPACE, models=_page_models(), throughs=_throughs())
