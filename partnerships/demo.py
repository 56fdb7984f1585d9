"""Demo data for the partnerships app (``seed_demo`` finds it after members and tracker).

One partnership is real: the India–Sweden industry transition partnership that the two
governments launched with LeadIT 2.0 at the LeadIT Leadership Summit during COP28 in
Dubai on 1 December 2023. It says only that public record, with its sources, and records
no requests, commitments, plan or projects (none are published for it here).

Everything else is invented and flagged ``is_demo``: four partnerships with real
emerging-economy country codes but "(demo)" names, their requests, the offers of the demo
member companies and of fictional partner institutions, commitments, pipeline projects,
plan outcomes, and currency rates whose source says they are demo rates. Seeding twice
changes nothing: rows are matched on natural keys and saved only when a value differs
(so no extra history rows either). The facts and tables it writes are in ``demo_data.py``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from leadit.demo import demo_user_ensure
from members.models import Member
from tracker.models import CountryGroup, Sector, Technology

from .demo_data import (
    COMMITMENTS,
    COMPANY_OFFERS,
    DEMO_LABEL,
    DEMO_TODAY,
    FOCAL_EMAIL,
    INDIA_NAME,
    INDIA_SOURCES,
    INDIA_SUMMARY,
    INSTITUTION_OFFERS,
    INSTITUTIONS,
    LADDER,
    LAUNCHED,
    OFFER_GROUPS,
    OUTCOMES,
    PARTNERSHIP_SUMMARY,
    PARTNERSHIPS,
    PRIORITIES,
    PROJECT_KINDS,
    PROJECT_STAGES,
    PROJECTS_PER_PARTNERSHIP,
    RATE_DAYS,
    RATE_SOURCE,
    RATES,
    REQUEST_STATUSES,
    REQUEST_TOPICS,
    REQUESTS_PER_PARTNERSHIP,
    SPONSORS,
    WHOLE,
    C,
    P,
    S,
)
from .models import (
    AMOUNT_CEILING,
    CurrencyRate,
    FocalPoint,
    OfferCountry,
    Outcome,
    OutcomeMeasurement,
    PartnerInstitution,
    Partnership,
    PartnershipSource,
    PartnershipStageChange,
    PipelineProject,
    PipelineStageChange,
    SupportCommitment,
    SupportOffer,
    SupportRequest,
    Visibility,
)
from .money import to_usd

# The demo's "today": its dates stay the same whatever day it is seeded.


@transaction.atomic
def seed_demo() -> list:
    _seed_rates()
    _seed_india()
    companies = list(Member.objects.filter(is_demo=True, kind=Member.Kind.COMPANY).order_by("pk"))
    sectors = {sector.slug: sector for sector in Sector.objects.all()}
    partnerships = [_seed_partnership(spec, companies) for spec in PARTNERSHIPS]
    requests = [
        request
        for number, partnership in enumerate(partnerships)
        for request in _seed_requests(partnership, number, sectors)
    ]
    offers = _seed_offers(_seed_institutions(), companies, sectors)
    _seed_commitments(requests, offers)
    for number, partnership in enumerate(partnerships):
        _seed_projects(partnership, number, sectors, offers)
    for partnership in partnerships:
        if Partnership.stage_rank(partnership.stage) >= Partnership.stage_rank("plan_agreed"):
            _seed_outcomes(partnership)
    # A focal point of the first demo partnership, to try their pages with.
    user, password = demo_user_ensure(email=FOCAL_EMAIL, first_name="Demo", last_name="Focal point")
    FocalPoint.objects.get_or_create(user=user, partnership=partnerships[0])
    return [(user, password, f"focal point of {partnerships[0]}")]


# --- Writing rows once ---------------------------------------------------------------------


def ensure(model: type[Model], lookup: dict, values: dict) -> Model:
    """The row of ``model`` matching ``lookup`` with ``values``: created if missing, saved
    only when a value differs, so a second seeding writes nothing (nor any history)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save()
    return row


def ensure_set(row: Model, field: str, wanted: list) -> None:
    """Set a many-to-many field only when it differs."""
    manager = getattr(row, field)
    if {obj.pk for obj in manager.all()} != {obj.pk for obj in wanted}:
        manager.set(wanted)


def _backdate(model: type[Model], pk: int, day: date) -> None:
    """``created_at`` is set on insert; the demo's records are dated in the past so that
    pages and the newsletter spread them over the quarters. An update: no history row."""
    moment = timezone.make_aware(datetime.combine(day, time(10)))
    model.objects.filter(pk=pk).exclude(created_at=moment).update(created_at=moment)


def _money(amount, currency: str, on: date) -> tuple[Decimal | None, CurrencyRate | None]:
    converted = to_usd(amount, currency, on)
    return converted.usd, converted.rate


def _local(usd: int | None, currency: str) -> tuple[Decimal | None, str]:
    """``usd`` US dollars in ``currency`` at the demo's later rate, rounded, with the
    currency; in US dollars when the local figure would pass the portal's ceiling (a
    trillion: large rupiah amounts)."""
    if usd is None:
        return None, ""
    if currency in ("", "USD"):
        return Decimal(usd), "USD"
    per_unit = Decimal({code: later for code, _, later in RATES}[currency])
    local = (Decimal(usd) / per_unit).quantize(Decimal("1E3"))
    return (local, currency) if local < AMOUNT_CEILING else (Decimal(usd), "USD")


# --- Partnerships --------------------------------------------------------------------------


def _seed_rates() -> None:
    for currency, *values in RATES:
        for day, value in zip(RATE_DAYS, values, strict=True):
            ensure(
                CurrencyRate,
                {"currency": currency, "as_of": day},
                {"usd_per_unit": Decimal(value), "source": RATE_SOURCE},
            )


def _country_member(code: str) -> Member | None:
    return Member.objects.filter(kind=Member.Kind.COUNTRY, country=code, is_demo=False).first()


def _seed_india() -> Partnership:
    india = ensure(
        Partnership,
        {"country": "IN"},
        {
            "name": INDIA_NAME,
            "summary": INDIA_SUMMARY,
            "stage": Partnership.Stage.EXPRESSION_OF_INTEREST,
            "stage_since": LAUNCHED,
            "is_demo": False,
        },
    )
    ensure_set(india, "lead_members", [m for m in map(_country_member, ("IN", "SE")) if m])
    ensure(
        PartnershipStageChange,
        {"partnership": india, "stage": india.stage, "changed_on": LAUNCHED},
        {"reason": "Launched at the LeadIT Leadership Summit at COP28, Dubai."},
    )
    for title, publisher, url, published in INDIA_SOURCES:
        ensure(
            PartnershipSource,
            {"partnership": india, "url": url},
            {"title": title, "publisher": publisher, "published_on": published},
        )
    return india


def _ladder_dates(steps: int, last: date, gap_days: int) -> list[date]:
    """``steps`` dates ``gap_days`` apart, ending on ``last``."""
    return [last - timedelta(days=gap_days * (steps - 1 - n)) for n in range(steps)]


def _seed_partnership(spec: tuple, companies: list[Member]) -> Partnership:
    code, _currency, stage, lead, supporting = spec
    country = dict(_country_names())[code]
    rank = Partnership.stage_rank(stage)
    since = DEMO_TODAY - timedelta(days=40 + 35 * rank)
    partnership = ensure(
        Partnership,
        {"country": code},
        {
            "name": f"{country} — demo partnership (invented)",
            "summary": PARTNERSHIP_SUMMARY.format(country=country),
            "stage": stage,
            "stage_since": since,
            "is_demo": True,
        },
    )
    if companies:
        ensure_set(partnership, "lead_members", [companies[lead % len(companies)]])
        ensure_set(
            partnership,
            "supporting_members",
            [companies[n % len(companies)] for n in supporting],
        )
    stages = Partnership.Stage.values[: rank + 1]
    for step, day in zip(stages, _ladder_dates(len(stages), since, 150), strict=True):
        ensure(
            PartnershipStageChange,
            {"partnership": partnership, "stage": step, "changed_on": day},
            {"reason": ""},
        )
    return partnership


def _country_names() -> list[tuple[str, str]]:
    return [(code, countries.name(code)) for code, *_ in PARTNERSHIPS]


def _currency_of(partnership: Partnership) -> str:
    code = partnership.country.code
    return next(currency for country, currency, *_ in PARTNERSHIPS if country == code)


# --- Requests, offers, commitments ---------------------------------------------------------


def _visibility(n: int, members_every: int, secretariat_every: int) -> str:
    if n % secretariat_every == secretariat_every - 2:
        return Visibility.SECRETARIAT
    if n % members_every == members_every - 2:
        return Visibility.MEMBERS
    return Visibility.PUBLIC


def _seed_requests(partnership: Partnership, number: int, sectors: dict) -> list:
    currency = _currency_of(partnership)
    rows = []
    for k in range(REQUESTS_PER_PARTNERSHIP):
        n = number * REQUESTS_PER_PARTNERSHIP + k
        kind, sector, topic, usd = REQUEST_TOPICS[(number * 4 + k) % len(REQUEST_TOPICS)]
        asked_on = date(2024, 4, 1) + timedelta(days=24 * n)
        amount, amount_currency = _local(usd, "USD" if k % 3 == 0 else currency)
        amount_usd, rate = _money(amount, amount_currency, asked_on)
        request = ensure(
            SupportRequest,
            {"partnership": partnership, "title": f"{topic} (demo)"},
            {
                "kind": kind,
                "description": _request_text(topic, partnership),
                "amount": amount,
                "currency": amount_currency,
                "amount_usd": amount_usd,
                "usd_rate": rate,
                "priority": PRIORITIES[n % len(PRIORITIES)],
                "status": REQUEST_STATUSES[(k + number) % len(REQUEST_STATUSES)],
                "visibility": _visibility(n, 7, 11),
                "is_demo": True,
            },
        )
        extra = ["cement"] if k % 4 == 1 and sector != "cement" else []
        ensure_set(request, "sectors", [sectors[s] for s in [sector, *extra] if s in sectors])
        _backdate(SupportRequest, request.pk, asked_on)
        request.asked_on = asked_on
        rows.append(request)
    return rows


def _request_text(topic: str, partnership: Partnership) -> str:
    return (
        f"*{DEMO_LABEL}.* A fictional request of the {partnership.country.name} demo "
        f"partnership: {topic.lower()}.\n\n"
        "- what is asked: support to prepare and deliver it\n"
        "- why: it unlocks projects in the partnership's pipeline"
    )


def _seed_institutions() -> list[PartnerInstitution]:
    return [
        ensure(
            PartnerInstitution,
            {"slug": slug},
            {"name": name, "kind": kind, "country": country, "is_demo": True},
        )
        for name, slug, kind, country in INSTITUTIONS
    ]


def _offer_specs(institutions: list, companies: list) -> list[tuple]:
    """(provider, kind, instrument, sector slugs, title, min, max, currency): three offers of
    each institution, two of each of the first five demo companies."""
    specs = []
    for n, institution in enumerate(institutions):
        for k in range(3):
            spec = INSTITUTION_OFFERS[(n + k * 2) % len(INSTITUTION_OFFERS)]
            specs.append((institution, *spec))
    for n, company in enumerate(companies[:5]):
        company_sectors = [s.slug for s in company.sectors.all()] or ["steel"]
        for k in range(2):
            kind, instrument, title, low, high, currency = COMPANY_OFFERS[(n + k) % 4]
            specs.append((company, kind, instrument, company_sectors, title, low, high, currency))
    return specs


def _seed_offers(institutions: list, companies: list, sectors: dict) -> list[SupportOffer]:
    groups = {group.slug: group for group in CountryGroup.objects.all()}
    offers = []
    for n, (provider, kind, instrument, slugs, title, low, high, currency) in enumerate(
        _offer_specs(institutions, companies)
    ):
        opens = date(2024, 1, 15) + timedelta(days=30 * n)
        # Some windows have closed (expired offers), some never close.
        closes = None if n % 4 == 0 else opens + timedelta(days=300 + 90 * (n % 5))
        is_member = isinstance(provider, Member)
        amount_min, currency = _local(low, currency)
        amount_max, currency = _local(high, currency)
        offer = ensure(
            SupportOffer,
            {"title": f"{title} — {provider.name}"},
            {
                "member": provider if is_member else None,
                "institution": None if is_member else provider,
                "kind": kind,
                "instrument": instrument,
                "description": f"*{DEMO_LABEL}.* A fictional offer of {provider.name}.",
                "open_to_all_countries": n % 5 == 0,
                "amount_min": amount_min,
                "amount_max": amount_max,
                "amount_min_usd": _money(amount_min, currency, opens)[0],
                "amount_max_usd": _money(amount_max, currency, opens)[0],
                "usd_rate": _money(amount_max, currency, opens)[1],
                "currency": currency,
                "opens_on": opens,
                "closes_on": closes,
                "contact_name": "Demo contact (invented)",
                "contact_email": "offers@demo.example",
                "visibility": _visibility(n, 9, 13),
                "is_demo": True,
            },
        )
        ensure_set(offer, "sectors", [sectors[s] for s in slugs if s in sectors])
        group = OFFER_GROUPS[n % len(OFFER_GROUPS)]
        ensure_set(offer, "eligible_groups", [groups[group]] if group in groups else [])
        if n % 3 == 1:
            for code, *_ in PARTNERSHIPS[n % 2 :: 2]:
                OfferCountry.objects.get_or_create(offer=offer, country=code)
        offers.append(offer)
    return offers


def _supporters_for(request: SupportRequest, offers: list, day: date, count: int) -> list:
    """``count`` public offers open on ``day``, of different providers, those of the
    request's kind first (the demo never commits through a closed or hidden offer)."""
    ranked = sorted(offers, key=lambda o: (o.kind != request.kind, o.pk))
    chosen, providers = [], set()
    for offer in ranked:
        provider = (offer.member_id, offer.institution_id)
        is_open = (offer.opens_on or day) <= day <= (offer.closes_on or day)
        if offer.visibility != Visibility.PUBLIC or not is_open or provider in providers:
            continue
        providers.add(provider)
        chosen.append(offer)
        if len(chosen) == count:
            break
    return chosen


def _seed_commitments(requests: list, offers: list) -> None:
    for n, request in enumerate(requests):
        planned = COMMITMENTS[request.status]
        if request.status == S.OPEN and n % 2:
            planned = [(C.IN_DISCUSSION, "0.5")] if n % 4 == 1 else []
        proposed = request.asked_on + timedelta(days=20)
        supporters = _supporters_for(request, offers, proposed, len(planned))
        for (status, share), offer in zip(planned, supporters, strict=False):
            _seed_commitment(request, offer, status, Decimal(share), proposed)


def _seed_commitment(request, offer: SupportOffer, status: str, share: Decimal, proposed):
    agreed = proposed + timedelta(days=45) if status in (C.AGREED, C.DELIVERED) else None
    delivered = proposed + timedelta(days=160) if status == C.DELIVERED else None
    amount = (request.amount * share).quantize(Decimal("1")) if request.amount and share else None
    currency = request.currency if amount is not None else ""
    amount_usd, rate = _money(amount, currency, proposed)
    supporter = "member" if offer.member_id else "institution"
    ensure(
        SupportCommitment,
        {"request": request, f"{supporter}_id": getattr(offer, f"{supporter}_id")},
        {
            "offer": offer,
            "status": status,
            "amount": amount,
            "currency": currency,
            "amount_usd": amount_usd,
            "usd_rate": rate,
            "note": f"{DEMO_LABEL}.",
            "proposed_on": proposed,
            "agreed_on": agreed,
            "delivered_on": delivered,
            "is_demo": True,
        },
    )


# --- The pipeline and the plan -------------------------------------------------------------


def _project_history(stage: str, since: date) -> list[tuple[str, date, str]]:
    """(stage, day, reason) from concept to ``stage``: on hold and dropped after feasibility."""
    if stage in (P.ON_HOLD, P.DROPPED):
        steps = [*LADDER[:3], stage]
    else:
        steps = LADDER[: LADDER.index(stage) + 1]
    days = _ladder_dates(len(steps), since, 140)
    reasons = {
        P.ON_HOLD: "Demo: the sponsor paused the project until power prices are known (invented).",
        P.DROPPED: "Demo: the site was found unsuitable (invented).",
    }
    return [(step, day, reasons.get(step, "")) for step, day in zip(steps, days, strict=True)]


def _seed_projects(partnership: Partnership, number: int, sectors: dict, offers: list) -> None:
    local_currency = _currency_of(partnership)
    technologies = {t.slug: t for t in Technology.objects.all()}
    public = [offer for offer in offers if offer.visibility == Visibility.PUBLIC]
    institutions = [offer.institution for offer in public if offer.institution_id]
    for k in range(PROJECTS_PER_PARTNERSHIP):
        n = number * PROJECTS_PER_PARTNERSHIP + k
        sector, tech, what, capex_usd, abatement = PROJECT_KINDS[(k + number) % len(PROJECT_KINDS)]
        stage = PROJECT_STAGES[n % len(PROJECT_STAGES)]
        since = DEMO_TODAY - timedelta(days=20 + (n * 37) % 400)
        sponsor = f"{SPONSORS[(k + 2 * number) % len(SPONSORS)]} (demo)"
        name = f"{sponsor[:-7]} {what} (demo)"
        capex, currency = _local(capex_usd, local_currency)
        # Past financial close the financing is complete; before it a third is missing.
        gap = Decimal(0) if stage in LADDER[4:] else (capex * Decimal("0.35")).quantize(WHOLE)
        project = ensure(
            PipelineProject,
            {"slug": slugify(f"{name}-{partnership.country.code}")},
            {
                "partnership": partnership,
                "name": name,
                "sector": sectors[sector],
                "sponsor": sponsor,
                "location": f"Demo industrial zone {k + 1} (invented), {partnership.country.name}",
                "description": f"*{DEMO_LABEL}.* A fictional {what} in the pipeline.",
                "capex": capex,
                "capex_usd": _money(capex, currency, since)[0],
                "financing_gap": gap,
                "financing_gap_usd": _money(gap, currency, since)[0],
                "usd_rate": _money(capex, currency, since)[1],
                "currency": currency,
                "abatement_t_per_year": Decimal(abatement),
                "stage": stage,
                "stage_since": since,
                "visibility": _visibility(n, 9, 13),
                "is_demo": True,
            },
        )
        ensure_set(project, "technologies", [technologies[t] for t in tech if t in technologies])
        if PROJECT_STAGES.index(stage) >= PROJECT_STAGES.index(P.FINANCING_STRUCTURED):
            ensure_set(project, "financing_offers", public[n % len(public) :][:1])
            ensure_set(project, "financing_institutions", institutions[n % 5 :][:1])
        _seed_project_history(project, _project_history(stage, since))
        _backdate(PipelineProject, project.pk, since - timedelta(days=600))


def _seed_project_history(project: PipelineProject, steps: list[tuple[str, date, str]]) -> None:
    """The project's stage changes, in one query when they are all there already."""
    kept = {(c.stage, c.changed_on): c for c in project.stage_changes.all()}
    for step, day, reason in steps:
        change = kept.get((step, day))
        if change is None:
            PipelineStageChange.objects.create(
                project=project, stage=step, changed_on=day, reason=reason
            )
        elif change.reason != reason:
            change.reason = reason
            change.save(update_fields=["reason"])


def _seed_outcomes(partnership: Partnership) -> None:
    start = partnership.stage_changes.filter(stage="plan_agreed").first()
    agreed = start.changed_on if start else partnership.stage_since
    # Measurements between the plan's agreement and the demo's today.
    spacing = (DEMO_TODAY - agreed).days // 4
    for order, (title, indicator, unit, baseline, target, values) in enumerate(OUTCOMES):
        outcome = ensure(
            Outcome,
            {"partnership": partnership, "title": f"{title} (demo)"},
            {
                "indicator": indicator,
                "unit": unit,
                "baseline": Decimal(baseline),
                "baseline_year": agreed.year - 1,
                "target": Decimal(target),
                "target_year": 2030,
                "order": order,
            },
        )
        for step, value in enumerate(values, start=1):
            ensure(
                OutcomeMeasurement,
                {"outcome": outcome, "measured_on": agreed + timedelta(days=spacing * step)},
                {"value": Decimal(value), "note": f"{DEMO_LABEL}."},
            )
