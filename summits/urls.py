from django.urls import path

from leadit.access import authenticated, public, staff

from .views import public as public_views
from .views import registration

app_name = "summits"

urlpatterns = [
    path("", public(public_views.event_list), name="index"),
    path("calendar.ics", public(public_views.calendar_feed), name="calendar"),
    path("working-groups/", public(public_views.working_group_list), name="working_groups"),
    path(
        "working-groups/<slug:slug>/",
        public(public_views.working_group_detail),
        name="working_group",
    ),
    path("<slug:slug>/", public(public_views.event_detail), name="detail"),
    path("<slug:slug>.ics", public(public_views.event_ics), name="event_ics"),
    path(
        "<slug:slug>/documents/<int:pk>/",
        public(public_views.event_document),
        name="document",
    ),
    path("<slug:slug>/register/", authenticated(registration.register), name="register"),
    path(
        "<slug:slug>/registrations/<int:pk>/cancel/",
        authenticated(registration.cancel),
        name="cancel_registration",
    ),
    path(
        "<slug:slug>/attendees.<str:fmt>",
        staff(registration.attendees_export),
        name="attendees",
    ),
]
