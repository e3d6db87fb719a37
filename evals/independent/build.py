"""Build the independent evaluation corpus (deterministic).

Run from the repository root::

    python -m evals.independent.build
    python evals/independent/build.py

Writes ``evals/independent/corpus/``: the framework primer, the documents of three
ILLUSTRATIVE zones, their ``.meta.yaml`` sidecars, ``zones.yaml`` and ``criteria.yaml``.
All text lives in this file and in ``catalogue_data.py``; PDFs are rendered with
reportlab ``invariant=1`` and DOCX files get fixed zip timestamps, so reruns give the
same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from catalogue_data import CRITERIA, FRAMEWORK, STATUS_RULE, ZONES  # noqa: E402
from render import RENDERERS  # noqa: E402

CORPUS = HERE / "corpus"


def notice(zone: str) -> tuple:
    return ("notice", f"ILLUSTRATIVE DOCUMENT. {zone}, its developer, its tenants and every "
                      "figure in this document are invented for the EIP Assistant independent "
                      "evaluation set. They do not describe any real zone or company.")


SV, RC, CR = ("Sangkae Valley Special Economic Zone", "Roluos Crossing Special Economic Zone",
              "Chhnang Riverport Special Economic Zone")
IND = ["Indicator", "Year", "Reported value", "Basis"]
W4 = [7.0, 1.1, 5.3, 3.6]

DOCS: list[dict] = []


def doc(path: str, meta: dict | None, pages: list[list[tuple]]) -> None:
    DOCS.append({"path": path, "meta": meta, "pages": pages})


# =========================================================================== framework
def _item(c: dict) -> list[tuple]:
    kind = "presence" if c["threshold"]["comparator"] == "present" else "numeric"
    return [("h", f"{c['id']}  {c['title']}"),
            ("p", f"{c['requirement']} Measured as: {c['indicator'][0].lower()}{c['indicator'][1:]} "
                  f"({kind}, {c['level']} level). Pass mark: {c['pass_mark']}.")]


def _block(prefixes: tuple[str, ...]) -> list[tuple]:
    out: list[tuple] = []
    for c in CRITERIA:
        if c["id"].split("-")[0] in prefixes:
            out += _item(c)
    return out


doc("frameworks/eip-scorecard-primer.pdf",
    {"title": "Eco-Industrial Park Scorecard: A Primer for Zone Reviewers", "date": "2024-02-01",
     "author": "EIP Assistant independent evaluation team"},
    [
        [("title", "Eco-Industrial Park Scorecard: A Primer for Zone Reviewers"),
         ("p", "This primer condenses the International Framework for Eco-Industrial Parks "
               "(version 2.0, published in 2021 by the World Bank Group, UNIDO and GIZ) into "
               "fourteen items that a reviewer can check against the documents of a Cambodian "
               "special economic zone. Two items are gate conditions that a park must satisfy "
               "before its performance is discussed at all; the other twelve are grouped into "
               "park management, environmental, social and economic blocks."),
         ("notice", "The pass marks in this primer were set for an evaluation exercise. They "
                    "are illustrative and are not quoted from the framework publication."),
         ("h", "How the fourteen items are grouped"),
         ("table", ["Block", "Refs", "Number of items"],
          [["Gate conditions", "PRE-1, PRE-2", "2"],
           ["Park management", "PM-1, PM-2", "2"],
           ["Environmental", "ENV-1 to ENV-6", "6"],
           ["Social", "SOC-1, SOC-2", "2"],
           ["Economic", "ECO-1, ECO-2", "2"]], [4.5, 5.0, 3.5]),
         ("h", "Four verdicts"),
         ("p", "Items marked presence need proof that a measure exists and works; numeric "
               "items need a reported figure. A reviewer gives every item one of four verdicts:"),
         ("bullets", [
             "Meets - the most recent reported figure reaches the pass mark, or the measure is "
             "in place and working.",
             "Partially meets - a figure that falls short but is at least half-way to the pass "
             "mark (for a ceiling: no more than one and a half times the ceiling); or a measure "
             "that covers only part of the site or of its users, exists only as a draft, or a "
             "major finding still open under an agreed corrective-action plan.",
             "Does not meet - a figure further from the pass mark, a measure that exists only "
             "as a plan or a promise, or documents showing that the measure is absent or "
             "breached.",
             "Insufficient evidence - no document reports the item.",
         ]),
         ("p", "When two dated documents disagree about the same figure, the more recent one "
               "decides the verdict.")],
        [("h", "Part 1. Gate conditions and park governance"),
         ("p", "The two gate conditions concern the legal footing of the park; the two "
               "governance items concern the capacity of the park management entity (PME) to "
               "run an eco-industrial programme.")] + _block(("PRE", "PM")),
        [("h", "Part 2. Resources, carbon and nature")] + _block(("ENV",)),
        [("h", "Part 3. People and the local economy")] + _block(("SOC", "ECO")) +
        [("p", "A zone that meets every item is a strong candidate for recognition as an "
               "eco-industrial park; gaps in the gate conditions must be closed first.")],
    ])

# =========================================================================== Sangkae Valley
doc("zones/sangkae-valley/reports/annual-environmental-monitoring-return-2024.pdf",
    {"title": "Sangkae Valley SEZ - Annual Environmental Monitoring Return, Reporting Year 2024",
     "date": "2025-02-20", "author": "Tonle Sap Environmental Advisory"},
    [
        [("title", "Sangkae Valley SEZ - Annual Environmental Monitoring Return, Reporting Year 2024"),
         notice(SV),
         ("h", "Part A. Particulars of the return"),
         ("table", ["Item", "Entry"],
          [["Zone", "Sangkae Valley Special Economic Zone (SVSEZ)"],
           ["Location", "Sangkae district, Battambang province"],
           ["Developer", "Sangkae Valley Industrial Estate Co., Ltd."],
           ["Gross site area", "265 ha"],
           ["Operating tenant firms at 31 December 2024", "23"],
           ["Reporting period", "1 January to 31 December 2024"],
           ["Compiled by", "Tonle Sap Environmental Advisory"]], [6.5, 10.5]),
         ("p", "This return is filed once a year with the park management entity. It brings "
               "together metered and audited figures for the calendar year; figures of "
               "individual tenants are aggregated and no tenant is named. Where a value rests on "
               "an estimate instead of a meter, the basis column says so."),
         ("p", "The zone lies beside the Sangkae river north-west of Battambang town. Its "
               "occupants are rice mills and parboiling plants, a cassava starch factory, feed "
               "mills, packaging converters and an assembler of threshers and two-wheel tractors.")],
        [("h", "Part B. Energy and carbon"),
         ("table", IND,
          [["Electricity consumed by the zone", "2024", "61,500 MWh", "grid and CHP meters"],
           ["Renewable share of electricity consumed", "2024", "41%", "husk CHP + rooftop PV"],
           ["Rooftop PV capacity in operation", "2024", "3,200 kWp", "commissioning records"],
           ["Rice-husk CHP electrical capacity", "2024", "6 MW", "nameplate"],
           ["Savings from efficiency retrofits", "2024", "2,340 MWh/yr", "audited, 9 tenants"],
           ["Scope 1+2 emission intensity", "2024", "96 t CO2e per USD million of output", "inventory"],
           ["Gross output of tenants", "2024", "USD 412 million", "tenant declarations"]], W4),
         ("p", "A second husk-fired boiler came on line in March 2024, and three tenants added "
               "panels to their warehouse roofs. Grid purchases from the national utility cover "
               "whatever the on-site plant does not supply."),
         ("p", "Retrofit savings were counted only where a tenant had before-and-after metering: "
               "variable-speed drives on mill motors, replacement of leaking steam traps and "
               "insulation of parboiling vessels.")],
        [("h", "Part C. Water, effluent and hazardous waste"),
         ("table", IND,
          [["Total water use (river intake + wells)", "2024", "5,900 m3/day", "mean of daily reads"],
           ["Reclaimed water returned to process and cooling", "2024", "830 m3/day", "reuse pump meter"],
           ["Reclaimed share of total water use", "2024", "14%", "830 / 5,900"],
           ["Central effluent plant design capacity", "2024", "4,500 m3/day", "design report"],
           ["Hazardous waste generated", "2024", "410 t/yr", "tenant manifests"],
           ["Hazardous waste sent to licensed handler", "2024", "100%", "handler receipts"]], W4),
         ("p", "Spent lubricants, solvent-based ink residues from the packaging converters and "
               "laboratory reagents make up most of the hazardous stream. Northwest Licensed "
               "Waste Services collects it every month; drums do not stay in the yard for more "
               "than 90 days."),
         ("p", "Starch-plant effluent passes through an anaerobic lagoon before it reaches the "
               "central plant; the biogas from the lagoon is flared.")],
        [("h", "Part D. Inspection outcome and workplace safety"),
         ("p", "The Provincial Department of Environment inspected the zone and its tenants in "
               "November 2024 and closed the inspection with no open major non-compliance."),
         ("table", IND,
          [["Hours worked, all employers", "2024", "19.8 million", "payroll records"],
           ["Lost-time injuries", "2024", "59", "incident register"],
           ["Lost-time injury rate", "2024", "0.6 per 200,000 hours worked", "59 x 200,000 / 19.8 m"]], W4),
         ("p", "Hand injuries at bagging lines and slips on wet floors in the parboiling sheds "
               "account for most of the lost-time cases."),
         ("h", "Part E. Declaration"),
         ("p", "The compiler checked the values above against meter logs, manifests and payroll "
               "extracts supplied by the park management entity, and found no material "
               "discrepancy.")],
    ])

doc("zones/sangkae-valley/investor-factsheet-2022.docx",
    {"title": "Sangkae Valley SEZ - Investor Factsheet 2022", "date": "2022-05-18",
     "author": "Sangkae Valley Industrial Estate Co., Ltd."},
    [[("title", "Sangkae Valley SEZ - Investor Factsheet 2022"),
      notice(SV),
      ("p", "Sangkae Valley sits in the middle of Cambodia's north-western rice bowl. Paddy, "
            "cassava and maize arrive by road from farms within a two-hour radius, and National "
            "Road 5 links the zone with Phnom Penh and with the Thai border."),
      ("h", "The zone in figures (May 2022)"),
      ("table", ["Figure", "Value"],
       [["Gross site area", "265 ha"],
        ["Distance to Battambang town", "12 km"],
        ["Tenant firms with signed leases", "17"],
        ["Workforce", "6,900"],
        ["Renewable share of electricity consumed", "18%"],
        ["Tenants filing monthly resource returns", "57%"],
        ["Rooftop PV in operation", "750 kWp"]], None),
      ("h", "What investors get"),
      ("bullets", ["Serviced plots from 1 ha upwards with road, power and water connections",
                   "A one-stop SEZ administration office on site for customs and permits",
                   "Steam from the central husk-fired boiler house",
                   "Contract supply through farmer cooperatives"]),
      ("p", "Please contact the investment desk of Sangkae Valley Industrial Estate Co., Ltd. for "
            "plot availability.")]])

doc("zones/sangkae-valley/tenant-survey-digest-2024.html",
    {"title": "Tenant Survey Digest 2024 - Sangkae Valley SEZ", "date": "2024-11-20",
     "author": "SVSEZ Environment and Social Unit"},
    [[("title", "Tenant Survey Digest 2024 - Sangkae Valley SEZ"),
      notice(SV),
      ("p", "Every autumn the Environment and Social Unit puts the same short questionnaire to "
            "each resident firm. All 23 firms replied in October 2024. Only park-wide results are "
            "shown below."),
      ("h", "Results at a glance"),
      ("table", ["Topic", "2024 result", "Note"],
       [["Firms submitting monthly energy, water and waste data to the park office",
         "21 of 23 (91%)", "two newcomers start in 2025"],
        ["Spending with suppliers based in Battambang province", "34% of procurement value",
         "paddy, cassava, sacks, haulage"],
        ["Employees living in Battambang province", "78% of workforce", "headcount 9,600"],
        ["Firms with a named safety officer", "23 of 23", ""]], None),
      ("h", "What tenants asked for"),
      ("bullets", ["A second weighbridge at the north gate",
                   "More frequent evening transport for shift workers",
                   "Faster turnaround on import licences"]),
      ("p", "The Unit will respond to these requests at the tenant forum in January 2025.")]])

doc("zones/sangkae-valley/board-minutes-excerpt-2024-06.md", None,
    [[("title", "Excerpt from the Minutes of the Board of Sangkae Valley Industrial Estate Co., "
                "Ltd. - Meeting of 14 June 2024"),
      notice(SV),
      ("p", "Present: five directors, the General Manager, and the head of the Environment and "
            "Social Unit acting as secretary. Items 4 to 7 are reproduced; commercial items are "
            "withheld."),
      ("h", "Item 4 - Impact assessment and management plan"),
      ("p", "The secretary confirmed that the ESIA approved by the Ministry of Environment in "
            "March 2019 covers the whole 265 ha site, and that the quarterly reports required by "
            "its management plan were filed on time in 2023 and in the first quarter of 2024."),
      ("h", "Item 5 - Staffing of the Environment and Social Unit"),
      ("p", "The Unit now has four full-time staff: a head, an environmental engineer, a "
            "community liaison officer and a data clerk. The Board approved a fifth post for 2025."),
      ("h", "Item 6 - Riverside wetland"),
      ("p", "Directors walked the wetland strip kept along the Sangkae river channel. It covers "
            "5.5 ha and is fenced off from the log yard. The Board approved USD 48,000 for its "
            "upkeep over 2024 and 2025."),
      ("h", "Item 7 - Complaints and feedback"),
      ("p", "Since January the telephone line and the desk at the main gate have logged 19 "
            "cases from workers and from residents of the four neighbouring villages; 17 are "
            "closed. Most village cases concerned husk ash blown onto rice fields."),
      ("p", "Next meeting: 20 September 2024.")]])

# =========================================================================== Roluos Crossing
doc("zones/roluos-crossing/reports/site-audit-memo-2024-03.pdf",
    {"title": "Site Audit Memo - Roluos Crossing SEZ", "date": "2024-03-28",
     "author": "Angkor Field Engineering"},
    [
        [("title", "Site Audit Memo - Roluos Crossing SEZ"),
         notice(RC),
         ("table", ["Field", "Detail"],
          [["To", "General Manager, Roluos Crossing Development Co., Ltd."],
           ["From", "Audit team, Angkor Field Engineering"],
           ["Site visit", "11 to 13 March 2024"],
           ["Scope", "utilities, waste yards, safety records, grievance handling"]], [3.5, 13.5]),
         ("h", "Headline observations"),
         ("bullets", [
             "Electricity still comes almost entirely from the grid; the small rooftop arrays "
             "cannot carry the load of the sewing and finishing lines.",
             "Part of the hazardous waste waits in drums in the yard for the licensed "
             "contractor's truck.",
             "A major finding from the August 2023 provincial inspection, on two wells pumped "
             "without a valid groundwater permit, is still open; the corrective-action plan "
             "agreed with the province sets mid-2025 for closure.",
             "Injury records are now kept in one register for all tenants, which makes the "
             "park-wide rate reliable for the first time.",
         ]),
         ("p", "The following pages give the audited figures and our observations on staffing "
               "and complaints.")],
        [("h", "Utilities and waste - audited figures for calendar year 2023"),
         ("table", ["Item", "Period", "Figure", "Auditor's note"],
          [["Total water use", "2023", "1,450 m3/day", "wells + piped supply"],
           ["Renewable share of electricity consumed", "2023", "9%", "rooftop PV, 420 kWp"],
           ["Reclaimed water put back into use", "2023", "0 m3/day", "all effluent discharged"],
           ["Hazardous waste generated", "2023", "95 t/yr", "tenant manifests"],
           ["Hazardous waste taken by licensed contractor", "2023", "72%", "balance stored in yard"],
           ["Electricity saved by retrofits", "2023", "900 MWh/yr", "LED + compressed-air leaks"]],
          [6.6, 1.4, 3.2, 5.8]),
         ("p", "Figures were traced to meter readings and manifests for January to December "
               "2023. Savings were accepted only where before-and-after metering exists."),
         ("p", "The hazardous stream is mostly spent solvent from furniture finishing, dye "
               "residues and used oil. Collections are quarterly, which explains the stock in "
               "the yard.")],
        [("h", "People: safety, staffing and grievances"),
         ("table", ["Item", "Period", "Figure", "Auditor's note"],
          [["Hours worked, all employers", "2023", "11.2 million", "payroll"],
           ["Lost-time injuries", "2023", "73", "incident register"],
           ["Lost-time injury rate", "2023", "1.3 per 200,000 hours worked", "73 x 200,000 / 11.2 m"]],
          [5.6, 1.4, 5.0, 5.0]),
         ("p", "Since 2022 the park management entity has employed one full-time environmental "
               "and social officer; she also keeps the incident register."),
         ("p", "Workers can raise complaints through a locked box in each factory and a hotline "
               "run by the park office. No equivalent channel exists yet for the villages of the "
               "surrounding communes: residents take their concerns to the commune chief, who has "
               "no agreed route into the park."),
         ("h", "Recommended next steps"),
         ("bullets", ["Open the hotline to residents and publicise it in the communes.",
                      "Move hazardous waste collections from quarterly to monthly.",
                      "Close the groundwater finding before the dry season."])],
    ])

doc("zones/roluos-crossing/screening-2022.docx",
    {"title": "EIP Readiness Screening - Roluos Crossing SEZ", "author": "Angkor Field Engineering"},
    [[("title", "EIP Readiness Screening - Roluos Crossing Special Economic Zone (2022)"),
      notice(RC),
      ("p", "This screening was carried out in 2022 so that the developer could see how far the "
            "zone stands from eco-industrial practice. It relied on a one-day walk-over and on "
            "data supplied by the park office."),
      ("h", "Snapshot"),
      ("table", ["Parameter", "Value at screening"],
       [["Tenant firms", "11"],
        ["Workforce", "4,800"],
        ["Lost-time injury rate", "2.1 per 200,000 hours worked"],
        ["Tree belt and reservoir bank planted", "8 ha"],
        ["ESIA status", "approved by the Ministry of Environment in 2021"]], None),
      ("h", "First impressions"),
      ("bullets", ["Heritage-sensitive layout: low buildings and no stack higher than 18 m",
                   "Injury records kept unevenly from one tenant to the next",
                   "Water drawn mainly from wells, with no metering at tenant level"]),
      ("p", "A fuller audit is advised once the second wave of tenants has moved in.")]])

doc("zones/roluos-crossing/investor-factsheet.html",
    {"title": "Roluos Crossing SEZ - Investor Factsheet", "date": "2024-09-02",
     "author": "Roluos Crossing Development Co., Ltd."},
    [[("title", "Roluos Crossing SEZ - Investor Factsheet"),
      notice(RC),
      ("p", "A compact zone for light industry south-east of Siem Reap town on National Road 6, "
            "built low and green out of respect for the nearby temples of the Roluos group."),
      ("h", "At a glance (September 2024)"),
      ("table", ["Item", "Figure"],
       [["Gross site area", "140 ha"],
        ["Tenant firms in operation", "14"],
        ["Workforce", "6,200"],
        ["Workforce living in Siem Reap province", "71% of workforce"],
        ["Purchases from Siem Reap suppliers", "22% of procurement value"],
        ["Tenants sending monthly resource data", "9 of 14 (64%)"],
        ["Green space", "12 ha of tree belt and restored reservoir bank"]], None),
      ("h", "Why invest here"),
      ("bullets", ["Environmental and social impact assessment approved by the Ministry of "
                   "Environment in 2021",
                   "Skilled woodworkers and weavers from nearby craft villages",
                   "Steady tourism demand for furniture, textiles and packaged foods"])]])

doc("zones/roluos-crossing/utility-operator-letter-2024.txt",
    {"title": "Letter from Bakong Power and Water Services on solar and reuse works",
     "date": "2024-10-15", "author": "Bakong Power and Water Services"},
    [[("title", "Bakong Power and Water Services - letter to Roluos Crossing Development Co., Ltd."),
      ("notice", "ILLUSTRATIVE DOCUMENT. Roluos Crossing Special Economic Zone, the utility "
                 "operator and every figure in this letter are invented for the EIP Assistant "
                 "independent evaluation set. They do not describe any real zone or company."),
      ("p", "Date: 15 October 2024"),
      ("p", "Subject: Solar array and effluent reuse works at Roluos Crossing SEZ"),
      ("p", "Dear General Manager,"),
      ("p", "Thank you for your letter of 2 September. We confirm that the 1,500 kWp "
            "ground-mounted solar array on the eastern reserve plot will be commissioned in "
            "2026, once the 22 kV connection has been upgraded. Until then the rooftop arrays on "
            "tenant buildings remain the only generation inside the zone."),
      ("p", "The loop that will send treated effluent back to the tenants' cooling towers and "
            "toilet flushing is also scheduled for 2026. At present none of the treated effluent "
            "is reused; the plant releases all of it to the stream."),
      ("p", "Our revised price schedule for 2025 will follow under separate cover."),
      ("p", "Yours sincerely,"),
      ("p", "Operations Director, Bakong Power and Water Services")]])

# =========================================================================== Chhnang Riverport
doc("zones/chhnang-riverport/reports/environmental-compliance-review-2024.pdf",
    {"title": "Environmental Compliance Review 2024 - Chhnang Riverport SEZ", "date": "2024-12-05",
     "author": "Riverine Compliance Partners"},
    [
        [("title", "Environmental Compliance Review 2024 - Chhnang Riverport SEZ"),
         notice(CR),
         ("h", "1. Scope and sources"),
         ("p", "Chhnang Riverport Holdings Co., Ltd. commissioned this review to prepare for the "
               "second phase of the zone. The team spent four days on site in October 2024, read "
               "the permit files, and took resource data from the utility and from tenant "
               "declarations for January to September 2024, annualised."),
         ("table", ["Zone particular", "Value"],
          [["Province and district", "Kampong Chhnang, Rolea B'ier"],
           ["Gross area (Phase 1 operating + Phase 2 planned)", "410 ha (250 ha + 160 ha)"],
           ["Tenant firms", "31"],
           ["Workers", "21,500"],
           ["Main activities", "garments, footwear, bicycle parts, barge logistics"]], [7.5, 9.5]),
         ("p", "The review follows the structure of the scorecard used by the developer's "
               "lenders' advisers, but it does not assign verdicts.")],
        [("h", "2. Permits and inspection status"),
         ("table", ["Item", "Status", "Date"],
          [["ESIA, Phase 1 (250 ha)", "approved by Ministry of Environment", "2018"],
           ["ESIA, Phase 2 (160 ha)", "under review, not yet approved", "submitted 2023"],
           ["Provincial inspection", "2 major findings open", "September 2024"]], [5.0, 7.5, 4.5]),
         ("p", "The first open finding concerns a bypass pipe through which untreated dyeing "
               "effluent reached the river during peak production. The second concerns dewatered "
               "sludge stored on bare ground without a licence."),
         ("p", "Neither finding has an agreed corrective-action plan yet; the provincial "
               "department has asked for one by February 2025."),
         ("p", "Operating permits of all 31 tenants were current at the time of the visit.")],
        [("h", "3. Resource and carbon indicators"),
         ("table", ["Indicator", "Year", "Value", "Source"],
          [["Total water use", "2024", "14,200 m3/day", "utility bills + well meters"],
           ["Reclaimed water reused on site", "2024", "570 m3/day", "reuse meter"],
           ["Reclaimed share of total water use", "2024", "4%", "calculated"],
           ["Electricity consumed", "2024", "96,000 MWh", "utility bills"],
           ["Renewable share of electricity consumed", "2024", "7%", "rooftop PV"],
           ["Emission intensity (scope 1+2)", "2024", "190 t CO2e per USD million of output", "estimate"],
           ["Hazardous waste generated", "2024", "1,240 t/yr", "declarations"],
           ["Hazardous waste sent to licensed handler", "2024", "38%", "handler receipts"]],
          [6.1, 1.1, 5.7, 4.1]),
         ("p", "Demand grew faster than rooftop capacity after six new garment lines opened, "
               "which has pulled the clean-power fraction down since 2022."),
         ("p", "Most of the hazardous waste that bypasses the licensed handler is dye sludge, "
               "the subject of the second inspection finding.")],
        [("h", "4. Land, river and workplace"),
         ("p", "Natural habitat inside the fence is limited to a 1.2 ha stand of flooded forest "
               "at the northern corner."),
         ("p", "A 10 ha riverbank restoration along the Tonle Sap frontage is planned to start in "
               "2026, subject to approval of Phase 2."),
         ("table", ["Indicator", "Year", "Value", "Source"],
          [["Hours worked", "2024", "41.5 million", "payroll, annualised"],
           ["Lost-time injuries", "2024", "498", "tenant registers"],
           ["Lost-time injury rate", "2024", "2.4 per 200,000 hours worked", "calculated"]],
          [6.1, 1.1, 5.7, 4.1]),
         ("p", "Injuries cluster at the barge terminal and in footwear cutting rooms. The review "
               "recommends a park-wide safety committee with tenant representatives.")],
    ])

doc("zones/chhnang-riverport/investor-briefing-2022.docx", None,
    [[("title", "Chhnang Riverport SEZ - Investor Briefing 2022"),
      notice(CR),
      ("p", "Chhnang Riverport gives exporters a barge route down the Tonle Sap river to the "
            "port of Phnom Penh and a road route along National Road 5."),
      ("h", "Key figures, mid-2022"),
      ("table", ["Measure", "2022"],
       [["Tenant firms", "24"],
        ["Workers", "16,800"],
        ["Renewable share of electricity consumed", "12%"],
        ["Emission intensity (scope 1+2)", "240 t CO2e per USD million of output"],
        ["Operating area", "250 ha"],
        ["Barge calls", "22 per month"]], None),
      ("h", "Services"),
      ("bullets", ["Barge berth for 2,000 t vessels",
                   "Central effluent treatment plant",
                   "Dormitory blocks for 3,000 workers",
                   "SEZ administration office on site"]),
      ("p", "Phase 2, a further 160 ha, is in preparation.")]])

doc("zones/chhnang-riverport/tenant-reporting-dashboard.html",
    {"title": "Tenant Reporting Dashboard - Chhnang Riverport SEZ", "date": "2024-07-30",
     "author": "Chhnang Riverport Holdings, park office"},
    [[("title", "Tenant Reporting Dashboard - Chhnang Riverport SEZ"),
      notice(CR),
      ("p", "A snapshot of the returns received by the park office, updated after each quarter "
            "closes."),
      ("h", "Monthly resource returns received"),
      ("table", ["Quarter", "Firms in operation", "Firms with complete monthly returns"],
       [["Q3 2023", "29", "9 of 29 (31%)"],
        ["Q4 2023", "30", "10 of 30 (33%)"],
        ["Q1 2024", "31", "10 of 31 (32%)"],
        ["Q2 2024", "31", "11 of 31 (35%)"]], None),
      ("h", "Where the workforce comes from"),
      ("p", "The June 2024 workforce survey found that 83% of workers have their home in "
            "Kampong Chhnang province; most of the others commute from Pursat and Kampong Speu."),
      ("p", "Firms that miss returns get a reminder; repeated gaps are raised at the quarterly "
            "tenant meeting.")]])

doc("zones/chhnang-riverport/community-liaison-notes-2024-05.md", None,
    [[("title", "Community Liaison Notes - May 2024"),
      notice(CR),
      ("p", "Notes kept by the park office of Chhnang Riverport SEZ from the monthly meeting with "
            "neighbouring communities, held on 21 May 2024."),
      ("h", "Who takes part"),
      ("p", "The grievance committee brings together the park office's deputy manager, two "
            "tenant representatives and the village chiefs of the three neighbouring communes. "
            "It meets every month, and any resident may bring a complaint in person or through a "
            "village chief."),
      ("h", "Issues raised this month"),
      ("bullets", ["Dust from trucks at the barge terminal settling on market stalls",
                   "Night lighting at the footwear plant disturbing a nearby pagoda",
                   "Fishers asking whether the riverbank works will restrict boat landings"]),
      ("h", "Follow-up"),
      ("p", "The park office explained that the riverbank restoration is planned for 2026 and "
            "that landing points for fishing boats will stay open. Spraying of the terminal road "
            "will go up from two to four rounds a day.")]])


# =========================================================================== registries
def write_registries() -> None:
    zones_hdr = ("# Zone registry of the independent evaluation set.\n"
                 "# ILLUSTRATIVE: the three zones are invented. Provinces are real; names, "
                 "developers and figures are not.\n")
    (CORPUS / "zones.yaml").write_text(
        zones_hdr + yaml.safe_dump({"zones": ZONES}, sort_keys=False, allow_unicode=True,
                                   width=100), encoding="utf-8")
    crit = [{k: v for k, v in c.items() if k != "pass_mark"} for c in CRITERIA]
    hdr = ("# Criteria catalogue of the EIP Assistant independent evaluation set.\n"
           "# 14 items condensed from the International Framework for Eco-Industrial Parks v2.0\n"
           "# (WBG/UNIDO/GIZ 2021). The numeric thresholds are ILLUSTRATIVE values set for this\n"
           "# evaluation; they are not quoted from the official publication.\n"
           "# Generated by evals/independent/build.py from catalogue_data.py - edit there.\n"
           f"# Status rule used for the gold assessments: {STATUS_RULE}\n")
    (CORPUS / "criteria.yaml").write_text(
        hdr + yaml.safe_dump({"framework": FRAMEWORK, "criteria": crit}, sort_keys=False,
                             allow_unicode=True, width=100), encoding="utf-8")


def main() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for d in DOCS:
        out = CORPUS / d["path"]
        meta = d["meta"] or {}
        title = meta.get("title") or d["pages"][0][0][1]
        author = meta.get("author") or "unknown"
        RENDERERS[out.suffix](d["pages"], out, title, author)
        side = out.with_name(out.name + ".meta.yaml")
        if d["meta"]:
            side.write_text(yaml.safe_dump(d["meta"], sort_keys=False), encoding="utf-8")
        elif side.exists():
            side.unlink()
        print(f"wrote {out.relative_to(HERE)}")
    write_registries()
    print("wrote corpus/zones.yaml, corpus/criteria.yaml")


if __name__ == "__main__":
    main()
