"""Placeholder until its owner writes it."""

from django.http import Http404


def catalogue(request, **kwargs):
    raise Http404


def catalogue_export(request, **kwargs):
    raise Http404


def solution_detail(request, **kwargs):
    raise Http404
