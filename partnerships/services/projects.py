"""A focal point's pipeline projects and plan values."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ..models import (
    Outcome,
    OutcomeMeasurement,
    Partnership,
    PipelineProject,
    PipelineStageChange,
)
from .amounts import amounts_apply

PROJECT_FIELDS = (
    "name", "sector", "sponsor", "location", "description", "capex", "financing_gap",
    "abatement_t_per_year", "visibility",
)  # fmt: skip


def _unique_slug(partnership: Partnership, name: str) -> str:
    base = slugify(f"{partnership.country.code}-{name}")[:180] or "project"
    slug, n = base, 1
    while PipelineProject.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def pipeline_project_save(
    *,
    partnership: Partnership,
    project: PipelineProject | None = None,
    values: dict,
    technologies: Iterable,
    currency: str,
    by,
) -> PipelineProject:
    """A new project of ``partnership`` at the concept stage (``project`` None, its first
    stage recorded as of today) or an edit; the stage moves only through services/stages.py.
    ``values``: the fields of ``PROJECT_FIELDS``."""
    today = timezone.localdate()
    created = project is None
    if created:
        project = PipelineProject(partnership=partnership, stage_since=today)
        project.slug = _unique_slug(partnership, values["name"])
    elif project.partnership_id != partnership.pk:
        raise ValidationError("A project of another partnership cannot be changed here.")
    for field in PROJECT_FIELDS:
        setattr(project, field, values.get(field))
    amounts_apply(
        project,
        fields={"capex": "capex_usd", "financing_gap": "financing_gap_usd"},
        currency=currency,
        on=today,
    )
    if project.capex is not None and (project.financing_gap or 0) > project.capex:
        raise ValidationError({"financing_gap": "The financing gap cannot exceed the capex."})
    project.full_clean()
    with transaction.atomic():
        project.save()
        project.technologies.set(list(technologies))
        if created:
            PipelineStageChange.objects.create(
                project=project, stage=project.stage, changed_on=today, recorded_by=by
            )
    return project


def outcome_measurement_record(
    *, outcome: Outcome, measured_on: date, value: Decimal, note: str = "", by
) -> OutcomeMeasurement:
    """The measured value of ``outcome`` on a day (a second value that day replaces it)."""
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": "A measurement cannot be dated in the future."})
    with transaction.atomic():
        measurement, _ = OutcomeMeasurement.objects.select_for_update().get_or_create(
            outcome=outcome, measured_on=measured_on, defaults={"value": value}
        )
        measurement.value, measurement.note, measurement.recorded_by = value, note, by
        measurement.full_clean()
        measurement.save()
    return measurement
