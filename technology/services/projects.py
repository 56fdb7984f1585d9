"""A member editor's co-development projects: the project, its budget in US dollars, its
participants, milestones and publications, written together or not at all."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.models import Member
from partnerships.models import PipelineProject
from partnerships.services.amounts import amounts_apply

from ..models import CoDevelopmentProject, ProjectMilestone, TechnologySolution
from .solutions import member_editable_or_error, sync_rows, unique_slug

PROJECT_FIELDS = (
    "title", "technology", "solution", "summary", "description", "status", "trl_start",
    "trl_target", "trl_current", "starts_on", "ends_on", "budget", "results",
    "tracker_project", "pipeline_project", "visibility",
)  # fmt: skip


def _check_project(project: CoDevelopmentProject, by) -> dict[str, str]:
    errors = {}
    if project.trl_target < project.trl_start:
        errors["trl_target"] = "The target TRL cannot be below the TRL at the start."
    if project.ends_on and project.ends_on < project.starts_on:
        errors["ends_on"] = "The project cannot end before it starts."
    solution = project.solution
    if solution is not None and (
        solution.technology_id != project.technology_id
        or not TechnologySolution.objects.visible_to(by).filter(pk=solution.pk).exists()
    ):
        errors["solution"] = "Choose a solution of this technology from the catalogue."
    pipeline = project.pipeline_project
    if pipeline is not None and not (
        PipelineProject.objects.visible_to(by).filter(pk=pipeline.pk).exists()
    ):
        errors["pipeline_project"] = "Choose a pipeline project you can see."
    return errors


def _check_rows(project: CoDevelopmentProject, participants, milestones) -> dict[str, str]:
    errors = {}
    parties = [row["member"] or row["institution"] for row in participants]
    if any(bool(row["member"]) == bool(row["institution"]) for row in participants):
        errors["participants"] = "Each participant is a member or a partner institution."
    elif len(set(parties)) < len(parties):
        errors["participants"] = "A participant is listed twice."
    for row in milestones:
        if project.ends_on and row["due_on"] > project.ends_on:
            errors["milestones"] = f"“{row['title']}” is due after the project ends."
        if row["completed_on"] and row["status"] != ProjectMilestone.Status.DONE:
            errors["milestones"] = f"“{row['title']}” has a completion date but is not done."
    return errors


def codevelopment_project_save(
    *,
    lead_member: Member,
    project: CoDevelopmentProject | None = None,
    values: dict,
    sectors: Iterable,
    currency: str,
    participants: list[dict],
    milestones: list[dict],
    publications: list[dict],
    by,
) -> CoDevelopmentProject:
    """A new project led by ``lead_member`` (``project`` None) or an edit of one;
    ``values``: the fields of ``PROJECT_FIELDS``; the three row lists are what the project
    keeps (see ``sync_rows``). The budget is stored in US dollars too, at today's rate."""
    member_editable_or_error(lead_member, by, field="lead_member")
    if project is None:
        project = CoDevelopmentProject(created_by=by)
        project.slug = unique_slug(CoDevelopmentProject, values["title"], fallback="project")
    project.lead_member = lead_member
    for field in PROJECT_FIELDS:
        setattr(project, field, values.get(field))
    sectors = list(sectors)
    errors = _check_project(project, by) | _check_rows(project, participants, milestones)
    if not sectors:
        errors["sectors"] = "Name at least one sector."
    if errors:
        raise ValidationError(errors)
    amounts_apply(
        project, fields={"budget": "budget_usd"}, currency=currency, on=timezone.localdate()
    )
    project.full_clean()
    with transaction.atomic():
        project.save()
        project.sectors.set(sectors)
        for related, rows in (
            (project.participants, participants),
            (project.milestones, milestones),
            (project.publications, publications),
        ):
            sync_rows(related, rows, parent_field="project", parent=project)
    return project
