"""The technology demo's invented tables (``technology/demo.py`` writes them).

Every record here is fictional and seeded with ``is_demo`` set; names end in "(demo)".
The providers are the demo data's fictional companies (``members/demo.py``) and partner
institutions (``partnerships/demo_data.py``); the technologies are the tracker's (H2-DRI,
CCUS, electrification of heat, alternative fuels, clinker substitution), named as the
public record names them. Nothing here says anything about a real company or plant: no
solution names a reference plant from the tracker's (real) plant data, and patent numbers
are visibly not real ("DEMO-…")."""

from datetime import date

DEMO_LABEL = "Demo record (invented)"
CONTACT_NAME = "Demo contact (invented)"
CONTACT_EMAIL = "technology@demo.example"

# Providers by short key: demo member slugs and demo partner institution slugs.
MEMBERS = {
    "northwind": "northwind-steel-demo",
    "contoso": "contoso-cement-demo",
    "fabrikam": "fabrikam-aluminium-demo",
    "litware": "litware-chemicals-demo",
    "tailspin": "tailspin-shipping-demo",
    "woodgrove": "woodgrove-hydrogen-demo",
}
INSTITUTIONS = {
    "trey": "trey-research-institute-demo",
    "lucerne": "lucerne-cooperation-agency-demo",
}

# Kinds of offer, short: l licence, c co-development, d demonstration site access,
# t training, j joint venture, k know-how transfer.
OFFER_LETTERS = {
    "l": "offers_licence",
    "c": "offers_co_development",
    "d": "offers_demonstration",
    "t": "offers_training",
    "j": "offers_joint_venture",
    "k": "offers_know_how",
}

# (name without " (demo)", provider, technology slug, sector slugs, TRL, TRL assessed
#  (year, by), offers, IP: "patented" with patent count / "open:<licence>" / "none" /
#  "not_recorded", countries ("*" for worldwide), visibility, summary)
SOLUTIONS = [
    ("Northwind H2-DRI shaft furnace pilot", "northwind", "h2-dri", ["steel"], 7, (2026, "self"), "lcd", "patented:2", ["SE", "FI", "IN"], "public", "A hydrogen-based direct reduction shaft furnace proven at pilot scale."),
    ("Northwind hydrogen-ready pellet plant design", "northwind", "h2-dri", ["steel"], 6, (2025, "self"), "kt", "none", ["SE", "NO"], "public", "A pellet plant design that accepts hydrogen-reduced feed."),
    ("Northwind scrap preheater for electric arc furnaces", "northwind", "electrification", ["steel"], 8, (2025, "trey"), "l", "patented:1", ["SE", "DE", "PL"], "public", "Preheats scrap with furnace off-gas before it enters an electric arc furnace."),
    ("Northwind steel slag carbonation", "northwind", "ccus", ["steel", "cement"], 5, (2026, "self"), "c", "open:CERN-OHL-P-2.0", "*", "public", "Binds CO2 in steel slag and turns it into a cement additive."),
    ("Contoso calcined clay cement blend", "contoso", "clinker-substitution", ["cement"], 8, (2025, "trey"), "ltd", "patented:2", ["IN", "ZA", "BR"], "public", "A limestone and calcined clay blend that halves the clinker in cement."),
    ("Contoso flash calciner for low-grade clays", "contoso", "clinker-substitution", ["cement"], 6, (2026, "self"), "c", "open:CERN-OHL-W-2.0", ["IN", "ID"], "public", "A small flash calciner for clays with little kaolinite."),
    ("Contoso kiln oxy-fuel capture pilot", "contoso", "ccus", ["cement"], 5, (2026, "self"), "cd", "not_recorded", ["IN"], "members", "Oxy-fuel firing of a cement kiln for a CO2 stream ready to capture."),
    ("Contoso refuse-derived fuel feeder", "contoso", "alternative-fuels", ["cement"], 9, (2024, "self"), "lk", "patented:1", ["IN", "MX", "ZA"], "public", "Feeds shredded refuse-derived fuel into a kiln's main burner."),
    ("Contoso electric kiln preheating", "contoso", "electrification", ["cement"], 4, (2026, "self"), "c", "not_recorded", ["IN"], "public", "Electric heating of raw meal in the preheater tower."),
    ("Fabrikam smelter demand response controls", "fabrikam", "electrification", ["aluminium"], 8, (2025, "self"), "lt", "patented:1", ["DE", "NO", "IS"], "public", "Lets a smelter follow renewable power by shifting its load."),
    ("Fabrikam electric alumina calcination", "fabrikam", "electrification", ["aluminium"], 5, (2026, "trey"), "c", "patented:1", ["DE"], "public", "Calcines alumina with electric heat instead of gas."),
    ("Fabrikam smelter off-gas capture", "fabrikam", "ccus", ["aluminium"], 4, (2026, "self"), "c", "none", ["DE", "NO"], "secretariat", "Captures CO2 from dilute smelter off-gas."),
    ("Litware green ammonia electrolyser skid", "litware", "electrification", ["chemicals"], 7, (2025, "self"), "lj", "patented:2", ["AR", "CL", "BR"], "public", "A containerised electrolyser and ammonia synthesis unit."),
    ("Litware CO2-to-methanol unit", "litware", "ccus", ["chemicals", "shipping"], 6, (2026, "trey"), "cl", "not_recorded", ["AR"], "public", "Makes methanol from captured CO2 and electrolytic hydrogen."),
    ("Litware biomass fuel for process heaters", "litware", "alternative-fuels", ["chemicals"], 5, (2025, "self"), "k", "none", ["AR", "UY"], "public", "Replaces gas in process heaters with pelletised residues."),
    ("Tailspin methanol dual-fuel engine retrofit", "tailspin", "alternative-fuels", ["shipping"], 8, (2025, "self"), "lt", "patented:1", ["KR", "JP", "SG"], "public", "Converts a bulk carrier's main engine to burn methanol."),
    ("Tailspin ammonia bunkering procedure", "tailspin", "alternative-fuels", ["shipping"], 6, (2026, "self"), "kt", "open:CC-BY-4.0", "*", "public", "A tested procedure for ship-to-ship ammonia bunkering."),
    ("Tailspin onboard carbon capture", "tailspin", "ccus", ["shipping"], 5, (2026, "self"), "cd", "not_recorded", ["KR"], "members", "Captures part of a ship's exhaust CO2 and stores it on board."),
    ("Woodgrove PEM electrolyser stack for DRI", "woodgrove", "h2-dri", ["steel", "chemicals"], 7, (2025, "trey"), "lj", "patented:2", ["NL", "DE", "BR"], "public", "An electrolyser stack sized for a direct reduction plant."),
    ("Woodgrove salt cavern hydrogen storage design", "woodgrove", "h2-dri", ["steel"], 6, (2024, "self"), "k", "none", ["NL", "DE"], "public", "Buffer storage design so a DRI plant runs through calm weeks."),
    ("Woodgrove electric process heater", "woodgrove", "electrification", ["chemicals"], 7, (2026, "self"), "l", "patented:1", ["NL", "BE"], "public", "A resistive heater for steam cracker feed up to 850 °C."),
    ("Trey H2-DRI test rig access", "trey", "h2-dri", ["steel"], 5, (2026, "self"), "dt", "none", "*", "public", "Time on a pilot reduction rig, with its operators."),
    ("Trey calcined clay testing protocol", "trey", "clinker-substitution", ["cement"], 8, (2025, "self"), "tk", "open:CC-BY-4.0", "*", "public", "A laboratory protocol to grade clays for calcination."),
    ("Trey amine solvent for cement flue gas", "trey", "ccus", ["cement"], 4, (2026, "self"), "cl", "patented:1", ["DE", "SE"], "public", "A solvent that tolerates the dust and sulphur of kiln gas."),
    ("Lucerne alternative fuels training course", "lucerne", "alternative-fuels", ["cement", "chemicals"], 9, (2024, "self"), "t", "none", "*", "public", "A two-week course on preparing and firing alternative fuels."),
]  # fmt: skip
PATENT_OFFICES = ["EPO", "WIPO (PCT)", "USPTO", "Indian Patent Office", "KIPO"]

# (title without " (demo)", lead, technology, sectors, index of the solution in SOLUTIONS
#  or None, status, TRL start, target, now, starts, ends, budget, currency,
#  [(participant, role)], [(milestone, due, status, completed, TRL reached)], results)
PROJECTS = [
    ("Hydrogen direct reduction pilot campaign", "northwind", "h2-dri", ["steel"], 0, "active", 5, 7, 6, date(2024, 3, 1), date(2027, 6, 30), 24_000_000, "EUR",
     [("northwind", "Lead and technology provider"), ("woodgrove", "Hydrogen supply"), ("trey", "Test rig host and measurements")],
     [("Test rig commissioned", date(2024, 9, 30), "done", date(2024, 10, 8), 5), ("First reduction campaign", date(2025, 6, 30), "done", date(2025, 7, 14), 6), ("Continuous 30-day run", date(2026, 12, 15), "planned", None, None), ("Design basis for a demonstration plant", date(2027, 5, 31), "planned", None, None)],
     ""),
    ("Calcined clay cement field trial", "contoso", "clinker-substitution", ["cement"], 4, "completed", 6, 8, 8, date(2024, 1, 15), date(2025, 12, 31), 3_500_000, "INR",
     [("contoso", "Lead and host plant"), ("trey", "Clay testing"), ("lucerne", "Training of plant staff")],
     [("Clay deposits graded", date(2024, 5, 31), "done", date(2024, 5, 20), None), ("First industrial batch", date(2024, 11, 30), "done", date(2024, 12, 10), 7), ("Twelve months of supply to a ready-mix client", date(2025, 12, 15), "done", date(2025, 12, 12), 8)],
     "The blend met the strength class of the cement it replaced in every batch of the trial, with about 40 % less clinker (invented figures)."),
    ("Kiln oxy-fuel capture demonstration", "contoso", "ccus", ["cement"], 6, "active", 4, 6, 5, date(2025, 4, 1), date(2028, 3, 31), 18_000_000, "EUR",
     [("contoso", "Lead and host kiln"), ("litware", "Use of the captured CO2"), ("trey", "Solvent and measurements")],
     [("Oxygen plant contracted", date(2025, 10, 31), "done", date(2025, 11, 20), None), ("Oxy-fuel burner trial", date(2026, 6, 30), "done", date(2026, 7, 9), 5), ("Capture unit running", date(2027, 9, 30), "planned", None, None)],
     ""),
    ("Green ammonia electrolyser scale-up", "litware", "electrification", ["chemicals"], 12, "active", 6, 8, 7, date(2024, 9, 1), date(2027, 12, 31), 40_000_000, "USD",
     [("litware", "Lead and ammonia synthesis"), ("woodgrove", "Electrolyser stacks")],
     [("5 MW skid installed", date(2025, 6, 30), "done", date(2025, 8, 1), 7), ("Grid-following operation proven", date(2026, 6, 30), "delayed", None, None), ("20 MW design frozen", date(2027, 6, 30), "planned", None, None)],
     ""),
    ("Methanol dual-fuel retrofit of a bulk carrier", "tailspin", "alternative-fuels", ["shipping"], 15, "planned", 7, 8, None, date(2027, 2, 1), date(2028, 6, 30), 9_000_000, "USD",
     [("tailspin", "Lead and ship owner"), ("litware", "Methanol supply")],
     [("Class approval of the retrofit design", date(2027, 6, 30), "planned", None, None), ("First voyage on methanol", date(2028, 3, 31), "planned", None, None)],
     ""),
    ("Smelter demand response trial", "fabrikam", "electrification", ["aluminium"], 9, "stopped", 7, 8, 7, date(2024, 6, 1), date(2025, 9, 30), 2_000_000, "EUR",
     [("fabrikam", "Lead and host smelter"), ("lucerne", "Grid study funding")],
     [("Control system installed", date(2024, 12, 31), "done", date(2025, 1, 20), None), ("Six months of flexible operation", date(2025, 9, 30), "dropped", None, None)],
     "Stopped after the power contract it depended on was not renewed (invented)."),
]  # fmt: skip

# (name without " (demo)", kind, run by (provider key), technologies, sectors, description,
#  [(call title without " (demo)", opens (days from today), deadline (days from today))])
PROGRAMMES = [
    ("Northwind Green Steel Incubator", "incubator", "northwind", ["h2-dri", "electrification"], ["steel"],
     "An incubator for start-ups with parts of a fossil-free steel value chain.",
     [("Spring intake: start-ups in hydrogen steelmaking", -40, 50), ("Autumn intake 2025", -460, -400)]),
    ("Trey Industrial Decarbonisation Accelerator", "accelerator", "trey", ["ccus", "clinker-substitution"], ["cement", "chemicals"],
     "Twelve-month support to take a capture or clinker technology from pilot to first plant.",
     [("Cohort 4: capture and low-clinker cements", -10, 80), ("Cohort 3", -380, -290)]),
    ("Lucerne Clean Industry Innovation Fund", "fund", "lucerne", ["alternative-fuels", "electrification"], ["cement", "aluminium", "chemicals"],
     "Grants for demonstrations of low-carbon industrial heat in emerging economies.",
     [("Window 2: industrial heat demonstrations", 20, 140), ("Window 1", -300, -200)]),
    ("Woodgrove Hydrogen Valley Partnership", "mission", "woodgrove", ["h2-dri"], ["steel", "chemicals", "shipping"],
     "A partnership of companies and research institutes sharing hydrogen infrastructure for industry.",
     [("Call for partner sites", -200, -120)]),
]  # fmt: skip

# (title without " (demo)", provider key or None for the secretariat, technologies,
#  sectors, licence, visibility, summary, [(version, published, change note)])
GUIDELINES = [
    ("Safety of hydrogen in direct reduction plants", "northwind", ["h2-dri"], ["steel"], "CC BY 4.0", "public",
     "Hazards of hydrogen at a DRI plant and how to design for them.",
     [("1.0", date(2025, 2, 3), ""), ("1.1", date(2026, 3, 16), "Adds leak detection in the furnace top and a checklist for commissioning.")]),
    ("Grading clays for calcined clay cement", "contoso", ["clinker-substitution"], ["cement"], "CC BY-SA 4.0", "public",
     "How to sample, test and grade clays before calcining them.",
     [("1.0", date(2025, 8, 20), "")]),
    ("Capture readiness of industrial sites", None, ["ccus"], ["steel", "cement", "chemicals"], "CC BY 4.0", "members",
     "What a plant should plan now so that capture can be added later.",
     [("2026-01", date(2026, 1, 26), "")]),
    ("Handling methanol as a marine fuel", "tailspin", ["alternative-fuels"], ["shipping"], "All rights reserved", "public",
     "Bunkering, storage and crew training for methanol-fuelled ships.",
     [("1.0", date(2026, 5, 4), "")]),
]  # fmt: skip

# Existing demo technology needs (partnerships' demo requests, by title) given their
# technologies; and new ones: (partnership country, title without " (demo)", sector,
# technologies, created on). Only demo partnerships' records, never a real partnership's.
NEED_TECHNOLOGIES = {
    "Hydrogen-ready direct reduction pilot equipment (demo)": ["h2-dri"],
}
NEW_NEEDS = [
    ("ID", "Calcined clay trial at a cement grinding unit", "cement", ["clinker-substitution"], date(2026, 11, 9)),
    ("ZA", "Carbon capture pilot at a cement kiln", "cement", ["ccus"], date(2026, 11, 18)),
    ("BR", "Electric heat for a chemical plant's steam", "chemicals", ["electrification"], date(2026, 10, 6)),
]  # fmt: skip

GUIDELINE_BODY = """*{label}.* A fictional guideline that shows how the technology library
works; it is not technical advice.

## Scope

{summary}

## 1. Before you start

- name who is responsible for the work and for its safety
- record the plant's present practice as a baseline
- agree how results are measured and reported

## 2. Steps

1. Survey the site and its constraints.
2. Run a small trial and record what happened.
3. Review the results with the technology provider.

## 3. Records to keep

| record | kept by | for |
| --- | --- | --- |
| trial log | plant operator | 5 years |
| test results | laboratory | 10 years |

{change}"""
