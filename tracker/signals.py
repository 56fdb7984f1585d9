from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from leadit.cache import invalidate


def _tracker_data_changed(sender, **kwargs) -> None:
    invalidate("tracker")


def connect() -> None:
    """Any change to tracker data makes every cached tracker page stale at once."""
    for model in apps.get_app_config("tracker").get_models():
        post_save.connect(_tracker_data_changed, sender=model, dispatch_uid=f"tracker-save-{model}")
        post_delete.connect(
            _tracker_data_changed, sender=model, dispatch_uid=f"tracker-delete-{model}"
        )
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _tracker_data_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"tracker-m2m-{field.remote_field.through}",
            )
