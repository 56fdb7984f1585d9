from django.shortcuts import render
from django.template.loader import render_to_string

from .home import home_sections


def home(request):
    """The home page: its own content, then the sections apps registered (leadit.home)."""
    sections = [
        render_to_string(section.template, section.context(request), request=request)
        for section in home_sections()
    ]
    return render(request, "pages/home.html", {"home_sections": sections})


def placeholder_section(request, *, section: str, lead: str):
    """The index page of a section whose issue has not filled it yet."""
    return render(request, "pages/placeholder.html", {"section": section, "lead": lead})
