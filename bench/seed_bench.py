"""Bulk data for the benchmarks: sectors, country groups, instruments and technologies as in
the demo, then N roadmaps and M targets spread realistically over countries, sectors,
scopes and statuses (with history records, as real edits would leave).

Run inside a configured Django (``bench/tracker_load.py`` does), or alone:
``DATABASE_URL=... python bench/seed_bench.py --roadmaps 1000 --targets 4000``.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

# Countries weighted roughly by how many roadmaps they have in the field's trackers: G20 and
# LeadIT members most, then a long tail.
COUNTRY_WEIGHTS = {
    "IN": 8, "SE": 8, "DE": 8, "JP": 7, "CN": 7, "US": 7, "GB": 6, "FR": 5, "KR": 5,
    "BR": 4, "CA": 4, "AU": 4, "NL": 4, "IT": 3, "ES": 3, "ZA": 3, "ID": 3, "MX": 3,
    "TR": 2, "SA": 2, "AR": 2, "RU": 1, "AT": 2, "BE": 2, "DK": 2, "FI": 2, "NO": 2,
    "CH": 2, "IE": 1, "LU": 1, "PL": 1, "CZ": 1, "AE": 2, "EG": 1, "KE": 1, "MA": 1,
    "NG": 1, "ET": 1, "VN": 1, "CL": 1, "CO": 1, "NZ": 1, "PT": 1, "GR": 1, "RO": 1,
}  # fmt: skip
SCOPES = {"national": 60, "company": 15, "sectoral": 10, "regional": 10, "global": 5}
ROADMAP_STATUSES = {
    "announced": 20,
    "in_preparation": 20,
    "adopted": 35,
    "in_implementation": 20,
    "superseded": 5,
}
TARGET_KINDS = {
    "net_zero": 35,
    "absolute": 30,
    "intensity": 15,
    "production_share": 10,
    "other": 10,
}
TARGET_STATUSES = {"proposed": 15, "pledge": 30, "policy_document": 30, "law": 20, "achieved": 5}
LANGUAGES = ["English", "English", "English", "German", "Swedish", "Japanese", "Hindi", "French"]

FALLBACK_SECTORS = [
    ("Iron and steel", "steel"),
    ("Cement and concrete", "cement"),
    ("Aluminium", "aluminium"),
    ("Chemicals", "chemicals"),
    ("Aviation", "aviation"),
    ("Shipping", "shipping"),
]


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def reference_data() -> None:
    """Sectors, groups, instruments and technologies: the demo's lists when available."""
    from tracker.models import (
        CountryGroup,
        CountryGroupMembership,
        PolicyInstrument,
        Sector,
        Technology,
    )

    try:
        from tracker import demo

        sectors, instruments, technologies = demo.SECTORS, demo.INSTRUMENTS, demo.TECHNOLOGIES
        groups = [(("G20", "g20"), demo.G20, "group"), (("European Union", "eu"), demo.EU, "group")]
        groups += [(key, codes, "region") for key, codes in demo.REGIONS.items()]
    except (ImportError, AttributeError):
        sectors = FALLBACK_SECTORS
        instruments = [("Carbon pricing", "carbon-pricing"), ("Grants", "grants")]
        technologies = [("H2-DRI", "h2-dri"), ("CCUS", "ccus")]
        groups = [(("G20", "g20"), ["IN", "DE", "JP", "US", "CN", "BR"], "group")]
    for order, (name, slug) in enumerate(sectors, start=1):
        Sector.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
    for name, slug in instruments:
        PolicyInstrument.objects.update_or_create(slug=slug, defaults={"name": name})
    for name, slug in technologies:
        Technology.objects.update_or_create(slug=slug, defaults={"name": name})
    for (name, slug), codes, kind in groups:
        group, _ = CountryGroup.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind}
        )
        for code in codes:
            CountryGroupMembership.objects.get_or_create(group=group, country=code)


def seed(*, roadmaps: int = 1000, targets: int = 4000, seed: int = 4) -> dict[str, int]:
    from django.db import transaction

    rng = random.Random(seed)  # one generator, drawn in this order: the same data each run
    with transaction.atomic():
        reference_data()
        items = seed_roadmaps(rng, roadmaps)
        link_roadmaps(rng, items)
        all_targets = seed_targets(rng, items, targets)
        interim = link_interim_targets(all_targets)
    return {"roadmaps": len(items), "targets": len(all_targets), "interim": len(interim)}


def seed_roadmaps(rng: random.Random, count: int) -> list:
    """``count`` roadmaps of every scope, with history; each remembers the sectors and
    instruments drawn for it (``_bench_sectors``, ``_bench_instruments``)."""
    from simple_history.utils import bulk_create_with_history

    from tracker.models import CountryGroup, PolicyInstrument, Roadmap, Sector

    sectors = list(Sector.objects.all())
    instruments = list(PolicyInstrument.objects.all())
    regions = list(CountryGroup.objects.all())
    today = datetime.date(2025, 6, 1)
    items = []
    for n in range(count):
        scope = pick(rng, SCOPES)
        country = pick(rng, COUNTRY_WEIGHTS) if scope in ("national", "company") else ""
        region = rng.choice(regions) if scope == "regional" else None
        sector_names = rng.sample(sectors, k=rng.choice([1, 1, 1, 2, 2, 3]))
        title_sector = sector_names[0].name
        place = country or (region.name if region else "Global")
        items.append(
            Roadmap(
                title=f"{place} {title_sector.lower()} transition roadmap {n + 1} (bench)",
                slug=f"bench-roadmap-{n + 1}",
                scope=scope,
                country=country,
                region=region,
                publisher=f"Bench publisher {rng.randint(1, 200)}",
                published_on=today - datetime.timedelta(days=rng.randint(0, 365 * 8)),
                status=pick(rng, ROADMAP_STATUSES),
                summary="A **benchmark** roadmap: invented data.\n\n" + "Text. " * 40,
                document_url=f"https://example.org/roadmaps/{n + 1}.pdf",
                language=rng.choice(LANGUAGES),
                last_reviewed_on=today - datetime.timedelta(days=rng.randint(0, 900)),
            )
        )
        items[-1]._bench_sectors = sector_names
        items[-1]._bench_instruments = rng.sample(instruments, k=rng.randint(0, 3))
    bulk_create_with_history(items, Roadmap, batch_size=500)
    return items


def link_roadmaps(rng: random.Random, items: list) -> None:
    """The roadmaps' sectors and instruments; a few superseded ones point at a successor."""
    from tracker.models import Roadmap

    sector_links, instrument_links = [], []
    for roadmap in items:  # bulk_create set their ids (PostgreSQL)
        sector_links += [
            Roadmap.sectors.through(roadmap_id=roadmap.pk, sector_id=s.pk)
            for s in roadmap._bench_sectors
        ]
        instrument_links += [
            Roadmap.instruments.through(roadmap_id=roadmap.pk, policyinstrument_id=i.pk)
            for i in roadmap._bench_instruments
        ]
    Roadmap.sectors.through.objects.bulk_create(sector_links, batch_size=2000)
    Roadmap.instruments.through.objects.bulk_create(instrument_links, batch_size=2000)
    superseded = [r for r in items if r.status == "superseded"]
    for old in superseded:
        old.superseded_by_id = rng.choice(items).pk if rng.random() < 0.7 else None
        if old.superseded_by_id == old.pk:
            old.superseded_by_id = None
    Roadmap.objects.bulk_update(superseded, ["superseded_by"], batch_size=500)


def seed_targets(rng: random.Random, items: list, count: int) -> list:
    """``count`` targets with history: most belong to a roadmap (its country), some are
    country-level."""
    from simple_history.utils import bulk_create_with_history

    from tracker.models import Target

    all_targets = []
    for _ in range(count):
        roadmap = rng.choice(items) if rng.random() < 0.85 else None
        country = roadmap.country if roadmap else pick(rng, COUNTRY_WEIGHTS)
        if roadmap is None and not country:
            country = "IN"
        sector = rng.choice(roadmap._bench_sectors) if roadmap and rng.random() < 0.7 else None
        kind = pick(rng, TARGET_KINDS)
        base = rng.choice([None, 1990, 2005, 2015, 2019, 2020])
        year = rng.choice([2025, 2030, 2030, 2035, 2040, 2045, 2050, 2050, 2060, 2070])
        all_targets.append(
            Target(
                roadmap=roadmap,
                country=country,
                sector=sector,
                kind=kind,
                description=f"Bench target: {kind.replace('_', ' ')} by {year}",
                base_year=base,
                target_year=year,
                value=None if kind == "net_zero" else rng.randint(10, 100),
                unit="" if kind == "net_zero" else "%",
                status=pick(rng, TARGET_STATUSES),
            )
        )
    bulk_create_with_history(all_targets, Target, batch_size=1000)
    return all_targets


def link_interim_targets(all_targets: list) -> list:
    """Interim targets lead to their roadmap's net-zero target; returns the interim ones."""
    from tracker.models import Target

    net_zero = {}
    for target in all_targets:
        if target.roadmap is not None and target.kind == "net_zero":
            net_zero.setdefault(target.roadmap.pk, target)
    interim = []
    for target in all_targets:
        end = net_zero.get(target.roadmap.pk) if target.roadmap is not None else None
        if end is not None and end is not target and target.target_year < end.target_year:
            target.end_target_id = end.pk
            interim.append(target)
    Target.objects.bulk_update(interim, ["end_target"], batch_size=1000)
    return interim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roadmaps", type=int, default=1000)
    parser.add_argument("--targets", type=int, default=4000)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadit.settings")
    import django

    django.setup()
    started = time.perf_counter()
    counts = seed(roadmaps=args.roadmaps, targets=args.targets)
    print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
