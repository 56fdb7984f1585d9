"""Moving a partnership along its stage ladder, or a pipeline project through its stage
gates: each move is a dated row; a step backwards needs its reason."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Partnership, PartnershipStageChange, PipelineProject, PipelineStageChange

# Pipeline stages off the ladder: a project may be put on hold or dropped at any gate.
OFF_LADDER = {PipelineProject.Stage.ON_HOLD, PipelineProject.Stage.DROPPED}
PIPELINE_LADDER = [s for s in PipelineProject.Stage.values if s not in OFF_LADDER]


def _check_move(*, current: str, new: str, since: date, changed_on: date, labels) -> None:
    if new == current:
        raise ValidationError({"stage": f"It is already at “{labels[new]}”."})
    if changed_on > timezone.localdate():
        raise ValidationError({"changed_on": "The date of the change cannot be in the future."})
    if changed_on < since:
        raise ValidationError(
            {
                "changed_on": f"It has been at its current stage since {since:%d %B %Y}: "
                "the change cannot be earlier."
            }
        )


def _backwards_needs_reason(*, backwards: bool, reason: str, what: str) -> None:
    if backwards and not reason.strip():
        raise ValidationError(
            {"reason": f"Moving {what} back to an earlier stage needs a reason: say why."}
        )


def _record_move(record, change, *, stage: str, changed_on: date):
    """Save the dated ``change`` row and put ``record`` at its new stage."""
    change.full_clean()
    change.save()
    record.stage, record.stage_since = stage, changed_on
    record.save(update_fields=["stage", "stage_since", "updated_at"])
    return change


def partnership_stage_change(
    *, partnership: Partnership, stage: str, changed_on: date, reason: str = "", by
) -> PartnershipStageChange:
    """Move ``partnership`` to ``stage`` on ``changed_on`` (a step back needs ``reason``)."""
    labels = dict(Partnership.Stage.choices)
    with transaction.atomic():
        partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
        _check_move(
            current=partnership.stage,
            new=stage,
            since=partnership.stage_since,
            changed_on=changed_on,
            labels=labels,
        )
        backwards = Partnership.stage_rank(stage) < Partnership.stage_rank(partnership.stage)
        _backwards_needs_reason(backwards=backwards, reason=reason, what="the partnership")
        change = PartnershipStageChange(
            partnership=partnership,
            stage=stage,
            changed_on=changed_on,
            reason=reason.strip(),
            recorded_by=by,
        )
        return _record_move(partnership, change, stage=stage, changed_on=changed_on)


def _ladder_stage_of(project: PipelineProject) -> str | None:
    """The project's place on the ladder: its stage, or, on hold or dropped, the last
    ladder stage it reached."""
    if project.stage not in OFF_LADDER:
        return project.stage
    return (
        project.stage_changes.exclude(stage__in=OFF_LADDER)
        .order_by("-changed_on", "-id")
        .values_list("stage", flat=True)
        .first()
    )


def pipeline_is_backwards(project: PipelineProject, stage: str) -> bool:
    """A move to an earlier gate than the one reached (hold and drop are not steps back)."""
    reached = _ladder_stage_of(project)
    if stage in OFF_LADDER or reached is None:
        return False
    return PIPELINE_LADDER.index(stage) < PIPELINE_LADDER.index(reached)


def pipeline_stage_change(
    *, project: PipelineProject, stage: str, changed_on: date, reason: str = "", by
) -> PipelineStageChange:
    """Move ``project`` to ``stage`` on ``changed_on`` (a step back needs ``reason``)."""
    with transaction.atomic():
        project = PipelineProject.objects.select_for_update().get(pk=project.pk)
        _check_move(
            current=project.stage,
            new=stage,
            since=project.stage_since,
            changed_on=changed_on,
            labels=dict(PipelineProject.Stage.choices),
        )
        _backwards_needs_reason(
            backwards=pipeline_is_backwards(project, stage), reason=reason, what="a project"
        )
        change = PipelineStageChange(
            project=project,
            stage=stage,
            changed_on=changed_on,
            reason=reason.strip(),
            recorded_by=by,
        )
        return _record_move(project, change, stage=stage, changed_on=changed_on)
