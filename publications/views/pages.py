"""Public pages: the archive of briefs and newsletter issues (/publications/), one
publication (/publications/<slug>/) and its PDF (/publications/<slug>.pdf).

Every lookup goes through ``publications_visible_to(user)``: a draft or a publication in
review answers 404 to the public; staff may open it (and its PDF, if one was rendered) to
check it before publishing, under a "Draft — not public" banner. Pages for anonymous
visitors are cached under the "publications" namespace (``publications/signals.py``
invalidates it on every change).
"""

from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.text import Truncator

from leadit.cache import cache_public_page
from leadit.filtering import filter_context
from workplan.models import Workplan

from ..content import brief_body_html, cite_as, licence
from ..documents import latest_document
from ..models import Publication
from ..selectors import (
    issue_sections,
    pdf_document,
    publication_archive,
    publication_page,
    publications_visible_to,
)

PUBLICATIONS_PER_PAGE = 20
# A published PDF may be re-rendered (an edit, a new stylesheet): browsers re-check it
# after this long, and the ETag makes the re-check cheap.
PDF_MAX_AGE = 60 * 10


@cache_public_page("publications")
def publication_list(request: HttpRequest) -> HttpResponse:
    archive = publication_archive(data=request.GET)
    # A page number that is not a number gives the first page; past the end, the last.
    page = Paginator(archive.publications, PUBLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    for publication in page.object_list:
        publication.pdf = pdf_document(publication)
    context = {
        "page_obj": page,
        "publications": page.object_list,
        "facets": archive.facets,
        **filter_context(request, archive.filterset, reasons=True),
    }
    return render(request, "publications/publication_list.html", context)


def safe_href(url: str) -> str:
    """``url`` if it is a portal path or an http(s) address, else "" (a newsletter item's
    link is typed by staff; ``javascript:`` and the like never become a link)."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    return ""


def _workplan_link(brief) -> str:
    """The activity's row on its workplan's page, if that workplan is public."""
    activity = brief.activity
    if activity is None:
        return ""
    workplan = activity.group.pathway.workplan
    if workplan.status == Workplan.Status.DRAFT:
        return ""
    return f"{workplan.get_absolute_url()}#activity-{activity.pk}"


@cache_public_page("publications")
def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    publication = publication_page(slug=slug, user=request.user)
    if publication is None:
        raise Http404("No such publication.")
    item = publication.specific
    context = {
        "publication": publication,
        "item": item,
        "is_brief": publication.kind == Publication.Kind.BRIEF,
        "document": latest_document(publication),
        "cite": cite_as(item),
        "licence": licence(item),
        "meta_description": Truncator(publication.summary or publication.title).chars(160),
    }
    if context["is_brief"]:
        context["body"] = brief_body_html(item)
        context["workplan_link"] = _workplan_link(item)
    else:
        sections = list(issue_sections(item))
        for section in sections:
            for entry in section.kept_items:
                entry.href = safe_href(entry.url)
        context["sections"] = sections
    return render(request, "publications/publication_detail.html", context)


def publication_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest rendered PDF, shown in the browser (``inline``), named after the slug.
    404 while none is ready, or if the publication is not public (staff may fetch a
    draft's PDF to check it: that answer is never cached)."""
    publication = get_object_or_404(publications_visible_to(request.user), slug=slug)
    document = latest_document(publication)
    if document is None or not document.file:
        raise Http404("No PDF is ready yet.")
    etag = f'"{document.content_hash}"'
    modified = document.finished_at or document.created_at
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(modified.timestamp())
    )
    if not_modified is not None:
        not_modified["ETag"] = etag
        return not_modified
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The PDF file is missing.") from exc
    response = FileResponse(
        handle, content_type="application/pdf", filename=f"{publication.slug}.pdf"
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    response["Cache-Control"] = (
        f"public, max-age={PDF_MAX_AGE}" if publication.is_published else "private, no-store"
    )
    return response
