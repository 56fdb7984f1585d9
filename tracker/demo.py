"""Demo data for the Tracker.

Two kinds of record, never mixed:

* real, public documents and targets (FACTUAL, ROADMAP_TARGETS, NET_ZERO), kept to what is
  well established in the public record, each with its source and "last reviewed" date;
* invented roadmaps (DEMO), flagged ``is_demo``, with titles that say "Demo roadmap" and a
  fictional publisher, tied to no real country, so that they state nothing about any real
  country's policy. The pages and downloads label them "Demo record (invented)".

A country without a record here is "not recorded in the Tracker", never "no target".
"""

import datetime

from django.db import transaction

from .gem_import import GEM_SUBSET_FILE, gem_import
from .models import (
    CountryGroup,
    CountryGroupMembership,
    GuideStep,
    PolicyInstrument,
    Roadmap,
    RoadmapLever,
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

REVIEWED = datetime.date(2026, 10, 1)

# Real documents, as published. (title, slug, scope, country, region, publisher,
# published_on, status, sectors, instruments, document_url, summary). Their targets are in
# ROADMAP_TARGETS; a date we are not sure of to the day is left blank and the year is
# given in the summary.
FACTUAL = [
    ("Net Zero by 2050: A Roadmap for the Global Energy Sector", "iea-net-zero-2050", "global", "", "", "International Energy Agency (IEA)", datetime.date(2021, 5, 18), "adopted", ["steel", "cement", "chemicals", "aluminium", "aviation", "shipping"], [], "https://www.iea.org/reports/net-zero-by-2050", ""),
    ("Industrial Decarbonisation Strategy", "uk-industrial-decarbonisation-strategy", "national", "GB", "", "UK Government", datetime.date(2021, 3, 17), "in_implementation", ["steel", "cement", "chemicals"], ["carbon-pricing", "ccus-policy", "grants", "hydrogen-strategy"], "https://www.gov.uk/government/publications/industrial-decarbonisation-strategy", ""),
    ("European Green Deal", "european-green-deal", "regional", "", "eu", "European Commission", datetime.date(2019, 12, 11), "in_implementation", ["steel", "cement", "chemicals", "aluminium"], ["carbon-pricing", "standards-and-labels"], "", "The European Commission's plan for a climate-neutral European Union by 2050; the European Climate Law of 2021 made the 2050 goal and a cut of at least 55% by 2030 binding."),
    ("Federal Climate Change Act targets (Germany)", "germany-climate-change-act", "national", "DE", "", "German Federal Government", datetime.date(2021, 8, 31), "in_implementation", [], ["carbon-pricing", "contracts-for-difference", "hydrogen-strategy"], "https://www.gesetze-im-internet.de/ksg/", "Germany's Federal Climate Change Act (Bundes-Klimaschutzgesetz), as amended in 2021: greenhouse gas neutrality by 2045 and a cut of 65% from 1990 by 2030."),
    ("Swedish Climate Act and climate policy framework", "sweden-climate-policy-framework", "national", "SE", "", "Government of Sweden", datetime.date(2017, 6, 15), "in_implementation", [], ["carbon-pricing", "grants"], "", "The climate policy framework adopted by the Riksdag in 2017, with the Climate Act that obliges each government to pursue it: net-zero greenhouse gas emissions by 2045."),
    ("India's net-zero pledge at COP26", "india-net-zero-pledge", "national", "IN", "", "Government of India", datetime.date(2021, 11, 1), "announced", [], ["hydrogen-strategy"], "", "The Prime Minister of India's national statement at COP26 in Glasgow, 2021, announcing net-zero emissions by 2070."),
    ("Carbon Neutrality Act (Republic of Korea)", "korea-carbon-neutrality-act", "national", "KR", "", "Government of the Republic of Korea", datetime.date(2021, 9, 24), "adopted", [], ["carbon-pricing"], "", "The Framework Act on Carbon Neutrality and Green Growth for Coping with the Climate Crisis (2021), which puts carbon neutrality by 2050 into law."),
    ("Climate Act (Netherlands)", "netherlands-climate-act", "national", "NL", "", "Government of the Netherlands", datetime.date(2019, 7, 2), "in_implementation", [], ["carbon-pricing", "grants"], "", "The Dutch Climate Act (Klimaatwet) of 2019, which sets a cut of 95% from 1990 by 2050."),
    ("Concrete Future: 2050 Cement and Concrete Industry Roadmap", "gcca-concrete-future", "sectoral", "", "", "Global Cement and Concrete Association (GCCA)", datetime.date(2021, 10, 12), "adopted", ["cement"], [], "", ""),
    ("IMO Strategy on Reduction of GHG Emissions from Ships (2023)", "imo-ghg-strategy-2023", "sectoral", "", "", "International Maritime Organization (IMO)", datetime.date(2023, 7, 7), "adopted", ["shipping"], [], "", ""),
    ("ICAO long-term aspirational goal for international aviation", "icao-ltag", "sectoral", "", "", "International Civil Aviation Organization (ICAO)", datetime.date(2022, 10, 7), "adopted", ["aviation"], [], "", ""),
    ("Greening the Steel Sector in India: Roadmap and Action Plan", "india-greening-steel-sector", "sectoral", "IN", "", "Ministry of Steel, Government of India", None, "adopted", ["steel"], [], "", "The Ministry of Steel's roadmap and action plan for lowering the emissions of India's steel sector, published in 2024 and drawing on the work of fourteen task forces."),
    ("Climate roadmap for a fossil-free and competitive steel industry in Sweden", "sweden-steel-fossil-free-roadmap", "sectoral", "SE", "", "Jernkontoret (Swedish steel producers' association), within Fossil Free Sweden", None, "adopted", ["steel"], [], "https://jernkontoret.se/en/vision-2050/climate-roadmap-for-a-fossile-free-steel-industry/", "The Swedish steel industry's roadmap to a fossil-free steel industry by 2045, handed to the Government in 2018 as one of the Fossil Free Sweden roadmaps."),
]  # fmt: skip

# The targets of those roadmaps, by roadmap slug: (kind, year, status, base year, value,
# unit, interim of (the kind and year of the end target) or None, source (publisher,
# title, year, url) or None).
ROADMAP_TARGETS = {
    "iea-net-zero-2050": [],
    "uk-industrial-decarbonisation-strategy": [],  # the UK's own target is in NET_ZERO
    "european-green-deal": [
        ("net_zero", 2050, "law", None, None, "", None, ("European Parliament and Council of the EU", "European Climate Law, Regulation (EU) 2021/1119", 2021, "https://eur-lex.europa.eu/eli/reg/2021/1119/oj")),
        ("absolute", 2030, "law", 1990, 55, "%", ("net_zero", 2050), ("European Parliament and Council of the EU", "European Climate Law, Regulation (EU) 2021/1119", 2021, "https://eur-lex.europa.eu/eli/reg/2021/1119/oj")),
    ],
    "germany-climate-change-act": [
        ("net_zero", 2045, "law", None, None, "", None, ("German Bundestag", "Federal Climate Change Act (Bundes-Klimaschutzgesetz), as amended in 2021", 2021, "https://www.gesetze-im-internet.de/ksg/")),
        ("absolute", 2030, "law", 1990, 65, "%", ("net_zero", 2045), ("German Bundestag", "Federal Climate Change Act (Bundes-Klimaschutzgesetz), as amended in 2021", 2021, "https://www.gesetze-im-internet.de/ksg/")),
    ],
    "sweden-climate-policy-framework": [
        ("net_zero", 2045, "law", None, None, "", None, ("Riksdag (Swedish Parliament)", "Climate policy framework and Climate Act (2017:720)", 2017, "")),
    ],
    "india-net-zero-pledge": [
        ("net_zero", 2070, "pledge", None, None, "", None, ("Government of India", "National statement by the Prime Minister at COP26, Glasgow", 2021, "")),
    ],
    "korea-carbon-neutrality-act": [
        ("net_zero", 2050, "law", None, None, "", None, ("Government of the Republic of Korea", "Framework Act on Carbon Neutrality and Green Growth for Coping with the Climate Crisis", 2021, "")),
    ],
    "netherlands-climate-act": [
        ("absolute", 2050, "law", 1990, 95, "%", None, ("Government of the Netherlands", "Climate Act (Klimaatwet)", 2019, "")),
    ],
    "gcca-concrete-future": [("net_zero", 2050, "pledge", None, None, "", None, None)],
    "imo-ghg-strategy-2023": [("net_zero", 2050, "policy_document", None, None, "", None, None)],
    "icao-ltag": [("net_zero", 2050, "policy_document", None, None, "", None, None)],
    "india-greening-steel-sector": [],
    "sweden-steel-fossil-free-roadmap": [],
}  # fmt: skip

# Economy-wide net-zero (or carbon or climate neutrality) targets of G20 and LeadIT member
# countries, from the public record: (country, year, status on the ladder, publisher,
# document, year of the document, address or "", a note or ""). Countries whose target is
# already a roadmap's above (DE, SE, IN, KR) are not repeated. Countries left out here (for
# example Mexico, Austria, Norway, Ethiopia, Kenya, Egypt and the Netherlands) are shown
# as "not recorded in the Tracker": that says nothing about whether they have a target.
NET_ZERO = [
    ("AR", 2050, "pledge", "Government of Argentina", "President's address to the Climate Ambition Summit, announcing a long-term strategy for carbon-neutral development by 2050", 2020, "", ""),
    ("AU", 2050, "law", "Parliament of Australia", "Climate Change Act 2022", 2022, "", ""),
    ("BR", 2050, "pledge", "Government of Brazil", "Updated Nationally Determined Contribution under the Paris Agreement", 2022, "", "Climate neutrality by 2050."),
    ("CA", 2050, "law", "Parliament of Canada", "Canadian Net-Zero Emissions Accountability Act", 2021, "https://laws-lois.justice.gc.ca/eng/acts/C-19.3/", ""),
    ("CN", 2060, "policy_document", "Central Committee of the Communist Party of China and State Council", "Working Guidance for Carbon Dioxide Peaking and Carbon Neutrality in Full and Faithful Implementation of the New Development Philosophy", 2021, "", "Carbon neutrality before 2060, first announced at the UN General Assembly in September 2020."),
    ("FR", 2050, "law", "French Parliament", "Energy and Climate Law (Loi relative à l'énergie et au climat, n° 2019-1147)", 2019, "", "Carbon neutrality by 2050."),
    ("ID", 2060, "policy_document", "Government of Indonesia", "Long-Term Strategy for Low Carbon and Climate Resilience 2050 (LTS-LCCR 2050)", 2021, "", "Net zero by 2060 or sooner."),
    ("IT", 2050, "policy_document", "Government of Italy", "Italian Long-Term Strategy on Reducing Greenhouse Gas Emissions", 2021, "", "Climate neutrality by 2050."),
    ("JP", 2050, "law", "National Diet of Japan", "Act on Promotion of Global Warming Countermeasures, as amended in 2021", 2021, "", "Carbon neutrality by 2050."),
    ("RU", 2060, "policy_document", "Government of the Russian Federation", "Strategy of socio-economic development with low greenhouse gas emissions until 2050", 2021, "", "Carbon neutrality by 2060."),
    ("SA", 2060, "pledge", "Government of the Kingdom of Saudi Arabia", "Announcement at the Saudi Green Initiative Forum", 2021, "", ""),
    ("ZA", 2050, "policy_document", "Government of the Republic of South Africa", "South Africa's Low-Emission Development Strategy 2050", 2020, "", "A net-zero carbon economy by 2050."),
    ("TR", 2053, "pledge", "Presidency of the Republic of Türkiye", "President's address to the 76th UN General Assembly", 2021, "", ""),
    ("GB", 2050, "law", "UK Parliament", "Climate Change Act 2008 (2050 Target Amendment) Order 2019", 2019, "https://www.legislation.gov.uk/uksi/2019/1056/contents/made", ""),
    ("US", 2050, "policy_document", "U.S. Department of State and Executive Office of the President", "The Long-Term Strategy of the United States: Pathways to Net-Zero Greenhouse Gas Emissions by 2050", 2021, "", "Set in 2021; in January 2025 the United States announced its withdrawal from the Paris Agreement."),
    ("DK", 2050, "law", "Folketing (Danish Parliament)", "Climate Act (Klimaloven)", 2020, "", "A climate-neutral society by 2050 at the latest."),
    ("FI", 2035, "law", "Parliament of Finland", "Climate Change Act (423/2022)", 2022, "", "Carbon neutrality by 2035."),
    ("IE", 2050, "law", "Oireachtas (Parliament of Ireland)", "Climate Action and Low Carbon Development (Amendment) Act 2021", 2021, "", "A climate-neutral economy by 2050 at the latest."),
    ("LU", 2050, "law", "Chamber of Deputies of Luxembourg", "Climate Law of 15 December 2020", 2020, "", "Climate neutrality by 2050 at the latest."),
    ("ES", 2050, "law", "Cortes Generales (Spanish Parliament)", "Law 7/2021 on Climate Change and Energy Transition", 2021, "", "Climate neutrality by 2050."),
    ("CH", 2050, "law", "Swiss Federal Assembly, approved by referendum in 2023", "Federal Act on Climate Protection Targets, Innovation and Strengthening Energy Security", 2023, "", ""),
    ("AE", 2050, "pledge", "Government of the United Arab Emirates", "UAE Net Zero by 2050 Strategic Initiative", 2021, "", ""),
]  # fmt: skip

DEMO_PUBLISHER = "Demo publisher (fictional)"
DEMO_NOTE = (
    "*Demo record (invented): a fictional roadmap that shows how the Tracker works. It is "
    "not a real document and says nothing about any real country's policy.*"
)
# Invented roadmaps, tied to no real country: (slug, title, sector, status, published_on,
# instruments, net-zero year of its sector or None, interim (year, value) or None).
DEMO = [
    ("demo-steel-pathway", "Demo roadmap: low-carbon steel pathway for a fictional economy", "steel", "adopted", datetime.date(2023, 3, 1), ["contracts-for-difference", "hydrogen-strategy"], 2050, (2030, 30)),
    ("demo-steel-pathway-first-edition", "Demo roadmap: low-carbon steel pathway, first edition (fictional)", "steel", "superseded", datetime.date(2020, 6, 1), ["grants"], 2055, None),
    ("demo-cement-plan", "Demo roadmap: cement and concrete transition plan (fictional)", "cement", "in_preparation", datetime.date(2024, 9, 1), ["green-public-procurement", "ccus-policy"], 2050, (2035, 40)),
    ("demo-aluminium-plan", "Demo roadmap: fossil-free aluminium smelting (fictional)", "aluminium", "announced", datetime.date(2025, 2, 1), ["carbon-pricing"], None, None),
    ("demo-chemicals-cluster", "Demo roadmap: chemicals cluster decarbonisation (fictional)", "chemicals", "in_implementation", datetime.date(2022, 11, 1), ["carbon-pricing", "tax-incentives"], 2050, (2030, 25)),
    ("demo-shipping-corridor", "Demo roadmap: green shipping corridor plan (fictional)", "shipping", "adopted", datetime.date(2024, 4, 1), ["standards-and-labels"], 2050, None),
    ("demo-aviation-fuels", "Demo roadmap: sustainable aviation fuel ramp-up (fictional)", "aviation", "announced", datetime.date(2025, 6, 1), ["standards-and-labels", "grants"], None, None),
    ("demo-road-freight", "Demo roadmap: heavy-duty road freight transition (fictional)", "road-transport", "in_preparation", datetime.date(2023, 10, 1), ["grants", "standards-and-labels"], 2045, (2030, 35)),
]  # fmt: skip
# Slugs of earlier demo records, which were tied to real countries: removed on seeding.
RETIRED_DEMO_SLUGS = [
    f"demo-{code}-{sector}"
    for code, sector in [
        ("ar", "steel"), ("au", "aluminium"), ("br", "steel"), ("ca", "cement"), ("cn", "steel"),
        ("fr", "chemicals"), ("id", "cement"), ("it", "steel"), ("jp", "chemicals"), ("mx", "cement"),
        ("sa", "aluminium"), ("za", "steel"), ("tr", "cement"), ("us", "steel"), ("in", "steel"),
        ("in", "cement"), ("se", "steel"), ("se", "cement"), ("de", "chemicals"), ("gb", "aviation"),
        ("kr", "shipping"), ("nl", "chemicals"),
    ]
]  # fmt: skip

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
    Roadmap.objects.filter(slug__in=RETIRED_DEMO_SLUGS).delete()
    for (title, slug, scope, country, region, publisher, published, status, sectors, instruments, url, summary) in FACTUAL:  # fmt: skip
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
                "summary": summary or f"{title}, published by {publisher}.",
                "last_reviewed_on": REVIEWED,
                "is_demo": False,
            },
            sectors,
            instruments,
        )
        if url:
            Source.objects.get_or_create(
                roadmap=roadmap, url=url, defaults={"title": title, "accessed_on": REVIEWED}
            )
        _sync_targets(roadmap, country, ROADMAP_TARGETS.get(slug, []))
    _seed_net_zero_targets()
    _seed_demo_roadmaps()


def _sync_targets(roadmap: Roadmap, country: str, specs: list) -> None:
    """Make ``roadmap``'s targets exactly ``specs`` (see ROADMAP_TARGETS), keeping the
    records that are already there."""
    kept = {}
    for kind, year, status, base, value, unit, interim_of, source in specs:
        publisher, title, source_year, url = source or ("", "", None, "")
        end = kept.get(interim_of) if interim_of else None
        description = f"{value:g}{unit} below {base} emissions" if value and base else ""
        target, _ = Target.objects.update_or_create(
            roadmap=roadmap,
            kind=kind,
            target_year=year,
            sector=None,
            defaults={
                "country": country,
                "status": status,
                "base_year": base,
                "value": value,
                "unit": unit,
                "end_target": end,
                "description": description,
                "source_publisher": publisher,
                "source_title": title,
                "source_year": source_year,
                "source_url": url,
                "last_reviewed_on": REVIEWED if source else None,
            },
        )
        kept[(kind, year)] = target
    Target.objects.filter(roadmap=roadmap).exclude(pk__in=[t.pk for t in kept.values()]).delete()


def _seed_net_zero_targets() -> None:
    """Each country's economy-wide net-zero target of NET_ZERO, as a target of the country
    (no roadmap) with its source."""
    for code, year, status, publisher, title, source_year, url, note in NET_ZERO:
        Target.objects.update_or_create(
            roadmap=None,
            country=code,
            sector=None,
            kind=Target.Kind.NET_ZERO,
            end_target=None,
            defaults={
                "target_year": year,
                "status": status,
                "description": note,
                "source_publisher": publisher,
                "source_title": title,
                "source_year": source_year,
                "source_url": url,
                "last_reviewed_on": REVIEWED,
            },
        )


def _seed_demo_roadmaps() -> None:
    """Invented roadmaps, flagged ``is_demo`` and tied to no real country."""
    sectors = {sector.slug: sector for sector in Sector.objects.all()}
    by_slug = {}
    for slug, title, sector, status, published, instruments, nz_year, interim in DEMO:
        roadmap = _roadmap(
            slug,
            {
                "title": title,
                "scope": Roadmap.Scope.SECTORAL,
                "country": "",
                "region": None,
                "publisher": DEMO_PUBLISHER,
                "published_on": published,
                "status": status,
                "language": "English",
                "summary": DEMO_NOTE,
                "document_url": "",
                "last_reviewed_on": None,
                "is_demo": True,
            },
            [sector],
            instruments,
        )
        by_slug[slug] = roadmap
        kept = []
        if nz_year:
            end, _ = Target.objects.update_or_create(
                roadmap=roadmap,
                kind=Target.Kind.NET_ZERO,
                defaults={
                    "country": "",
                    "sector": sectors[sector],
                    "target_year": nz_year,
                    "status": Target.Status.PROPOSED,
                    "description": "Demo target (invented)",
                },
            )
            kept.append(end.pk)
            if interim:
                year, value = interim
                target, _ = Target.objects.update_or_create(
                    roadmap=roadmap,
                    kind=Target.Kind.INTENSITY,
                    target_year=year,
                    defaults={
                        "country": "",
                        "sector": sectors[sector],
                        "base_year": 2020,
                        "value": value,
                        "unit": "% lower emissions per tonne",
                        "status": Target.Status.PROPOSED,
                        "end_target": end,
                        "description": "Demo interim target (invented)",
                    },
                )
                kept.append(target.pk)
        Target.objects.filter(roadmap=roadmap).exclude(pk__in=kept).delete()
    first = by_slug["demo-steel-pathway-first-edition"]
    first.superseded_by = by_slug["demo-steel-pathway"]
    first.save(update_fields=["superseded_by", "updated_at"])
    _seed_demo_levers(by_slug)


# Technology levers of the invented roadmaps (the technology pages list the roadmaps that
# call for each technology): (roadmap slug, milestone year, description, technology slugs).
DEMO_LEVERS = [
    ("demo-steel-pathway", 2030, "Demo lever: first hydrogen-based DRI plant at scale", ["h2-dri"]),
    ("demo-steel-pathway-first-edition", 2035, "Demo lever: DRI pilots", ["h2-dri"]),
    ("demo-cement-plan", 2030, "Demo lever: calcined clay blends in public works", ["clinker-substitution"]),
    ("demo-cement-plan", 2035, "Demo lever: capture at two kilns", ["ccus"]),
    ("demo-chemicals-cluster", 2030, "Demo lever: electric crackers and heat pumps", ["electrification"]),
    ("demo-aluminium-plan", 2035, "Demo lever: electrified alumina refining", ["electrification"]),
]  # fmt: skip


def _seed_demo_levers(by_slug: dict[str, Roadmap]) -> None:
    technologies = {technology.slug: technology for technology in Technology.objects.all()}
    for slug, year, description, technology_slugs in DEMO_LEVERS:
        lever, _ = RoadmapLever.objects.update_or_create(
            roadmap=by_slug[slug],
            lever=RoadmapLever.Lever.TECHNOLOGY,
            description=description,
            defaults={"milestone_year": year},
        )
        lever.technologies.set([technologies[code] for code in technology_slugs])


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
