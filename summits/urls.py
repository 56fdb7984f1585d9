from django.urls import path

from leadit.access import public
from leadit.views import placeholder_section

app_name = "summits"

urlpatterns = [
    path(
        "",
        public(placeholder_section),
        {
            "section": "Events",
            "lead": "Leadership Summits, board meetings, dialogues and workshops.",
        },
        name="index",
    ),
]
