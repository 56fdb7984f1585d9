"""Placeholder until its owner writes it."""

from django.http import Http404


def programme_list(request, **kwargs):
    raise Http404


def programme_detail(request, **kwargs):
    raise Http404


def calls_ics(request, **kwargs):
    raise Http404
