"""Hand-written source of questions.jsonl (run: python evals/independent/questions_src.py).

Each question was written from a fact in the corpus, then reworded until it shares at most
one content word with the sentence or table row that states the fact (see check.py).
"""
import json

FW="frameworks/eip-scorecard-primer.pdf"
SVR="zones/sangkae-valley/reports/annual-environmental-monitoring-return-2024.pdf"
SVF="zones/sangkae-valley/investor-factsheet-2022.docx"
SVT="zones/sangkae-valley/tenant-survey-digest-2024.html"
SVB="zones/sangkae-valley/board-minutes-excerpt-2024-06.md"
RCM="zones/roluos-crossing/reports/site-audit-memo-2024-03.pdf"
RCS="zones/roluos-crossing/screening-2022.docx"
RCF="zones/roluos-crossing/investor-factsheet.html"
RCL="zones/roluos-crossing/utility-operator-letter-2024.txt"
CRR="zones/chhnang-riverport/reports/environmental-compliance-review-2024.pdf"
CRB="zones/chhnang-riverport/investor-briefing-2022.docx"
CRD="zones/chhnang-riverport/tenant-reporting-dashboard.html"
CRN="zones/chhnang-riverport/community-liaison-notes-2024-05.md"
SV,RC,CR="sangkae-valley","roluos-crossing","chhnang-riverport"
REF="The indexed documents do not answer this question."
def s(f,p=None): return {"file":f,"page":p}
Q=[]
def a(zone,question,answer,kf,src,tags):
    Q.append(dict(question=question,zone=zone,answerable=True,answer=answer,key_facts=kf,sources=src,tags=tags))
def u(zone,question,tags=()):
    Q.append(dict(question=question,zone=zone,answerable=False,answer=REF,key_facts=[],sources=[],tags=["unanswerable",*tags]))

# ---------------- Sangkae Valley
a(SV,"How big is the solar installation on Sangkae Valley's buildings now, in peak kilowatts?",
  "The 2024 monitoring return lists 3,200 kWp of rooftop PV in operation (the 2022 investor factsheet still showed 750 kWp).",
  ["3,200 kWp"],[s(SVR,2)],["table","contradiction"])
a(SV,"After upgrading motors and steam systems, how much power does Sangkae Valley avoid using annually?",
  "Audited retrofit savings were 2,340 MWh/yr in 2024, across 9 tenants.",["2,340 MWh/yr"],[s(SVR,2)],["table"])
a(SV,"How much carbon does Sangkae Valley release for every million dollars its factories produce?",
  "Scope 1+2 emission intensity was 96 t CO2e per USD million of output in 2024.",["96 t CO2e"],[s(SVR,2)],["table"])
a(SV,"How many cubic metres does Sangkae Valley take in on a typical day, all sources combined?",
  "Total water use (river intake plus wells) averaged 5,900 m3/day in 2024.",["5,900 m3/day"],[s(SVR,3)],["table"])
a(SV,"What is the maximum daily flow that Sangkae Valley's shared wastewater works was built to handle?",
  "The central effluent plant has a design capacity of 4,500 m3/day.",["4,500 m3/day"],[s(SVR,3)],["table"])
a(SV,"What tonnage of dangerous residues did Sangkae Valley's occupants produce in 2024?",
  "410 t/yr of hazardous waste were generated in 2024.",["410 t/yr"],[s(SVR,3)],["table"])
a(SV,"Is every tonne of Sangkae Valley's toxic refuse passed to an authorised firm?",
  "Yes. In 2024, 100% of hazardous waste went to a licensed handler.",["100%"],[s(SVR,3)],["table","yes_no"])
a(SV,"After the authorities' visit in late 2024, was Sangkae Valley left with any serious unresolved breaches?",
  "No. The Provincial Department of Environment inspected in November 2024 and closed the inspection with no open major non-compliance.",
  ["November 2024","no open major non-compliance"],[s(SVR,4)],["yes_no"])
a(SV,"How many people work permanently in Sangkae Valley's sustainability team, and what roles do they hold?",
  "Four full-time staff: a head, an environmental engineer, a community liaison officer and a data clerk (a fifth post is approved for 2025).",
  ["four","data clerk"],[s(SVB)],["paraphrase"])
a(SV,"How much marshland has Sangkae Valley set aside beside its waterway?",
  "The wetland strip along the Sangkae river channel covers 5.5 ha.",["5.5 ha"],[s(SVB)],["paraphrase"])
a(SV,"In the first five months of 2024, how many concerns did Sangkae Valley's feedback channels receive, and how many were settled?",
  "19 cases from workers and residents of the four neighbouring villages were logged since January; 17 are closed.",
  ["19 cases","17"],[s(SVB)],["paraphrase"])
a(SV,"When did the national authorities sign off Sangkae Valley's impact study?",
  "The ESIA was approved by the Ministry of Environment in March 2019 and covers the whole 265 ha site.",
  ["March 2019"],[s(SVB)],["paraphrase"])
a(SV,"What fraction of Sangkae Valley's staff are local residents?",
  "78% of the workforce lives in Battambang province (headcount 9,600).",["78%"],[s(SVT)],["table"])
a(SV,"How much of what Sangkae Valley's firms buy comes from vendors in their own region?",
  "34% of procurement value is spent with suppliers based in Battambang province.",["34%"],[s(SVT)],["table"])
a(SV,"What proportion of Sangkae Valley occupants now hand in their consumption figures to site management every four weeks?",
  "21 of 23 firms (91%) submit monthly energy, water and waste data (2024 survey); the 2022 factsheet reported 57%.",
  ["91%"],[s(SVT)],["table","contradiction"])
a(SV,"What fraction of the power Sangkae Valley uses now comes from green sources?",
  "41% in 2024, from the husk-fired CHP and rooftop PV (the 2022 factsheet said 18%).",["41%"],[s(SVR,2)],["table","contradiction"])
a(SV,"How many companies currently occupy Sangkae Valley?",
  "23 tenant firms were operating at the end of 2024 (the 2022 factsheet listed 17 signed leases).",
  ["23"],[s(SVR,1),s(SVT)],["contradiction"])
a(SV,"What is the smallest piece of land an investor can take at Sangkae Valley?",
  "Serviced plots start at 1 ha.",["1 ha"],[s(SVF)],["paraphrase"])

a(SV,"How far is Sangkae Valley from the provincial capital?",
  "About 12 km from Battambang town (2022 investor factsheet).",["12 km"],[s(SVF)],["table"])

# ---------------- Roluos Crossing
a(RC,"Roughly how many cubic metres does Roluos Crossing consume on a normal day?",
  "About 1,450 m3/day in 2023, from wells and piped supply.",["1,450 m3/day"],[s(RCM,2)],["table"])
a(RC,"Is Roluos Crossing recycling any of its cleaned wastewater yet, and when is that expected to start?",
  "No. None of the treated effluent is reused today; the reuse loop to cooling towers and toilet flushing is scheduled for 2026.",
  ["none","2026"],[s(RCL),s(RCM,2)],["yes_no"])
a(RC,"What portion of Roluos Crossing's toxic refuse left with the authorised collector in 2023?",
  "72%; the balance was stored in the yard.",["72%"],[s(RCM,2)],["table"])
a(RC,"How much of Roluos Crossing's power came from green sources in 2023?",
  "9%, from 420 kWp of rooftop PV.",["9%"],[s(RCM,2)],["table"])
a(RC,"What size of photovoltaic field is being built for Roluos Crossing, and in which year does it go live?",
  "A 1,500 kWp ground-mounted solar array is to be commissioned in 2026.",["1,500 kWp","2026"],[s(RCL)],["paraphrase"])
a(RC,"How much power did Roluos Crossing stop wasting thanks to equipment upgrades in 2023?",
  "900 MWh/yr, from LED lighting and compressed-air leak repairs.",["900 MWh/yr"],[s(RCM,2)],["table"])
a(RC,"How frequently are Roluos Crossing workers hurt badly enough to miss shifts, by the latest count?",
  "1.3 per 200,000 hours worked in 2023 (the 2022 screening had 2.1).",["1.3 per 200,000 hours"],[s(RCM,3)],["table","contradiction"])
a(RC,"Does Roluos Crossing's operator have anyone dedicated to sustainability issues, and since when?",
  "Yes. One full-time environmental and social officer has been employed since 2022.",["officer","2022"],[s(RCM,3)],["yes_no"])
a(RC,"Can households outside the fence bring a problem straight to Roluos Crossing management?",
  "No. The hotline and complaint boxes serve workers only; residents go to the commune chief, who has no agreed route into the park.",
  ["commune chief"],[s(RCM,3)],["yes_no"])
a(RC,"What unresolved regulatory problem does Roluos Crossing face, and by when should it be fixed?",
  "Two wells are pumped without a valid groundwater permit (major finding of the August 2023 inspection); the agreed plan sets mid-2025 for closure.",
  ["groundwater permit","mid-2025"],[s(RCM,1)],["paraphrase"])
a(RC,"How many people are employed at Roluos Crossing now?",
  "6,200 (September 2024 factsheet); the 2022 screening counted 4,800.",["6,200"],[s(RCF)],["table","contradiction"])
a(RC,"How much of Roluos Crossing's buying stays with vendors in the home province?",
  "22% of procurement value goes to Siem Reap suppliers.",["22%"],[s(RCF)],["table"])
a(RC,"How many Roluos Crossing occupants regularly hand in their utility figures?",
  "9 of 14 tenants (64%) send monthly resource data.",["9 of 14","64%"],[s(RCF)],["table"])
a(RC,"How tall may chimneys be at Roluos Crossing?",
  "No stack may be higher than 18 m (heritage-sensitive layout).",["18 m"],[s(RCS)],["paraphrase"])

# ---------------- Chhnang Riverport
a(CR,"How much land will Chhnang Riverport span once its expansion is added?",
  "410 ha: 250 ha operating in Phase 1 plus 160 ha planned for Phase 2.",["410 ha"],[s(CRR,1)],["table"])
a(CR,"How many people does Chhnang Riverport employ at present?",
  "21,500 workers (2024 review); the 2022 briefing said 16,800.",["21,500"],[s(CRR,1)],["table","contradiction"])
a(CR,"Has the government signed off the environmental study for Chhnang Riverport's expansion area?",
  "No. The Phase 2 ESIA was submitted in 2023 and is still under review.",["under review","2023"],[s(CRR,2)],["table","yes_no"])
a(CR,"What did the provincial inspectors flag at Chhnang Riverport that is still unresolved?",
  "Two major findings: a bypass pipe that let untreated dyeing effluent reach the river, and dewatered sludge stored on bare ground without a licence.",
  ["bypass pipe","sludge"],[s(CRR,2)],["paraphrase"])
a(CR,"Has Chhnang Riverport settled on a fix-up programme with the authorities for its breaches?",
  "No. Neither finding has an agreed corrective-action plan; the province asked for one by February 2025.",
  ["February 2025"],[s(CRR,2)],["yes_no"])
a(CR,"How many cubic metres of cleaned wastewater does Chhnang Riverport put back to work each day?",
  "570 m3/day in 2024.",["570 m3/day"],[s(CRR,3)],["table"])
a(CR,"What fraction of Chhnang Riverport's power is green today?",
  "7% in 2024 (rooftop PV), down from 12% in the 2022 briefing.",["7%"],[s(CRR,3)],["table","contradiction"])
a(CR,"How much carbon does Chhnang Riverport emit per million dollars of goods, according to the latest figures?",
  "190 t CO2e per USD million of output in 2024 (the 2022 briefing gave 240).",["190 t CO2e"],[s(CRR,3)],["table","contradiction"])
a(CR,"What portion of Chhnang Riverport's toxic refuse ends up with an authorised collector?",
  "38% in 2024.",["38%"],[s(CRR,3)],["table"])
a(CR,"How much wild land survives within Chhnang Riverport's boundary, and what kind is it?",
  "A 1.2 ha stand of flooded forest at the northern corner.",["1.2 ha","flooded forest"],[s(CRR,4)],["paraphrase"])
a(CR,"What nature rehabilitation project is lined up for Chhnang Riverport's waterfront, how large, and when does it begin?",
  "A 10 ha riverbank restoration along the Tonle Sap frontage, planned to start in 2026 subject to Phase 2 approval.",
  ["10 ha","2026"],[s(CRR,4),s(CRN)],["paraphrase"])
a(CR,"How often are Chhnang Riverport staff hurt badly enough to stay home?",
  "2.4 per 200,000 hours worked in 2024.",["2.4 per 200,000 hours"],[s(CRR,4)],["table"])
a(CR,"At the latest count, what portion of Chhnang Riverport occupants hand in their consumption figures regularly?",
  "11 of 31 firms (35%) in Q2 2024.",["35%"],[s(CRD)],["table"])
a(CR,"What fraction of Chhnang Riverport's staff are locals, and where do the rest travel in from?",
  "83% live in Kampong Chhnang province; most others commute from Pursat and Kampong Speu.",["83%","Pursat"],[s(CRD)],["paraphrase"])
a(CR,"Who sits on the body that handles Chhnang Riverport residents' complaints?",
  "The park office's deputy manager, two tenant representatives and the village chiefs of the three neighbouring communes.",
  ["village chiefs","deputy manager"],[s(CRN)],["paraphrase"])
a(CR,"How many employees can Chhnang Riverport house on site?",
  "Dormitory blocks for 3,000 workers.",["3,000 workers"],[s(CRB)],["paraphrase"])

a(CR,"In 2022, how frequently did river vessels stop at Chhnang Riverport's quay?",
  "The 2022 investor briefing reports 22 barge calls per month.",["22 per month"],[s(CRB)],["table"])

# ---------------- cross-zone
a(None,"Of the three parks, which gets the largest slice of its power from green sources, and how large is that slice?",
  "Sangkae Valley, with 41% (Roluos Crossing 9%, Chhnang Riverport 7%).",["Sangkae Valley","41%"],
  [s(SVR,2),s(RCM,2),s(CRR,3)],["cross_zone","table"])
a(None,"Which of the three zones has the worst record for workers getting hurt badly enough to miss shifts?",
  "Chhnang Riverport, at 2.4 per 200,000 hours worked (Roluos Crossing 1.3, Sangkae Valley 0.6).",
  ["Chhnang Riverport","2.4 per 200,000 hours"],[s(SVR,4),s(RCM,3),s(CRR,4)],["cross_zone","table"])
a(None,"Which park recirculates the biggest fraction of its supply after cleaning it?",
  "Sangkae Valley, 14% of total water use (Chhnang Riverport 4%, Roluos Crossing none).",["Sangkae Valley","14%"],
  [s(SVR,3),s(RCM,2),s(RCL),s(CRR,3)],["cross_zone","table"])
a(None,"Which of the three parks hands every tonne of its toxic refuse to authorised firms?",
  "Only Sangkae Valley (100%); Roluos Crossing sent 72% and Chhnang Riverport 38%.",["Sangkae Valley","100%"],
  [s(SVR,3),s(RCM,2),s(CRR,3)],["cross_zone","table"])
a(None,"Which of the three parks covers the most land?",
  "Chhnang Riverport, 410 ha (Sangkae Valley 265 ha, Roluos Crossing 140 ha).",["Chhnang Riverport","410 ha"],
  [s(SVR,1),s(RCF),s(CRR,1)],["cross_zone","table"])
a(None,"Rank the three parks by how many of their people are local hires.",
  "Chhnang Riverport 83%, Sangkae Valley 78%, Roluos Crossing 71%.",["83%","78%","71%"],
  [s(CRD),s(SVT),s(RCF)],["cross_zone"])

# ---------------- framework
a(None,"Under the scorecard, what slice of a park's power has to be green to clear the bar?",
  "At least 30% of electricity consumed (ENV-1).",["30%"],[s(FW,3)],["framework"])
a(None,"What injury-frequency ceiling does the scorecard allow?",
  "At most 1.0 lost-time injuries per 200,000 hours worked (SOC-1).",["1.0 per 200,000 hours worked"],[s(FW,4)],["framework"])
a(None,"How many hectares of wild land must a zone hold on to or revive to clear the bar?",
  "At least 8 ha of natural habitat retained or restored (ENV-6).",["8 ha"],[s(FW,3)],["framework"])
a(None,"What carbon ceiling per million dollars of goods does the scorecard set?",
  "At most 150 t CO2e per USD million of output (ENV-4).",["150 t CO2e"],[s(FW,3)],["framework"])
a(None,"If an older and a newer report conflict, which one settles the rating?",
  "The more recent dated document decides the verdict.",["more recent"],[s(FW,1)],["framework"])
a(None,"When a zone reports a number below target, how near must it come to get partial credit?",
  "At least half-way to the pass mark; for a ceiling, no more than one and a half times the ceiling.",
  ["half-way"],[s(FW,1)],["framework"])
a(None,"How many requirements does the scorecard list in total?",
  "Fourteen items: two gate conditions plus twelve in the park management, environmental, social and economic blocks.",
  ["fourteen"],[s(FW,1)],["framework"])

# ---------------- unanswerable
u(SV,"What does it cost per square metre to lease a plot at Sangkae Valley?")
u(RC,"What electricity tariff will Roluos Crossing tenants pay in 2025?")
u(CR,"Which bank is financing Chhnang Riverport's second phase?")
u(SV,"How many Sangkae Valley tenants hold ISO 14001 certification?")
u(CR,"What BOD limit applies to the effluent leaving Chhnang Riverport's treatment plant?")
u(RC,"What time does the first worker bus leave for Roluos Crossing in the morning?")
u(CR,"What is the average monthly wage in Chhnang Riverport's garment factories?")
u(SV,"What share of Sangkae Valley's workforce is female?")
u(SV,"How much does Sangkae Valley pay per tonne of rice husk fuel?")
u(RC,"What is the design capacity of Roluos Crossing's central wastewater treatment plant?")
u(CR,"How many complaints did Chhnang Riverport's grievance committee receive in 2024?")
u(CR,"How far is Chhnang Riverport from the port of Phnom Penh, in kilometres?")
u(RC,"In which year was Roluos Crossing formally designated as an SEZ by sub-decree?")
u(SV,"What is the water tariff per cubic metre at Sangkae Valley?")
u(RC,"What is Roluos Crossing's greenhouse gas intensity per USD million of output?")
u(CR,"How many MWh per year has Chhnang Riverport saved through energy efficiency measures?")
u(CR,"What share of Chhnang Riverport's procurement goes to suppliers in Kampong Chhnang?")
u(None,"What night-time noise limit at the fence line does the scorecard set?",["framework"])
u(None,"Which of the three zones has the most tenants certified to ISO 50001?",["cross_zone"])
u(SV,"How many dormitory beds does Sangkae Valley provide for its workers?")
u(CR,"What sulphur dioxide concentration was measured at Chhnang Riverport's boundary?")
u(RC,"How much has Roluos Crossing's developer invested in the zone's infrastructure so far, in USD?")
u(SV,"Who chairs the board of Sangkae Valley Industrial Estate Co., Ltd.?")

with open(__import__("pathlib").Path(__file__).resolve().parent / "questions.jsonl", "w") as fh:
    for i,q in enumerate(Q,1):
        rec={"id":f"ind-{i:03d}",**q}
        fh.write(json.dumps(rec,ensure_ascii=False)+"\n")
print(len(Q), sum(not q["answerable"] for q in Q))
