"""/partnerships/ and /partnerships/<iso2>/: the overview and one partnership's page
(public; every record shown is public, ``visible_to`` an anonymous visitor)."""

from django.urls import path

from leadit.access import public

from ..views import public as public_views

urlpatterns = [
    path("", public(public_views.overview_page), name="index"),
    path("<str:iso2>/", public(public_views.partnership_detail), name="partnership"),
]
