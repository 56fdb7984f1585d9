"""The members' pages mounted at another address (tests of ``{% url %}``'s cache)."""

from django.urls import include, path

urlpatterns = [path("network/", include("members.urls"))]
