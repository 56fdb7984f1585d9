"""The workplan pages: the list, one workplan, its objective matrix (page, toggle, XLSX and
PDF exports) and the staff dashboard. Access classes are declared in ``workplan/urls.py``;
draft workplans answer 404 to anyone but staff (``Workplan.objects.visible_to``)."""

import hashlib
import io
import logging

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from leadit.cache import cache_public_page
from leadit.pdf import render_pdf
from leadit.spreadsheets import escape_formula
from summits.selectors import next_deadlines

from ..models import Activity, Objective
from ..page_selectors import (
    matrix_totals,
    visible_workplan,
    workplan_matrix,
    workplan_page,
    workplans_for,
)
from ..selectors import objectives_behind, overdue_and_due_soon, recent_status_changes
from ..services import activity_objective_toggle
from ..signals import NAMESPACE as PAGES_NAMESPACE
from ..signals import PAGE_SECONDS

logger = logging.getLogger("workplan.matrix")

# A rendered matrix PDF is kept this long under a key made of its HTML: the same matrix on
# the same day is rendered once, and any change to it gives a new key.
MATRIX_PDF_TIMEOUT = 60 * 60 * 24


def _visible_or_404(request: HttpRequest, slug: str):
    workplan = visible_workplan(slug=slug, user=request.user)
    if workplan is None:
        raise Http404("No such workplan.")
    return workplan


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
@require_safe
def workplan_list(request: HttpRequest) -> HttpResponse:
    workplans = list(workplans_for(user=request.user))
    return render(request, "workplan/workplan_list.html", {"workplans": workplans})


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
@require_safe
def workplan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = workplan_page(slug=slug, user=request.user)
    if page is None:
        raise Http404("No such workplan.")
    return render(
        request, "workplan/workplan_detail.html", {"page": page, "workplan": page.workplan}
    )


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
@require_safe
def matrix(request: HttpRequest, slug: str) -> HttpResponse:
    workplan = _visible_or_404(request, slug)
    context = {
        "workplan": workplan,
        "matrix": workplan_matrix(workplan=workplan),
        "can_toggle": request.user.is_staff and request.user.is_active,
    }
    return render(request, "workplan/matrix.html", context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _toggle_refused(request: HttpRequest, workplan, message: str, status: int = 400):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(
        request,
        "workplan/matrix_toggle_refused.html",
        {"workplan": workplan, "message": message},
        status=status,
    )


@require_POST
def matrix_toggle(request: HttpRequest, slug: str) -> HttpResponse:
    """Mark or unmark one cell of the matrix (staff only: declared in urls.py). Answers
    JSON to the page's script, otherwise redirects back to the matrix at the row."""
    workplan = _visible_or_404(request, slug)
    try:
        activity_id = int(request.POST.get("activity", ""))
        objective_id = int(request.POST.get("objective", ""))
    except ValueError:
        return _toggle_refused(request, workplan, "Choose an activity and an objective.")
    activity = Activity.objects.filter(pk=activity_id, group__pathway__workplan=workplan).first()
    if activity is None:
        return _toggle_refused(
            request, workplan, "That activity is not part of this workplan.", status=404
        )
    objective = Objective.objects.filter(pk=objective_id).first()
    if objective is None:
        return _toggle_refused(request, workplan, "There is no such objective.", status=404)
    try:
        marked = activity_objective_toggle(activity=activity, objective=objective)
    except ValidationError as error:
        logger.info(
            "Refused matrix toggle by %s: activity %s, objective %s",
            request.user.pk,
            activity.pk,
            objective.pk,
        )
        return _toggle_refused(request, workplan, " ".join(error.messages))

    verb = "now serves" if marked else "no longer serves"
    message = f"“{activity.title}” {verb} objective {objective.number}: {objective.short_title}."
    if _wants_json(request):
        return JsonResponse(
            {
                "marked": marked,
                "activity": activity.pk,
                "objective": objective.pk,
                "message": message,
                **matrix_totals(workplan=workplan, activity=activity, objective=objective),
            }
        )
    messages.success(request, message)
    return redirect(reverse("workplan:matrix", kwargs={"slug": slug}) + f"#activity-{activity.pk}")


# --- Exports -------------------------------------------------------------------------------


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _matrix_workbook(matrix) -> bytes:
    """The matrix grouped like the page: pathway, group, activity, then one column per
    objective number holding "X" or blank; a totals row; the objectives on a second sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Matrix"
    header = ["Pathway", "Group", "Activity", *(o.number for o in matrix.objectives), "Total"]
    sheet.append(header)
    for pathway in matrix.pathways:
        for group in pathway.groups:
            for row in group.rows:
                sheet.append(
                    [
                        escape_formula(pathway.pathway.title),
                        escape_formula(group.group.title),
                        escape_formula(row.activity.title),
                        *("X" if cell.marked else None for cell in row.cells),
                        row.total,
                    ]
                )
    sheet.append(
        [
            "Total (activities serving each objective)",
            None,
            None,
            *(column.total for column in matrix.column_totals),
            matrix.mark_count,
        ]
    )
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    centre = Alignment(horizontal="center")
    for column in range(4, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 6
        for (cell,) in sheet.iter_rows(min_col=column, max_col=column):
            cell.alignment = centre
    for column, width in zip("ABC", (28, 34, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "D2"

    objectives = book.create_sheet("Objectives")
    objectives.append(["Number", "Objective", "Description", "Due", "Activities serving it"])
    for column in matrix.column_totals:
        objective = column.objective
        due = objective.due_event or (objective.due_date.isoformat() if objective.due_date else "")
        objectives.append(
            [
                objective.number,
                escape_formula(objective.short_title),
                escape_formula(objective.description),
                escape_formula(due),
                column.total,
            ]
        )
    for cell in objectives[1]:
        cell.font = bold
    for column, width in zip("ABCDE", (8, 36, 80, 14, 12), strict=True):
        objectives.column_dimensions[column].width = width

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
@require_safe
def matrix_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    workplan = _visible_or_404(request, slug)
    content = _matrix_workbook(workplan_matrix(workplan=workplan))
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{workplan.slug}-matrix.xlsx"'
    return response


@cache_public_page(PAGES_NAMESPACE, timeout=PAGE_SECONDS)
@require_safe
def matrix_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The matrix on A4 landscape, through the portal's one restricted PDF renderer."""
    workplan = _visible_or_404(request, slug)
    matrix_data = workplan_matrix(workplan=workplan)
    page_url = request.build_absolute_uri(reverse("workplan:matrix", kwargs={"slug": slug}))
    html = render_to_string(
        "workplan/matrix_pdf.html",
        {
            "workplan": workplan,
            "matrix": matrix_data,
            "page_url": page_url,
            "generated_on": timezone.localdate(),
        },
    )
    key = "workplan:matrix-pdf:" + hashlib.sha256(html.encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))
        cache.set(key, pdf, MATRIX_PDF_TIMEOUT)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{workplan.slug}-matrix.pdf"'
    return response


# --- Staff ---------------------------------------------------------------------------------


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "today": today,
        "due": overdue_and_due_soon(today=today, days=30),
        "behind": objectives_behind(today=today),
        "changes": recent_status_changes(limit=20),
        "deadlines": next_deadlines(now=timezone.now(), limit=10),
    }
    return render(request, "workplan/dashboard.html", context)
