"""Placeholder until its owner writes it."""

from django.http import Http404


def project_list(request, **kwargs):
    raise Http404


def project_detail(request, **kwargs):
    raise Http404
