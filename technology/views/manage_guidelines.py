"""Member editors (and staff) keep their member's technical guidelines:
/technology/mine/guidelines/new/, /technology/mine/guidelines/<slug>/ (the guideline, its
versions, "render again" for a failed one) and …/<slug>/versions/new/.

Access is declared in ``urls`` (``authenticated`` for a new guideline, ``member_of_object``
for the others). A guideline is found through ``TechnicalGuideline.objects.editable_by``:
another member's answers 404, changes nothing and is logged (``leadit.access``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from leadit.access import permitted_or_404
from members.models import Member
from partnerships.forms.common import add_service_errors

from ..forms.guidelines import GuidelineForm, GuidelineVersionForm
from ..models import TechnicalGuideline
from ..selectors.guidelines import guideline_versions
from ..services.guidelines import (
    GUIDELINE_FIELDS,
    guideline_save,
    guideline_version_add,
    guideline_version_render_again,
)


def _guideline_for(request: HttpRequest, slug: str) -> TechnicalGuideline:
    return permitted_or_404(
        request,
        TechnicalGuideline.objects.editable_by(request.user).select_related("member"),
        what="technical guideline",
        identifier=slug,
        slug=slug,
    )


def _members_of(request: HttpRequest):
    """The members this user may keep guidelines for; no page for anyone else."""
    members = Member.objects.editable_by(request.user).order_by("name")
    if not request.user.is_staff and not members.exists():
        raise Http404("You do not keep a member's page.")
    return members


def _edit_url(guideline: TechnicalGuideline) -> str:
    return reverse("technology:guideline_edit", kwargs={"slug": guideline.slug})


def guideline_form(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    guideline = _guideline_for(request, slug) if slug is not None else None
    if guideline is not None and request.method == "POST" and "render_again" in request.POST:
        return _render_again(request, guideline)
    form = GuidelineForm(
        request.POST or None,
        instance=guideline,
        members=_members_of(request),
        secretariat=request.user.is_staff,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = guideline_save(
                by=request.user,
                member=guideline.member if guideline else data["member"],
                guideline=guideline,
                values={name: data[name] for name in GUIDELINE_FIELDS},
                sectors=data["sectors"],
                technologies=data["technologies"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The guideline “{saved.title}” is saved.")
            return redirect(_edit_url(saved))
    context = {
        "form": form,
        "guideline": guideline,
        "versions": guideline_versions(guideline) if guideline else [],
    }
    return render(request, "technology/manage/guideline_form.html", context)


def _render_again(request: HttpRequest, guideline: TechnicalGuideline) -> HttpResponse:
    version = guideline.versions.filter(pk=request.POST.get("render_again") or None).first()
    if version is None:
        raise Http404("No such version of this guideline.")
    try:
        guideline_version_render_again(version=version, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Version {version.version} is queued for rendering again.")
    return redirect(_edit_url(guideline))


def guideline_version_form(request: HttpRequest, slug: str) -> HttpResponse:
    guideline = _guideline_for(request, slug)
    form = GuidelineVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = guideline_version_add(
                guideline=guideline, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if version.pdf:
                messages.success(request, f"Version {version.version} is published.")
            else:
                messages.success(
                    request,
                    f"Version {version.version} is saved; its PDF is being prepared and "
                    "appears on the guideline's page when it is ready.",
                )
            return redirect(_edit_url(guideline))
    context = {"form": form, "guideline": guideline}
    return render(request, "technology/manage/guideline_version_form.html", context)
