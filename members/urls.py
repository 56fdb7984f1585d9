from django.urls import path

from leadit.access import authenticated, member_of_object, public, staff

from .views import edit, gca, invitations, milestones
from .views import public as public_views

app_name = "members"

urlpatterns = [
    path("", public(public_views.member_list), name="index"),
    path("export.csv", public(public_views.member_export_csv), name="export_csv"),
    path("dashboard/", authenticated(edit.dashboard), name="dashboard"),
    path("invitations/<str:key>/", public(invitations.invitation_detail), name="invitation"),
    # Milestones (COPs, UN summits): who reported, and the progress report to take there.
    # Before ``<slug>/``: no member may be called "milestones" (``Member.clean``).
    path("milestones/", public(milestones.milestone_list), name="milestones"),
    path("milestones/gca/<int:year>.xlsx", staff(gca.gca_export), name="gca_export"),
    path("milestones/<slug:slug>/", public(milestones.milestone_report), name="milestone"),
    path(
        "milestones/<slug:slug>/export.<str:fmt>",
        public(milestones.milestone_export),
        name="milestone_export",
    ),
    path(
        "milestones/<slug:slug>/report.pdf",
        public(milestones.milestone_pdf),
        name="milestone_pdf",
    ),
    path(
        "milestones/<slug:slug>/report/render/",
        staff(milestones.milestone_pdf_render),
        name="milestone_pdf_render",
    ),
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
