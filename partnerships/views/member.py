"""Member editors (and staff): their member's offers, "We can help" on a visible request,
and their commitments. Offers and commitments are found through their ``editable_by``
(a member's editors: that member's), requests through ``visible_to``: another member's
object, or a request the user may not see, answers 404 and is logged."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from leadit.access import permitted_or_404
from members.models import Member

from ..forms.common import add_service_errors
from ..forms.member import CommitmentStatusForm, SupportOfferForm, WeCanHelpForm
from ..models import SupportCommitment, SupportOffer, SupportRequest
from ..services.commitments import NEXT_STATUSES, propose_commitment, set_commitment_status
from ..services.offers import support_offer_save


def _members_of(request):
    """The members this user may act for; none (and no page) for anyone else."""
    members = Member.objects.editable_by(request.user).order_by("name")
    if not members.exists():
        raise Http404("You do not keep a member's page.")
    return members


# --- Offers --------------------------------------------------------------------------------


def offer_form(request, pk=None):
    offer = None
    if pk is not None:
        offer = permitted_or_404(
            request, SupportOffer.objects.editable_by(request.user), what="support offer",
            identifier=pk, pk=pk,
        )  # fmt: skip
    members = _members_of(request)
    form = SupportOfferForm(request.POST or None, instance=offer, members=members)
    if offer is not None:
        form.fields["member"].disabled = True
        form.initial["member"] = offer.member_id
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = support_offer_save(
                member=offer.member if offer else data.pop("member"),
                offer=offer,
                values=data,
                sectors=data.pop("sectors"),
                eligible_groups=data.pop("eligible_groups"),
                countries=data.pop("countries"),
                currency=data.pop("currency"),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The offer “{saved.title}” is saved.")
            return redirect("partnerships:my_commitments")
    return render(request, "partnerships/manage/offer_form.html", {"form": form, "offer": offer})


# --- We can help ---------------------------------------------------------------------------


def we_can_help(request, pk):
    """POST from the need page (partnerships/includes/we_can_help.html): a proposed
    commitment. A GET, or a form with errors, shows the full form on its own page."""
    need = permitted_or_404(
        request,
        SupportRequest.objects.visible_to(request.user).select_related("partnership"),
        what="support request",
        identifier=pk,
        action="see",
        pk=pk,
    )
    members = _members_of(request)
    offers = SupportOffer.objects.filter(member__in=members).open_on(timezone.localdate())
    form = WeCanHelpForm(request.POST or None, members=members, offers=offers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            propose_commitment(
                support_request=need,
                member=data["member"],
                offer=data["offer"],
                amount=data["amount"],
                currency=data["currency"],
                note=data["note"],
                proposed_by=request.user,
                above_request_confirmed=data["above_request_confirmed"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Thank you: {data['member']}'s offer of help is proposed. The secretariat "
                "and the partnership's focal points are told.",
            )
            return redirect("partnerships:my_commitments")
    return render(request, "partnerships/manage/we_can_help.html", {"need": need, "form": form})


# --- Commitments ---------------------------------------------------------------------------


def my_commitments(request):
    """The commitments and offers of the members this user keeps (staff: their own list
    is the admin's)."""
    members = Member.objects.edited_by(request.user)
    commitments = (
        SupportCommitment.objects.editable_by(request.user)
        .filter(member__in=members)
        .select_related("request__partnership", "member", "offer")
    )
    offers = SupportOffer.objects.filter(member__in=members).select_related("member")
    return render(
        request,
        "partnerships/manage/commitments.html",
        {
            "commitments": list(commitments),
            "offers": list(offers),
            "members": list(members),
            "today": timezone.localdate(),
        },
    )


def commitment_detail(request, pk):
    commitment = permitted_or_404(
        request,
        SupportCommitment.objects.editable_by(request.user).select_related(
            "request__partnership", "member", "offer"
        ),
        what="support commitment",
        identifier=pk,
        pk=pk,
    )
    statuses = NEXT_STATUSES[commitment.status]
    form = CommitmentStatusForm(
        request.POST or None, statuses=statuses, initial={"on": timezone.localdate()}
    )
    if request.method == "POST":
        if not statuses:
            return HttpResponseNotAllowed(["GET"])
        if form.is_valid():
            try:
                commitment = set_commitment_status(
                    commitment=commitment, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"The commitment is now “{commitment.get_status_display()}”."
                )
                return redirect(reverse("partnerships:commitment", kwargs={"pk": commitment.pk}))
    history = commitment.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "partnerships/manage/commitment_detail.html",
        {"commitment": commitment, "form": form, "statuses": statuses, "history": history},
    )
