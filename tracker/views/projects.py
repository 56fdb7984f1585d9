"""Industrial projects and plants: the filtered list (with its CSV) and one project."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from leadit.cache import cache_public_page
from leadit.filtering import filter_context
from leadit.spreadsheets import csv_download, escape_formula

from ..gem_import import (
    GEM_ATTRIBUTION,
    GEM_LICENCE,
    GEM_LICENCE_URL,
    GEM_SOURCE,
    GEM_TRACKER_URL,
)
from ..selectors.projects import list_capacity
from ..selectors.projects import project_detail as load_project
from ..selectors.projects import project_list as load_project_list
from ..wording import NOT_RECORDED, or_not_recorded

PROJECTS_PER_PAGE = 50

GEM = {
    "attribution": GEM_ATTRIBUTION,
    "licence": GEM_LICENCE,
    "licence_url": GEM_LICENCE_URL,
    "tracker_url": GEM_TRACKER_URL,
    "source": GEM_SOURCE,
}


@cache_public_page("tracker")
def project_list(request: HttpRequest) -> HttpResponse:
    listing = load_project_list(data=request.GET)
    if request.GET.get("format") == "csv":
        return _project_csv(request, listing.projects)
    # A page number that is not a number gives the first page; past the end, the last.
    page = Paginator(listing.projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    for project in page.object_list:
        project.shown_capacities = list_capacity(project)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    export_query["format"] = "csv"
    context = {
        "page_obj": page,
        "projects": page.object_list,
        "facets": listing.facets,
        **filter_context(request, listing.filterset, reasons=False),
        "csv_url": f"{request.path}?{export_query.urlencode()}",
        "stamp": listing.stamp,
        "gem": GEM,
    }
    return render(request, "tracker/project_list.html", context)


CSV_COLUMNS = [
    "name",
    "owner",
    "parent",
    "country_code",
    "country",
    "location",
    "latitude",
    "longitude",
    "coordinate_accuracy",
    "sector",
    "status",
    "start_year",
    "technologies",
    "production_equipment",
    "capacities_ttpa",
    "external_id",
    "source",
    "source_url",
    "licence",
    "last_reviewed_on",
    "updated_at",
    "url",
]


def _project_csv(request: HttpRequest, projects) -> HttpResponse:
    """The list exactly as filtered (every page), one row a project. Each row names its
    source and licence: GEM's rows carry GEM's attribution and CC BY 4.0."""
    response, writer = csv_download("leadit-tracker-projects")
    writer.writerow(CSV_COLUMNS)
    projects = projects.prefetch_related("capacities")
    for project in projects:
        capacities = sorted(project.capacities.all(), key=lambda c: (c.product, c.status))
        row = [
            project.name,
            project.owner,
            project.parent,
            project.country.code,
            project.country.name,
            project.location,
            project.latitude if project.latitude is not None else NOT_RECORDED,
            project.longitude if project.longitude is not None else NOT_RECORDED,
            project.coordinate_accuracy,
            project.sector.name,
            project.get_status_display(),
            project.start_year or NOT_RECORDED,
            "; ".join(t.name for t in project.technologies.all()),
            project.production_equipment,
            "; ".join(
                f"{c.product} ({c.get_status_display().lower()}): {c.value.normalize():f}"
                for c in capacities
            ),
            project.external_id,
            GEM_ATTRIBUTION if project.source == GEM_SOURCE else project.source,
            project.source_url,
            "CC BY 4.0",
            project.last_reviewed_on.isoformat() if project.last_reviewed_on else NOT_RECORDED,
            project.updated_at.isoformat(timespec="seconds"),
            request.build_absolute_uri(project.get_absolute_url()),
        ]
        writer.writerow([escape_formula(or_not_recorded(value)) for value in row])
    return response


@cache_public_page("tracker")
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = load_project(slug=slug)
    if project is None:
        raise Http404("No such project.")
    context = {"project": project, "gem": GEM, "from_gem": project.source == GEM_SOURCE}
    return render(request, "tracker/project_detail.html", context)
