from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import path

from leadit.access import public
from leadit.cache import cache_public_page
from leadit.urls import urlpatterns as portal_urlpatterns

CALLS = []


@cache_public_page("demo")
def counted(request):
    CALLS.append(request.get_full_path())
    return HttpResponse(f"rendered {len(CALLS)}")


@cache_public_page("demo", reads=["page"])
def paged(request):
    CALLS.append(request.get_full_path())
    return HttpResponse(f"page {request.GET.get('page', '1')} rendered {len(CALLS)}")


@cache_public_page("demo")
def with_message(request):
    CALLS.append(request.get_full_path())
    messages.info(request, f"one-time note {len(CALLS)}")
    return render(request, "pages/home.html")


@cache_public_page("demo")
def with_form(request):
    CALLS.append(request.get_full_path())
    return HttpResponse(f"form {len(CALLS)} token {get_token(request)}")


urlpatterns = [
    *portal_urlpatterns,
    path("t/counted/", public(counted)),
    path("t/paged/", public(paged)),
    path("t/message/", public(with_message)),
    path("t/form/", public(with_form)),
]
