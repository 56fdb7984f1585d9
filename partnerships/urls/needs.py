"""/partnerships/needs/…: the needs board, its downloads and one need (public pages; what
each visitor sees is decided by ``SupportRequest.objects.visible_to``)."""

from django.urls import path

from leadit.access import public

from ..views import needs

urlpatterns = [
    path("needs/", public(needs.need_list), name="needs"),
    path("needs/export.<str:fmt>", public(needs.need_export), name="needs_export"),
    path("needs/<int:pk>/", public(needs.need_detail), name="need"),
]
