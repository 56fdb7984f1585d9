"""The technology app's Celery tasks, found by autodiscovery here: each area keeps its own
module (introductions' e-mails, guideline renders, the monthly needs digest)."""

from importlib import import_module

for _name in ("tasks_introductions", "tasks_guidelines", "tasks_digest"):
    try:
        import_module(f"technology.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"technology.{_name}":
            raise
