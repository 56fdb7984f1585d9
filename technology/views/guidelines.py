"""The technical guidelines library /technology/guidelines/ (filters in the query string),
one guideline /technology/guidelines/<slug>/ with every version, and a version's PDF
/technology/guidelines/<slug>/versions/<pk>/download/.

A guideline the visitor may not see (members-only to the public, say) answers 404 on its
page and on every download, and the refusal is logged. Its PDFs are stored below
``technology/guidelines/``, which ``leadit.media`` does not serve (not a public prefix):
the download view is the only way to them."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from leadit.access import permitted_or_404
from leadit.cache import cache_public_page
from leadit.filtering import filter_context

from ..guideline_pdf import file_label
from ..models import Visibility
from ..selectors.guidelines import (
    downloadable_versions,
    guideline_detail_queryset,
    guideline_versions,
)
from ..selectors.guidelines import (
    guideline_list as read_guideline_list,
)
from ..signals import PAGES_NAMESPACE

GUIDELINES_PER_PAGE = 25


@cache_public_page(PAGES_NAMESPACE)
def guideline_list(request: HttpRequest) -> HttpResponse:
    library = read_guideline_list(data=request.GET, user=request.user)
    # A page number that is not a number gives the first page; past the end, the last.
    page = Paginator(library.guidelines, GUIDELINES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "guidelines": page.object_list,
        "facets": library.facets,
        "page_number": page.number,
        **filter_context(request, library.filterset, reasons=True),
    }
    return render(request, "technology/guideline_list.html", context)


@cache_public_page(PAGES_NAMESPACE)
def guideline_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guideline = permitted_or_404(
        request,
        guideline_detail_queryset(user=request.user),
        what="technical guideline",
        identifier=slug,
        action="see",
        slug=slug,
    )
    context = {"guideline": guideline, "versions": guideline_versions(guideline)}
    return render(request, "technology/guideline_detail.html", context)


def guideline_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The version's PDF as an attachment, if the visitor may see its guideline; else 404.
    Never from the page cache: the answer depends on who asks, and it is a file."""
    version = permitted_or_404(
        request,
        downloadable_versions(user=request.user),
        what="technical guideline version",
        identifier=pk,
        action="download",
        pk=pk,
        guideline__slug=slug,
    )
    if not version.pdf:
        raise Http404("This version's PDF is not ready.")
    try:
        handle = version.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The PDF file is missing.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{file_label(version)}.pdf",
        content_type="application/pdf",
    )
    if version.guideline.visibility != Visibility.PUBLIC:
        # A members-only document must not linger in a shared cache.
        patch_cache_control(response, private=True, no_store=True)
    return response
