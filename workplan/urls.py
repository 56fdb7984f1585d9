from django.urls import path

from leadit.access import public
from leadit.views import placeholder_section

app_name = "workplan"

urlpatterns = [
    path(
        "",
        public(placeholder_section),
        {
            "section": "Workplan",
            "lead": "What the secretariat plans each year: objectives, activities and their progress.",
        },
        name="index",
    ),
]
