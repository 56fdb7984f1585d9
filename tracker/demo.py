"""Demo data for the Tracker. Records marked "(demo)" are invented to fill the pages; the
others describe real, public documents and targets (kept to what is well established)."""

import datetime

from django.db import transaction

from .gem_import import GEM_SUBSET_FILE, gem_import
from .models import (
    CountryGroup,
    CountryGroupMembership,
    GuideStep,
    PolicyInstrument,
    Roadmap,
    Sector,
    Source,
    Target,
    Technology,
)

SECTORS = [
    ("Iron and steel", "steel"),
    ("Cement and concrete", "cement"),
    ("Aluminium", "aluminium"),
    ("Chemicals", "chemicals"),
    ("Aviation", "aviation"),
    ("Shipping", "shipping"),
    ("Heavy-duty road transport", "road-transport"),
]

G20 = ["AR", "AU", "BR", "CA", "CN", "FR", "DE", "IN", "ID", "IT", "JP", "MX", "RU", "SA", "ZA", "KR", "TR", "GB", "US"]  # fmt: skip
EU = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]  # fmt: skip
# UN geoscheme regions, for the countries the demo uses.
REGIONS = {
    ("Africa", "africa"): ["ZA", "ET", "EG", "KE", "MA", "NG"],
    ("Americas", "americas"): ["AR", "BR", "CA", "MX", "US", "CL", "CO"],
    ("Asia", "asia"): ["CN", "IN", "ID", "JP", "KR", "SA", "TR", "AE", "VN"],
    ("Europe", "europe"): sorted(set(EU) | {"GB", "NO", "CH", "RU"}),
    ("Oceania", "oceania"): ["AU", "NZ"],
}

INSTRUMENTS = [
    ("Carbon pricing", "carbon-pricing"),
    ("Contracts for difference", "contracts-for-difference"),
    ("Green public procurement", "green-public-procurement"),
    ("Standards and labels", "standards-and-labels"),
    ("Grants and subsidies", "grants"),
    ("Hydrogen strategy", "hydrogen-strategy"),
    ("CCUS policy", "ccus-policy"),
    ("Tax incentives", "tax-incentives"),
]
TECHNOLOGIES = [
    ("Hydrogen-based direct reduction (H2-DRI)", "h2-dri"),
    ("Carbon capture, utilisation and storage (CCUS)", "ccus"),
    ("Electrification of heat", "electrification"),
    ("Alternative fuels", "alternative-fuels"),
    ("Clinker substitution", "clinker-substitution"),
]

# Real documents and targets, as published. (title, slug, scope, country, region, publisher,
# published_on, status, sectors, instruments, document_url, net-zero year, its status,
# interim targets [(year, base, value, unit, status)])
FACTUAL = [
    ("Net Zero by 2050: A Roadmap for the Global Energy Sector", "iea-net-zero-2050", "global", "", "", "International Energy Agency (IEA)", datetime.date(2021, 5, 18), "adopted", ["steel", "cement", "chemicals", "aluminium", "aviation", "shipping"], [], "https://www.iea.org/reports/net-zero-by-2050", None, None, []),
    ("Industrial Decarbonisation Strategy", "uk-industrial-decarbonisation-strategy", "national", "GB", "", "UK Government", datetime.date(2021, 3, 17), "in_implementation", ["steel", "cement", "chemicals"], ["carbon-pricing", "ccus-policy", "grants", "hydrogen-strategy"], "https://www.gov.uk/government/publications/industrial-decarbonisation-strategy", 2050, "law", [(2030, 1990, 68, "%", "pledge")]),
    ("European Green Deal", "european-green-deal", "regional", "", "eu", "European Commission", datetime.date(2019, 12, 11), "in_implementation", ["steel", "cement", "chemicals", "aluminium"], ["carbon-pricing", "standards-and-labels"], "", 2050, "law", [(2030, 1990, 55, "%", "law")]),
    ("Federal Climate Change Act targets (Germany)", "germany-climate-change-act", "national", "DE", "", "German Federal Government", datetime.date(2021, 8, 31), "in_implementation", [], ["carbon-pricing", "contracts-for-difference", "hydrogen-strategy"], "", 2045, "law", [(2030, 1990, 65, "%", "law")]),
    ("Swedish Climate Act and climate policy framework", "sweden-climate-policy-framework", "national", "SE", "", "Government of Sweden", datetime.date(2017, 6, 15), "in_implementation", [], ["carbon-pricing", "grants"], "", 2045, "law", []),
    ("India's net-zero pledge at COP26", "india-net-zero-pledge", "national", "IN", "", "Government of India", datetime.date(2021, 11, 1), "announced", [], ["hydrogen-strategy"], "", 2070, "pledge", []),
    ("Carbon Neutrality Act (Republic of Korea)", "korea-carbon-neutrality-act", "national", "KR", "", "Government of the Republic of Korea", datetime.date(2021, 9, 24), "adopted", [], ["carbon-pricing"], "", 2050, "law", []),
    ("Climate Act (Netherlands)", "netherlands-climate-act", "national", "NL", "", "Government of the Netherlands", datetime.date(2019, 7, 2), "in_implementation", [], ["carbon-pricing", "grants"], "", 2050, "law", []),
    ("Concrete Future: 2050 Cement and Concrete Industry Roadmap", "gcca-concrete-future", "sectoral", "", "", "Global Cement and Concrete Association (GCCA)", datetime.date(2021, 10, 12), "adopted", ["cement"], [], "", 2050, "pledge", []),
    ("IMO Strategy on Reduction of GHG Emissions from Ships (2023)", "imo-ghg-strategy-2023", "sectoral", "", "", "International Maritime Organization (IMO)", datetime.date(2023, 7, 7), "adopted", ["shipping"], [], "", 2050, "policy_document", []),
    ("ICAO long-term aspirational goal for international aviation", "icao-ltag", "sectoral", "", "", "International Civil Aviation Organization (ICAO)", datetime.date(2022, 10, 7), "adopted", ["aviation"], [], "", 2050, "policy_document", []),
]  # fmt: skip

DEMO_NOTE = "*Demo record: invented to show how the Tracker works; not a real document.*"
# Demo roadmaps for G20 and member countries (sector, status, net-zero year, ladder status).
DEMO = [
    ("AR", "steel", "in_preparation", 2050, "pledge"),
    ("AU", "aluminium", "adopted", 2050, "law"),
    ("BR", "steel", "announced", 2050, "pledge"),
    ("CA", "cement", "adopted", 2050, "law"),
    ("CN", "steel", "adopted", 2060, "policy_document"),
    ("FR", "chemicals", "in_implementation", 2050, "law"),
    ("ID", "cement", "in_preparation", 2060, "pledge"),
    ("IT", "steel", "adopted", 2050, "law"),
    ("JP", "chemicals", "in_implementation", 2050, "law"),
    ("MX", "cement", "announced", None, None),
    ("SA", "aluminium", "announced", 2060, "pledge"),
    ("ZA", "steel", "in_preparation", 2050, "pledge"),
    ("TR", "cement", "announced", 2053, "pledge"),
    ("US", "steel", "adopted", 2050, "pledge"),
    ("IN", "steel", "adopted", 2070, "pledge"),
    ("IN", "cement", "in_preparation", 2070, "pledge"),
    ("SE", "steel", "in_implementation", 2045, "law"),
    ("SE", "cement", "adopted", 2045, "law"),
    ("DE", "chemicals", "adopted", 2045, "law"),
    ("GB", "aviation", "adopted", 2050, "law"),
    ("KR", "shipping", "in_preparation", 2050, "law"),
    ("NL", "chemicals", "in_implementation", 2050, "law"),
]

GUIDE = [
    ("Set the mandate", "mandate", "Agree who owns the roadmap, which sectors it covers and by when it must be ready. A roadmap with a clear sponsor in government and in industry is far more likely to be used.", ["Name a lead ministry or agency", "Agree the sectors and the time horizon", "Secure budget and staff for the process"]),
    ("Bring the right people together", "stakeholders", "Map everyone who will make or feel the transition: producers, buyers, workers and unions, finance, researchers, regions and communities. Decide how each takes part.", ["List stakeholders and their interests", "Set up a steering group with industry and government", "Plan how workers and communities are heard"]),
    ("Know where you start", "baseline", "Build an emissions and production baseline per sector and site, with the assets' age and the reinvestment dates that open windows for change.", ["Collect emissions and production data per site", "Record asset ages and reinvestment cycles", "Identify data gaps and how to close them"]),
    ("Choose pathways and targets", "pathways", "Compare technology pathways (hydrogen-based steel, CCUS, electrification, material efficiency) and turn the preferred one into targets with interim milestones.", ["Model at least two pathways", "Set an end target and interim targets", "Check targets against the Paris Agreement"]),
    ("Pull the levers", "levers", "Match each milestone with the policy, finance, infrastructure and demand measures it needs: carbon pricing, contracts for difference, green public procurement, standards and grid or hydrogen infrastructure.", ["Assign a lever to each milestone", "Estimate the cost and who pays", "Plan infrastructure: power, hydrogen, CO2 transport"]),
    ("Follow up and adjust", "follow-up", "Publish the roadmap, report progress at set moments and revise it when technology, markets or policy change.", ["Publish the roadmap and its data", "Agree indicators and a reporting rhythm", "Schedule the first review"]),
]  # fmt: skip


def seed_demo() -> list:
    with transaction.atomic():
        _seed_reference_data()
        _seed_roadmaps()
        _seed_guide()
    _seed_gem_projects()
    return []


def _seed_reference_data() -> None:
    for order, (name, slug) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
    groups = [
        (("G20", "g20"), G20, CountryGroup.Kind.GROUP),
        (("European Union", "eu"), EU, CountryGroup.Kind.GROUP),
    ]
    groups += [(key, codes, CountryGroup.Kind.REGION) for key, codes in REGIONS.items()]
    for (name, slug), codes, kind in groups:
        group, _ = CountryGroup.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind}
        )
        for code in codes:
            CountryGroupMembership.objects.get_or_create(group=group, country=code)
    for name, slug in INSTRUMENTS:
        PolicyInstrument.objects.update_or_create(slug=slug, defaults={"name": name})
    for name, slug in TECHNOLOGIES:
        Technology.objects.update_or_create(slug=slug, defaults={"name": name})


def _roadmap(slug: str, defaults: dict, sectors: list[str], instruments: list[str]) -> Roadmap:
    roadmap, _ = Roadmap.objects.update_or_create(slug=slug, defaults=defaults)
    roadmap.sectors.set(Sector.objects.filter(slug__in=sectors))
    roadmap.instruments.set(PolicyInstrument.objects.filter(slug__in=instruments))
    return roadmap


def _seed_roadmaps() -> None:
    reviewed = datetime.date(2026, 10, 1)
    for (title, slug, scope, country, region, publisher, published, status, sectors, instruments, url, nz_year, nz_status, interim) in FACTUAL:  # fmt: skip
        roadmap = _roadmap(
            slug,
            {
                "title": title,
                "scope": scope,
                "country": country,
                "region": CountryGroup.objects.filter(slug=region).first() if region else None,
                "publisher": publisher,
                "published_on": published,
                "status": status,
                "document_url": url,
                "language": "English",
                "summary": f"{title}, published by {publisher}.",
                "last_reviewed_on": reviewed,
            },
            sectors,
            instruments,
        )
        if url:
            Source.objects.get_or_create(
                roadmap=roadmap, url=url, defaults={"title": title, "accessed_on": reviewed}
            )
        if nz_year:
            end, _ = Target.objects.update_or_create(
                roadmap=roadmap,
                kind=Target.Kind.NET_ZERO,
                defaults={"country": country, "target_year": nz_year, "status": nz_status},
            )
            for year, base, value, unit, status in interim:
                Target.objects.update_or_create(
                    roadmap=roadmap,
                    kind=Target.Kind.ABSOLUTE,
                    target_year=year,
                    defaults={
                        "country": country,
                        "base_year": base,
                        "value": value,
                        "unit": unit,
                        "status": status,
                        "end_target": end,
                        "description": f"{value:g}{unit} below {base} emissions",
                    },
                )

    sector_names = {slug: name for name, slug in SECTORS}
    for index, (country, sector, status, nz_year, nz_status) in enumerate(DEMO, start=1):
        slug = f"demo-{country.lower()}-{sector}"
        roadmap = _roadmap(
            slug,
            {
                "title": f"{sector_names[sector]} transition roadmap, {country} (demo)",
                "scope": Roadmap.Scope.NATIONAL,
                "country": country,
                "publisher": "Demo publisher",
                "published_on": datetime.date(2019 + index % 7, 1 + index % 12, 1),
                "status": status,
                "language": "English",
                "summary": f"A demo {sector_names[sector].lower()} roadmap.\n\n{DEMO_NOTE}",
                "last_reviewed_on": reviewed,
            },
            [sector],
            [
                INSTRUMENTS[index % len(INSTRUMENTS)][1],
                INSTRUMENTS[(index * 3) % len(INSTRUMENTS)][1],
            ],
        )
        if nz_year:
            end, _ = Target.objects.update_or_create(
                roadmap=roadmap,
                kind=Target.Kind.NET_ZERO,
                defaults={
                    "country": country,
                    "sector": Sector.objects.get(slug=sector),
                    "target_year": nz_year,
                    "status": nz_status,
                },
            )
            Target.objects.update_or_create(
                roadmap=roadmap,
                kind=Target.Kind.INTENSITY,
                target_year=2030,
                defaults={
                    "country": country,
                    "sector": Sector.objects.get(slug=sector),
                    "base_year": 2020,
                    "value": 25 + index % 4 * 5,
                    "unit": "% lower emissions per tonne",
                    "status": Target.Status.PROPOSED,
                    "end_target": end,
                    "description": "Demo interim target",
                },
            )


def _seed_guide() -> None:
    for order, (title, slug, body, checklist) in enumerate(GUIDE, start=1):
        GuideStep.objects.update_or_create(
            slug=slug,
            defaults={
                "order": order,
                "title": title,
                "body": body,
                "checklist": "\n".join(checklist),
                "resources": "LeadIT Industry Transition Tracker | https://www.industrytransition.org/",
            },
        )


def _seed_gem_projects() -> None:
    gem_import(path=GEM_SUBSET_FILE)
