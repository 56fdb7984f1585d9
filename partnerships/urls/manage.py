"""Who does what outside the admin: a partnership's focal points
(/partnerships/<iso2>/manage/…), member editors' offers, "We can help" and commitments,
and the focal points' invitation link. Each view finds its object through the model's
``editable_by`` / ``visible_to``, so another's object answers 404."""

from django.urls import path

from leadit.access import authenticated, member_of_object, public

from ..views import invitations, manage, member

urlpatterns = [
    path("invitations/<str:key>/", public(invitations.invitation_detail), name="invitation"),
    path("offers/new/", authenticated(member.offer_form), name="offer_new"),
    path("offers/<int:pk>/edit/", member_of_object(member.offer_form), name="offer_edit"),
    path("needs/<int:pk>/help/", member_of_object(member.we_can_help), name="we_can_help"),
    path("commitments/", authenticated(member.my_commitments), name="my_commitments"),
    path("commitments/<int:pk>/", member_of_object(member.commitment_detail), name="commitment"),
    path("<str:iso2>/manage/", member_of_object(manage.overview), name="manage"),
    path(
        "<str:iso2>/manage/requests/new/",
        member_of_object(manage.request_form),
        name="manage_request_new",
    ),
    path(
        "<str:iso2>/manage/requests/<int:pk>/",
        member_of_object(manage.request_form),
        name="manage_request",
    ),
    path(
        "<str:iso2>/manage/requests/<int:pk>/withdraw/",
        member_of_object(manage.request_withdraw),
        name="manage_request_withdraw",
    ),
    path(
        "<str:iso2>/manage/projects/new/",
        member_of_object(manage.project_form),
        name="manage_project_new",
    ),
    path(
        "<str:iso2>/manage/projects/<slug:slug>/",
        member_of_object(manage.project_form),
        name="manage_project",
    ),
    path(
        "<str:iso2>/manage/projects/<slug:slug>/stage/",
        member_of_object(manage.project_stage),
        name="manage_project_stage",
    ),
    path(
        "<str:iso2>/manage/plan/values/new/",
        member_of_object(manage.measurement_new),
        name="manage_measurement_new",
    ),
]
