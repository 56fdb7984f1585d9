"""Bulk partnerships data for the benchmarks: 200 partnerships, 5,000 requests, 2,000 offers,
3,000 commitments and 1,000 pipeline projects (with their stage history), spread over
kinds, statuses, stages and visibilities, in a few seconds (bulk inserts with history).
One random generator with a fixed seed: the same data every run.

Run inside a configured Django (``bench/partnerships_pages.py`` runs it as a script with its
environment), or alone: ``DATABASE_URL=... python bench/partnerships_seed.py``.
"""

import datetime
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

SIZES = {
    "partnerships": 200,
    "requests": 5000,
    "offers": 2000,
    "commitments": 3000,
    "projects": 1000,
}
# Most records are public, as on the real portal; the rest must never show to the public.
VISIBILITIES = ["public"] * 8 + ["members", "secretariat"]
REQUEST_STATUSES = ["open"] * 5 + ["partly_supported"] * 2 + ["supported", "closed", "withdrawn"]
COMMITMENT_STATUSES = ["proposed", "in_discussion", "agreed", "agreed", "delivered", "declined"]
LADDER = ["concept", "pre_feasibility", "feasibility", "financing", "fid", "construction",
          "operating"]  # fmt: skip
START = datetime.date(2024, 1, 1)


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.choice([5, 10, 50, 100, 500, 1000, 5000])) * 10_000


def _day(rng: random.Random, span: int = 900) -> datetime.date:
    return START + datetime.timedelta(days=rng.randint(0, span))


def _link(field, rows, choose) -> None:
    """Bulk rows of a many-to-many ``field`` (a ``Model.field`` descriptor) for ``rows``."""
    through = field.through
    source, target = (f.attname for f in through._meta.fields[1:3])
    through.objects.bulk_create(
        through(**{source: row.pk, target: other.pk}) for row in rows for other in choose()
    )


def seed_partnerships(rng: random.Random, p, Member) -> tuple[list, list, list]:
    from django_countries import countries
    from simple_history.utils import bulk_create_with_history

    codes = [code for code, _name in countries][: SIZES["partnerships"]]
    members = Member.objects.bulk_create(
        Member(name=f"Bench company {n}", slug=f"bench-company-{n}", kind="company",
               country=rng.choice(codes))
        for n in range(60)
    )  # fmt: skip
    institutions = bulk_create_with_history(
        [p.PartnerInstitution(name=f"Bench institution {n}", slug=f"bench-institution-{n}",
                              kind="development_bank") for n in range(40)],
        p.PartnerInstitution,
    )  # fmt: skip
    stages = p.Partnership.Stage.values
    partnerships = bulk_create_with_history(
        [p.Partnership(country=code, name=f"Bench partnership {code}", summary="A partnership.",
                       stage=rng.choice(stages), stage_since=_day(rng)) for code in codes],
        p.Partnership,
    )  # fmt: skip
    p.PartnershipStageChange.objects.bulk_create(
        p.PartnershipStageChange(partnership=x, stage=x.stage, changed_on=x.stage_since)
        for x in partnerships
    )
    return partnerships, members, institutions


def seed_requests(rng: random.Random, p, partnerships, sectors) -> list:
    from simple_history.utils import bulk_create_with_history

    rows = []
    for n in range(SIZES["requests"]):
        amount = _amount(rng) if rng.random() < 0.8 else None
        rows.append(
            p.SupportRequest(
                partnership=rng.choice(partnerships), title=f"Bench request {n}",
                kind=rng.choice(p.SupportKind.values), description="A **need**.",
                amount=amount, amount_usd=amount, currency="USD" if amount else "",
                priority=rng.choice(["high", "medium", "low"]),
                status=rng.choice(REQUEST_STATUSES), visibility=rng.choice(VISIBILITIES),
            )
        )  # fmt: skip
    requests = bulk_create_with_history(rows, p.SupportRequest, batch_size=1000)
    _link(p.SupportRequest.sectors, requests, lambda: rng.sample(sectors, rng.randint(1, 2)))
    return requests


def seed_offers(rng: random.Random, p, members, institutions, sectors, groups) -> list:
    from simple_history.utils import bulk_create_with_history

    rows = []
    for n in range(SIZES["offers"]):
        low, opens = _amount(rng), _day(rng)
        provider = {"member": rng.choice(members)} if n % 3 else {
            "institution": rng.choice(institutions)}  # fmt: skip
        rows.append(
            p.SupportOffer(
                **provider, title=f"Bench offer {n}", kind=rng.choice(p.SupportKind.values),
                description="An **offer**.", instrument=rng.choice(p.SupportOffer.Instrument.values),
                open_to_all_countries=rng.random() < 0.3, amount_min=low, amount_max=low * 20,
                amount_min_usd=low, amount_max_usd=low * 20, currency="USD", opens_on=opens,
                closes_on=opens + datetime.timedelta(days=rng.randint(30, 900)),
                visibility=rng.choice(VISIBILITIES),
            )
        )  # fmt: skip
    offers = bulk_create_with_history(rows, p.SupportOffer, batch_size=1000)
    _link(p.SupportOffer.sectors, offers, lambda: rng.sample(sectors, rng.randint(1, 3)))
    _link(p.SupportOffer.eligible_groups, offers, lambda: rng.sample(groups, rng.randint(0, 2)))
    return offers


def seed_commitments(rng: random.Random, p, requests, offers) -> None:
    from simple_history.utils import bulk_create_with_history

    pairs = {}  # one commitment per supporter and request, as the database requires
    while len(pairs) < SIZES["commitments"]:
        request, offer = rng.choice(requests), rng.choice(offers)
        pairs[request.pk, offer.member_id, offer.institution_id] = (request, offer)
    rows = []
    for request, offer in pairs.values():
        status = rng.choice(COMMITMENT_STATUSES)
        proposed = _day(rng)
        agreed = (
            proposed + datetime.timedelta(days=30) if status in ("agreed", "delivered") else None
        )
        amount = (request.amount or _amount(rng)) / 2
        rows.append(
            p.SupportCommitment(
                request=request, offer=offer, member_id=offer.member_id,
                institution_id=offer.institution_id, status=status, amount=amount,
                amount_usd=amount, currency="USD", proposed_on=proposed, agreed_on=agreed,
            )
        )  # fmt: skip
    bulk_create_with_history(rows, p.SupportCommitment, batch_size=1000)


def seed_projects(rng: random.Random, p, partnerships, sectors, technologies) -> None:
    from simple_history.utils import bulk_create_with_history

    rows, history = [], []
    for n in range(SIZES["projects"]):
        stage = rng.choice([*LADDER, "on_hold", "dropped"])
        steps = [*LADDER[:3], stage] if stage in ("on_hold", "dropped") else LADDER[
            : LADDER.index(stage) + 1]  # fmt: skip
        since = _day(rng, 600) + datetime.timedelta(days=120 * len(steps))
        capex = _amount(rng) * 100
        rows.append(
            p.PipelineProject(
                partnership=rng.choice(partnerships), name=f"Bench project {n}",
                slug=f"bench-project-{n}", sector=rng.choice(sectors), sponsor="Bench sponsor",
                capex=capex, capex_usd=capex, financing_gap=capex / 3, financing_gap_usd=capex / 3,
                currency="USD", abatement_t_per_year=Decimal(rng.randint(10, 3000) * 1000),
                stage=stage, stage_since=since, visibility=rng.choice(VISIBILITIES),
            )
        )  # fmt: skip
        history.append([(step, since - datetime.timedelta(days=120 * (len(steps) - 1 - k)))
                        for k, step in enumerate(steps)])  # fmt: skip
    projects = bulk_create_with_history(rows, p.PipelineProject, batch_size=1000)
    p.PipelineStageChange.objects.bulk_create(
        p.PipelineStageChange(project=project, stage=stage, changed_on=day)
        for project, steps in zip(projects, history, strict=True)
        for stage, day in steps
    )
    _link(p.PipelineProject.technologies, projects, lambda: rng.sample(technologies, 1))


def seed(*, seed: int = 15) -> dict[str, int]:
    """The partnerships data on top of the demo's reference lists (sectors, groups,
    technologies: ``bench/seed_bench.reference_data``)."""
    from django.db import transaction

    from bench.seed_bench import reference_data
    from members.models import Member
    from partnerships import models as p
    from tracker.models import CountryGroup, Sector, Technology

    rng = random.Random(seed)  # one generator, drawn in this order: the same data each run
    with transaction.atomic():
        reference_data()
        sectors, groups = list(Sector.objects.all()), list(CountryGroup.objects.all())
        technologies = list(Technology.objects.all())
        partnerships, members, institutions = seed_partnerships(rng, p, Member)
        requests = seed_requests(rng, p, partnerships, sectors)
        offers = seed_offers(rng, p, members, institutions, sectors, groups)
        seed_commitments(rng, p, requests, offers)
        seed_projects(rng, p, partnerships, sectors, technologies)
    return {
        model.__name__: model.objects.count()
        for model in (p.Partnership, p.SupportRequest, p.SupportOffer, p.SupportCommitment,
                      p.PipelineProject, p.PipelineStageChange)
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
