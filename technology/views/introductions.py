"""Introductions /technology/introductions/…: a member editor or a focal point asks to be
introduced about a solution or a technology need; the other side accepts or declines;
the side that asked may withdraw while it waits. Contact details appear only once the
introduction is accepted.

Subjects are found through ``visible_to`` and introductions through ``involving``: an
object the user may not reach answers 404 (logged by ``permitted_or_404``). Who may answer
or withdraw is checked again by the services, which say so on the page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from leadit.access import permitted_or_404
from partnerships.forms.common import add_service_errors

from ..forms.introductions import IntroductionAnswerForm, IntroductionRequestForm
from ..selectors import introductions as selectors
from ..services.introductions import (
    RateLimited,
    answer_introduction,
    ask_for_introduction,
    withdraw_introduction,
)

PER_PAGE = 50


def introduction_list(request):
    page_obj = Paginator(selectors.involving(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "technology/introductions/list.html",
        {
            "page_obj": page_obj,
            "rows": selectors.with_sides(request.user, page_obj.object_list),
            "requesters": selectors.requesters_for(request.user),
        },
    )


def _rate_limited(request):
    return render(
        request,
        "technology/introductions/rate_limited.html",
        {"limit": selectors.DAILY_LIMIT},
        status=429,
    )


def _ask(request, *, solution=None, need=None):
    """The form for either subject; refusals are form errors and nothing is written."""
    subject = solution or need
    requesters = selectors.requesters_for(request.user)
    if not requesters:
        return render(request, "technology/introductions/who_may_ask.html", {"subject": subject})
    if request.method == "POST" and selectors.over_rate_limit(request.user):
        return _rate_limited(request)
    form = IntroductionRequestForm(request.POST or None, requesters=requesters)
    if request.method == "POST" and form.is_valid():
        try:
            introduction = ask_for_introduction(
                user=request.user, message=form.cleaned_data["message"], solution=solution,
                need=need, **form.requester_kwargs(),
            )  # fmt: skip
        except RateLimited:
            return _rate_limited(request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Your request is sent to {introduction.other_side}. You will hear by e-mail "
                "when they answer.",
            )
            return redirect(introduction)
    return render(
        request,
        "technology/introductions/ask.html",
        {"form": form, "solution": solution, "need": need, "subject": subject},
    )


def ask_about_solution(request, slug):
    solution = permitted_or_404(
        request, selectors.askable_solutions(request.user), what="technology solution",
        identifier=slug, action="see", slug=slug,
    )  # fmt: skip
    return _ask(request, solution=solution)


def ask_about_need(request, pk):
    need = permitted_or_404(
        request, selectors.askable_needs(request.user), what="technology need",
        identifier=pk, action="see", pk=pk,
    )  # fmt: skip
    return _ask(request, need=need)


def _involved_or_404(request, pk, action: str):
    return permitted_or_404(
        request, selectors.involving(request.user), what="introduction", identifier=pk,
        action=action, pk=pk,
    )  # fmt: skip


def _detail(request, introduction, *, answer_form=None, status=200):
    user = request.user
    pending = introduction.status == introduction.Status.PENDING
    may_answer = (
        pending and selectors.answerable_introductions(user).filter(pk=introduction.pk).exists()
    )
    may_withdraw = (
        pending and selectors.withdrawable_introductions(user).filter(pk=introduction.pk).exists()
    )
    return render(
        request,
        "technology/introductions/detail.html",
        {
            "introduction": introduction,
            "contacts": selectors.shared_contacts(introduction),
            "steps": selectors.timeline(
                introduction, names_shown=introduction.contacts_shared or user.is_staff
            ),
            "may_answer": may_answer,
            "may_withdraw": may_withdraw,
            "answer_form": answer_form or (IntroductionAnswerForm() if may_answer else None),
        },
        status=status,
    )


def introduction_detail(request, pk):
    return _detail(request, _involved_or_404(request, pk, "see"))


def introduction_answer(request, pk):
    """POST only: accept or decline, with an optional note."""
    introduction = _involved_or_404(request, pk, "answer")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = IntroductionAnswerForm(request.POST)
    if form.is_valid():
        try:
            introduction = answer_introduction(
                introduction=introduction, user=request.user,
                accept=form.cleaned_data["decision"] == "accept", note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if introduction.contacts_shared:
                messages.success(request, "Accepted: both sides now see each other's contacts.")
            else:
                messages.success(request, "Declined: the requester is told.")
            return redirect(introduction)
    return _detail(request, introduction, answer_form=form, status=400)


def introduction_withdraw(request, pk):
    """POST only: the side that asked takes its request back."""
    introduction = _involved_or_404(request, pk, "withdraw")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        introduction = withdraw_introduction(introduction=introduction, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your request is withdrawn; the other side is told.")
    return redirect(introduction)
