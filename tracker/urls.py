from django.urls import path

from leadit.access import public
from leadit.views import placeholder_section

app_name = "tracker"

urlpatterns = [
    path(
        "",
        public(placeholder_section),
        {
            "section": "Industry Transition Tracker",
            "lead": "The Industry Transition Tracker: industry transition roadmaps, targets and projects by country and sector.",
        },
        name="index",
    ),
]
