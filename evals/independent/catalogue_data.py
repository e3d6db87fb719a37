"""Criteria catalogue and zone registry of the independent evaluation set (plain data).

build.py writes ``corpus/criteria.yaml``, ``corpus/zones.yaml`` and the framework primer
from these records, so the three never disagree.

The thresholds are ILLUSTRATIVE values chosen for this evaluation set. They are not taken
from the official WBG/UNIDO/GIZ framework text and must not be cited as its requirements.
"""

from __future__ import annotations

FRAMEWORK = {
    "id": "eip-framework-v2-independent-eval",
    "title": "International Framework for Eco-Industrial Parks, Version 2.0 (evaluation scorecard)",
    "version": "2.0",
    "source": (
        "World Bank, UNIDO and GIZ. 2021. International Framework for Eco-Industrial Parks v.2. "
        "Condensed into a 14-item scorecard for the EIP Assistant independent evaluation set; "
        "the numeric pass marks are illustrative and are not quoted from the publication."
    ),
}

# status rule used by the primer and by assessments.yaml
STATUS_RULE = (
    "Numeric items: meets when the most recent reported value reaches the pass mark; "
    "partially_meets when it is short of the pass mark but at least half-way there (for an "
    "upper limit: no more than 1.5 times the limit); does_not_meet when it is further away, "
    "or when the measure exists only as a plan; insufficient_evidence when no document reports "
    "a value. Presence items: meets when the measure is in place and working; partially_meets "
    "when it is in place only in part (a draft, a part of the site or of the users, or a major "
    "finding still open under an agreed corrective-action plan); does_not_meet when the "
    "documents show it is absent or breached; insufficient_evidence when nothing is said."
)

CRITERIA = [
    {
        "id": "PRE-1", "category": "prerequisite",
        "subcategory": "Environmental and social risk assessment",
        "title": "Approved impact assessment for the whole site",
        "requirement": "Every phase of the park, including expansion areas in preparation, is covered by an "
                       "environmental and social impact assessment that the Ministry of Environment has "
                       "approved, and its management plan is applied.",
        "level": "park",
        "indicator": "Approval status of the EIA/ESIA covering each phase of the park",
        "threshold": {"comparator": "present"},
        "keywords": ["ESIA", "EIA", "impact assessment", "Ministry of Environment approval", "environmental management plan"],
        "guidance": "Approval letter or record for each phase; a phase still under review counts as partial.",
        "pass_mark": "Approved assessment for every phase, expansion areas included",
    },
    {
        "id": "PRE-2", "category": "prerequisite", "subcategory": "Regulatory compliance",
        "title": "No unresolved major violation",
        "requirement": "The most recent regulatory inspection of the park left no major non-compliance open.",
        "level": "park+firm",
        "indicator": "Open major findings from the latest government inspection",
        "threshold": {"comparator": "present"},
        "keywords": ["inspection", "non-compliance", "violation", "finding", "permit", "corrective action"],
        "guidance": "An open major finding under an agreed corrective-action plan counts as partial; "
                    "open findings without one fail the gate.",
        "pass_mark": "Zero open major findings",
    },
    {
        "id": "PM-1", "category": "park_management", "subcategory": "Park management services",
        "title": "Tenant resource reporting",
        "requirement": "Resident firms send the park management entity monthly data on energy, water and waste.",
        "level": "park+firm",
        "indicator": "Share of tenant firms that report monthly resource data",
        "threshold": {"comparator": ">=", "value": 80, "unit": "% of tenant firms"},
        "keywords": ["tenant reporting", "monthly returns", "resource data", "data submission", "monitoring"],
        "guidance": "Count firms with at least one return in each month of the latest period.",
        "pass_mark": "At least 80% of tenant firms",
    },
    {
        "id": "PM-2", "category": "park_management", "subcategory": "Park management capacity",
        "title": "Dedicated environmental and social staff",
        "requirement": "The park management entity employs at least one full-time person responsible for "
                       "environmental and social performance.",
        "level": "park",
        "indicator": "Full-time environmental and social staff in the park management entity",
        "threshold": {"comparator": "present"},
        "keywords": ["environmental officer", "E&S unit", "sustainability staff", "park management entity"],
        "guidance": "A named post or unit with full-time staff; consultants alone do not count.",
        "pass_mark": "At least one full-time post",
    },
    {
        "id": "ENV-1", "category": "environmental", "subcategory": "Energy",
        "title": "Renewable electricity share",
        "requirement": "A growing part of the electricity used in the park comes from renewable sources.",
        "level": "park+firm",
        "indicator": "Renewable electricity as a share of electricity consumed in the park",
        "threshold": {"comparator": ">=", "value": 30, "unit": "% of electricity consumed"},
        "keywords": ["renewable", "solar", "biomass", "rooftop PV", "kWp", "electricity mix"],
        "guidance": "On-site generation plus contracted renewable supply, over the latest 12 months.",
        "pass_mark": "At least 30% of electricity consumed",
    },
    {
        "id": "ENV-2", "category": "environmental", "subcategory": "Water",
        "title": "Water reuse",
        "requirement": "Treated wastewater is reused inside the park instead of fresh water.",
        "level": "park",
        "indicator": "Reclaimed water as a share of total water use",
        "threshold": {"comparator": ">=", "value": 20, "unit": "% of total water use"},
        "keywords": ["reclaimed water", "water reuse", "recycled effluent", "treated wastewater", "m3/day"],
        "guidance": "Daily averages over the latest year; a planned reuse loop does not count.",
        "pass_mark": "At least 20% of total water use",
    },
    {
        "id": "ENV-3", "category": "environmental", "subcategory": "Waste and material use",
        "title": "Licensed hazardous waste handling",
        "requirement": "All hazardous waste produced in the park goes to licensed collectors and treatment facilities.",
        "level": "park+firm",
        "indicator": "Share of hazardous waste generated that is sent to licensed handlers",
        "threshold": {"comparator": ">=", "value": 100, "unit": "% of hazardous waste generated"},
        "keywords": ["hazardous waste", "licensed handler", "licensed contractor", "t/yr", "manifest"],
        "guidance": "By weight over the latest year; waste stored on site awaiting collection is not yet handled.",
        "pass_mark": "100% of hazardous waste generated",
    },
    {
        "id": "ENV-4", "category": "environmental", "subcategory": "Climate change",
        "title": "Greenhouse gas intensity",
        "requirement": "Scope 1 and 2 emissions of the park stay below a ceiling per unit of economic output.",
        "level": "park+firm",
        "indicator": "Scope 1 and 2 emissions per USD million of output",
        "threshold": {"comparator": "<=", "value": 150, "unit": "t CO2e per USD million of output"},
        "keywords": ["greenhouse gas", "GHG", "emission intensity", "CO2e", "carbon"],
        "guidance": "Park-wide inventory of the latest year divided by the gross output of tenants.",
        "pass_mark": "At most 150 t CO2e per USD million of output",
    },
    {
        "id": "ENV-5", "category": "environmental", "subcategory": "Energy",
        "title": "Verified energy savings",
        "requirement": "Energy audits lead to efficiency measures whose savings are verified.",
        "level": "park+firm",
        "indicator": "Verified annual electricity savings from efficiency measures",
        "threshold": {"comparator": ">=", "value": 1500, "unit": "MWh/yr"},
        "keywords": ["energy efficiency", "energy audit", "savings", "retrofit", "MWh"],
        "guidance": "Savings verified by an audit or metering, summed over the park.",
        "pass_mark": "At least 1,500 MWh/yr",
    },
    {
        "id": "ENV-6", "category": "environmental", "subcategory": "Natural environment",
        "title": "Protected or restored habitat",
        "requirement": "The park keeps or restores natural habitat inside or next to its boundary.",
        "level": "park",
        "indicator": "Area of natural habitat retained or restored",
        "threshold": {"comparator": ">=", "value": 8, "unit": "ha"},
        "keywords": ["habitat", "wetland", "tree belt", "buffer", "restoration", "biodiversity"],
        "guidance": "Only area already retained or restored; planned restoration does not count.",
        "pass_mark": "At least 8 ha",
    },
    {
        "id": "SOC-1", "category": "social", "subcategory": "Occupational health and safety",
        "title": "Lost-time injury rate",
        "requirement": "Work-related injuries that cost working time stay below a ceiling.",
        "level": "park+firm",
        "indicator": "Lost-time injuries per 200,000 hours worked",
        "threshold": {"comparator": "<=", "value": 1.0, "unit": "per 200,000 hours worked"},
        "keywords": ["LTIR", "lost-time injury", "occupational safety", "accidents", "hours worked"],
        "guidance": "Park-wide rate of the latest year (all tenants and the park operator).",
        "pass_mark": "At most 1.0 per 200,000 hours worked",
    },
    {
        "id": "SOC-2", "category": "social", "subcategory": "Community outreach",
        "title": "Grievance channel for workers and neighbours",
        "requirement": "A grievance mechanism is open both to workers and to the communities around the park.",
        "level": "park",
        "indicator": "Grievance mechanism accessible to workers and neighbouring communities",
        "threshold": {"comparator": "present"},
        "keywords": ["grievance mechanism", "complaints", "hotline", "community", "village"],
        "guidance": "A channel open to workers only is partial.",
        "pass_mark": "Channel open to both groups",
    },
    {
        "id": "ECO-1", "category": "economic", "subcategory": "Local business and SME promotion",
        "title": "Local procurement",
        "requirement": "Tenants and the park operator buy goods and services from suppliers in the host province.",
        "level": "park+firm",
        "indicator": "Share of procurement value spent with suppliers in the host province",
        "threshold": {"comparator": ">=", "value": 15, "unit": "% of procurement value"},
        "keywords": ["local procurement", "local suppliers", "SME", "sourcing", "supply chain"],
        "guidance": "Value-weighted, latest year.",
        "pass_mark": "At least 15% of procurement value",
    },
    {
        "id": "ECO-2", "category": "economic", "subcategory": "Employment generation",
        "title": "Local employment",
        "requirement": "Most of the park workforce is recruited from the host province.",
        "level": "park+firm",
        "indicator": "Share of the workforce resident in the host province",
        "threshold": {"comparator": ">=", "value": 60, "unit": "% of workforce"},
        "keywords": ["local hiring", "local employment", "workforce origin", "recruitment", "jobs"],
        "guidance": "Headcount at the latest survey.",
        "pass_mark": "At least 60% of workforce",
    },
]

ZONES = [
    {
        "id": "sangkae-valley",
        "name": "Sangkae Valley Special Economic Zone",
        "aliases": ["Sangkae Valley", "Sangkae Valley SEZ", "SVSEZ", "Sangkae Valley zone"],
        "province": "Battambang",
        "district": "Sangkae",
        "area_ha": 265,
        "developer": "Sangkae Valley Industrial Estate Co., Ltd.",
        "developer_type": "Cambodian-Thai joint venture (Sok Heng Agro Group 60%, Chao Phraya Estates 40%)",
        "sectors": ["rice milling and parboiling", "cassava starch", "animal feed", "packaging",
                    "agricultural machinery assembly"],
        "firms": 23,
        "workers": 9600,
        "illustrative": True,
    },
    {
        "id": "roluos-crossing",
        "name": "Roluos Crossing Special Economic Zone",
        "aliases": ["Roluos Crossing", "Roluos Crossing SEZ", "RCSEZ", "Roluos Crossing zone"],
        "province": "Siem Reap",
        "district": "Prasat Bakong",
        "area_ha": 140,
        "developer": "Roluos Crossing Development Co., Ltd.",
        "developer_type": "Cambodian-Singaporean joint venture (Lotus Gate Holdings)",
        "sectors": ["garments and travel goods", "wooden furniture", "handicrafts",
                    "food supply for hotels"],
        "firms": 14,
        "workers": 6200,
        "illustrative": True,
    },
    {
        "id": "chhnang-riverport",
        "name": "Chhnang Riverport Special Economic Zone",
        "aliases": ["Chhnang Riverport", "Chhnang Riverport SEZ", "CRSEZ", "Chhnang Riverport zone"],
        "province": "Kampong Chhnang",
        "district": "Rolea B'ier",
        "area_ha": 410,
        "developer": "Chhnang Riverport Holdings Co., Ltd.",
        "developer_type": "Cambodian-Chinese joint venture",
        "sectors": ["garments", "footwear", "bicycle components", "river barge logistics"],
        "firms": 31,
        "workers": 21500,
        "illustrative": True,
    },
]
