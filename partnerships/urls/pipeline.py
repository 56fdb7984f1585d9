"""/partnerships/pipeline/…: the pipeline of bankable projects, its downloads, one project."""

from django.urls import path

from leadit.access import public

from ..views import pipeline

urlpatterns = [
    path("pipeline/", public(pipeline.pipeline_list_page), name="pipeline"),
    path("pipeline/export.<str:fmt>", public(pipeline.pipeline_export), name="pipeline_export"),
    path("pipeline/<slug:slug>/", public(pipeline.project_detail), name="project"),
]
