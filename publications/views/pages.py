"""Public pages: the archive of briefs and newsletter issues, one publication, its PDF."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from ..models import Publication


def publication_list(request):
    publications = Publication.objects.published()
    return render(request, "publications/publication_list.html", {"publications": publications})


def publication_detail(request, slug: str):
    publication = get_object_or_404(Publication.objects.published(), slug=slug)
    return render(request, "publications/publication_detail.html", {"publication": publication})


def publication_pdf(request, slug: str):
    raise Http404("No PDF yet.")
