"""Any change to what the public publication pages show makes every cached publications
page stale at once (``leadit.cache``): publications, their newsletter sections and items,
their rendered PDFs, and the sectors and workplan activities they name.

Subscribers and deliveries are left out on purpose: sending an issue saves thousands of
them and changes nothing on the pages.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from leadit.cache import invalidate

NAMESPACE = "publications"


def pages_changed() -> None:
    """Make every cached publications page stale. Called by the signals below; writes that
    send no signals (``QuerySet.update()``, ``bulk_update``, ``bulk_create``) call it
    themselves."""
    # Now, so that the writer's next request shows the change; and again after commit, so
    # that a page rendered meanwhile from the old rows (and stored under the new
    # generation) does not outlive the transaction.
    invalidate(NAMESPACE)
    transaction.on_commit(lambda: invalidate(NAMESPACE))


def _publications_changed(sender, **kwargs) -> None:
    pages_changed()


def _watched_models():
    from tracker.models import Sector
    from workplan.models import Activity, ActivityGroup, ImpactPathway, Workplan

    from .models import (
        Brief,
        NewsletterIssue,
        NewsletterItem,
        NewsletterSection,
        Publication,
        RenderedDocument,
    )

    return [
        Publication,
        Brief,
        NewsletterIssue,
        NewsletterSection,
        NewsletterItem,
        RenderedDocument,
        Sector,
        Workplan,
        ImpactPathway,
        ActivityGroup,
        Activity,
    ]


def connect() -> None:
    from .models import Publication

    for model in _watched_models():
        uid = f"publications-pages-{model._meta.label_lower}"
        post_save.connect(_publications_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_publications_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        _publications_changed,
        sender=Publication.sectors.through,
        dispatch_uid="publications-pages-sectors",
    )
