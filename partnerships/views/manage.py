"""A partnership's focal points (and staff) keep its requests, plan values and pipeline
projects: /partnerships/<iso2>/manage/….

Access is declared in ``urls/manage.py`` (``member_of_object``). Every view finds the
partnership through ``Partnership.objects.editable_by(user)`` and each object inside it
through its own ``editable_by`` narrowed to that partnership, so another partnership's
page or object answers 404, changes nothing and is logged (``leadit.access``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from leadit.access import permitted_or_404

from ..forms.common import add_service_errors
from ..forms.manage import (
    OutcomeMeasurementForm,
    PipelineProjectForm,
    StageChangeForm,
    SupportRequestForm,
)
from ..models import Partnership, PipelineProject, SupportRequest
from ..selectors.manage import partnership_workbench
from ..services.projects import outcome_measurement_record, pipeline_project_save
from ..services.requests import support_request_save, support_request_withdraw
from ..services.stages import pipeline_stage_change


def _partnership_for(request, iso2: str) -> Partnership:
    return permitted_or_404(
        request,
        Partnership.objects.editable_by(request.user),
        what="partnership",
        identifier=iso2,
        country=iso2.upper(),
    )


def _request_for(request, partnership: Partnership, pk: int) -> SupportRequest:
    return permitted_or_404(
        request,
        SupportRequest.objects.editable_by(request.user).filter(partnership=partnership),
        what="support request",
        identifier=pk,
        pk=pk,
    )


def _project_for(request, partnership: Partnership, slug: str) -> PipelineProject:
    return permitted_or_404(
        request,
        PipelineProject.objects.editable_by(request.user).filter(partnership=partnership),
        what="pipeline project",
        identifier=slug,
        slug=slug,
    )


def _home(partnership: Partnership) -> str:
    return reverse("partnerships:manage", kwargs={"iso2": partnership.country.code.lower()})


def _page(request, page: str, partnership: Partnership, **context):
    return render(
        request, f"partnerships/manage/{page}.html", {"partnership": partnership, **context}
    )


def overview(request, iso2):
    partnership = _partnership_for(request, iso2)
    return _page(request, "overview", partnership, **partnership_workbench(partnership))


def request_form(request, iso2, pk=None):
    partnership = _partnership_for(request, iso2)
    support_request = _request_for(request, partnership, pk) if pk is not None else None
    form = SupportRequestForm(request.POST or None, instance=support_request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = support_request_save(
                partnership=partnership,
                support_request=support_request,
                by=request.user,
                **{name: data[name] for name in SupportRequestForm.Meta.fields},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The request “{saved.title}” is saved.")
            return redirect(_home(partnership))
    return _page(request, "request_form", partnership, form=form, support_request=support_request)


def request_withdraw(request, iso2, pk):
    partnership = _partnership_for(request, iso2)
    support_request = _request_for(request, partnership, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        support_request_withdraw(support_request=support_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The request “{support_request.title}” is withdrawn.")
    return redirect(_home(partnership))


def project_form(request, iso2, slug=None):
    partnership = _partnership_for(request, iso2)
    project = _project_for(request, partnership, slug) if slug is not None else None
    form = PipelineProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = pipeline_project_save(
                partnership=partnership,
                project=project,
                values=data,
                technologies=data.pop("technologies"),
                currency=data.pop("currency"),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The project “{saved.name}” is saved.")
            return redirect(_home(partnership))
    return _page(request, "project_form", partnership, form=form, project=project)


def project_stage(request, iso2, slug):
    partnership = _partnership_for(request, iso2)
    project = _project_for(request, partnership, slug)
    form = StageChangeForm(
        request.POST or None,
        stages=PipelineProject.Stage.choices,
        initial={"stage": project.stage},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pipeline_stage_change(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            project.refresh_from_db()
            messages.success(
                request, f"“{project.name}” is now at “{project.get_stage_display()}”."
            )
            return redirect(_home(partnership))
    history = project.stage_changes.select_related("recorded_by")
    return _page(request, "stage_form", partnership, form=form, project=project, history=history)


def measurement_new(request, iso2):
    partnership = _partnership_for(request, iso2)
    form = OutcomeMeasurementForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            measurement = outcome_measurement_record(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The value of “{measurement.outcome}” is recorded.")
            return redirect(_home(partnership))
    return _page(request, "measurement_form", partnership, form=form)
