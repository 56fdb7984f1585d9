"""The country pages: the country list (/tracker/countries/, CSV with ?format=csv) and a
country's profile (/tracker/countries/<iso2>/)."""

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from leadit.cache import cache_public_page
from leadit.facets import list_url_without
from leadit.spreadsheets import escape_formula

from ..selectors.countries import (
    GEM_ATTRIBUTION,
    country_code_clean,
    country_directory,
    country_profile_load,
)
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
    if request.GET.get("format") == "csv":
        return _country_list_csv(request, directory)
    csv_query = request.GET.copy()
    csv_query["format"] = "csv"
    context = {
        "directory": directory,
        "rows": directory.countries,
        "active_filters": [
            {"label": label, "value": value, "remove_url": list_url_without(request, name)}
            for name, label, value in directory.active
        ],
        "ignored_filters": directory.ignored,
        "clear_url": request.path,
        "csv_url": "?" + csv_query.urlencode(),
        "gem_attribution": GEM_ATTRIBUTION,
    }
    return render(request, "tracker/country_list.html", context)


def _country_list_csv(request: HttpRequest, directory) -> HttpResponse:
    stamp = timezone.now().strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leadit-tracker-countries-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for row in directory.countries:
        cells = [
            row.code,
            row.name,
            row.roadmaps,
            row.targets,
            row.projects,
            row.net_zero.year if row.net_zero else NOT_RECORDED,
            row.net_zero.scope_label if row.net_zero else NOT_RECORDED,
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
        "canonical_url": request.build_absolute_uri(
            reverse("tracker:country", kwargs={"iso2": code})
        ),
        "projects_url": reverse("tracker:projects") + f"?country={code}",
        "compare_url": reverse("tracker:compare") + f"?c={code}",
        "gem_attribution": GEM_ATTRIBUTION,
    }
    return render(request, "tracker/country_profile.html", context)
