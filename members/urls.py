from django.urls import path

from leadit.access import public
from leadit.views import placeholder_section

app_name = "members"

urlpatterns = [
    path(
        "",
        public(placeholder_section),
        {
            "section": "Members",
            "lead": "The countries and companies of LeadIT, their commitments and their progress.",
        },
        name="index",
    ),
]
