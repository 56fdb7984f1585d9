"""Placeholder view of the UNFCCC GCA yearly export (issue 17); replaced by its helper."""

from django.http import Http404


def gca_export(request, year):
    raise Http404
