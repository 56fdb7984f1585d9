"""Placeholder views of the milestone report (issue 17); replaced by the helper who owns it."""

from django.http import Http404


def milestone_list(request):
    raise Http404


def milestone_report(request, slug):
    raise Http404


def milestone_export(request, slug, fmt):
    raise Http404


def milestone_pdf(request, slug):
    raise Http404


def milestone_pdf_render(request, slug):
    raise Http404
