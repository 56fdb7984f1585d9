"""One view of each access class, to see the declarations enforce what they declare."""

from django.http import HttpResponse
from django.urls import path

from leadit.access import authenticated, member_of_object, public, staff
from leadit.urls import urlpatterns as portal_urlpatterns


def page(request, **kwargs):
    return HttpResponse("the protected content")


urlpatterns = [
    *portal_urlpatterns,
    path("t/public/", public(page)),
    path("t/authenticated/", authenticated(page)),
    path("t/member/<slug:slug>/", member_of_object(page)),
    path("t/staff/", staff(page)),
]
