"""/partnerships/…: each area of the app keeps its own URL list (public pages, needs,
offers, pipeline, the focal points' and member editors' pages)."""

from . import manage, needs, offers, pipeline, public

app_name = "partnerships"

# Fixed prefixes (needs/, offers/, pipeline/, commitments/…) come before <iso2>/.
urlpatterns = [
    *needs.urlpatterns,
    *offers.urlpatterns,
    *pipeline.urlpatterns,
    *manage.urlpatterns,
    *public.urlpatterns,
]
