"""/technology/…: the catalogue and one solution, one technology across the portal,
co-development projects, innovation programmes and calls, technical guidelines, the
introductions between members and partnerships, and member editors' own pages.

Fixed prefixes come first: ``<technology>/`` (a tracker technology's slug) is last, so a
technology may not be called "solutions", "projects", "programmes", "guidelines",
"introductions", "mine" or "export" (``Technology.clean`` refuses those slugs)."""

from django.urls import path

from leadit.access import authenticated, member_of_object, public

from ..views import (
    catalogue,
    guidelines,
    introductions,
    manage,
    manage_guidelines,
    programmes,
    projects,
    topic,
)

app_name = "technology"


urlpatterns = [
    path("", public(catalogue.catalogue), name="index"),
    path("export.<str:fmt>", public(catalogue.catalogue_export), name="export"),
    path("calls.ics", public(programmes.calls_ics), name="calls_ics"),
    path("solutions/<slug:slug>/", public(catalogue.solution_detail), name="solution"),
    path("projects/", public(projects.project_list), name="projects"),
    path("projects/<slug:slug>/", public(projects.project_detail), name="project"),
    path("programmes/", public(programmes.programme_list), name="programmes"),
    path("programmes/<slug:slug>/", public(programmes.programme_detail), name="programme"),
    path("guidelines/", public(guidelines.guideline_list), name="guidelines"),
    path("guidelines/<slug:slug>/", public(guidelines.guideline_detail), name="guideline"),
    path(
        "guidelines/<slug:slug>/versions/<int:pk>/download/",
        public(guidelines.guideline_download),
        name="guideline_download",
    ),
    # Introductions: asked by a member editor or a focal point, answered by the other side.
    path("introductions/", authenticated(introductions.introduction_list), name="introductions"),
    path(
        "introductions/new/solution/<slug:slug>/",
        authenticated(introductions.ask_about_solution),
        name="introduction_solution",
    ),
    path(
        "introductions/new/need/<int:pk>/",
        authenticated(introductions.ask_about_need),
        name="introduction_need",
    ),
    path(
        "introductions/<int:pk>/",
        member_of_object(introductions.introduction_detail),
        name="introduction",
    ),
    path(
        "introductions/<int:pk>/answer/",
        member_of_object(introductions.introduction_answer),
        name="introduction_answer",
    ),
    path(
        "introductions/<int:pk>/withdraw/",
        member_of_object(introductions.introduction_withdraw),
        name="introduction_withdraw",
    ),
    # A member's editors keep their member's solutions, projects and guidelines.
    path("mine/", authenticated(manage.overview), name="mine"),
    path("mine/solutions/new/", authenticated(manage.solution_form), name="solution_new"),
    path(
        "mine/solutions/<slug:slug>/", member_of_object(manage.solution_form), name="solution_edit"
    ),
    path("mine/projects/new/", authenticated(manage.project_form), name="project_new"),
    path("mine/projects/<slug:slug>/", member_of_object(manage.project_form), name="project_edit"),
    path(
        "mine/guidelines/new/",
        authenticated(manage_guidelines.guideline_form),
        name="guideline_new",
    ),
    path(
        "mine/guidelines/<slug:slug>/",
        member_of_object(manage_guidelines.guideline_form),
        name="guideline_edit",
    ),
    path(
        "mine/guidelines/<slug:slug>/versions/new/",
        member_of_object(manage_guidelines.guideline_version_form),
        name="guideline_version_new",
    ),
    path("<slug:slug>/", public(topic.technology_detail), name="technology"),
]
