"""Placeholder until its owner writes it."""

from django.http import Http404


def guideline_form(request, **kwargs):
    raise Http404


def guideline_version_form(request, **kwargs):
    raise Http404
