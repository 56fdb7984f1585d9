from django.urls import path

from leadit.access import public
from leadit.views import placeholder_section

app_name = "publications"

urlpatterns = [
    path(
        "",
        public(placeholder_section),
        {
            "section": "Publications",
            "lead": "LeadIT briefs and the quarterly newsletter.",
        },
        name="index",
    ),
]
