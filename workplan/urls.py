from django.urls import path

from leadit.access import public, staff

from .views import pages

app_name = "workplan"

urlpatterns = [
    path("", public(pages.workplan_list), name="index"),
    path("dashboard/", staff(pages.dashboard), name="dashboard"),
    path("<slug:slug>/", public(pages.workplan_detail), name="detail"),
    path("<slug:slug>/matrix/", public(pages.matrix), name="matrix"),
    path("<slug:slug>/matrix.xlsx", public(pages.matrix_xlsx), name="matrix_xlsx"),
    path("<slug:slug>/matrix.pdf", public(pages.matrix_pdf), name="matrix_pdf"),
    path("<slug:slug>/matrix/toggle/", staff(pages.matrix_toggle), name="matrix_toggle"),
]
