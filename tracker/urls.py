from django.urls import path

from leadit.access import public

from .views import compare, countries, coverage, guide, pages, projects, roadmaps

app_name = "tracker"

urlpatterns = [
    path("", public(roadmaps.roadmap_list), name="index"),
    path("export.<str:fmt>", public(roadmaps.roadmap_export), name="export"),
    path("roadmaps/<slug:slug>/", public(roadmaps.roadmap_detail), name="roadmap"),
    path("countries/", public(countries.country_list), name="countries"),
    path("countries/<str:iso2>/", public(countries.country_profile), name="country"),
    path("compare/", public(compare.compare), name="compare"),
    path("compare.csv", public(compare.compare_csv), name="compare_csv"),
    path("coverage/", public(coverage.coverage), name="coverage"),
    path("charts/", public(coverage.charts), name="charts"),
    path("projects/", public(projects.project_list), name="projects"),
    path("projects/<slug:slug>/", public(projects.project_detail), name="project"),
    path("guide/", public(guide.guide), name="guide"),
    path("guide/<slug:slug>/", public(guide.guide_step), name="guide_step"),
    path("methodology/", public(pages.methodology), name="methodology"),
    path("changes/", public(pages.recent_changes), name="changes"),
]
