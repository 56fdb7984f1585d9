"""The country pages: the country list (/tracker/countries/, CSV with ?format=csv) and a
country's profile (/tracker/countries/<iso2>/)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from leadit.cache import cache_public_page
from leadit.countries import country_code_clean
from leadit.filtering import active_filter_links, list_url_without
from leadit.spreadsheets import csv_download, escape_formula

from ..presentation import (
    GEM_ATTRIBUTION,
    LADDER_STEPS,
    CountryShown,
    country_list_rows,
    net_zero_shown,
    profile_roadmap_shown,
    profile_target_shown,
    project_summary_shown,
)
from ..selectors.countries import country_directory
from ..selectors.country_profile import country_profile_load
from ..wording import NOT_RECORDED, or_not_recorded

EXPORT_COLUMNS = [
    "iso2",
    "country",
    "roadmaps",
    "targets",
    "projects",
    "net_zero_year",
    "net_zero_scope",
    "g20",
    "leadit_member",
    "groups",
    "regions",
    "profile_url",
]


@cache_public_page("tracker")
def country_list(request: HttpRequest) -> HttpResponse:
    directory = country_directory(data=request.GET)
    rows = country_list_rows(directory)
    if request.GET.get("format") == "csv":
        return _country_list_csv(request, rows)
    csv_query = request.GET.copy()
    csv_query["format"] = "csv"
    context = {
        "directory": directory,
        "rows": rows,
        "active_filters": active_filter_links(
            directory.active, lambda name: list_url_without(request, name)
        ),
        "ignored_filters": directory.ignored,
        "clear_url": request.path,
        "csv_url": "?" + csv_query.urlencode(),
        "gem_attribution": GEM_ATTRIBUTION,
    }
    return render(request, "tracker/country_list.html", context)


def _country_list_csv(request: HttpRequest, rows: list[CountryShown]) -> HttpResponse:
    response, writer = csv_download("leadit-tracker-countries")
    writer.writerow(EXPORT_COLUMNS)
    for shown in rows:
        row, net_zero = shown.row, shown.net_zero
        cells = [
            row.code,
            row.name,
            row.roadmaps,
            row.targets,
            row.projects,
            net_zero.year if net_zero else NOT_RECORDED,
            net_zero.scope if net_zero else NOT_RECORDED,
            "yes" if row.badges.g20 else "no",
            "yes" if row.badges.leadit_member else "no",
            "; ".join(group.name for group in row.badges.groups),
            "; ".join(region.name for region in row.badges.regions),
            request.build_absolute_uri(row.url),
        ]
        writer.writerow([escape_formula(or_not_recorded(cell)) for cell in cells])
    return response


@cache_public_page("tracker")
def country_profile(request: HttpRequest, iso2: str) -> HttpResponse:
    code = country_code_clean(iso2)
    if code is None:
        raise Http404("No such country.")
    profile = country_profile_load(code=code)
    context = {
        "profile": profile,
        "net_zero": net_zero_shown(profile.net_zero),
        "roadmaps": [profile_roadmap_shown(roadmap) for roadmap in profile.roadmaps],
        "targets": [profile_target_shown(target) for target in profile.targets],
        "projects": project_summary_shown(profile.projects),
        "ladder_steps": LADDER_STEPS,
        "canonical_url": request.build_absolute_uri(
            reverse("tracker:country", kwargs={"iso2": code})
        ),
        "projects_url": reverse("tracker:projects") + f"?country={code}",
        "compare_url": reverse("tracker:compare") + f"?c={code}",
        "gem_attribution": GEM_ATTRIBUTION,
    }
    return render(request, "tracker/country_profile.html", context)
