from django.shortcuts import render
from django.template.loader import render_to_string

from .cache import cache_public_page
from .home import HOME_CACHE_NAMESPACE, HOME_CACHE_SECONDS, home_numbers, home_sections


@cache_public_page(HOME_CACHE_NAMESPACE, timeout=HOME_CACHE_SECONDS)
def home(request):
    """The home page: LeadIT in numbers and the sections apps registered (leadit.home)."""
    sections = [
        render_to_string(section.template, section.context(request), request=request)
        for section in home_sections()
    ]
    context = {"home_numbers": home_numbers(), "home_sections": sections}
    return render(request, "pages/home.html", context)


# Fixed pages: what they say changes only with a new release, so they stay cached.
@cache_public_page("pages")
def privacy(request):
    return render(request, "pages/privacy.html")


@cache_public_page("pages")
def accessibility(request):
    return render(request, "pages/accessibility.html")


@cache_public_page("pages")
def contact(request):
    return render(request, "pages/contact.html")


def csrf_failure(request, reason=""):
    """A refused form in the site's own layout (Django's page is bare and technical)."""
    return render(request, "403_csrf.html", status=403)
