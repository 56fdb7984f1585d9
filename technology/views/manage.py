"""Member editors (and staff) keep their members' technology solutions and the
co-development projects they lead: /technology/mine/….

Access is declared in ``urls/__init__.py``. A solution or project is found through its
``editable_by(user)`` queryset with ``permitted_or_404``, so another member's record
answers 404, changes nothing and is logged (``leadit.access``); the member a form names is
one of ``Member.objects.editable_by(user)`` (another's id is a form error). Writes go
through services/solutions.py and services/projects.py, all or nothing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from leadit.access import permitted_or_404
from members.models import Member
from partnerships.forms.common import add_service_errors
from tracker.models import Technology

from ..forms.projects import (
    MILESTONE_FIELDS,
    PARTICIPANT_FIELDS,
    PUBLICATION_FIELDS,
    MilestoneFormSet,
    ParticipantFormSet,
    ProjectForm,
    PublicationFormSet,
)
from ..forms.solutions import PATENT_FIELDS, PatentFamilyFormSet, SolutionForm, kept_rows
from ..models import CoDevelopmentProject, TechnicalGuideline, TechnologySolution
from ..services.projects import PROJECT_FIELDS, codevelopment_project_save
from ..services.solutions import SOLUTION_FIELDS, solution_save


def _not_an_editor(request, *, status: int = 200):
    return render(request, "technology/manage/not_an_editor.html", status=status)


def overview(request):
    """The solutions, led projects and guidelines of the members this user keeps."""
    members = list(Member.objects.edited_by(request.user).order_by("name"))
    if not members:
        return _not_an_editor(request)
    solutions = (
        TechnologySolution.objects.editable_by(request.user)
        .filter(member__in=members)
        .select_related("member", "technology")
        .order_by("member__name", "name")
    )
    projects = (
        CoDevelopmentProject.objects.editable_by(request.user)
        .filter(lead_member__in=members)
        .select_related("lead_member", "technology")
        .order_by("lead_member__name", "-starts_on", "title")
    )
    guidelines = (
        TechnicalGuideline.objects.editable_by(request.user)
        .filter(member__in=members)
        .select_related("member")
        .order_by("member__name", "title")
    )
    return render(
        request,
        "technology/manage/overview.html",
        {
            "members": members,
            "solutions": list(solutions),
            "projects": list(projects),
            "guidelines": list(guidelines),
        },
    )


def _technology_asked(request) -> Technology | None:
    """A new form's technology, chosen first (``?technology=<slug>``) so that the plants
    and solutions offered are those of that technology."""
    slug = request.GET.get("technology")
    return Technology.objects.filter(slug=slug).first() if slug else None


def _pick_technology(request, what: str):
    return render(
        request,
        "technology/manage/pick_technology.html",
        {"what": what, "technologies": Technology.objects.order_by("name")},
    )


# --- Solutions -----------------------------------------------------------------------------


def solution_form(request, slug=None):
    solution = None
    if slug is not None:
        solution = permitted_or_404(
            request,
            TechnologySolution.objects.editable_by(request.user).select_related(
                "member", "institution"
            ),
            what="technology solution",
            identifier=slug,
            slug=slug,
        )
    members = Member.objects.editable_by(request.user).order_by("name")
    if solution is None and not members.exists():
        return _not_an_editor(request, status=403)
    data = request.POST if request.method == "POST" else None
    technology = _technology_asked(request) if solution is None else None
    if solution is None and data is None and technology is None:
        return _pick_technology(request, "solution")
    heading = solution.name if solution else ""
    form = SolutionForm(
        data,
        instance=solution,
        members=members,
        initial={"technology": technology.pk} if technology else {},
    )
    patents = PatentFamilyFormSet(data, instance=solution, prefix="patents")
    if data is not None and all([form.is_valid(), patents.is_valid()]):
        values = form.cleaned_data
        try:
            saved = solution_save(
                member=values.get("member"),
                solution=solution,
                values={field: values.get(field) for field in SOLUTION_FIELDS},
                offers=form.offer_flags(),
                sectors=values["sectors"],
                countries=values["countries"],
                reference_plants=values["reference_plants"],
                patents=kept_rows(patents, PATENT_FIELDS),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The solution “{saved.name}” is saved.")
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "technology/manage/solution_form.html",
        {
            "form": form,
            "patents": patents,
            "solution": solution,
            "heading": heading,
            "has_errors": bool(data) and (bool(form.errors) or patents.total_error_count()),
        },
    )


# --- Co-development projects ---------------------------------------------------------------


def _project_formsets(data, project: CoDevelopmentProject | None, form: ProjectForm) -> dict:
    """The three row formsets; milestones are checked against the project's end as
    submitted (the form is validated first)."""
    ends = getattr(form, "cleaned_data", {}).get("ends_on") if data is not None else None
    return {
        "participants": ParticipantFormSet(data, instance=project, prefix="participants"),
        "milestones": MilestoneFormSet(
            data, instance=project, prefix="milestones", form_kwargs={"project_ends": ends}
        ),
        "publications": PublicationFormSet(data, instance=project, prefix="publications"),
    }


def project_form(request, slug=None):
    project = None
    if slug is not None:
        project = permitted_or_404(
            request,
            CoDevelopmentProject.objects.editable_by(request.user).select_related("lead_member"),
            what="co-development project",
            identifier=slug,
            slug=slug,
        )
    members = Member.objects.editable_by(request.user).order_by("name")
    if not members.exists():
        return _not_an_editor(request, status=403)
    data = request.POST if request.method == "POST" else None
    technology = _technology_asked(request) if project is None else None
    if project is None and data is None and technology is None:
        return _pick_technology(request, "project")
    heading = project.title if project else ""
    form = ProjectForm(
        data,
        instance=project,
        members=members,
        user=request.user,
        initial={"technology": technology.pk} if technology else {},
    )
    form_ok = data is not None and form.is_valid()
    rows = _project_formsets(data, project, form)
    # Every formset is validated, so that each shows its errors at once.
    rows_ok = [formset.is_valid() for formset in rows.values()] if form_ok else [False]
    if all(rows_ok):
        values = form.cleaned_data
        try:
            saved = codevelopment_project_save(
                lead_member=values["lead_member"],
                project=project,
                values={field: values.get(field) for field in PROJECT_FIELDS},
                sectors=values["sectors"],
                currency=values["currency"],
                participants=kept_rows(rows["participants"], PARTICIPANT_FIELDS),
                milestones=kept_rows(rows["milestones"], MILESTONE_FIELDS),
                publications=kept_rows(rows["publications"], PUBLICATION_FIELDS),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The project “{saved.title}” is saved.")
            return redirect(saved.get_absolute_url())
    has_errors = data is not None and (
        bool(form.errors) or any(formset.total_error_count() for formset in rows.values())
    )
    return render(
        request,
        "technology/manage/project_form.html",
        {"form": form, **rows, "project": project, "heading": heading, "has_errors": has_errors},
    )
