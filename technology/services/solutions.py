"""A member editor's technology solutions: the solution, where it is available, its
reference plants and its patent families, written together or not at all. What the
project service shares with it (a unique slug, rows kept in step with a form) is here too."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from members.models import Member
from tracker.models import IndustrialProject

from ..models import OFFER_FIELDS, SolutionCountry, TechnologySolution

SOLUTION_FIELDS = (
    "name", "technology", "trl", "trl_assessed_year", "trl_assessed_by", "summary",
    "description", "ip_status", "ip_licence", "available_worldwide", "contact_name",
    "contact_email", "visibility",
)  # fmt: skip
IPStatus = TechnologySolution.IPStatus


def unique_slug(model: type[models.Model], text: str, *, fallback: str) -> str:
    """A slug from ``text`` that no row of ``model`` has yet (``-2``, ``-3``… when taken)."""
    base = slugify(text)[:180].strip("-") or fallback
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def member_editable_or_error(member: Member, by, *, field: str) -> None:
    """Refuse a member ``by`` does not keep, whatever the form let through."""
    if not Member.objects.editable_by(by).filter(pk=member.pk).exists():
        raise ValidationError({field: "Choose one of the members whose pages you keep."})


def sync_rows(related, rows: list[dict], *, parent_field: str, parent) -> None:
    """Make the rows of ``related`` (a parent's related manager) exactly ``rows``: each a
    dict of field values and ``id`` (a saved row of this parent, or None for a new one).
    Rows are saved one by one so that their history records who changed what."""
    saved = {obj.pk: obj for obj in related.all()}
    kept = {row["id"].pk for row in rows if row["id"] is not None}
    if kept - saved.keys():
        raise ValidationError("A row of another record cannot be changed here.")
    for pk, obj in saved.items():
        if pk not in kept:
            obj.delete()
    for row in rows:
        values = {field: value for field, value in row.items() if field != "id"}
        if row["id"] is None:
            obj = related.model(**{parent_field: parent}, **values)
        else:
            obj = saved[row["id"].pk]
            if all(getattr(obj, field) == value for field, value in values.items()):
                continue
            for field, value in values.items():
                setattr(obj, field, value)
        obj.full_clean()
        obj.save()


def _check(solution: TechnologySolution, *, countries: list[str], plants: list, patents) -> None:
    errors: dict[str, str] = {}
    if not solution.offer_kinds:
        errors["offers"] = "Tick at least one thing you offer with this solution."
    if solution.available_worldwide and countries:
        errors["countries"] = "Leave the countries empty: the solution is available worldwide."
    elif not solution.available_worldwide and not countries:
        errors["countries"] = "Choose the countries where it is available, or “worldwide”."
    is_open = solution.ip_status == IPStatus.OPEN_LICENCE
    if is_open and not solution.ip_licence:
        errors["ip_licence"] = "Name the open licence the solution is offered under."
    elif solution.ip_licence and not is_open:
        errors["ip_licence"] = "Name a licence only for an open licence."
    if patents and solution.ip_status == IPStatus.NONE:
        errors["ip_status"] = "Patent families are listed: the solution has IP protection."
    for patent in patents:
        filed, expires = patent["filed_on"], patent["expires_on"]
        if filed and expires and expires <= filed:
            errors["patents"] = f"Patent {patent['number']} expires before it was filed."
    allowed = set(
        IndustrialProject.objects.filter(
            pk__in=[plant.pk for plant in plants], technologies=solution.technology_id
        ).values_list("pk", flat=True)
    )
    if solution.pk:
        # Plants chosen before (by the secretariat, or before the tracker changed) stay.
        allowed |= set(solution.reference_plants.values_list("pk", flat=True))
    if any(plant.pk not in allowed for plant in plants):
        errors["reference_plants"] = "A reference plant must use the solution's technology."
    if errors:
        raise ValidationError(errors)


def solution_save(
    *,
    member: Member | None,
    solution: TechnologySolution | None = None,
    values: dict,
    offers: dict[str, bool],
    sectors: Iterable,
    countries: Iterable[str],
    reference_plants: Iterable,
    patents: list[dict],
    by,
) -> TechnologySolution:
    """A new solution of ``member`` (``solution`` None) or an edit of one; ``values``: the
    fields of ``SOLUTION_FIELDS``; ``offers``: the six ``offers_*`` flags; ``patents``: the
    patent families it keeps (see ``sync_rows``). A partner institution's solution keeps its
    institution (``member`` None)."""
    if solution is None:
        if member is None:
            raise ValidationError({"member": "Choose the member offering the solution."})
        solution = TechnologySolution(created_by=by)
        solution.slug = unique_slug(TechnologySolution, values["name"], fallback="solution")
    if member is not None:
        member_editable_or_error(member, by, field="member")
        solution.member, solution.institution = member, None
    for field in SOLUTION_FIELDS:
        setattr(solution, field, values.get(field))
    for field in OFFER_FIELDS.values():
        setattr(solution, field, bool(offers.get(field)))
    sectors, plants = list(sectors), list(reference_plants)
    countries = sorted(set(countries))
    if not sectors:
        raise ValidationError({"sectors": "Name at least one sector."})
    _check(solution, countries=countries, plants=plants, patents=patents)
    solution.full_clean()
    with transaction.atomic():
        solution.save()
        solution.sectors.set(sectors)
        solution.reference_plants.set(plants)
        solution.countries.exclude(country__in=countries).delete()
        kept = {str(code) for code in solution.countries.values_list("country", flat=True)}
        SolutionCountry.objects.bulk_create(
            [SolutionCountry(solution=solution, country=c) for c in countries if c not in kept]
        )
        sync_rows(solution.patents, patents, parent_field="solution", parent=solution)
    return solution
