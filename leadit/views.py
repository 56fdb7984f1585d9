from django.shortcuts import render


def home(request):
    return render(request, "pages/home.html")


def placeholder_section(request, *, section: str, lead: str):
    """The index page of a section whose issue has not filled it yet."""
    return render(request, "pages/placeholder.html", {"section": section, "lead": lead})
