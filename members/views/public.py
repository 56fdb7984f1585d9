"""The public member pages: the directory (/members/) and a member's profile."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from leadit.cache import cache_public_page
from leadit.filtering import filter_context, list_url_without
from leadit.spreadsheets import csv_download, escape_formula

from ..selectors import member_directory, member_public_profile
from ..signals import PAGES_NAMESPACE

MEMBERS_PER_PAGE = 50


@cache_public_page(PAGES_NAMESPACE)
def member_list(request: HttpRequest) -> HttpResponse:
    directory = member_directory(data=request.GET)
    filterset = directory.filterset
    # A page number that is not a number gives the first page; past the end, the last.
    page = Paginator(directory.members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "members": page.object_list,
        "facets": directory.facets,
        **filter_context(request, filterset, reasons=False),
        "export_query": list_url_without(request).removeprefix(request.path),
    }
    return render(request, "members/member_list.html", context)


@cache_public_page(PAGES_NAMESPACE)
def member_detail(request: HttpRequest, slug: str) -> HttpResponse:
    member = member_public_profile(slug=slug)
    if member is None:
        raise Http404("No such member.")
    return render(request, "members/member_detail.html", {"member": member})


EXPORT_COLUMNS = [
    "name",
    "kind",
    "country_code",
    "country",
    "economy_group",
    "sectors",
    "pillars",
    "joined_on",
    "status",
    "website",
    "profile_url",
    "demo_record",
]

# The CSV's demo_record column: a fictional organisation of the demo data, or a real member.
DEMO_RECORD = "Demo record (invented)"
REAL_RECORD = "no"


@cache_public_page(PAGES_NAMESPACE)
def member_export_csv(request: HttpRequest) -> HttpResponse:
    """The directory exactly as filtered, as CSV (the same query string as /members/)."""
    members = member_directory(data=request.GET).members
    response, writer = csv_download("leadit-members")
    writer.writerow(EXPORT_COLUMNS)
    for member in members:
        row = [
            member.name,
            member.get_kind_display(),
            member.country.code,
            member.country.name,
            member.get_economy_group_display(),
            "; ".join(sector.name for sector in member.sectors.all()),
            "; ".join(
                f"{e.pillar.title} ({e.get_role_display()})"
                for e in member.pillar_engagements.all()
            ),
            member.joined_on.isoformat() if member.joined_on else "",
            member.get_status_display(),
            member.website,
            request.build_absolute_uri(member.get_absolute_url()),
            DEMO_RECORD if member.is_demo else REAL_RECORD,
        ]
        writer.writerow([escape_formula(value) for value in row])
    return response
