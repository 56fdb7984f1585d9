"""The publications app's Celery tasks live beside their services; importing them here lets
``autodiscover_tasks`` register them."""

from . import documents, sending  # noqa: F401
