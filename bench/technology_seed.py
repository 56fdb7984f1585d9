"""Bulk technology data for the benchmarks: 5,000 solutions (with sectors, countries and
patent families) and 500 co-development projects (with participants and milestones), on
top of the partnerships' bulk data (``bench/partnerships_seed.py``: members, partner
institutions, 5,000 requests, whose technology needs get their technologies here), with
60 innovation programmes and their calls and 300 guidelines. Spread over 30 technologies
(the demo's five and bench ones), TRLs, kinds of offer and visibilities, bulk-inserted with
history in seconds. One random generator with a fixed seed: the same data every run.

Run inside a configured Django (``bench/technology_pages.py`` runs it as a script with its
environment), or alone: ``DATABASE_URL=... python bench/technology_seed.py``.
"""

import datetime
import random
import sys
import time
from pathlib import Path

SIZES = {
    "technologies": 30,  # the demo's five, then bench ones
    "solutions": 5000,
    "projects": 500,
    "programmes": 60,
    "guidelines": 300,
}
VISIBILITIES = ["public"] * 8 + ["members", "secretariat"]
OFFER_FIELDS = ["offers_licence", "offers_co_development", "offers_demonstration",
                "offers_training", "offers_joint_venture", "offers_know_how"]  # fmt: skip
COUNTRIES = ["IN", "SE", "DE", "BR", "ZA", "ID", "MX", "JP", "KR", "NL", "GB", "FR", "AR",
             "KE", "EG", "VN", "TR", "US", "CN", "AU"]  # fmt: skip
IP = ["patented"] * 3 + ["open_licence", "none", "not_recorded"]
PROJECT_STATUSES = ["planned", "active", "active", "active", "completed", "stopped"]
START = datetime.date(2023, 1, 1)


def _day(rng: random.Random, span: int = 1200) -> datetime.date:
    return START + datetime.timedelta(days=rng.randint(0, span))


def _link(field, rows, choose) -> None:
    """Bulk rows of a many-to-many ``field`` (a ``Model.field`` descriptor) for ``rows``."""
    through = field.through
    source, target = (f.attname for f in through._meta.fields[1:3])
    through.objects.bulk_create(
        through(**{source: row.pk, target: other.pk}) for row in rows for other in choose()
    )


def technologies_ensure():
    from tracker.models import Technology

    have = list(Technology.objects.order_by("pk"))
    Technology.objects.bulk_create(
        Technology(name=f"Bench technology {n}", slug=f"bench-technology-{n}")
        for n in range(SIZES["technologies"] - len(have))
    )
    return list(Technology.objects.order_by("pk"))


def seed_solutions(rng: random.Random, t, members, institutions, technologies, sectors):
    from simple_history.utils import bulk_create_with_history

    rows = []
    for n in range(SIZES["solutions"]):
        provider = {"member": rng.choice(members)} if n % 4 else {
            "institution": rng.choice(institutions)}  # fmt: skip
        ip = rng.choice(IP)
        rows.append(
            t.TechnologySolution(
                **provider, name=f"Bench solution {n}", slug=f"bench-solution-{n}",
                technology=rng.choice(technologies), trl=rng.randint(1, 9),
                trl_assessed_year=rng.choice([None, 2023, 2024, 2025, 2026]),
                summary="A solution for the benchmark.", description="A **solution**.",
                **{f: rng.random() < 0.35 for f in OFFER_FIELDS}, ip_status=ip,
                ip_licence="CC BY 4.0" if ip == "open_licence" else "",
                available_worldwide=rng.random() < 0.15, contact_name="Bench contact",
                contact_email="bench@solution.example", visibility=rng.choice(VISIBILITIES),
            )
        )  # fmt: skip
    solutions = bulk_create_with_history(rows, t.TechnologySolution, batch_size=1000)
    _link(t.TechnologySolution.sectors, solutions, lambda: rng.sample(sectors, rng.randint(1, 2)))
    t.SolutionCountry.objects.bulk_create(
        t.SolutionCountry(solution=solution, country=code)
        for solution in solutions
        if not solution.available_worldwide
        for code in rng.sample(COUNTRIES, rng.randint(0, 3))
    )
    patents = []
    for solution in solutions:
        if solution.ip_status != "patented":
            continue
        for k in range(rng.randint(1, 2)):
            filed = _day(rng, 3000) - datetime.timedelta(days=3000)
            patents.append(t.PatentFamily(
                solution=solution, number=f"BENCH-{solution.pk}-{k}", office="EPO",
                filed_on=filed, expires_on=filed.replace(year=filed.year + 20)))  # fmt: skip
    bulk_create_with_history(patents, t.PatentFamily, batch_size=1000)
    return solutions


def seed_projects(rng: random.Random, t, members, institutions, technologies, sectors, solutions):
    from simple_history.utils import bulk_create_with_history

    rows = []
    for n in range(SIZES["projects"]):
        start, budget = rng.randint(2, 7), rng.choice([1, 5, 20, 80]) * 1_000_000
        starts = _day(rng)
        rows.append(
            t.CoDevelopmentProject(
                title=f"Bench project {n}", slug=f"bench-codev-{n}",
                lead_member=rng.choice(members), technology=rng.choice(technologies),
                solution=rng.choice(solutions) if n % 2 else None,
                summary="A project for the benchmark.", description="A **project**.",
                status=rng.choice(PROJECT_STATUSES), trl_start=start,
                trl_target=rng.randint(start, 9), trl_current=start + rng.randint(0, 1),
                starts_on=starts, ends_on=starts + datetime.timedelta(days=rng.randint(400, 1500)),
                budget=budget, currency="USD", budget_usd=budget,
                visibility=rng.choice(VISIBILITIES),
            )
        )  # fmt: skip
    projects = bulk_create_with_history(rows, t.CoDevelopmentProject, batch_size=500)
    _link(t.CoDevelopmentProject.sectors, projects, lambda: rng.sample(sectors, rng.randint(1, 2)))
    participants, milestones = [], []
    for project in projects:
        for member in {project.lead_member, *rng.sample(members, rng.randint(1, 3))}:
            participants.append(
                t.ProjectParticipant(project=project, member=member, role="Partner")
            )
        participants.append(t.ProjectParticipant(
            project=project, institution=rng.choice(institutions), role="Research partner"))  # fmt: skip
        span = (project.ends_on - project.starts_on).days
        for k in range(rng.randint(3, 5)):
            due = project.starts_on + datetime.timedelta(days=span * (k + 1) // 6)
            done = due < datetime.date(2026, 6, 1)
            milestones.append(t.ProjectMilestone(
                project=project, title=f"Milestone {k + 1}", due_on=due,
                status="done" if done else "planned", completed_on=due if done else None,
                trl_reached=min(9, project.trl_start + k) if done else None))  # fmt: skip
    bulk_create_with_history(participants, t.ProjectParticipant, batch_size=1000)
    bulk_create_with_history(milestones, t.ProjectMilestone, batch_size=1000)
    return projects


def seed_programmes_and_guidelines(rng: random.Random, t, members, technologies, sectors):
    from simple_history.utils import bulk_create_with_history

    programmes = bulk_create_with_history(
        [t.InnovationProgramme(name=f"Bench programme {n}", slug=f"bench-programme-{n}",
                               kind=rng.choice(t.InnovationProgramme.Kind.values),
                               run_by="A bench institute", description="A **programme**.")
         for n in range(SIZES["programmes"])],
        t.InnovationProgramme,
    )  # fmt: skip
    _link(t.InnovationProgramme.technologies, programmes, lambda: rng.sample(technologies, 2))
    calls = []
    for programme in programmes:
        for k in range(3):
            opens = _day(rng, 1500)
            calls.append(t.CallForProposals(
                programme=programme, title=f"Call {k + 1}", opens_on=opens,
                deadline=opens + datetime.timedelta(days=rng.randint(30, 120))))  # fmt: skip
    bulk_create_with_history(calls, t.CallForProposals, batch_size=1000)
    guidelines = bulk_create_with_history(
        [t.TechnicalGuideline(title=f"Bench guideline {n}", slug=f"bench-guideline-{n}",
                              member=rng.choice(members) if n % 3 else None,
                              summary="A guideline.", licence="CC BY 4.0",
                              visibility=rng.choice(VISIBILITIES))
         for n in range(SIZES["guidelines"])],
        t.TechnicalGuideline,
    )  # fmt: skip
    _link(t.TechnicalGuideline.technologies, guidelines, lambda: rng.sample(technologies, 1))
    _link(t.TechnicalGuideline.sectors, guidelines, lambda: rng.sample(sectors, 1))
    versions = [
        t.GuidelineVersion(guideline=g, version=f"1.{k}", body="# A guideline\n\nText.",
                           published_on=_day(rng), render_status="queued")
        for g in guidelines for k in range(rng.randint(1, 2))
    ]  # fmt: skip
    bulk_create_with_history(versions, t.GuidelineVersion, batch_size=1000)


def seed(*, seed: int = 16) -> dict[str, int]:
    """The partnerships' bulk data, then the technology data on top of it."""
    from django.db import transaction

    from bench import partnerships_seed
    from members.models import Member
    from partnerships.models import PartnerInstitution, SupportRequest
    from technology import models as t
    from tracker.models import Sector

    partnerships_seed.seed()
    rng = random.Random(seed)  # one generator, drawn in this order: the same data each run
    with transaction.atomic():
        technologies = technologies_ensure()
        sectors = list(Sector.objects.all())
        members = list(Member.objects.order_by("pk"))
        institutions = list(PartnerInstitution.objects.order_by("pk"))
        needs = list(SupportRequest.objects.filter(kind="technology"))
        _link(SupportRequest.technologies, needs, lambda: rng.sample(technologies, 1))
        solutions = seed_solutions(rng, t, members, institutions, technologies, sectors)
        seed_projects(rng, t, members, institutions, technologies, sectors, solutions)
        seed_programmes_and_guidelines(rng, t, members, technologies, sectors)
    return {
        model.__name__: model.objects.count()
        for model in (t.TechnologySolution, t.PatentFamily, t.SolutionCountry,
                      t.CoDevelopmentProject, t.ProjectParticipant, t.ProjectMilestone,
                      t.InnovationProgramme, t.CallForProposals, t.TechnicalGuideline)
    }  # fmt: skip


def main() -> None:
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadit.settings")
    import django

    django.setup()
    started = time.perf_counter()
    counts = seed()
    print(f"  seeded {counts} in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
