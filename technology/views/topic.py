"""Placeholder until its owner writes it."""

from django.http import Http404


def technology_detail(request, **kwargs):
    raise Http404
