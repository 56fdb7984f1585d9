"""The portal's one Celery app; its configuration is the CELERY_* Django settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadit.settings")

app = Celery("leadit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The secretariat's partnerships jobs live beside the app's other tasks module.
app.autodiscover_tasks(related_name="tasks_staff")
