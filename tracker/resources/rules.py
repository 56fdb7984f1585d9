"""The tracker's rules for roadmaps and targets that fields alone do not express, shared by
the imports and the admin's forms."""

from ..models import Roadmap, Target

NEEDS_COUNTRY = {Roadmap.Scope.NATIONAL, Roadmap.Scope.COMPANY}


def roadmap_rule_errors(roadmap: Roadmap) -> dict[str, str]:
    """The tracker's rules for a roadmap that fields alone do not express, by field."""
    errors = {}
    if roadmap.scope in NEEDS_COUNTRY and not roadmap.country:
        errors["country"] = f"A {roadmap.get_scope_display().lower()} roadmap needs a country."
    if roadmap.scope == Roadmap.Scope.REGIONAL and roadmap.region_id is None:
        errors["region"] = "A regional roadmap needs a region (a country group's slug)."
    successor = roadmap.superseded_by
    if successor is not None and (
        successor is roadmap or (roadmap.pk and successor.pk == roadmap.pk)
    ):
        errors["superseded_by"] = "A roadmap cannot be superseded by itself."
    return errors


def target_rule_errors(target: Target) -> dict[str, str]:
    """The tracker's rules for a target that fields alone do not express, by field."""
    errors = {}
    # An inline on a roadmap's page sets the (maybe unsaved) roadmap before its id exists.
    if target.roadmap_id is None and target.roadmap is None and not target.country:
        errors["country"] = "A target needs a roadmap or a country."
    if (
        isinstance(target.base_year, int)
        and isinstance(target.target_year, int)
        and target.target_year < target.base_year
    ):
        errors["target_year"] = (
            f"The target year {target.target_year} is before the base year {target.base_year}."
        )
    if error := end_target_error(target, target.end_target):
        errors["end_target"] = error
    return errors


def end_target_error(target: Target, end: Target | None) -> str | None:
    """Why ``end`` cannot be the end target of ``target`` (an interim target), or None.

    The end target belongs to the same roadmap (or, for a target without a roadmap, to the
    same country), is itself an end target (no chains), and is not earlier.
    """
    if end is None:
        return None
    if target.pk and end.pk == target.pk:
        return "A target cannot be its own end target."
    if end.end_target_id is not None:
        return f"Target {end.pk} is itself an interim target: pick the end target it leads to."
    if target.roadmap_id is not None:
        if end.roadmap_id != target.roadmap_id:
            return f"Target {end.pk} belongs to another roadmap."
    elif end.roadmap_id is not None or end.country != target.country:
        return f"Target {end.pk} is not a target of the same country without a roadmap."
    if isinstance(target.target_year, int) and end.target_year < target.target_year:
        return (
            f"The end target's year {end.target_year} is before this target's year "
            f"{target.target_year}."
        )
