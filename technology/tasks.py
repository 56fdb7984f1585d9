"""The technology app's Celery tasks, found by autodiscovery through this module: each area
keeps its own (introductions' e-mails, guideline renders, the monthly needs digest)."""

from . import tasks_digest, tasks_guidelines, tasks_introductions  # noqa: F401
