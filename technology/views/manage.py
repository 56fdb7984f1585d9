"""Placeholder until its owner writes it."""

from django.http import Http404


def overview(request, **kwargs):
    raise Http404


def solution_form(request, **kwargs):
    raise Http404


def project_form(request, **kwargs):
    raise Http404


def guideline_version_form(request, **kwargs):
    raise Http404
