"""Suggested matches: for each open request, the offers that could answer it, ranked, each
with the reasons a person can check ("sector ✓ cement · kind ✓ technical study · country
eligible ✓ · amount fits ✗").

An offer is a candidate for a request when it is open today, shares its kind or one of its
sectors, and its provider has no live commitment to the request yet ("already proposed").
Candidates are ranked by what matters most to the secretariat: the country may ask at all,
then the kind, then the sectors, then the amount.

The pairs are found and scored in one SQL statement over the whole set (joins on kind,
sector, country and group), never request by request in Python: one request takes a few
milliseconds, every open request at once a few seconds (bench/partnerships_matching.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone

from tracker.models import CountryGroupMembership

from .models import (
    OfferCountry,
    Partnership,
    SupportCommitment,
    SupportKind,
    SupportOffer,
    SupportRequest,
)

# Requests the secretariat still looks for support for.
MATCHABLE_STATUSES = (SupportRequest.Status.OPEN, SupportRequest.Status.PARTLY_SUPPORTED)
# How the reasons weigh: an offer the country may not ask for is of little use however
# well it fits otherwise; kind before sector, sector before amount.
WEIGHTS = {"country": 8, "kind": 4, "sector": 2, "amount": 1}
DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class Suggestion:
    """One ranked candidate offer for a request, with its reasons."""

    request_id: int
    offer_id: int
    rank: int
    score: int
    kind_ok: bool
    shared_sectors: int
    country_ok: bool
    amount_ok: bool | None  # None: the request's or the offer's amount is not recorded
    offer: SupportOffer | None = None
    sector_names: tuple[str, ...] = ()

    def reasons(self) -> list[tuple[str, str, str]]:
        """(what, mark, detail) per reason; mark is ✓, ✗ or "not recorded"."""
        offer = self.offer
        kind = SupportKind(offer.kind).label.lower() if offer else ""
        sectors = ", ".join(name.lower() for name in self.sector_names)
        return [
            ("sector", _mark(self.shared_sectors > 0), sectors if self.shared_sectors else ""),
            ("kind", _mark(self.kind_ok), kind),
            ("country eligible", _mark(self.country_ok), ""),
            ("amount fits", _mark(self.amount_ok), ""),
        ]

    def reasons_text(self) -> str:
        """ "sector ✓ cement · kind ✓ technical study · country eligible ✓ · amount fits ✗" """
        parts = []
        for what, mark, detail in self.reasons():
            parts.append(" ".join(piece for piece in (what, mark, detail) if piece))
        return " · ".join(parts)


def _mark(value: bool | None) -> str:
    if value is None:
        return "not recorded"
    return "✓" if value else "✗"


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    through = {
        "request_sectors": SupportRequest.sectors.through,
        "offer_sectors": SupportOffer.sectors.through,
        "offer_groups": SupportOffer.eligible_groups.through,
    }
    names = {key: quote(model._meta.db_table) for key, model in through.items()}
    for key, model in {
        "request": SupportRequest,
        "offer": SupportOffer,
        "offer_country": OfferCountry,
        "commitment": SupportCommitment,
        "partnership": Partnership,
        "group_member": CountryGroupMembership,
    }.items():
        names[key] = quote(model._meta.db_table)
    return names


# Column names of the many-to-many tables follow Django's defaults
# (<model>_id); CTEs keep the statement readable and let the planner hash-join each step.
_SQL = """
WITH req AS (
    SELECT r.id, p.country, r.kind, r.amount_usd
    FROM {request} r JOIN {partnership} p ON p.id = r.partnership_id
    WHERE r.status IN ({statuses}) {only_requests}
), offr AS (
    SELECT o.id, o.kind, o.open_to_all_countries, o.amount_min_usd, o.amount_max_usd,
           o.member_id, o.institution_id
    FROM {offer} o
    WHERE (o.opens_on IS NULL OR o.opens_on <= %(today)s)
      AND (o.closes_on IS NULL OR o.closes_on >= %(today)s)
), shared AS (
    SELECT rs.supportrequest_id AS request_id, os.supportoffer_id AS offer_id, COUNT(*) AS n
    FROM {request_sectors} rs
    JOIN req ON req.id = rs.supportrequest_id
    JOIN {offer_sectors} os ON os.sector_id = rs.sector_id
    JOIN offr ON offr.id = os.supportoffer_id
    GROUP BY rs.supportrequest_id, os.supportoffer_id
), pairs AS (
    SELECT request_id, offer_id FROM shared
    UNION
    SELECT req.id, offr.id FROM req JOIN offr ON offr.kind = req.kind
), eligible AS (
    SELECT req.id AS request_id, oc.offer_id
    FROM req JOIN {offer_country} oc ON oc.country = req.country
    UNION
    SELECT req.id, og.supportoffer_id
    FROM req
    JOIN {group_member} gm ON gm.country = req.country
    JOIN {offer_groups} og ON og.countrygroup_id = gm.group_id
), live AS (
    SELECT k.request_id, k.member_id, k.institution_id
    FROM {commitment} k JOIN req ON req.id = k.request_id
    WHERE k.status <> %(declined)s
), scored AS (
    SELECT pairs.request_id, pairs.offer_id,
        CASE WHEN o.kind = r.kind THEN 1 ELSE 0 END AS kind_ok,
        COALESCE(s.n, 0) AS shared_sectors,
        CASE WHEN o.open_to_all_countries OR e.offer_id IS NOT NULL THEN 1 ELSE 0 END
            AS country_ok,
        CASE WHEN r.amount_usd IS NULL
                  OR (o.amount_min_usd IS NULL AND o.amount_max_usd IS NULL) THEN NULL
             WHEN (o.amount_min_usd IS NULL OR o.amount_min_usd <= r.amount_usd)
                  AND (o.amount_max_usd IS NULL OR o.amount_max_usd >= r.amount_usd) THEN 1
             ELSE 0 END AS amount_ok
    FROM pairs
    JOIN req r ON r.id = pairs.request_id
    JOIN offr o ON o.id = pairs.offer_id
    LEFT JOIN shared s ON s.request_id = pairs.request_id AND s.offer_id = pairs.offer_id
    LEFT JOIN eligible e ON e.request_id = pairs.request_id AND e.offer_id = pairs.offer_id
    WHERE NOT EXISTS (
        SELECT 1 FROM live
        WHERE live.request_id = pairs.request_id
          AND (live.member_id = o.member_id OR live.institution_id = o.institution_id)
    )
), ranked AS (
    SELECT scored.*,
        country_ok * {w_country} + kind_ok * {w_kind}
            + CASE WHEN shared_sectors > 0 THEN {w_sector} ELSE 0 END
            + COALESCE(amount_ok, 0) * {w_amount} AS score
    FROM scored
), numbered AS (
    SELECT ranked.*, ROW_NUMBER() OVER (
        PARTITION BY request_id ORDER BY score DESC, shared_sectors DESC, offer_id DESC
    ) AS position
    FROM ranked
)
SELECT request_id, offer_id, position, score, kind_ok, shared_sectors, country_ok, amount_ok
FROM numbered WHERE position <= %(limit)s
ORDER BY request_id, position
"""


def _statement(request_ids: list[int] | None) -> tuple[str, dict]:
    params: dict = {"declined": SupportCommitment.Status.DECLINED}
    statuses = []
    for number, status in enumerate(MATCHABLE_STATUSES):
        params[f"status{number}"] = status.value
        statuses.append(f"%(status{number})s")
    only = ""
    if request_ids is not None:
        for number, pk in enumerate(request_ids):
            params[f"request{number}"] = int(pk)
        only = "AND r.id IN ({})".format(
            ", ".join(f"%(request{n})s" for n in range(len(request_ids)))
        )
    weights = {f"w_{key}": value for key, value in WEIGHTS.items()}
    sql = _SQL.format(statuses=", ".join(statuses), only_requests=only, **_tables(), **weights)
    return sql, params


def _scored_rows(request_ids: list[int] | None, *, today: date, limit: int) -> list[tuple]:
    if request_ids == []:
        return []
    sql, params = _statement(request_ids)
    params.update(today=today, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _suggestion(row: tuple) -> Suggestion:
    request_id, offer_id, position, score, kind_ok, shared, country_ok, amount_ok = row
    return Suggestion(
        request_id=request_id,
        offer_id=offer_id,
        rank=int(position),
        score=int(score),
        kind_ok=bool(kind_ok),
        shared_sectors=int(shared),
        country_ok=bool(country_ok),
        amount_ok=None if amount_ok is None else bool(amount_ok),
    )


def ranked_matches(
    request_ids: list[int] | None = None,
    *,
    today: date | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[int, list[Suggestion]]:
    """The best ``limit`` candidate offers of each open request (of ``request_ids``, or of
    every open request), ranked: request id → suggestions, without offer details. A
    request with no candidate is absent."""
    today = today or timezone.localdate()
    found: dict[int, list[Suggestion]] = defaultdict(list)
    for row in _scored_rows(request_ids, today=today, limit=limit):
        suggestion = _suggestion(row)
        found[suggestion.request_id].append(suggestion)
    return dict(found)


def suggested_matches(
    requests: list[SupportRequest], *, today: date | None = None, limit: int = DEFAULT_LIMIT
) -> dict[int, list[Suggestion]]:
    """:func:`ranked_matches` of ``requests`` with each offer (its provider and sectors)
    and the names of the sectors it shares with its request: what the admin pages show.
    Three queries whatever the number of requests."""
    ranked = ranked_matches([r.pk for r in requests], today=today, limit=limit)
    offer_ids = {s.offer_id for suggestions in ranked.values() for s in suggestions}
    offers = SupportOffer.objects.select_related("member", "institution").prefetch_related(
        "sectors"
    )
    offers_by_id = offers.in_bulk(offer_ids)
    sectors_of = {r.pk: {s.pk: s.name for s in r.sectors.all()} for r in requests}
    result = {}
    for request_id, suggestions in ranked.items():
        wanted = sectors_of.get(request_id, {})
        result[request_id] = [
            _with_offer(suggestion, offers_by_id[suggestion.offer_id], wanted)
            for suggestion in suggestions
        ]
    return result


def _with_offer(suggestion: Suggestion, offer: SupportOffer, wanted: dict[int, str]):
    shared = tuple(wanted[s.pk] for s in offer.sectors.all() if s.pk in wanted)
    return Suggestion(**{**suggestion.__dict__, "offer": offer, "sector_names": shared})


def suggestions_for(
    request: SupportRequest, *, today: date | None = None, limit: int = DEFAULT_LIMIT
) -> list[Suggestion]:
    """The ranked suggestions of one request (empty for a request no longer open)."""
    return suggested_matches([request], today=today, limit=limit).get(request.pk, [])


__all__ = [
    "DEFAULT_LIMIT",
    "Suggestion",
    "ranked_matches",
    "suggested_matches",
    "suggestions_for",
]
