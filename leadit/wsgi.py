import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadit.settings")

from leadit.cache import PageCacheFront  # noqa: E402 - after the settings are named

application = PageCacheFront(get_wsgi_application())
