"""Countries or roadmaps side by side: /tracker/compare/?c=SE&c=IN (or ?r=<slug>&r=<slug>)
and the same table as CSV at /tracker/compare.csv with the same query string."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from leadit.cache import cache_public_page
from leadit.spreadsheets import csv_download, escape_formula

from ..presentation import GEM_ATTRIBUTION
from ..presentation.compare import Comparison, comparison_table
from ..selectors.compare import (
    MAX_COLUMNS,
    CompareSelection,
    compare_selection,
    comparison_load,
    country_choices,
)


def _comparison(selection: CompareSelection) -> Comparison:
    return comparison_table(comparison_load(selection=selection))


@cache_public_page("tracker")
def compare(request: HttpRequest) -> HttpResponse:
    selection = compare_selection(data=request.GET)
    comparison = _comparison(selection)
    base = reverse("tracker:compare")
    query = selection.query
    columns = [
        {
            "column": column,
            "remove_url": base + (f"?{q}" if (q := selection.query_without(column.key)) else ""),
        }
        for column in comparison.columns
    ]
    keys = selection.keys if selection.mode == "countries" else []
    slots = max(len(keys) + 1, 2) if len(keys) < MAX_COLUMNS else MAX_COLUMNS
    context = {
        "selection": selection,
        "comparison": comparison,
        "columns": columns,
        "rows": [
            {"row": row, "cells": list(zip(comparison.columns, row.cells, strict=True))}
            for row in comparison.rows
        ],
        "country_slots": [keys[i] if i < len(keys) else "" for i in range(slots)],
        "country_choices": country_choices(),
        "max_columns": MAX_COLUMNS,
        "permalink": request.build_absolute_uri(base + (f"?{query}" if query else "")),
        "csv_url": reverse("tracker:compare_csv") + (f"?{query}" if query else ""),
        "can_add": len(selection.keys) < MAX_COLUMNS,
        "gem_attribution": GEM_ATTRIBUTION,
    }
    return render(request, "tracker/compare.html", context)


@cache_public_page("tracker")
def compare_csv(request: HttpRequest) -> HttpResponse:
    """The comparison table as CSV: one column per country or roadmap, one row per
    line of the page's table. Whatever the query string, a CSV (never an error)."""
    selection = compare_selection(data=request.GET)
    comparison = _comparison(selection)
    response, writer = csv_download("leadit-tracker-compare")
    table = comparison.as_table()
    table[1] = [table[1][0], *(request.build_absolute_uri(url) for url in table[1][1:])]
    for row in table:
        writer.writerow([escape_formula(cell) for cell in row])
    return response
