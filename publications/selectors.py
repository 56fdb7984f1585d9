"""Reads of publications shared by the pages, the PDFs and the e-mails."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.http import QueryDict
from django_countries import countries

from leadit.facets import Facet, FacetOption
from tracker.models import Sector

from .filters import PublicationFilter
from .models import (
    Brief,
    NewsletterIssue,
    NewsletterItem,
    NewsletterSection,
    Publication,
    RenderedDocument,
)


def issue_sections(issue: NewsletterIssue) -> QuerySet[NewsletterSection]:
    """The sections of ``issue`` that staff kept, in their order, each with the items kept
    (``section.kept_items``): the one content the page, the PDF and the e-mail show."""
    return issue.sections.filter(included=True).prefetch_related(
        Prefetch(
            "items",
            queryset=NewsletterItem.objects.filter(included=True),
            to_attr="kept_items",
        )
    )


# --- The public archive: /publications/ ---------------------------------------------------
#
# Public pages read in a constant number of queries, whatever the number of publications
# or of their rendered documents (``tests/publications/test_pages.py`` asserts it).


def latest_done_documents() -> QuerySet[RenderedDocument]:
    """The document each publication's PDF link serves: its DONE document finished last
    (then created last, then the highest id) — the order of ``documents.latest_document``.
    Written as "a done document with no later done one of the same publication", so that a
    whole page of publications gets theirs in one prefetch query."""
    when = Coalesce("finished_at", "created_at")
    later = (
        RenderedDocument.objects.filter(
            publication=OuterRef("publication"), status=RenderedDocument.Status.DONE
        )
        .annotate(when=when)
        .filter(
            Q(when__gt=OuterRef("when"))
            | Q(when=OuterRef("when"), created_at__gt=OuterRef("created_at"))
            | Q(when=OuterRef("when"), created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
        )
    )
    return (
        RenderedDocument.objects.filter(status=RenderedDocument.Status.DONE)
        .annotate(when=when)
        .filter(~Exists(later))
    )


def with_pdf_documents(publications: QuerySet[Publication]) -> QuerySet[Publication]:
    """``publications`` each with ``pdf_documents``: a list holding its latest done
    rendered document, or empty while none is ready (see ``pdf_document``)."""
    return publications.prefetch_related(
        Prefetch("documents", queryset=latest_done_documents(), to_attr="pdf_documents")
    )


def pdf_document(publication: Publication) -> RenderedDocument | None:
    """The document prefetched by ``with_pdf_documents``."""
    documents = getattr(publication, "pdf_documents", None) or []
    return documents[0] if documents else None


def publications_visible_to(user) -> QuerySet[Publication]:
    """Published publications; staff also see drafts and those in review (to preview
    them: the pages say they are not public)."""
    if user.is_authenticated and user.is_staff:
        return Publication.objects.all()
    return Publication.objects.published()


@dataclass(frozen=True)
class PublicationArchive:
    filterset: PublicationFilter
    publications: QuerySet[Publication]  # filtered, newest first, with what a row shows
    facets: list[Facet]


ARCHIVE_ORDER = ("-published_on", "-created_at", "-pk")


def publication_archive(*, data: QueryDict) -> PublicationArchive:
    """Published briefs and newsletter issues filtered by ``data`` (the query string),
    newest first, each with its sectors, its newsletter issue (if it is one) and its PDF.

    Each facet counts, for each of its options, the publications that would be listed
    with that option chosen and every *other* filter kept; one aggregate query per facet.
    """
    filterset = PublicationFilter(data, queryset=Publication.objects.published())
    publications = with_pdf_documents(
        filterset.qs.select_related("newsletterissue")
        .prefetch_related("sectors")
        .order_by(*ARCHIVE_ORDER)
    )
    return PublicationArchive(
        filterset=filterset, publications=publications, facets=_archive_facets(filterset)
    )


def _in(filterset: PublicationFilter, name: str, path: str = "pk") -> Q:
    """Matches rows whose ``path`` is a publication listed with every filter but ``name``."""
    return Q(**{f"{path}__in": filterset.queryset_without(name).values("pk")})


def _archive_facets(filterset: PublicationFilter) -> list[Facet]:
    published = Publication.objects.published().order_by()
    return [
        _kind_facet(filterset, published),
        _sector_facet(filterset, published),
        _country_facet(filterset, published),
        _year_facet(filterset, published),
    ]


def _kind_facet(filterset: PublicationFilter, published: QuerySet[Publication]) -> Facet:
    counts = dict(
        published.values_list("kind").annotate(n=Count("pk", filter=_in(filterset, "kind")))
    )
    selected = filterset.selected("kind")
    return Facet(
        "kind",
        "Kind",
        [
            FacetOption(value, str(label), counts.get(value, 0), value == selected)
            for value, label in Publication.Kind.choices
        ],
    )


def _sector_facet(filterset: PublicationFilter, published: QuerySet[Publication]) -> Facet:
    """Sectors with a published publication (and the one chosen, if any)."""
    sectors = Sector.objects.annotate(
        n=Count("publications", filter=_in(filterset, "sector", "publications"), distinct=True),
        total=Count(
            "publications",
            filter=Q(publications__in=published.values("pk")),
            distinct=True,
        ),
    )
    selected = filterset.selected("sector")
    return Facet(
        "sector",
        "Sector",
        [
            FacetOption(s.slug, s.name, s.n, s.slug == selected)
            for s in sectors
            if s.total or s.slug == selected
        ],
    )


def _country_facet(filterset: PublicationFilter, published: QuerySet[Publication]) -> Facet:
    """Countries are stored as "DE,IN,SE", so counted in Python over one row per publication
    (a few hundred at most), each saying whether the other filters keep it."""
    kept = Counter()
    seen = set()
    rows = published.annotate(
        kept=Case(When(_in(filterset, "country"), then=Value(1)), default=Value(0))
    ).values_list("countries", "kept")
    for stored, is_kept in rows:
        # ``values_list`` gives the stored text ("DE,IN"), not Country objects.
        for code in filter(None, (stored or "").split(",")):
            seen.add(code)
            kept[code] += is_kept
    selected = filterset.selected("country")
    if selected:
        seen.add(selected)
    options = (
        FacetOption(code, countries.name(code), kept[code], code == selected) for code in seen
    )
    return Facet("country", "Country", sorted(options, key=lambda option: option.label))


def _year_facet(filterset: PublicationFilter, published: QuerySet[Publication]) -> Facet:
    years = dict(
        published.annotate(year=ExtractYear("published_on"))
        .values_list("year")
        .annotate(n=Count("pk", filter=_in(filterset, "year")))
    )
    selected = filterset.selected("year")
    if selected:
        years.setdefault(int(selected), 0)
    return Facet(
        "year",
        "Year",
        [
            FacetOption(str(year), str(year), n, str(year) == selected)
            for year, n in sorted(years.items(), reverse=True)
        ],
    )


# --- One publication: /publications/<slug>/ ---------------------------------------------


def publication_page(*, slug: str, user) -> Publication | None:
    """The publication ``slug`` as ``user`` may see it (``publications_visible_to``), with
    its brief or newsletter issue, the brief's activity up to its workplan, and its
    sectors; None if there is none or the user may not see it."""
    return (
        publications_visible_to(user)
        .select_related(
            "brief__activity__group__pathway__workplan",
            "newsletterissue",
        )
        .prefetch_related("sectors")
        .filter(slug=slug)
        .first()
    )


# --- The home page ----------------------------------------------------------------------


def latest_briefs(*, limit: int = 3) -> list[Brief]:
    """The ``limit`` most recently published briefs, newest first."""
    return list(
        Brief.objects.published()
        .only("title", "slug", "summary", "published_on", "kind", "status")
        .order_by(*ARCHIVE_ORDER)[:limit]
    )


# --- The workplan metric "briefs_published" -------------------------------------------


def briefs_published_between(*, start, end, sector: str = "") -> int:
    """Briefs published (and still public) from ``start`` to ``end``, both included; of
    one sector (by its slug) if ``sector`` is given."""
    briefs = Brief.objects.published().filter(published_on__gte=start, published_on__lte=end)
    if sector:
        briefs = briefs.filter(sectors__slug=sector).distinct()
    return briefs.count()
