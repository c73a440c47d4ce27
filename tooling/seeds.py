"""The five real services in `../shared/seeds/`, as configuration.

Each entry is what a service admin would otherwise type into the admin: sites (with catchment postcode districts),
referral sources, required referral questions, planned cycles, wait target, letter wording and eligibility rules.
Where a seed is silent we chose a sensible default and say so in `docs/adr/0003-seed-service-configuration.md`.
The letters' contact details (`letter_contact`) are made up for the demo (Ofcom's drama numbers, example.org,
"Demo House"), except Mersey Care's published site address: each service sets its own in *Letter settings*.
"""

SEED_SERVICES: list[dict] = [
    {
        "seed": "000",
        "slug": "cpft-perinatal-vig",
        "name": "Perinatal VIG in health visiting",
        "organisation": "Cambridgeshire and Peterborough NHS Foundation Trust",
        "description": "Health visitors trained in VIG offer 2–4 cycles to parents from pregnancy to the child's "
        "first birthday, on protected VIG days.",
        "planned_cycles": 3,
        "min_cycles": 2,
        "max_cycles": 4,
        "wait_target_weeks": 8,
        "letter_sign_off": "VIG health visiting team, Cambridgeshire and Peterborough NHS Foundation Trust",
        "letter_contact": {
            "phone": "01632 960100",
            "email": "vig.cpft@example.org",
            "address": "VIG health visiting team\nDemo House, 1 Demo Street\nPeterborough PE1 1AA",
        },
        "sites": [
            {"name": "Peterborough", "postcodes": "PE1, PE2, PE3, PE4, PE5, PE6, PE7, PE8"},
            {
                "name": "Cambridgeshire",
                "postcodes": "CB1, CB2, CB3, CB4, CB5, CB6, CB7, CB21, CB22, CB23, CB24, CB25, PE13, PE14, PE15, "
                "PE16, PE19, PE26, PE27, PE28, PE29, SG8",
            },
        ],
        "sources": ["Specialist perinatal mental health service", "Specialist midwife", "Health visitor"],
        "questions": [],
        "measures": [
            {"instrument": "gbo", "time_points": ["baseline", "end"]},
            {"instrument": "epds", "time_points": ["baseline", "end"]},
            {"instrument": "feedback", "time_points": ["end"]},
        ],
        "eligibility": [
            {"kind": "age_window", "params": {"antenatal": True, "max_months": 12}},
            {"kind": "referral_source", "params": {}},
            {"kind": "required_answers", "params": {"fields": ["attachment_concerns", "mental_health_concerns"]}},
            {"kind": "catchment", "params": {}},
        ],
    },
    {
        "seed": "001",
        "slug": "cwpt-perinatal-mental-health",
        "name": "Perinatal Mental Health Team VIG",
        "organisation": "Coventry and Warwickshire Partnership NHS Trust",
        "description": "Secondary perinatal mental-health service: from conception to one year after birth. "
        "Helping questions are set first; clips go to mothers for their Staying Well plan.",
        "planned_cycles": 3,
        "min_cycles": 2,
        "max_cycles": 4,
        "wait_target_weeks": 6,
        "letter_sign_off": "Perinatal Mental Health Team, Coventry and Warwickshire Partnership NHS Trust",
        "letter_contact": {
            "phone": "01632 960200",
            "email": "perinatal.vig@example.org",
            "address": "Perinatal Mental Health Team\nDemo House, 2 Demo Street\nCoventry CV1 1AA",
        },
        "sites": [{"name": "Coventry", "postcodes": ""}, {"name": "Warwickshire", "postcodes": ""}],
        "sources": ["Perinatal Mental Health Team (within the team)"],
        "questions": [],
        "measures": [
            {"instrument": "gbo", "time_points": ["baseline", "mid", "end"]},
            {"instrument": "core10", "time_points": ["baseline", "mid", "end"]},
            {"instrument": "epds", "time_points": ["baseline", "end"]},
            {"instrument": "feedback", "time_points": ["end"]},
        ],
        "eligibility": [
            {"kind": "age_window", "params": {"antenatal": True, "max_months": 12}},
            {"kind": "referral_source", "params": {}},
            {"kind": "required_answers", "params": {"fields": ["mental_health_concerns"]}},
        ],
    },
    {
        "seed": "002",
        "slug": "haringey-through-each-others-eyes",
        "name": "Through Each Other's Eyes",
        "organisation": "Whittington Health NHS Trust with Haringey Early Help",
        "description": "Health-visiting and early-help practitioners in VIG training work with parents and infants.",
        "planned_cycles": 3,
        "min_cycles": 2,
        "max_cycles": 4,
        "wait_target_weeks": 12,
        "letter_sign_off": "Through Each Other's Eyes, Haringey Parent Infant Psychology Service",
        "letter_contact": {
            "phone": "01632 960300",
            "email": "teoe.vig@example.org",
            "address": "Through Each Other's Eyes\nDemo House, 3 Demo Street\nLondon N15 1AA",
        },
        "sites": [{"name": "Haringey", "postcodes": "N4, N6, N8, N10, N11, N15, N17, N22"}],
        "sources": ["Health visiting team", "Early Help team"],
        "questions": [],
        # The independent evaluation: self-efficacy (KPCS), bonding (PBQ) and wellbeing (SWEMWBS), before and after.
        "measures": [
            {"instrument": "gbo", "time_points": ["baseline", "end"]},
            {"instrument": "kpcs", "time_points": ["baseline", "end", "follow_up"]},
            {"instrument": "pbq", "time_points": ["baseline", "end", "follow_up"]},
            {"instrument": "swemwbs", "time_points": ["baseline", "end", "follow_up"]},
            {"instrument": "feedback", "time_points": ["end"]},
        ],
        "eligibility": [
            {"kind": "age_window", "params": {"antenatal": True, "max_months": 24}},
            {"kind": "referral_source", "params": {}},
            {"kind": "catchment", "params": {}},
        ],
    },
    {
        "seed": "003",
        "slug": "together-for-families-vig",
        "name": "Together for Families VIG",
        "organisation": "Together for Families (local authority early help)",
        "description": "Parents and carers of children of any age (health visitors refer for children 3 and under). "
        "Requests come through the Early Help Hub or a Case Management Decision form.",
        "planned_cycles": 3,
        "min_cycles": 2,
        "max_cycles": 4,
        "wait_target_weeks": 12,
        "letter_sign_off": "Together for Families VIG team",
        "letter_contact": {
            "phone": "01632 960400",
            "email": "tff.vig@example.org",
            "address": "Together for Families VIG team\nDemo House, 4 Demo Street\nDemo Town DT1 1AA",
        },
        "sites": [{"name": "Early Help Hub", "postcodes": ""}],
        "sources": ["Early Help Hub request for help", "Case Management Decision (CMD) form"],
        "questions": [
            {
                "key": "hoped_for_change",
                "text": "What change is hoped for from the parent or carer by engaging with VIG, and has this been "
                "mutually agreed?",
            },
            {
                "key": "impact_on_child",
                "text": "What impact will this have on the child's lived experience? Is the parent or carer clear "
                "about this?",
            },
            {
                "key": "older_children_consent",
                "text": "Have any children aged 12 and over given their own consent to be filmed, where relevant?",
            },
        ],
        "measures": [
            {"instrument": "prfq", "time_points": ["baseline", "end"], "note": "Baseline completed before referral"},
            {"instrument": "gbo", "time_points": ["baseline", "end"]},
            {"instrument": "feedback", "time_points": ["end"]},
        ],
        "eligibility": [
            {"kind": "age_window", "params": {"antenatal": True}},
            {"kind": "referral_source", "params": {}},
            {"kind": "required_answers", "params": {"fields": ["concerns"]}},
            {"kind": "required_questions", "params": {}},
        ],
    },
    {
        "seed": "004",
        "slug": "mersey-care-building-attachment-and-bonds",
        "name": "Building Attachment and Bonds Service",
        "organisation": "Mersey Care NHS Foundation Trust",
        "description": "Parents with babies, at Knowsley and Sefton. Written consent before filming; the videos "
        "belong to the family.",
        "planned_cycles": 3,
        "min_cycles": 2,
        "max_cycles": 4,
        "wait_target_weeks": 12,
        "letter_sign_off": "Building Attachment and Bonds Service, Mersey Care NHS Foundation Trust",
        "letter_contact": {
            "phone": "01632 960500",
            "email": "bab.vig@example.org",
            "address": "Building Attachment and Bonds Service\nManor Farm Primary Care Resource Centre\n"
            "Manor Farm Road, L36 0UB",
        },
        "sites": [
            {
                "name": "Knowsley",
                "address": "Manor Farm Primary Care Resource Centre, Manor Farm Road, L36 0UB",
                "postcodes": "L14, L16, L24, L26, L27, L28, L32, L33, L34, L35, L36, WA8, WA10, WA11",
            },
            {
                "name": "Sefton",
                "address": "Netherton Family Wellbeing Hub, Magdalen Square, L30 5QH",
                "postcodes": "L20, L21, L22, L23, L29, L30, L31, L37, L38, PR8, PR9",
            },
        ],
        "sources": ["Service referral"],
        "questions": [],
        "measures": [
            {"instrument": "gbo", "time_points": ["baseline", "end"]},
            {"instrument": "feedback", "time_points": ["end"]},
        ],
        "eligibility": [
            {"kind": "age_window", "params": {"antenatal": False, "max_months": 12}},
            {"kind": "referral_source", "params": {}},
            {"kind": "catchment", "params": {}},
        ],
    },
]


def seed_by_number(number: str) -> dict:
    """Look a seed service up by its file number ('000'…'004')."""
    return next(s for s in SEED_SERVICES if s["seed"] == number)
