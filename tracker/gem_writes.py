"""Writing the plants read from GEM's file (``tracker.gem_rows``) as industrial projects,
their technologies and capacities, for ``tracker.gem_import``.

Writes are bulk operations that still keep the history of every change (the project rows,
their technologies and their capacities), so the full file takes a second or two.
"""

from django.apps import apps
from django.utils import timezone

from .gem_rows import EQUIPMENT, GEM_SOURCE, GemImportReport, GemPlant, RowIssue, project_slug
from .models import IndustrialProject, ProjectCapacity, Sector, Technology

CHANGE_REASON = "Imported from the GEM Global Iron and Steel Tracker file"

SECTOR_SLUG = "steel"
SECTOR_NAME = "Iron and steel"

# The fields an import owns; staff's review date and the slug (stable URLs) are kept.
IMPORTED_FIELDS = [
    "name",
    "owner",
    "parent",
    "country",
    "location",
    "latitude",
    "longitude",
    "coordinate_accuracy",
    "sector",
    "production_equipment",
    "status",
    "start_year",
    "source_url",
]


def steel_sector() -> Sector:
    """The sector GEM's plants belong to, found by slug or name, created if missing."""
    sector = Sector.objects.filter(slug=SECTOR_SLUG).first()
    if sector is None:
        sector = Sector.objects.filter(name=SECTOR_NAME).first()
    if sector is None:
        sector = Sector.objects.create(name=SECTOR_NAME, slug=SECTOR_SLUG)
    return sector


def technologies_for(slugs: set[str], report: GemImportReport) -> dict[str, Technology]:
    """Our technologies for the GEM equipment codes in use, by slug, created where missing
    (found by name too, so a technology staff created under another slug is reused)."""
    found = {}
    for slug, name in EQUIPMENT.values():
        if slug not in slugs:
            continue
        technology = (
            Technology.objects.filter(slug=slug).first()
            or Technology.objects.filter(name__iexact=name).first()
        )
        if technology is None:
            technology = Technology.objects.create(slug=slug, name=name)
            report.technologies_created.append(name)
        found[slug] = technology
    return found


def write_plants(
    plants: list[GemPlant], technologies: dict[str, Technology], report: GemImportReport
) -> None:
    """Create, update or leave each plant's project, then its technologies, history and
    capacities; the counts go to ``report``."""
    now = timezone.now()
    created, changed, unchanged, plant_of = _match_projects(plants, report, now)
    IndustrialProject.objects.bulk_create(created, batch_size=500)
    projects = created + changed + unchanged
    # A project whose only change is its technologies is an update too.
    for project in _write_technologies(projects, changed + unchanged, plant_of, technologies):
        if project in unchanged:
            unchanged.remove(project)
            changed.append(project)
    for project in changed:
        project.updated_at = now
    if changed:
        IndustrialProject.objects.bulk_update(
            changed, [*IMPORTED_FIELDS, "updated_at"], batch_size=500
        )

    _write_project_history(created, changed, now)
    _write_capacities(projects, plant_of, report, now)
    report.created, report.updated, report.unchanged = len(created), len(changed), len(unchanged)


def _match_projects(
    plants: list[GemPlant], report: GemImportReport, now
) -> tuple[list, list, list, dict[int, GemPlant]]:
    """The projects to create, those changed and those unchanged (not written yet), and the
    plant of each project (by ``id()``). A new plant whose slug another project has is
    skipped."""
    existing = {
        project.external_id: project
        for project in IndustrialProject.objects.filter(
            source=GEM_SOURCE, external_id__in=[plant.plant_id for plant in plants]
        )
    }
    taken_slugs = _taken_slugs([p for p in plants if p.plant_id not in existing])
    created, changed, unchanged = [], [], []
    plant_of = {}
    for plant in plants:
        project = existing.get(plant.plant_id)
        if project is None:
            slug = project_slug(plant.values["name"], plant.plant_id)
            if slug in taken_slugs:
                report.skipped.append(
                    RowIssue(
                        plant.row,
                        plant.plant_id,
                        plant.values["name"],
                        f"slug “{slug}” is already used by another project",
                    )
                )
                continue
            project = IndustrialProject(
                slug=slug, external_id=plant.plant_id, source=GEM_SOURCE, **plant.values
            )
            project.updated_at = now
            created.append(project)
        else:
            differs = [
                name for name, value in plant.values.items() if getattr(project, name) != value
            ]
            for name in differs:
                setattr(project, name, plant.values[name])
            (changed if differs else unchanged).append(project)
        plant_of[id(project)] = plant
    return created, changed, unchanged, plant_of


def _taken_slugs(new_plants: list[GemPlant]) -> set[str]:
    """The slugs the new plants would get that other projects have already."""
    wanted = {project_slug(p.values["name"], p.plant_id) for p in new_plants}
    return set(
        IndustrialProject.objects.filter(slug__in=list(wanted)).values_list("slug", flat=True)
    )


def _write_technologies(
    projects: list[IndustrialProject],
    known: list[IndustrialProject],
    plant_of: dict[int, GemPlant],
    technologies: dict[str, Technology],
) -> list[IndustrialProject]:
    """Compare with what each ``known`` project has and rewrite only what differs; the
    projects whose technologies were written."""
    through = IndustrialProject.technologies.through
    current: dict[int, set[int]] = {}
    for project_id, technology_id in through.objects.filter(
        industrialproject_id__in=[p.pk for p in known]
    ).values_list("industrialproject_id", "technology_id"):
        current.setdefault(project_id, set()).add(technology_id)
    tech_changed = []
    for project in projects:
        wanted = {technologies[slug].pk for slug in plant_of[id(project)].technologies}
        if current.get(project.pk, set()) != wanted:
            tech_changed.append(project)
    through.objects.filter(industrialproject_id__in=[p.pk for p in tech_changed]).delete()
    through.objects.bulk_create(
        [
            through(industrialproject_id=project.pk, technology_id=technologies[slug].pk)
            for project in tech_changed
            for slug in plant_of[id(project)].technologies
        ],
        batch_size=1000,
    )
    return tech_changed


def _write_project_history(
    created: list[IndustrialProject], changed: list[IndustrialProject], now
) -> None:
    """History rows for the projects, with the snapshot of their technologies that a
    ``save()`` followed by ``technologies.set()`` would have left."""
    manager = IndustrialProject.history
    records = list(
        manager.bulk_history_create(created, default_date=now, default_change_reason=CHANGE_REASON)
    )
    records += list(
        manager.bulk_history_create(
            changed, update=True, default_date=now, default_change_reason=CHANGE_REASON
        )
    )
    if not records:
        return
    m2m_history = apps.get_model("tracker", "HistoricalIndustrialProject_technologies")
    through = IndustrialProject.technologies.through
    rows_of: dict[int, list] = {}
    for row in through.objects.filter(
        industrialproject_id__in=[record.id for record in records]
    ).only("id", "industrialproject_id", "technology_id"):
        rows_of.setdefault(row.industrialproject_id, []).append(row)
    m2m_history.objects.bulk_create(
        [
            m2m_history(
                history_id=record.pk,
                id=row.id,
                industrialproject_id=row.industrialproject_id,
                technology_id=row.technology_id,
            )
            for record in records
            for row in rows_of.get(record.id, [])
        ],
        batch_size=1000,
    )


def _write_capacities(
    projects: list[IndustrialProject], plant_of: dict, report: GemImportReport, now
) -> None:
    existing: dict[tuple[int, str, str], ProjectCapacity] = {
        (c.project_id, c.product, c.status): c
        for c in ProjectCapacity.objects.filter(project_id__in=[p.pk for p in projects])
    }
    create, update, keep = [], [], set()
    for project in projects:
        for (product, status), value in plant_of[id(project)].capacities.items():
            key = (project.pk, product, status)
            keep.add(key)
            capacity = existing.get(key)
            if capacity is None:
                create.append(
                    ProjectCapacity(
                        project_id=project.pk,
                        product=product,
                        status=status,
                        value=value,
                        unit="ttpa",
                    )
                )
            elif capacity.value != value or capacity.unit != "ttpa":
                capacity.value, capacity.unit = value, "ttpa"
                update.append(capacity)
    ProjectCapacity.objects.bulk_create(create, batch_size=1000)
    ProjectCapacity.history.bulk_history_create(
        create, default_date=now, default_change_reason=CHANGE_REASON, batch_size=1000
    )
    if update:
        ProjectCapacity.objects.bulk_update(update, ["value", "unit"], batch_size=1000)
        ProjectCapacity.history.bulk_history_create(
            update, update=True, default_date=now, default_change_reason=CHANGE_REASON
        )
    gone = [capacity for key, capacity in existing.items() if key not in keep]
    for capacity in gone:  # rare; delete() leaves the "-" history row
        capacity._change_reason = CHANGE_REASON
        capacity.delete()
    report.capacities_created = len(create)
    report.capacities_updated = len(update)
    report.capacities_deleted = len(gone)
