from django.urls import path

from leadit.access import public

from .views import pages, subscriptions

app_name = "publications"

urlpatterns = [
    path("", public(pages.publication_list), name="index"),
    path("newsletter/subscribe/", public(subscriptions.subscribe), name="subscribe"),
    path(
        "newsletter/subscribe/check-your-inbox/",
        public(subscriptions.subscribe_sent),
        name="subscribe_sent",
    ),
    path(
        "newsletter/confirm/<str:token>/",
        public(subscriptions.confirm),
        name="confirm_subscription",
    ),
    path(
        "newsletter/unsubscribe/<str:token>/",
        public(subscriptions.unsubscribe),
        name="unsubscribe",
    ),
    path("<slug:slug>.pdf", public(pages.publication_pdf), name="pdf"),
    path("<slug:slug>/", public(pages.publication_detail), name="detail"),
]
