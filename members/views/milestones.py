"""The public milestone pages: the list of milestones (/members/milestones/), one
milestone's report of who reported (/members/milestones/<slug>/), its downloads and its
PDF; staff ask for the PDF from the report page."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from leadit.cache import cache_public_page
from leadit.markdown import render_markdown

from ..milestone_charts import report_figures
from ..milestone_exports import EXPORT_FORMATS, FORMAT_LABELS, LICENCE, LICENCE_URL
from ..milestone_exports import export_response as milestone_export_response
from ..milestone_pdf import download_filename, latest_rendered, latest_request
from ..models import Milestone
from ..selectors_milestones import milestone_list as milestone_summaries
from ..selectors_milestones import milestone_report as milestone_report_data
from ..services_milestones import milestone_report_request
from ..signals import PAGES_NAMESPACE


@cache_public_page(PAGES_NAMESPACE)
def milestone_list(request: HttpRequest) -> HttpResponse:
    summaries = milestone_summaries()
    context = {
        "upcoming": sorted(
            (s for s in summaries if s.is_upcoming), key=lambda s: (s.date, s.milestone.name)
        ),
        "past": [s for s in summaries if not s.is_upcoming],
    }
    return render(request, "members/milestone_list.html", context)


@cache_public_page(PAGES_NAMESPACE)
def milestone_report(request: HttpRequest, slug: str) -> HttpResponse:
    milestone = get_object_or_404(Milestone, slug=slug)
    report = milestone_report_data(milestone)
    context = {
        "milestone": milestone,
        "report": report,
        "what_is_due": render_markdown(milestone.description) if milestone.description else "",
        "figures": report_figures(report),
        "downloads": [
            (
                FORMAT_LABELS[fmt],
                reverse("members:milestone_export", kwargs={"slug": slug, "fmt": fmt}),
            )
            for fmt in EXPORT_FORMATS
        ],
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "page_url": request.build_absolute_uri(milestone.get_absolute_url()),
        "pdf": latest_rendered(milestone),
        # Only staff see the state of the latest request (signed-in pages are never cached).
        "pdf_request": latest_request(milestone) if request.user.is_staff else None,
    }
    return render(request, "members/milestone_report.html", context)


@cache_public_page(PAGES_NAMESPACE)
def milestone_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Exactly the report's members, as CSV, XLSX or JSON (any other format: 404)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    milestone = get_object_or_404(Milestone, slug=slug)
    return milestone_export_response(request, milestone_report_data(milestone), fmt)


def milestone_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest rendered "Progress report for <milestone>" PDF; 404 if none yet. Not
    page-cached: a streamed file."""
    milestone = get_object_or_404(Milestone, slug=slug)
    report = latest_rendered(milestone)
    if report is None:
        raise Http404("No progress report has been rendered for this milestone yet.")
    try:
        handle = report.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The PDF file is missing.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_filename(milestone),
        content_type="application/pdf",
    )


@require_POST
def milestone_pdf_render(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff: queue a render of the milestone's progress report (once at a time)."""
    milestone = get_object_or_404(Milestone, slug=slug)
    report, created = milestone_report_request(milestone=milestone, user=request.user)
    if created:
        messages.success(
            request,
            f"The progress report for {milestone} is being rendered; "
            "its PDF appears on this page when it is done.",
        )
    else:
        messages.info(
            request,
            f"A progress report for {milestone} is already being rendered "
            f"(asked for at {report.requested_at:%-d %B %Y %H:%M} UTC).",
        )
    return redirect(milestone.get_absolute_url() + "#progress-report-pdf")
