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


def csrf_failure(request, reason=""):
    """A refused form in the site's own layout (Django's page is bare and technical)."""
    return render(request, "403_csrf.html", status=403)
