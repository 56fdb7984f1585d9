"""Placeholder until its owner writes it."""

from django.http import Http404


def guideline_list(request, **kwargs):
    raise Http404


def guideline_detail(request, **kwargs):
    raise Http404


def guideline_download(request, **kwargs):
    raise Http404
