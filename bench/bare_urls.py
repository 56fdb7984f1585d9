"""The portal's URLconf plus a bare Django view, the baseline of ``bench/tracker_load.py``.

Used only by the benchmark: gunicorn runs with ``ROOT_URLCONF=bench.bare_urls``, so the bare
view goes through the same middleware, settings and worker as the tracker's pages.
"""

from django.http import HttpResponse
from django.urls import include, path

from leadit.access import public


def bare_view(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", public(bare_view)),
    path("", include("leadit.urls")),
]
