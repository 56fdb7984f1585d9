"""The one-click e-mail opt-out page (``leadit.optouts``).

GET shows one button and changes nothing: mail scanners open every link of an e-mail. POST
records the opt-out; it needs no CSRF token because the signed token in the URL is the
credential, and mail programs send RFC 8058's one-click POST without any (as the
newsletter's unsubscribe does)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .optouts import OptOutLinkError, opt_out, opt_out_pending, topic_label


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def mail_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            row = opt_out(token)
            user, topic, newly = row.user, row.topic, True
        else:
            user, topic, already = opt_out_pending(token)
            if not already:
                return render(
                    request,
                    "optouts/confirm.html",
                    {"email": user.email, "what": topic_label(topic)},
                )
            newly = False
    except OptOutLinkError:
        return render(request, "optouts/invalid.html", status=400)
    return render(
        request,
        "optouts/done.html",
        {"email": user.email, "what": topic_label(topic), "newly": newly},
    )
