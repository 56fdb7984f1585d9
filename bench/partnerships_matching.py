"""Benchmark: suggested matches (``partnerships.matching``) with 200 partnerships, 5,000
requests, 2,000 offers and 3,000 commitments. Bars: one request ≤ 100 ms, every open
request in one batch ≤ 60 s.

    .venv/bin/python bench/partnerships_matching.py [--repetitions 20] [--keep-db]

Uses its own PostgreSQL database (``leadit_bench_matching``, dropped at the end unless
``--keep-db``). Rows are bulk-inserted with a fixed random seed, so two runs measure the
same data.
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import create_database, drop_database, manage, production_env, setup_django  # noqa: E402

DB_NAME = "leadit_bench_matching"
SIZES = {"partnerships": 200, "requests": 5000, "offers": 2000, "commitments": 3000}
ONE_BAR_MS = 100
BATCH_BAR_S = 60
KINDS = [
    "policy", "technical_study", "capacity_building", "technology",
    "grant", "concessional_loan", "guarantee", "equity",
]  # fmt: skip


def seed(rng: random.Random) -> None:
    from django_countries import countries

    from members.models import Member
    from partnerships import models as p
    from tracker.models import CountryGroup, CountryGroupMembership, Sector

    codes = [code for code, _ in countries][: SIZES["partnerships"]]
    sectors = [Sector.objects.create(name=f"Sector {n}", slug=f"sector-{n}") for n in range(8)]
    groups = [
        CountryGroup.objects.create(name=f"Group {n}", slug=f"group-{n}", kind="group")
        for n in range(10)
    ]
    CountryGroupMembership.objects.bulk_create(
        CountryGroupMembership(group=rng.choice(groups), country=code) for code in codes
    )
    members = Member.objects.bulk_create(
        Member(name=f"Member {n}", slug=f"member-{n}", kind="company", country="SE")
        for n in range(60)
    )
    partnerships = p.Partnership.objects.bulk_create(
        p.Partnership(country=code, name=code, stage_since=datetime.date(2024, 1, 1))
        for code in codes
    )
    requests = _seed_requests(rng, p, partnerships, sectors)
    offers = _seed_offers(rng, p, members, sectors, groups, codes)
    _seed_commitments(rng, p, requests, offers)


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.choice([5, 10, 50, 100, 500, 1000, 5000])) * 10_000


def _seed_requests(rng, p, partnerships, sectors):
    statuses = ["open"] * 6 + ["partly_supported"] * 2 + ["supported", "closed"]
    requests = p.SupportRequest.objects.bulk_create(
        p.SupportRequest(
            partnership=rng.choice(partnerships),
            title=f"Request {n}",
            kind=rng.choice(KINDS),
            description="-",
            amount=(amount := _amount(rng) if rng.random() < 0.8 else None),
            amount_usd=amount,
            currency="USD" if amount else "",
            status=rng.choice(statuses),
        )
        for n in range(SIZES["requests"])
    )
    through = p.SupportRequest.sectors.through
    through.objects.bulk_create(
        through(supportrequest_id=r.pk, sector_id=s.pk)
        for r in requests
        for s in rng.sample(sectors, rng.randint(1, 2))
    )
    return requests


def _seed_offers(rng, p, members, sectors, groups, codes):
    offers = []
    for n in range(SIZES["offers"]):
        low = _amount(rng)
        opens = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 400))
        offers.append(
            p.SupportOffer(
                member=rng.choice(members),
                title=f"Offer {n}",
                kind=rng.choice(KINDS),
                description="-",
                instrument="grant",
                open_to_all_countries=rng.random() < 0.3,
                amount_min=low,
                amount_max=low * 20,
                amount_min_usd=low,
                amount_max_usd=low * 20,
                currency="USD",
                opens_on=opens,
                closes_on=opens + datetime.timedelta(days=rng.randint(30, 900)),
            )
        )
    offers = p.SupportOffer.objects.bulk_create(offers)
    sector_through = p.SupportOffer.sectors.through
    sector_through.objects.bulk_create(
        sector_through(supportoffer_id=o.pk, sector_id=s.pk)
        for o in offers
        for s in rng.sample(sectors, rng.randint(1, 3))
    )
    group_through = p.SupportOffer.eligible_groups.through
    group_through.objects.bulk_create(
        group_through(supportoffer_id=o.pk, countrygroup_id=g.pk)
        for o in offers
        for g in rng.sample(groups, rng.randint(0, 2))
    )
    p.OfferCountry.objects.bulk_create(
        p.OfferCountry(offer=o, country=code)
        for o in offers
        for code in rng.sample(codes, rng.randint(0, 5))
    )
    return offers


def _seed_commitments(rng, p, requests, offers):
    pairs = {}  # one commitment per supporter and request, as the database requires
    while len(pairs) < SIZES["commitments"]:
        request, offer = rng.choice(requests), rng.choice(offers)
        pairs[request.pk, offer.member_id] = offer.pk
    p.SupportCommitment.objects.bulk_create(
        p.SupportCommitment(
            request_id=request_id,
            member_id=member_id,
            offer_id=offer_id,
            status=rng.choice(["proposed", "agreed", "declined"]),
            proposed_on=datetime.date(2025, 6, 1),
        )
        for (request_id, member_id), offer_id in pairs.items()
    )


def measure(repetitions: int) -> dict:
    from django.db import connection

    from partnerships.matching import ranked_matches, suggestions_for
    from partnerships.models import SupportRequest

    today = datetime.date(2026, 3, 2)
    open_requests = list(
        SupportRequest.objects.filter(status__in=["open", "partly_supported"])
        .prefetch_related("sectors")
        .order_by("?")[:repetitions]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    suggestions_for(open_requests[0], today=today)  # warm-up
    one = []
    for request in open_requests:
        started = time.perf_counter()
        suggestions_for(request, today=today)
        one.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    batch = ranked_matches(today=today)
    batch_seconds = time.perf_counter() - started
    return {
        "one_median_ms": statistics.median(one),
        "one_max_ms": max(one),
        "batch_s": batch_seconds,
        "requests_with_suggestions": len(batch),
        "suggestions": sum(len(found) for found in batch.values()),
    }


def report(figures: dict) -> None:
    one_ok = figures["one_max_ms"] <= ONE_BAR_MS
    batch_ok = figures["batch_s"] <= BATCH_BAR_S
    print(
        f"one request: median {figures['one_median_ms']:.1f} ms, "
        f"max {figures['one_max_ms']:.1f} ms (bar {ONE_BAR_MS} ms: {'met' if one_ok else 'MISSED'})"
    )
    print(
        f"all open requests: {figures['batch_s']:.2f} s for "
        f"{figures['requests_with_suggestions']} requests, {figures['suggestions']} suggestions "
        f"(bar {BATCH_BAR_S} s: {'met' if batch_ok else 'MISSED'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    env = production_env(DB_NAME)
    create_database(DB_NAME)
    try:
        manage(env, "migrate", "--no-input")
        setup_django(env)
        started = time.perf_counter()
        seed(random.Random(15))
        print(f"  seeded {SIZES} in {time.perf_counter() - started:.1f} s", flush=True)
        report(measure(args.repetitions))
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            drop_database(DB_NAME)


if __name__ == "__main__":
    main()
