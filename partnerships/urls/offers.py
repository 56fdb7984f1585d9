"""/partnerships/offers/…: the offers, their downloads and one offer (public pages; what
each visitor sees is decided by ``SupportOffer.objects.visible_to``)."""

from django.urls import path

from leadit.access import public

from ..views import offers

urlpatterns = [
    path("offers/", public(offers.offer_list_page), name="offers"),
    path("offers/export.<str:fmt>", public(offers.offer_export), name="offers_export"),
    path("offers/<int:pk>/", public(offers.offer_detail), name="offer"),
]
