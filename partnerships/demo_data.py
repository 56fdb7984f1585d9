"""The partnerships demo's facts and invented tables (``partnerships/demo.py`` writes them).

The real partnership's text and sources are public record only; everything else here is
invented and is seeded with ``is_demo`` set."""

from datetime import date
from decimal import Decimal

from .models import (
    Partnership,
    PipelineProject,
    SupportCommitment,
    SupportKind,
    SupportOffer,
    SupportRequest,
)

DEMO_TODAY = date(2026, 11, 30)
REVIEWED = date(2026, 12, 3)
DEMO_LABEL = "Demo record (invented)"
FOCAL_EMAIL = "focal@partnership-demo.example"

# --- The real partnership: public record only ----------------------------------------------

LAUNCHED = date(2023, 12, 1)
INDIA_NAME = "India–Sweden Industry Transition Partnership"
INDIA_SUMMARY = (
    "On 1 December 2023, at the LeadIT Leadership Summit held during COP28 in Dubai, the "
    "governments of India and Sweden launched an industry transition partnership between "
    "the two countries, together with the second phase of LeadIT (LeadIT 2.0, 2024–26). "
    "India's Press Information Bureau describes it as an Industry Transition Platform that "
    "connects the governments, industries, technology providers, researchers and think "
    "tanks of the two countries.\n\n"
    "No support requests, commitments, plan outcomes or pipeline projects of this "
    "partnership are recorded in the portal. Its stage after the launch is not recorded "
    "either: the portal shows the first step of its ladder, dated at the launch.\n\n"
    f"Last reviewed {REVIEWED:%-d %B %Y}."
)
INDIA_SOURCES = [
    (
        "India and Sweden co-host the Phase-II of Leadership Group for Industry Transition "
        "at COP-28",
        "Press Information Bureau, Government of India (Prime Minister's Office)",
        "https://pib.gov.in/PressReleasePage.aspx?PRID=1981722",
        LAUNCHED,
    ),
    (
        "Second Phase of LeadIT",
        "Drishti IAS (summary of the PIB release)",
        "https://www.drishtiias.com/printpdf/second-phase-of-leadit",
        None,
    ),
    (
        "Launch of India-Sweden Partnership at COP28 paves the way for LeadIT 2.0",
        "LeadIT secretariat",
        "https://industrytransition.org/insights/india-sweden-partnership-cop28-leadit-2-0",
        None,
    ),
]

# --- Invented records ----------------------------------------------------------------------

RATE_SOURCE = "Demo rate (invented, approximate): not an official exchange rate"
# One US dollar's worth, roughly, on two days: (currency, usd_per_unit on 2024-01-02, on 2025-07-01)
RATES = [
    ("EUR", "1.09", "1.17"),
    ("INR", "0.0120", "0.0117"),
    ("SEK", "0.099", "0.105"),
    ("ZAR", "0.054", "0.056"),
    ("IDR", "0.0000645", "0.0000615"),
    ("BRL", "0.205", "0.183"),
    ("MXN", "0.059", "0.053"),
    ("GBP", "1.27", "1.36"),
    ("JPY", "0.0071", "0.0069"),
    ("KRW", "0.00077", "0.00073"),
]
RATE_DAYS = (date(2024, 1, 2), date(2025, 7, 1))
WHOLE = Decimal("1")

# (country, local currency, stage, lead company index, supporting company indexes)
PARTNERSHIPS = [
    ("ID", "IDR", Partnership.Stage.PLAN_AGREED, 0, (1, 4)),
    ("BR", "BRL", Partnership.Stage.IN_IMPLEMENTATION, 1, (2, 3)),
    ("ZA", "ZAR", Partnership.Stage.CONSOLIDATED_RESPONSE, 2, (0, 5)),
    ("MX", "MXN", Partnership.Stage.SCOPING, 3, (4,)),
]
PARTNERSHIP_SUMMARY = (
    "*Demo partnership (invented).* It shows how a partnership with {country} would look "
    "in the portal. Nothing here is a statement by or about the government of {country} "
    "or any real organisation; every request, offer and project is fictional."
)

K = SupportKind
# (kind, sector slug, title, estimated amount in US dollars or None for "not recorded")
REQUEST_TOPICS = [
    (K.POLICY, "steel", "Green steel public procurement rules", None),
    (K.TECHNICAL_STUDY, "cement", "Clinker substitution potential study", 350_000),
    (K.CAPACITY_BUILDING, "steel", "Training for steel plant energy auditors", 180_000),
    (K.TECHNOLOGY, "cement", "Waste-heat recovery units for cement kilns", 6_500_000),
    (K.GRANT, "chemicals", "Feasibility grant for a green ammonia pilot", 1_200_000),
    (K.CONCESSIONAL_LOAN, "steel", "Loan for a scrap-based electric arc furnace", 85_000_000),
    (K.GUARANTEE, "aluminium", "Guarantee for a smelter's renewable power contract", 40_000_000),
    (K.EQUITY, "chemicals", "Equity for an electrolytic hydrogen developer", 25_000_000),
    (K.POLICY, "cement", "Low-carbon cement standard and label", 250_000),
    (K.TECHNICAL_STUDY, "aluminium", "Smelter power mix and flexibility study", 420_000),
    (K.CAPACITY_BUILDING, "chemicals", "Emissions reporting training for chemical plants", None),
    (K.TECHNOLOGY, "steel", "Hydrogen-ready direct reduction pilot equipment", 12_000_000),
    (K.GRANT, "shipping", "Grant for a green-fuel bunkering study at a port", 600_000),
    (K.CONCESSIONAL_LOAN, "cement", "Loan for kiln electrification", 30_000_000),
    (K.TECHNICAL_STUDY, "steel", "Carbon capture readiness study for a steel site", 900_000),
    (K.POLICY, "chemicals", "Industrial carbon pricing design support", None),
]
S = SupportRequest.Status
REQUEST_STATUSES = [S.OPEN, S.PARTLY_SUPPORTED, S.SUPPORTED, S.OPEN, S.CLOSED,
                    S.WITHDRAWN, S.OPEN, S.PARTLY_SUPPORTED, S.SUPPORTED, S.OPEN]  # fmt: skip
PRIORITIES = [SupportRequest.Priority.HIGH, SupportRequest.Priority.MEDIUM,
              SupportRequest.Priority.LOW]  # fmt: skip
REQUESTS_PER_PARTNERSHIP = 10

# (name, slug, kind, headquarters)
INSTITUTIONS = [
    ("Adventure Works Development Bank (demo)", "adventure-works-bank-demo", "development_bank", ""),
    ("Relecloud Climate Fund (demo)", "relecloud-climate-fund-demo", "climate_fund", ""),
    ("Lucerne Cooperation Agency (demo)", "lucerne-cooperation-agency-demo", "agency", "SE"),
    ("Trey Research Institute (demo)", "trey-research-institute-demo", "research", "DE"),
    ("Wide World Guarantee Facility (demo)", "wide-world-guarantee-demo", "development_bank", ""),
]  # fmt: skip
OI = SupportOffer.Instrument
# (kind, instrument, sector slugs, title, min USD, max USD, currency)
INSTITUTION_OFFERS = [
    (K.CONCESSIONAL_LOAN, OI.CONCESSIONAL_LOAN, ["steel", "cement"], "Concessional loans for industrial decarbonisation", 10_000_000, 120_000_000, "USD"),
    (K.GRANT, OI.GRANT, ["chemicals", "steel", "shipping"], "Project preparation grants", 200_000, 2_000_000, "EUR"),
    (K.GUARANTEE, OI.GUARANTEE, ["aluminium", "steel"], "Partial risk guarantees for clean power contracts", 5_000_000, 60_000_000, "USD"),
    (K.TECHNICAL_STUDY, OI.TECHNICAL_ASSISTANCE, ["cement", "aluminium", "steel"], "Technical studies for transition plans", 100_000, 1_000_000, "SEK"),
    (K.CAPACITY_BUILDING, OI.IN_KIND, ["steel", "chemicals"], "Training programme for plant engineers", None, None, ""),
    (K.EQUITY, OI.EQUITY, ["chemicals"], "Early-stage equity for hydrogen developers", 5_000_000, 30_000_000, "USD"),
]  # fmt: skip
COMPANY_OFFERS = [
    (K.TECHNOLOGY, OI.TECHNICAL_ASSISTANCE, "Technology licensing and site engineering", 500_000, 15_000_000, "EUR"),
    (K.CAPACITY_BUILDING, OI.IN_KIND, "Secondments of process engineers", None, None, ""),
    (K.TECHNICAL_STUDY, OI.TECHNICAL_ASSISTANCE, "Pre-feasibility studies for low-carbon plants", 150_000, 800_000, "SEK"),
    (K.POLICY, OI.IN_KIND, "Sharing procurement criteria and standards experience", None, None, ""),
]  # fmt: skip
OFFER_GROUPS = ["", "g20", "africa", "asia", "americas"]

P = PipelineProject.Stage
PROJECT_STAGES = [P.CONCEPT, P.PRE_FEASIBILITY, P.FEASIBILITY, P.FINANCING_STRUCTURED,
                  P.FINANCIAL_CLOSE, P.CONSTRUCTION, P.OPERATING, P.ON_HOLD, P.DROPPED]  # fmt: skip
LADDER = PROJECT_STAGES[:7]
# (sector slug, technology slugs, what, capex in USD, abatement t CO2/yr)
PROJECT_KINDS = [
    ("steel", ["h2-dri"], "hydrogen direct reduction plant", 1_400_000_000, 2_100_000),
    ("cement", ["clinker-substitution"], "calcined clay cement line", 160_000_000, 380_000),
    ("steel", ["electrification"], "scrap electric arc furnace", 450_000_000, 900_000),
    ("cement", ["ccus"], "kiln carbon capture unit", 320_000_000, 650_000),
    ("chemicals", ["electrification"], "green ammonia plant", 700_000_000, 1_000_000),
    ("aluminium", ["electrification"], "smelter power purchase and retrofit", 260_000_000, 540_000),
    ("cement", ["alternative-fuels"], "alternative fuels kiln conversion", 45_000_000, 120_000),
    ("shipping", ["alternative-fuels"], "green methanol bunkering terminal", 210_000_000, 300_000),
]
SPONSORS = ["Proseware", "Fourth Coffee Industries", "Southridge", "Alpine Works",
            "Coho Materials", "Margie's Heavy Industries", "VanArsdel", "Lamna"]  # fmt: skip
PROJECTS_PER_PARTNERSHIP = 8

# (title, indicator, unit, baseline, target, measured values)
OUTCOMES = [
    ("Low-carbon steel in public procurement", "Share of public steel purchases meeting the low-carbon criteria", "%", 0, 25, [3, 7, 11]),
    ("Cement plants with waste-heat recovery", "Plants with waste-heat recovery in operation", "plants", 2, 12, [3, 5]),
    ("Engineers trained", "Plant engineers trained in energy and emissions auditing", "people", 0, 400, [60, 150, 240]),
]  # fmt: skip


C = SupportCommitment.Status
# The commitments a request of each status has in the demo: (status, share of the amount
# asked). The shares of one request never add up to more than it asked.
COMMITMENTS = {
    S.OPEN: [(C.PROPOSED, "0.5")],
    S.PARTLY_SUPPORTED: [(C.AGREED, "0.4"), (C.IN_DISCUSSION, "0.3")],
    S.SUPPORTED: [(C.DELIVERED, "0.7"), (C.AGREED, "0.3")],
    S.CLOSED: [(C.DELIVERED, "1")],
    S.WITHDRAWN: [(C.DECLINED, "0")],
}
