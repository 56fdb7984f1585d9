from django.urls import path

from leadit.access import authenticated, member_of_object, public

from .views import edit, invitations
from .views import public as public_views

app_name = "members"

urlpatterns = [
    path("", public(public_views.member_list), name="index"),
    path("export.csv", public(public_views.member_export_csv), name="export_csv"),
    path("dashboard/", authenticated(edit.dashboard), name="dashboard"),
    path("invitations/<str:key>/", public(invitations.invitation_detail), name="invitation"),
    path("<slug:slug>/", public(public_views.member_detail), name="detail"),
    path("<slug:slug>/edit/", member_of_object(edit.overview), name="edit"),
    path("<slug:slug>/edit/profile/", member_of_object(edit.profile), name="edit_profile"),
    path(
        "<slug:slug>/edit/commitments/",
        member_of_object(edit.commitments),
        name="edit_commitments",
    ),
    path("<slug:slug>/edit/pillars/", member_of_object(edit.pillars), name="edit_pillars"),
    path(
        "<slug:slug>/edit/updates/new/",
        member_of_object(edit.update_form),
        name="update_new",
    ),
    path(
        "<slug:slug>/edit/updates/<int:pk>/",
        member_of_object(edit.update_form),
        name="update_edit",
    ),
    path(
        "<slug:slug>/edit/updates/<int:pk>/publish/",
        member_of_object(edit.update_publish),
        name="update_publish",
    ),
    path(
        "<slug:slug>/edit/updates/<int:pk>/withdraw/",
        member_of_object(edit.update_withdraw),
        name="update_withdraw",
    ),
    path(
        "<slug:slug>/edit/stories/new/",
        member_of_object(edit.story_form),
        name="story_new",
    ),
    path(
        "<slug:slug>/edit/stories/<int:pk>/",
        member_of_object(edit.story_form),
        name="story_edit",
    ),
    path("<slug:slug>/edit/preview/", member_of_object(edit.preview), name="edit_preview"),
    path("<slug:slug>/edit/history/", member_of_object(edit.history), name="edit_history"),
]
