"""One URL, ``/bench/bare/``: a two-byte plain-text answer, the benchmarks' baseline."""

from django.http import HttpResponse
from django.urls import path


def bare_view(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare_view)]
