"""Suggested matches in the admin: on each open request's page (the best ten), on a page of
their own per request (the best 25), and for every open request at once (the best three
of each, 50 requests a page). Each is accepted with one click: a POST that proposes the
commitment through the commitment service."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from ..matching import MATCHABLE_STATUSES, suggested_matches, suggestions_for
from ..models import SupportOffer, SupportRequest
from ..services.matches import match_accept

ON_CHANGE_PAGE = 10
ON_OWN_PAGE = 25
IN_OVERVIEW = 3
REQUESTS_PER_PAGE = 50


class MatchesAdminMixin:
    """For the SupportRequest admin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("matches/", view(self.all_matches_view), name="partnerships_matches"),
            path(
                "<path:object_id>/matches/",
                view(self.matches_view),
                name="partnerships_supportrequest_matches",
            ),
            path(
                "<path:object_id>/matches/<int:offer_id>/accept/",
                view(require_POST(self.accept_view)),
                name="partnerships_supportrequest_accept_match",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra_context["suggestions"] = suggestions_for(obj, limit=ON_CHANGE_PAGE)
            extra_context["matchable"] = obj.status in MATCHABLE_STATUSES
        return super().change_view(request, object_id, form_url, extra_context)

    def _request_or_404(self, request, object_id) -> SupportRequest:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such request.")
        return obj

    def _context(self, request, title: str, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **context,
        }

    def matches_view(self, request, object_id):
        need = self._request_or_404(request, object_id)
        context = self._context(
            request,
            f"Suggested matches for “{need}”",
            need=need,
            suggestions=suggestions_for(need, limit=ON_OWN_PAGE),
            matchable=need.status in MATCHABLE_STATUSES,
            back="matches",
        )
        return TemplateResponse(request, "admin/partnerships/supportrequest/matches.html", context)

    def all_matches_view(self, request):
        open_requests = (
            self.get_queryset(request)
            .filter(status__in=MATCHABLE_STATUSES)
            .select_related("partnership")
            .prefetch_related("sectors")
            .order_by("created_at", "id")
        )
        page = Paginator(open_requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
        found = suggested_matches(list(page.object_list), limit=IN_OVERVIEW)
        rows = [(need, found.get(need.pk, [])) for need in page.object_list]
        context = self._context(
            request, "Suggested matches for open requests", page=page, rows=rows, back="all"
        )
        return TemplateResponse(
            request, "admin/partnerships/supportrequest/all_matches.html", context
        )

    def accept_view(self, request, object_id, offer_id):
        need = self._request_or_404(request, object_id)
        if not self.has_change_permission(request, need):
            raise PermissionDenied
        offer = SupportOffer.objects.select_related("member", "institution").filter(pk=offer_id)
        offer = offer.first()
        if offer is None:
            raise Http404("No such offer.")
        try:
            commitment = match_accept(request=need, offer=offer, user=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                f"Proposed: {commitment.supporter} for “{need}”. The secretariat and the "
                "partnership's focal points are e-mailed.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._back(request, need))

    def _back(self, request, need: SupportRequest) -> str:
        back = request.POST.get("back")
        if back == "matches":
            return reverse("admin:partnerships_supportrequest_matches", args=[need.pk])
        if back == "all":
            return reverse("admin:partnerships_matches")
        return reverse("admin:partnerships_supportrequest_change", args=[need.pk])
