"""The yearly export for the UNFCCC Global Climate Action portal's survey (staff only:
``staff`` in members/urls.py)."""

from django.http import Http404, HttpResponse

from ..gca import XLSX_TYPE, gca_filename, gca_survey, gca_workbook, gca_year_allowed


def gca_export(request, year: int) -> HttpResponse:
    """``/members/milestones/gca/<year>.xlsx``: one calendar year, laid out for the survey."""
    if not gca_year_allowed(year):
        raise Http404("No survey for that year.")
    workbook = gca_workbook(
        gca_survey(year),
        url=request.build_absolute_uri(),
        absolute=request.build_absolute_uri,
    )
    response = HttpResponse(workbook, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{gca_filename(year)}"'
    # A staff download of members' data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
