"""How an app keeps its cached pages (``leadit.cache``) true: any change to a model they
show makes the app's namespace stale. Each app's ``signals.py`` names its namespace and
models and calls ``stale_on_change`` from its ``ready()``; writes that send no signal
(bulk updates, imports) call ``pages_stale`` themselves."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .cache import invalidate


def pages_stale(*namespaces: str) -> None:
    """Make every cached page of ``namespaces`` stale: now, so that the writer's next
    request shows the change, and again after commit, so that a page rendered meanwhile
    from the old rows does not outlive the transaction."""
    invalidate(*namespaces)
    transaction.on_commit(lambda: invalidate(*namespaces))


def stale_on_change(namespace: str, *, models, throughs=()) -> None:
    """Saving or deleting any of ``models`` (classes, or "app.Model" labels of apps this one
    may not import: Django resolves them once loaded), or changing the many-to-many
    relations ``throughs``, makes ``namespace`` stale."""

    def changed(sender, **kwargs) -> None:
        pages_stale(namespace)

    for model in models:
        label = (model if isinstance(model, str) else model._meta.label_lower).lower()
        uid = f"{namespace}-pages-{label}"
        # weak=False: the receiver is this closure, which nothing else keeps alive.
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
    for through in throughs:
        m2m_changed.connect(
            changed,
            sender=through,
            weak=False,
            dispatch_uid=f"{namespace}-pages-{through._meta.label_lower}",
        )
