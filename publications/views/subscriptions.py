"""Newsletter sign-up with double opt-in, confirmation, one-click unsubscribe.

The rules live in ``publications.subscriptions``; these views show their outcome. A sign-up
answers with the same page whether the address is new, pending, subscribed or unsubscribed,
so the form does not reveal who subscribes. Unsubscribing never happens on GET (mail
scanners follow links); the POST needs no CSRF token because the token in the URL is the
credential and mail programs send RFC 8058's one-click POST without any.
"""

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from leadit.cache import cache_public_page

from ..forms import SubscribeForm
from ..models import Subscriber
from ..subscriptions import (
    Confirmation,
    ConfirmationLinkError,
    SignUp,
    confirmation_days,
    confirmation_subscriber,
    receives_newsletter,
    subscriber_confirm,
    subscriber_find_by_token,
    subscriber_sign_up,
    subscriber_unsubscribe,
)

# Sign-ups per client address and window; more answer 429 (each may send an e-mail).
SIGNUP_LIMIT = 5
SIGNUP_WINDOW_SECONDS = 3600


def _over_limit(request: HttpRequest) -> bool:
    """Count one sign-up for the client's address (as allauth sees it, behind the
    configured proxies); True once it is over the limit in this window."""
    key = f"publications:signup:{get_adapter(request).get_client_ip(request)}"
    cache.add(key, 0, timeout=SIGNUP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=SIGNUP_WINDOW_SECONDS)
        count = 1
    return count > SIGNUP_LIMIT


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_robot:
            return redirect("publications:subscribe_sent")  # the robot learns nothing
        if _over_limit(request):
            return render(request, "429.html", status=429)
        try:
            outcome = subscriber_sign_up(
                email=form.cleaned_data["email"], name=form.cleaned_data["name"], request=request
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("email", exc.messages):
                form.add_error("email", message)
        else:
            sent = reverse("publications:subscribe_sent")
            if outcome == SignUp.DEFERRED:
                return redirect(f"{sent}?mail=delayed")
            return redirect(sent)
    return render(
        request,
        "publications/newsletter/subscribe.html",
        {"form": form, "valid_days": confirmation_days()},
    )


# The same for everyone (the address is not shown): served from the page cache.
@cache_public_page("publications")
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publications/newsletter/subscribe_sent.html",
        {
            "valid_days": confirmation_days(),
            # The mail server could not be reached: the e-mail has not gone out yet.
            "mail_delayed": request.GET.get("mail") == "delayed",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button, POST confirms: mail scanners that open every link of an
    e-mail must not subscribe an address someone else typed in."""
    try:
        if request.method == "POST":
            confirmation = subscriber_confirm(token=token)
        else:
            subscriber = confirmation_subscriber(token=token)
            if not receives_newsletter(subscriber):
                return render(
                    request, "publications/newsletter/confirm.html", {"subscriber": subscriber}
                )
            confirmation = Confirmation(subscriber, newly_confirmed=False)
    except ConfirmationLinkError as exc:
        return render(
            request,
            "publications/newsletter/confirm_invalid.html",
            {"problem": exc.problem.value, "valid_days": confirmation_days()},
            status=400,
        )
    return render(
        request,
        "publications/newsletter/confirmed.html",
        {
            "subscriber": confirmation.subscriber,
            "newly_confirmed": confirmation.newly_confirmed,
        },
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            result = subscriber_unsubscribe(token=token)
        except Subscriber.DoesNotExist:
            return _unknown_link(request)
        return render(
            request,
            "publications/newsletter/unsubscribed.html",
            {"subscriber": result.subscriber, "newly": result.newly_unsubscribed},
        )
    subscriber = subscriber_find_by_token(token)
    if subscriber is None:
        return _unknown_link(request)
    if subscriber.unsubscribed_at is not None:
        return render(
            request,
            "publications/newsletter/unsubscribed.html",
            {"subscriber": subscriber, "newly": False},
        )
    return render(request, "publications/newsletter/unsubscribe.html", {"subscriber": subscriber})


def _unknown_link(request: HttpRequest) -> HttpResponse:
    return render(request, "publications/newsletter/unsubscribe_unknown.html", status=404)
