"""The interactive how-to roadmap guide: every step on one printable page (/tracker/guide/)
and one step at a time (/tracker/guide/<slug>/). Checklist ticks are kept in the visitor's
browser by static/js/tracker-guide.js; the pages read fully without JavaScript."""

from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from leadit.cache import cache_public_page

from ..models import GuideStep


def _guide_context() -> dict:
    steps = list(GuideStep.objects.order_by("order"))
    for step in steps:
        step.items = step.checklist_items
        step.links = step.resource_links
    return {
        "steps": steps,
        "total_items": sum(len(step.items) for step in steps),
        "last_updated": GuideStep.history.aggregate(last=Max("history_date"))["last"],
    }


@cache_public_page("tracker")
def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "tracker/guide.html", _guide_context())


@cache_public_page("tracker")
def guide_step(request: HttpRequest, slug: str) -> HttpResponse:
    context = _guide_context()
    steps = context["steps"]
    index = next((i for i, step in enumerate(steps) if step.slug == slug), None)
    if index is None:
        raise Http404("No such step in the guide.")
    context.update(
        step=steps[index],
        previous_step=steps[index - 1] if index > 0 else None,
        next_step=steps[index + 1] if index + 1 < len(steps) else None,
    )
    return render(request, "tracker/guide_step.html", context)
