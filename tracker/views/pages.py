"""The Tracker's methodology page and its recent-changes page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from leadit.cache import cache_public_page
from leadit.spreadsheets import csv_download, escape_formula

from ..gem_import import GEM_ATTRIBUTION, GEM_LICENCE_URL, GEM_TRACKER_URL
from ..models import IndustrialProject, Roadmap, Target
from ..selectors.changes import KINDS
from ..selectors.changes import recent_changes as load_recent_changes
from ..wording import NOT_RECORDED

CHANGES_SHOWN = 50

# What each category means, in our own words; the labels come from the models, so a new
# choice shows up here (with its label only) until it is described.
SCOPE_TEXT = {
    "national": "A government's plan for industry in its own country, across sectors or "
    "for industry as a whole.",
    "regional": "A plan shared by several countries or drawn up for a region, such as the "
    "European Union or a UN region.",
    "global": "A pathway for the world, for example from an international organisation or a "
    "global industry initiative.",
    "sectoral": "A plan for one sector (such as steel or cement) written by or with that "
    "sector's industry, in one country or more.",
    "company": "A company's own transition plan for its plants and products, recorded "
    "under the country of its headquarters.",
}
ROADMAP_STATUS_TEXT = {
    "announced": "A government or organisation has said it will prepare the roadmap; no "
    "text is available yet.",
    "in_preparation": "Work on the roadmap has started, for example with a draft or a "
    "public consultation.",
    "adopted": "The roadmap has been formally adopted or published by its authors.",
    "in_implementation": "Measures in the roadmap are being carried out and reported on.",
    "superseded": "A newer roadmap has replaced it; the Tracker links to its successor.",
}
LADDER_TEXT = {
    "proposed": "Put forward for discussion, for example in a draft strategy or a "
    "consultation, but not yet committed to.",
    "pledge": "Announced as a commitment, for example in a speech, a declaration or an "
    "international pledge.",
    "policy_document": "Written into an adopted policy document such as a strategy, a "
    "roadmap or a nationally determined contribution.",
    "law": "Set in legislation, so that it binds the government and can be enforced.",
    "achieved": "Reached, as shown by reported data.",
}
TARGET_KIND_TEXT = {
    "net_zero": "Net-zero greenhouse-gas (or carbon dioxide) emissions by the target year.",
    "absolute": "A cut in total emissions by a given share or amount against a base year.",
    "intensity": "A cut in emissions per unit of output, for example per tonne of steel.",
    "production_share": "A share of production made in a given way, for example low-"
    "emission steel.",
    "other": "Any other quantified goal, described in words.",
}
PROJECT_STATUS_TEXT = {
    "announced": "Plans have been made public, but construction has not started.",
    "construction": "Construction has started.",
    "operating": "The plant or unit is producing.",
    "operating_pre_retirement": "Producing, with a date set for closing it or for "
    "replacing the unit.",
    "mothballed": "Idle, but not dismantled; it could restart.",
    "retired": "Closed for good.",
    "cancelled": "The plans were dropped before the plant started operating.",
}


def _described(choices, texts: dict) -> list[tuple[str, str, str]]:
    return [(value, label, texts.get(value, "")) for value, label in choices]


@cache_public_page("tracker")
def methodology(request: HttpRequest) -> HttpResponse:
    context = {
        "scopes": _described(Roadmap.Scope.choices, SCOPE_TEXT),
        "roadmap_statuses": _described(Roadmap.Status.choices, ROADMAP_STATUS_TEXT),
        "target_kinds": _described(Target.Kind.choices, TARGET_KIND_TEXT),
        "target_ladder": _described(Target.Status.choices, LADDER_TEXT),
        "project_statuses": _described(IndustrialProject.Status.choices, PROJECT_STATUS_TEXT),
        "gem_attribution": GEM_ATTRIBUTION,
        "gem_tracker_url": GEM_TRACKER_URL,
        "licence_url": GEM_LICENCE_URL,
        "today": timezone.localdate(),
        "not_recorded": NOT_RECORDED,
    }
    return render(request, "tracker/methodology.html", context)


@cache_public_page("tracker")
def recent_changes(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    ignored_kind = kind if kind and kind not in KINDS else ""
    kind = kind if kind in KINDS else ""
    changes = load_recent_changes(kind=kind, limit=CHANGES_SHOWN)
    if request.GET.get("format") == "csv":
        return _changes_csv(request, changes)
    export_query = request.GET.copy()
    export_query["format"] = "csv"
    if ignored_kind:
        export_query.pop("kind")
    context = {
        "changes": changes,
        "kinds": [(slug, k.label) for slug, k in KINDS.items()],
        "kind": kind,
        "kind_label": KINDS[kind].label if kind else "",
        "ignored_kind": ignored_kind,
        "limit": CHANGES_SHOWN,
        "csv_url": f"{request.path}?{export_query.urlencode()}",
    }
    return render(request, "tracker/recent_changes.html", context)


def _changes_csv(request: HttpRequest, changes) -> HttpResponse:
    response, writer = csv_download("leadit-tracker-changes")
    writer.writerow(["when", "kind", "action", "what", "context", "fields_changed", "url"])
    for change in changes:
        row = [
            change.when.isoformat(timespec="seconds"),
            change.kind.label,
            change.action,
            change.title,
            change.context,
            "; ".join(change.fields),
            request.build_absolute_uri(change.url) if change.url else "",
        ]
        writer.writerow([escape_formula(value) for value in row])
    return response
