"""The portal's URLs plus one that fails, to see what a visitor gets from a server error."""

from django.urls import path

from leadit.urls import urlpatterns as portal_urlpatterns


def broken_view(request):
    raise RuntimeError("secret detail that must never reach the visitor")


urlpatterns = [*portal_urlpatterns, path("broken/", broken_view)]
