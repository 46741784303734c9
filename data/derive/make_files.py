import collections
import csv
import re
import sys

DATA = (
    sys.argv[1]
    if len(sys.argv) > 1
    else str(__import__("pathlib").Path(__file__).resolve().parents[1])
)
DATA_LABEL = sys.argv[2] if len(sys.argv) > 2 else "main worktree, data-13 flows"
with open(DATA + "/edges.csv") as handle:
    E = list(csv.DictReader(handle))
with open(DATA + "/nodes.csv") as handle:
    N = {r["id"]: r for r in csv.DictReader(handle)}
GRAPH = "supplygraph data/edges.csv (" + DATA_LABEL + ")"
intake = collections.Counter()
for e in E:
    intake[e["customer"]] += float(e["flow_t"])
# ---------------- sources ----------------
S = dict(
    OICA=(
        "Mapped: Global Vehicle Production By Country (OICA 2024 data, Visual Capitalist via "
        "TalkMarkets) – "
        "https://talkmarkets.com/content/mapped-global-vehicle-production-by-country?post=515804"
    ),
    OICACN=(
        "OICA data reveals how one country produces a third of the world's cars (Global South "
        "World) – "
        "https://globalsouthworld.com/article/oica-data-reveals-how-one-country-produces-a-third-of-the-worlds-cars"
    ),
    BYD=(
        "China's BYD unveils new EV records, claims global leadership (Kallanish, bilingual "
        "repost) – https://wxredian.com/art?id=7fe73de8c0003c59df4fc9b60e568bd1"
    ),
    SCB=(
        "Tesla annual China shipments from Shanghai drop for first time (Bloomberg via "
        "SupplyChainBrain) – "
        "https://supplychainbrain.com/articles/40928-tesla-annual-china-shipments-from-shanghai-drop-for-first-time"
    ),
    TSLA=(
        "Tesla posts record Q4 deliveries, annual sales decline (Drive Tesla Canada) – "
        "https://driveteslacanada.ca/news/tesla-posts-record-q4-deliveries-annual-sales-decline-1"
    ),
    BERLIN=(
        "German plug-in electric car production ramps up (M. Schmidt, European Electric Car "
        "Study) – "
        "http://schmidtmatthias.de/post/german-plug-in-electric-car-production-ramps-up-indicating-an-upward-trajectory-as-new-co2-targets-e"
    ),
    IEACN=(
        "IEA: global EV sales 17.3 million in 2024, China production 12.4 million (Rahal Group "
        "summary of IEA Global EV Outlook 2025) – https://rahal-group.com/en/blog/4-16052025"
    ),
    CAAM=(
        "连续十年领跑全球 新能源汽车产销数量破1200万辆 (CAAM 2024 data: NEV production 12.888 m, "
        "repost) – http://www.jqman.com/travelnews/112370.html"
    ),
    CAAMT=(
        "中汽协数据显示 2024年我国汽车产销 3128.2万辆和3143.6万辆 (CAAM, repost) – "
        "http://www.jqman.com/travelnews/112334.html"
    ),
    TOYP=(
        "Toyota holds crown as world's top carmaker for fifth year running (DriveForce) – "
        "https://driveforcenow.com/toyota-holds-crown-as-worlds-top-carmaker-for-fifth-year-running"
    ),
    HN=(
        "Honda and Nissan global sales stagnate in 2024 (Japan Times / Bloomberg, 30 Jan 2025) – "
        "https://japantimes.co.jp/business/2025/01/30/companies/honda-nissan-sales"
    ),
    IEA=(
        "IEA Global EV Outlook 2025, Trends in electric car markets (read via stored proxy "
        "copy) – "
        "https://www.iea.org/reports/global-ev-outlook-2025/trends-in-electric-car-markets-2"
    ),
    ANL=(
        "FOTW #1146: Nearly 70% of light-duty plug-in electric vehicles in the United States were "
        "assembled domestically (US DOE/Argonne) – "
        "https://www.energy.gov/eere/vehicles/articles/fotw-1146-august-10-2020-nearly-70-light-duty-plug-electric-vehicles-united"
    ),
    VW=(
        "Volkswagen Group sold 9.03 million vehicles in 2024 (Inovev) – "
        "https://inovev.com/index.php/ja/market-analyses/category-blog?start=55"
    ),
    BMW=(
        "BMW zeigt der Konkurrenz die Rücklichter: starker Elektroabsatz (finanztreff, 13 Jan "
        "2025) – "
        "https://finanztreff.de/nachrichten/2025-01-13-bmw-zeigt-der-konkurrenz-die-ruecklichter-starker-elektroabsatz-494167"
    ),
    BMW9="BMW Group Q3 2024 BEV deliveries (EV news repost) – https://evz7.buzz/?p=434",
    MB=(
        "Mercedes-Benz 2024 global car sales 1,983,400, BEV 185,100 (DCB Editorial) – "
        "https://carwolrd.com/?p=2436"
    ),
    MB9="Mercedes-Benz Q3 2024 EV sales (EV Magz) – https://evmagz.com/?p=91908",
    FR9=(
        "Deutschland bleibt größter europäischer Hersteller von BEVs und PHEVs in 9 Monaten 2024 "
        "(Inovev) – https://inovev.com/index.php/de/market-analyses/category-blog/21183-2024-29-8"
    ),
    TOY=(
        "Toyota group 2024 sales and production (Kyodo News via Serendib News) – "
        "https://serendibnews.com.au/?p=83563"
    ),
    KRH=(
        "Hyundai's domestic sales dip but US sales increase (Korea Herald) – "
        "https://www.koreaherald.com/article/10382622"
    ),
    KRE=(
        "Hyundai Motor Group takes world's No. 3 but its EV sales dip (Korea Herald, SNE "
        "Research) – https://www.koreaherald.com/article/10420406"
    ),
    IN=(
        "Over 25% of global car sales in 2025 are now electric (EVFY, India 2024 electric car "
        "sales) – https://www.evfy.in/news/over-25-of-global-car-sales-in-2025-are-now-electric"
    ),
    MXP=(
        "Mexico record light-vehicle production 2024, INEGI (AméricaEconomía) – "
        "https://americaeconomia.com/en/node/290097"
    ),
    MXE=(
        "Mexico BEV production ~220,000 in 2024, IEA GEVO (AAAVER bulletin) – "
        "http://aaaver.org.mx/boletin_completo.php?ver=4768"
    ),
    HONDA=None,
    BNEF=(
        "Chinese manufacturers lead global wind turbine installations (BloombergNEF, 17 Mar "
        "2025) – "
        "https://about.bnef.com/blog/chinese-manufacturers-lead-global-wind-turbine-installations-bloombergnef-report-shows"
    ),
    VES=(
        "Chinese wind turbine makers lead 2024 global installations (APP/UrduPoint, citing "
        "BNEF) – "
        "https://www.urdupoint.com/en/world/chinese-wind-turbine-makers-lead-2024-global-1946864.html"
    ),
    GWEC=(
        "Global wind installations record 127 GW, GWEC Supply Side Data (GreenTechLead) – "
        "https://greentechlead.com/?p=49762"
    ),
    GWECOFF=(
        "Chinese turbine makers dominate but Siemens Gamesa rules the waves: GWEC (Recharge) – "
        "https://stc-stage.dngroup.com/wind/chinese-turbine-makers-dominate-but-siemens-gamesa-rules-the-waves-gwec/2-1-1820948"
    ),
    ACP=(
        "GE Vernova and Vestas rule lackluster US wind turbine market (Recharge, ACP data) – "
        "https://stc-stage.dngroup.com/markets/ge-vernova-and-vestas-rule-lackluster-us-wind-turbine-market/2-1-1819125"
    ),
    HVW=(
        "NdFeB Permanent Magnet Uses (Heim & Vander Wal, Encyclopedia/MDPI) – "
        "https://encyclopedia.pub/entry/50309"
    ),
    TSMC=(
        "About TSMC (annual capacity >16 million 12-inch equivalent wafers in 2023) – "
        "https://www.tsmc.com/english/aboutTSMC"
    ),
    SMIC=(
        "SMIC 2024 revenue and wafer shipments (DIGITIMES, 28 Mar 2025) – "
        "https://digitimes.com/news/a20250328VL203/smic-wafer-ic-manufacturing-revenue-2024.html?chid=10"
    ),
    KNO=(
        "Top 5 wafer capacity leaders raise their global share to 57% (Evertiq, Knometa Research "
        "Global Wafer Capacity 2022) – https://evertiq.com/news/51743"
    ),
    ICI=(
        "Vijf semiconductorbedrijven hebben 53% van de wereldwijde capaciteit (Link Magazine, IC "
        "Insights Global Wafer Capacity 2020) – "
        "https://www.linkmagazine.nl/vijf-semiconductor-bedrijven-hebben-53-van-de-wereldwijde-capaciteit-van-wafers-in-handen/"
    ),
    HDD=(
        "The total volume of HDDs shipped during the quarter reached 290 EB (TrendFocus Q2 2024 "
        "via StorageNewsletter, 4nownews) – "
        "https://4nownews.com/2024/07/17/the-total-volume-of-hdds-shipped-during-the-quarter-reached-290-ebytes"
    ),
    HDD2=(
        "C2Q 2024 hard disk drive industry update (T. Coughlin, Digital Storage Technology "
        "Newsletter, repost) – "
        "https://thefinancialnews247.com/c2q-2024-hard-disk-drive-industry-update/"
    ),
    IDC=(
        "Smartphone shipments increased 6.4% in 2024 (ChannelNews, IDC Worldwide Quarterly Mobile "
        "Phone Tracker) – "
        "https://www.channelnews.com.au/smartphone-shipments-increased-6-4-in-2024/"
    ),
    TV=(
        "2024 Mini LED TV shipments 65% annual growth (TrendForce via MiniMicroLED) – "
        "https://www.minimicroled.com/2024-mini-led-tv-shipments-65-annual-growth-a-new-milestone/"
    ),
)
rows = []


def L(node, line, sector, unit, base, source, status, note=""):
    assert node in N, node
    rows.append(
        dict(
            node=node,
            line=line,
            sector=sector,
            unit=unit,
            baseline_units=(round(base) if isinstance(base, (int, float)) else base),
            source=source,
            status=status,
            note=note,
        )
    )


V = "vehicles"
# ---------------- carmakers ----------------
L(
    "cn-byd",
    "ev",
    "ev",
    V,
    1770000 + 2500000,
    f"derived: BYD 2024 production 1.77 m BEV + 2.50 m PHEV ; {S['BYD']}",
    "reported",
    "No automotive line: BYD stopped making fossil-fuel-only vehicles in 2022 (Bloomberg via "
    "SupplyChainBrain – "
    "https://supplychainbrain.com/articles/40928-tesla-annual-china-shipments-from-shanghai-drop-for-first-time"
    "). Includes buses/commercial NEVs (4.27 m incl. commercial).",
)
L(
    "cn-tesla-shanghai",
    "ev",
    "ev",
    V,
    916660,
    f"Tesla Shanghai 2024 wholesale deliveries incl. exports 916,660 (CPCA) ; {S['SCB']}",
    "estimate",
    "Plant shipments used as proxy for 2024 production; BEV only.",
)
berlin = 5500 * 52
tsla_us = 1773443 - 916660 - berlin
L(
    "us-tesla",
    "ev",
    "ev",
    V,
    tsla_us,
    "derived: Tesla 2024 production 1,773,443 − Shanghai 916,660 − Grünheide ≈ 5,500/week x 52 = "
    f"{berlin:,} ; {S['TSLA']} ; {S['SCB']} ; {S['BERLIN']}",
    "estimate",
    "Fremont + Austin (incl. Cybertruck, S/X). Grünheide run-rate 5,000-6,000/week (Aug 2024) "
    "taken at the midpoint for the whole year; Grünheide output is booked to de-automakers-agg.",
)
cn_ev = 12888000 - 4270000 - 916660
L(
    "cn-automakers-agg",
    "ev",
    "ev",
    V,
    cn_ev,
    "derived: China NEV production 2024 12.888 m (CAAM) − BYD 4.27 m − Tesla Shanghai 916,660 ; "
    f"{S['CAAM']} ; {S['BYD']} ; {S['SCB']}",
    "estimate",
    "Country total minus the named Chinese-plant makers; CAAM NEV includes commercial NEVs and "
    "FCEVs (IEA counts 12.4 m electric cars). Includes foreign JVs in China (their output is also "
    "inside VW/Toyota/BMW/Mercedes/Hyundai group totals: known double count).",
)
L(
    "cn-automakers-agg",
    "automotive",
    "automotive",
    V,
    31282000 - 12888000,
    "derived: China vehicle production 2024 31.282 m (CAAM; OICA 31,281,592) − NEV production "
    f"12.888 m (CAAM) ; {S['CAAMT']} ; {S['CAAM']} ; {S['OICACN']}",
    "estimate",
    "All non-plug-in vehicles built in China (BYD and Tesla build none). Includes heavy trucks "
    "and buses (CAAM/OICA totals are all motor vehicles).",
)
us_ev = 1600000 * 0.69
L(
    "us-automakers-agg",
    "ev",
    "ev",
    V,
    us_ev - tsla_us,
    "derived: US electric car sales 2024 1.6 m (IEA GEVO 2025) x 69% assembled in the US "
    f"(Argonne, 2019 fleet) − Tesla US {tsla_us:,} ; {S['IEA']} ; {S['ANL']}",
    "estimate",
    "No 2024 US EV production figure found; domestic-assembly share is from 2019 (newer Experian "
    "data ~75% not used: secondary). Exports ignored.",
)
L(
    "us-automakers-agg",
    "automotive",
    "automotive",
    V,
    10562188 - us_ev,
    "derived: US motor-vehicle production 2024 10,562,188 (OICA) − US EV production est. "
    f"{int(us_ev):,} ; {S['OICA']} ; {S['IEA']} ; {S['ANL']}",
    "estimate",
    "Country total minus all US-built plug-ins (Tesla and others); includes heavy trucks (OICA "
    "total). Ford shut plants in 2025 for lack of magnets (facts 6c).",
)
L(
    "de-volkswagen",
    "ev",
    "ev",
    V,
    744800 + 270000,
    f"derived: VW Group 2024 deliveries BEV 744,800 + PHEV 270,000 ; {S['VW']}",
    "estimate",
    "Group deliveries (worldwide, incl. China JVs) used as proxy for production.",
)
L(
    "de-volkswagen",
    "automotive",
    "automotive",
    V,
    9030000 - 334200 - 744800 - 270000,
    "derived: VW Group deliveries 9.03 m − Traton heavy trucks 334,200 − BEV 744,800 − PHEV "
    f"270,000 ; {S['VW']}",
    "estimate",
    "Light vehicles; group worldwide, deliveries as production proxy.",
)
bmw_phev = (409122 - 294054) * 12 / 9
mb_phev = (267400 - 148500) * 12 / 9
de_ev = 426594 + bmw_phev + 185100 + mb_phev + berlin
L(
    "de-automakers-agg",
    "ev",
    "ev",
    V,
    de_ev,
    "derived: BMW Group BEV 426,594 + BMW PHEV (Jan-Sep 409,122 electrified − 294,054 BEV) x 12/9 "
    "+ Mercedes-Benz Cars BEV 185,100 + MB PHEV (Jan-Sep 267,400 xEV − 148,500 BEV) x 12/9 + "
    f"Tesla Grünheide {berlin:,} ; {S['BMW']} ; {S['BMW9']} ; {S['MB']} ; "
    f"{S['MB9']} ; {S['BERLIN']}",
    "estimate",
    "Named groups worldwide (deliveries as production proxy) plus Tesla Grünheide; Ford "
    "Cologne/Opel/smaller makers not included (not found).",
)
L(
    "de-automakers-agg",
    "automotive",
    "automotive",
    V,
    2450000 + 1983400 - (de_ev - berlin),
    "derived: BMW Group deliveries 2.45 m + Mercedes-Benz Cars 1,983,400 − their BEV+PHEV ; "
    f"{S['BMW']} ; {S['MB']} ; {S['BMW9']} ; {S['MB9']}",
    "estimate",
    "Mercedes vans (~0.4 m) not included.",
)
fr_ev = (373701 - 224584) * 12 / 9
L(
    "fr-automakers-agg",
    "ev",
    "ev",
    V,
    fr_ev,
    "derived: France xEV production Jan-Sep 2024 373,701 − HEV 224,584 = BEV+PHEV, x "
    f"12/9 ; {S['FR9']}",
    "estimate",
    "Country basis (vehicles assembled in France by Stellantis, Renault, Toyota "
    "Valenciennes etc.).",
)
L(
    "fr-automakers-agg",
    "automotive",
    "automotive",
    V,
    910243 - fr_ev,
    "derived: France vehicle production 2024 910,243 (OICA) − France BEV+PHEV est. ; "
    f"{S['OICA']} ; {S['FR9']}",
    "estimate",
    "Includes the 224,584 (Jan-Sep) HEVs built in France (Toyota Yaris, Mazda2).",
)
toy_phev = 153829
L(
    "jp-toyota",
    "ev",
    "ev",
    V,
    139892 + toy_phev,
    f"derived: Toyota+Lexus 2024 sales BEV 139,892 + PHEV 153,829 ; {S['TOYP']} ; {S['TOY']}",
    "estimate",
    "Sales used as production proxy (Toyota+Lexus; Daihatsu/Hino make no plug-ins).",
)
L(
    "jp-toyota",
    "hybrid",
    "automotive",
    V,
    4140000,
    f"Toyota+Lexus 2024 hybrid (HEV) sales 4.14 m ; {S['TOY']} ; {S['TOYP']}",
    "estimate",
    "HEVs carry NdFeB traction motors and (many) NiMH packs: own line so that traction_motor and "
    "nimh_alloy feed ev+hybrid only. Sales as production proxy.",
)
L(
    "jp-toyota",
    "ice",
    "automotive",
    V,
    10620000 - 139892 - toy_phev - 4140000,
    "derived: Toyota group production 2024 10.62 m (incl. Daihatsu, Hino) − BEV 139,892 − PHEV "
    f"153,829 − HEV 4.14 m ; {S['TOY']} ; {S['TOYP']}",
    "estimate",
    "Petrol/diesel incl. mild hybrids, Daihatsu and Hino; mixes group production with "
    "Toyota+Lexus sales.",
)
L(
    "jp-automakers-agg",
    "ev",
    "ev",
    V,
    150000,
    "assumption: Honda + Nissan BEV+PHEV 2024 ≈ 150,000; no 2024 company figure found",
    "assumption",
    "Nissan Leaf/Ariya/Sakura, Honda e:Ny1/Prologue (US-built by GM), Mitsubishi PHEVs: "
    "placeholder of plausible order until sourced.",
)
L(
    "jp-automakers-agg",
    "automotive",
    "automotive",
    V,
    3700000 + 3100000 - 150000,
    f"derived: Honda 2024 production 3.7 m + Nissan 3.1 m − EV line ; {S['HN']}",
    "estimate",
    "Suzuki (~3 m, mostly India: also inside OICA India), Mazda, Subaru, Mitsubishi not counted: "
    "understated. Includes e:HEV/e-Power hybrids, which use traction motors: traction_motor "
    "feeds all lines here.",
)
L(
    "kr-hyundai",
    "ev",
    "ev",
    V,
    545000,
    "Hyundai Motor Group 2024 EV (BEV+PHEV) sales 545,000, global excl. China (SNE "
    f"Research) ; {S['KRE']}",
    "estimate",
    "Sales as production proxy.",
)
L(
    "kr-hyundai",
    "automotive",
    "automotive",
    V,
    4141791 + 3089457 - 545000,
    "derived: Hyundai 4,141,791 + Kia 3,089,457 global sales 2024 − EV 545,000 ; "
    f"{S['KRH']} ; {S['KRE']}",
    "estimate",
    "Includes HEVs (not split; traction_motor feeds ev only: HEV exposure understated).",
)
L(
    "in-automakers-agg",
    "ev",
    "ev",
    V,
    99378,
    f"India electric car sales 2024 99,378 ; {S['IN']}",
    "estimate",
    "Sales as production proxy; cars only (e-2W/3W excluded).",
)
L(
    "in-automakers-agg",
    "automotive",
    "automotive",
    V,
    6014691 - 99378,
    "derived: India motor-vehicle production 2024 6,014,691 (OICA) − electric cars 99,378 ; "
    f"{S['OICA']} ; {S['IN']}",
    "estimate",
    "OICA 4-wheel total incl. commercial vehicles.",
)
L(
    "mx-automakers-agg",
    "ev",
    "ev",
    V,
    220000,
    f"Mexico BEV production 2024 ~220,000 (IEA GEVO 2025) ; {S['MXE']}",
    "estimate",
    "GM Equinox/Blazer EV, Ford Mach-E; PHEVs not included.",
)
L(
    "mx-automakers-agg",
    "automotive",
    "automotive",
    V,
    3989403 - 220000,
    "derived: Mexico light-vehicle production 2024 3,989,403 (INEGI) − BEV ~220,000 ; "
    f"{S['MXP']} ; {S['MXE']}",
    "estimate",
    "",
)
# ---------------- wind ----------------
MW = "MW"


def pm_mw(node, kg_per_mw):
    return intake[node] / 0.35 / (kg_per_mw / 1000)


L(
    "cn-goldwind",
    "pm",
    "wind",
    MW,
    19300,
    f"Goldwind 2024 commissioned 19.3 GW (BNEF) ; {S['BNEF']}",
    "reported",
    "All PM: 89% of 2024 installs medium-speed PMG, rest PM direct drive (GWEC – "
    "https://greentechlead.com/?p=49762).",
)
L(
    "cn-mingyang",
    "pm",
    "wind",
    MW,
    12200,
    f"Mingyang 2024 commissioned 12.2 GW (BNEF) ; {S['BNEF']}",
    "reported",
    "Hybrid-drive (medium-speed PMSG) platform: treated as all PM (assumption on drive mix).",
)
cn_total = 0.70 * 121600
env_total = cn_total - 19300 - 12200
env_pm = pm_mw("cn-envision-windey-agg", 500)
L(
    "cn-envision-windey-agg",
    "pm",
    "wind",
    MW,
    env_pm,
    f"derived: wind_generator intake {intake['cn-envision-windey-agg']:.0f} t REO / 0.35 t REO "
    f"per t magnet / 0.5 t NdFeB per MW ; {GRAPH} ; {S['HVW']}",
    "assumption",
    "PM share of these OEMs not sourced; size follows the graph's (assumed) magnet flow at the "
    "fleet-average 500 kg/MW.",
)
L(
    "cn-envision-windey-agg",
    "non_pm",
    "wind",
    MW,
    env_total - env_pm,
    f"derived: China market 70% x 121.6 GW − Goldwind 19.3 − Mingyang 12.2 − PM line ; {S['BNEF']}",
    "estimate",
    "Envision 14.5 GW + Windey 12.5 GW + SANY, DEC, CSSC etc.; assumes China's market was "
    "supplied by Chinese OEMs; no RE input (DFIG/geared).",
)
ves_pm = pm_mw("dk-vestas", 500)
L(
    "dk-vestas",
    "pm",
    "wind",
    MW,
    ves_pm,
    f"derived: wind_generator intake {intake['dk-vestas']:.0f} t REO / 0.35 / 0.5 t NdFeB per "
    f"MW ; {GRAPH} ; {S['HVW']}",
    "assumption",
    "EnVentus and V236 offshore use PM generators; their share of 2024 MW not found.",
)
L(
    "dk-vestas",
    "non_pm",
    "wind",
    MW,
    10200 - ves_pm,
    f"derived: Vestas 2024 10.2 GW (BNEF) − PM line ; {S['VES']}",
    "estimate",
    "Older 2/4 MW platforms (induction generators, no NdFeB).",
)
sg_pm = 0.325 * 11700
L(
    "es-siemens-gamesa",
    "pm",
    "wind",
    MW,
    sg_pm,
    "derived: SGRE 32.5% of 2024 offshore installs (GWEC) x 11.7 GW offshore (BNEF) ; "
    f"{S['GWECOFF']} ; {S['BNEF']}",
    "estimate",
    "Offshore direct-drive PM turbines. Mixes GWEC share with BNEF total. Onshore (geared, no "
    "NdFeB) MW not found: no non_pm line.",
)
ge_pm = pm_mw("us-ge-vernova", 737.5)
L(
    "us-ge-vernova",
    "pm",
    "wind",
    MW,
    ge_pm,
    f"derived: wind_generator intake {intake['us-ge-vernova']:.0f} t REO / 0.35 / 0.7375 t NdFeB "
    f"per MW (midpoint of 625-850 kg/MW direct drive) ; {GRAPH} ; {S['HVW']}",
    "assumption",
    "Haliade-X offshore (PM direct drive); 2024 offshore MW not found.",
)
L(
    "us-ge-vernova",
    "non_pm",
    "wind",
    MW,
    0.59 * 3900,
    f"derived: GE Vernova 59% of 3.9 GW US onshore installs 2024 (ACP) ; {S['ACP']}",
    "estimate",
    "US onshore only (DFIG, no NdFeB): lower bound, installs outside the US not found.",
)
# ---------------- semiconductors ----------------
W = "wafer starts (300 mm eq.)"
f300 = 4 / 9
semi_note = (
    "Inputs: ceria_slurry = CMP polishing (STI/ILD planarisation); yttria_coating = "
    "plasma-resistant Y2O3/YSZ coatings of etch/deposition chamber parts (facts 4a). Both serve "
    "all wafers of the fab, so one line."
)
L(
    "tw-tsmc",
    "wafers",
    "semiconductors",
    W,
    16000000,
    f"TSMC annual capacity >16 million 12-inch equivalent wafers (2023) ; {S['TSMC']}",
    "estimate",
    "2023 capacity used as proxy for 2024 wafer starts (2024 figure not found). " + semi_note,
)
L(
    "cn-smic",
    "wafers",
    "semiconductors",
    W,
    8021000 * f300,
    f"derived: SMIC 2024 wafer shipments 8.021 m 8-inch eq. x (200/300)^2 ; {S['SMIC']}",
    "estimate",
    "Shipments as proxy for starts. " + semi_note,
)
for node, k, name in [
    ("kr-samsung-semi", 4050, "Samsung"),
    ("us-micron", 2054, "Micron"),
    ("kr-sk-hynix", 1982, "SK hynix"),
    ("jp-kioxia", 1328, "Kioxia/WD"),
]:
    extra = {
        "kr-sk-hynix": " SK hynix takes only ceria_slurry in the graph.",
        "jp-kioxia": (
            " Capacity is the Kioxia-Western Digital joint-venture fabs (shared): whole "
            "JV counted here."
        ),
        "kr-samsung-semi": " Memory + foundry.",
        "us-micron": "",
    }[node]
    L(
        node,
        "wafers",
        "semiconductors",
        W,
        k * 1000 * 12 * f300,
        f"derived: {name} installed capacity Dec 2021 {k:,}k 200-mm-eq wafers/month x 12 x "
        f"(200/300)^2 (Knometa) ; {S['KNO']}",
        "estimate",
        "2021 capacity as proxy for 2024 starts (no 2024 company figure found)."
        + extra
        + " "
        + semi_note,
    )
L(
    "us-intel",
    "wafers",
    "semiconductors",
    W,
    817000 * 12 * f300,
    "derived: Intel capacity Dec 2019 817k 200-mm-eq wafers/month x 12 x (200/300)^2 (IC "
    f"Insights) ; {S['ICI']}",
    "estimate",
    "2019 capacity as proxy (newest found). " + semi_note,
)
L(
    "us-rf-filter-makers-agg",
    "rf_filters",
    "semiconductors",
    W,
    500000,
    "assumption: Broadcom/Qorvo BAW/FBAR filter wafer starts ≈ 0.5 m 300-mm-eq/yr; no figure found",
    "assumption",
    "Sc (ScAlN piezo layers in BAW RF filters, facts 4a) serves all their filter wafers. "
    "Placeholder of plausible order; ~0.5% of the sector's wafer starts.",
)
# ---------------- consumer electronics ----------------
U = "units"
hdd_note = f"TrendFocus Q2 2024 shipments x 4; industry ~30 m/quarter in Q1-Q2 2024 ({S['HDD2']})."
L(
    "us-seagate",
    "hdd",
    "consumer_electronics",
    U,
    12.3e6 * 4,
    f"derived: Seagate Q2 2024 12.1-12.5 m drives (midpoint) x 4 ; {S['HDD']}",
    "estimate",
    hdd_note,
)
L(
    "us-western-digital",
    "hdd",
    "consumer_electronics",
    U,
    12.0e6 * 4,
    f"derived: WD Q2 2024 11.8-12.2 m drives (midpoint) x 4 ; {S['HDD']}",
    "estimate",
    hdd_note,
)
L(
    "jp-toshiba-hdd",
    "hdd",
    "consumer_electronics",
    U,
    5.9e6 * 4,
    f"derived: Toshiba Q2 2024 5.8-6.0 m drives (midpoint) x 4 ; {S['HDD']}",
    "estimate",
    hdd_note,
)
L(
    "kr-samsung-mobile",
    "smartphones",
    "consumer_electronics",
    U,
    223.4e6,
    f"Samsung 2024 smartphone shipments 223.4 m (IDC) ; {S['IDC']}",
    "reported",
    "Uses actuator (speakers, haptics, camera modules) magnets.",
)
L(
    "kr-samsung-mobile",
    "displays_phosphor",
    "consumer_electronics",
    U,
    0.176 * 196.7e6,
    "derived: Samsung TV share 17.6% (Q3 2024) x 2024 global TV shipments 196.7 m (TrendForce "
    f"forecast) ; {S['TV']}",
    "estimate",
    "Phosphor (Eu, Y) for LED backlights/QD-LCD TVs and monitors; TVs used as the unit.",
)
L(
    "cn-consumer-electronics-agg",
    "smartphones",
    "consumer_electronics",
    U,
    1240e6 - 232.1e6 - 223.4e6,
    "derived: world smartphone shipments 2024 1.24 bn − Apple 232.1 m − Samsung 223.4 m "
    f"(IDC) ; {S['IDC']}",
    "estimate",
    "All vendors other than Apple and Samsung treated as Chinese (Xiaomi, Transsion, vivo, OPPO, "
    "Honor, Huawei...); small non-Chinese brands included.",
)
L(
    "cn-consumer-electronics-agg",
    "displays_phosphor",
    "consumer_electronics",
    U,
    (0.143 + 0.132 + 0.05) * 196.7e6,
    "derived: TCL 14.3% + Hisense 13.2% + Xiaomi 5.0% TV shares (Q3 2024) x 196.7 m TV shipments "
    f"2024 (TrendForce) ; {S['TV']}",
    "estimate",
    "Phosphor (Eu, Y, Tb) for LED backlights/lighting; only the three named TV brands counted "
    "(BOE panels, LED lighting not in units).",
)
L(
    "cn-consumer-electronics-agg",
    "nimh_batteries",
    "industrial",
    "t REO",
    intake_nimh := sum(
        float(e["flow_t"])
        for e in E
        if e["customer"] == "cn-consumer-electronics-agg" and e["material"] == "nimh_alloy"
    ),
    f"derived: nimh_alloy intake of the node ; {GRAPH}",
    "assumption",
    "No unit count of consumer NiMH cells found; counted in t REO like other industrial lines so "
    "that the consumer_electronics unit share is not swamped by battery cells.",
)
L(
    "tw-apple-suppliers-agg",
    "smartphones",
    "consumer_electronics",
    U,
    232.1e6,
    f"Apple 2024 smartphone shipments 232.1 m (IDC) ; {S['IDC']}",
    "estimate",
    "iPhones assembled by Foxconn/Pegatron (China, India) used as the unit; their other "
    "products not counted.",
)
# ---------------- defence & industrial ----------------
for n in ["us-defence-primes-agg", "fr-defence-agg", "de-defence-agg", "in-defence-agg"]:
    L(
        n,
        "defence_systems",
        "defence",
        "t REO",
        intake[n],
        f"derived: sum of the node's in-edges (t REO) ; {GRAPH}",
        "assumption",
        "No product unit can be sourced (aircraft, missiles, radars differ by orders of magnitude "
        "in RE content: F-35 11-20 kg vs 417 kg claims, facts 4b); unit = t REO intake, status of "
        "the underlying flows.",
    )
ind_note = {
    "cn-lace-users-agg": (
        "Metallurgy, glass, ceramics, catalysts and stock build: no common product unit."
    ),
    "cn-y-users-agg": "Ceramics, YSZ, alloys and stock.",
    "cn-gd-users-agg": "GdFe alloys, magnet additive, medical.",
    "fr-gd-contrast-agg": "MRI contrast agents (doses not sourced).",
    "cn-industrial-users-agg": (
        "Appliances (inverter air-con), industrial motors, robots, elevators; yttria ceramics."
    ),
    "cn-refiners-glass-agg": "FCC catalysts, glass polishing, mischmetal users.",
    "us-refiners-agg": (
        "FCC units (barrels/day would be a unit; refinery throughput not tied to RE here)."
    ),
    "us-industrial-users-agg": "Industrial motors, medical, TBC coatings.",
    "de-industrial-users-agg": "Industrial motors and machinery.",
    "jp-industrial-users-agg": "Industrial, appliance and electronics makers.",
    "in-lace-users-agg": "Catalysts, glass, alloys.",
    "ru-re-users-agg": "Russian RE users.",
    "hk-reexport-other-agg": "Re-export hub and other importing countries: end products unknown.",
}
for n, note in ind_note.items():
    L(
        n,
        "industrial",
        "industrial",
        "t REO",
        intake[n],
        f"derived: sum of the node's in-edges (t REO) ; {GRAPH}",
        "assumption",
        "No product unit can be sourced; unit = t REO intake. " + note,
    )
# ---------------- separators ----------------
heavy = sum(
    float(e["flow_t"])
    for e in E
    if e["customer"] == "cn-other-import-sep-agg"
    and e["material"] == "concentrate"
    and "Dy" in e["elements"]
)
light = sum(
    float(e["flow_t"])
    for e in E
    if e["customer"] == "cn-other-import-sep-agg"
    and e["material"] == "concentrate"
    and "Dy" not in e["elements"]
)
L(
    "cn-other-import-sep-agg",
    "heavy",
    "",
    "t REO",
    heavy,
    "derived: sum of concentrate in-edges carrying Dy;Tb ("
    + " + ".join(
        f"{e['supplier']} {float(e['flow_t']):,.0f}"
        for e in E
        if e["customer"] == "cn-other-import-sep-agg"
        and e["material"] == "concentrate"
        and "Dy" in e["elements"]
    )
    + f") ; {GRAPH}",
    "estimate",
    "Ionic-clay / xenotime-type feed (Thailand, Madagascar, Laos, Vietnam, Brazil). Joint "
    "products: heavy_oxide and y_oxide leave this line; NdPr, La/Ce, carbonates are joint.",
)
L(
    "cn-other-import-sep-agg",
    "light",
    "",
    "t REO",
    light,
    "derived: sum of monazite concentrate in-edges without Dy/Tb ("
    + " + ".join(
        f"{e['supplier']} {float(e['flow_t']):,.0f}"
        for e in E
        if e["customer"] == "cn-other-import-sep-agg"
        and e["material"] == "concentrate"
        and "Dy" not in e["elements"]
    )
    + f") ; {GRAPH}",
    "estimate",
    "Monazite feed (Nigeria, Malaysia). Other Chinese separators take only one feed type (CREG "
    "south: ionic clay only; Baotou, CREG light, Shenghe: light only): no lines needed.",
)
# ---------------- magnet makers ----------------
SPLIT = {
    "de-auto-actuators-agg": 0.5,
    "us-auto-actuators-agg": 0.5,
    "mx-auto-parts-agg": 0.5,
    "in-motor-agg": 0.5,
    "th-hdd-motor-agg": 0.5,
}
mag = collections.defaultdict(lambda: [0.0, 0.0])
dyin = collections.Counter()
ndin = collections.Counter()
custs = collections.defaultdict(set)
for e in E:
    if e["material"] == "ndfeb_sintered":
        el = set(e["elements"].split(";"))
        d = 0.0 if not {"Dy", "Tb"} & el else SPLIT.get(e["customer"], 1.0)
        f = float(e["flow_t"])
        mag[e["supplier"]][0] += f * d
        mag[e["supplier"]][1] += f * (1 - d)
        custs[e["supplier"]].add(e["customer"])
    if e["material"] == "dytb_metal":
        dyin[e["customer"]] += float(e["flow_t"])
    if e["material"] == "ndpr_metal":
        ndin[e["customer"]] += float(e["flow_t"])
for s, (a, b) in sorted(mag.items()):
    tot = a + b
    if tot <= 0:
        L(
            s,
            "dy_tb_grade",
            "",
            "",
            "",
            f"derived: ndfeb_sintered out-edges are 0 t in 2024 ; {GRAPH}",
            "assumption",
            "No 2024 output (plant started after the baseline year): line declared without "
            "baseline so that rules and scenarios can use it.",
        )
        L(
            s,
            "ndpr_grade",
            "",
            "",
            "",
            f"derived: ndfeb_sintered out-edges are 0 t in 2024 ; {GRAPH}",
            "assumption",
            "No 2024 output; Nd/Pr-only grades.",
        )
        continue
    sh = a / tot
    ck = (
        f" Check: Dy+Tb metal intake {dyin[s]:.0f} t = {dyin[s] / (a) * 100:.1f}% of the RE in "
        f"the dy_tb_grade tonnes (≈{dyin[s] / a * 30:.1f} wt% of magnet at 30 wt% RE; facts 4b: "
        "typical ~4 wt% Dy, <0.6 wt% with grain-boundary diffusion)."
        if a and dyin[s]
        else (
            " No Dy/Tb metal in-edge in the graph (start-up plant): dy_tb_grade output has no "
            "heavy-RE supply of its own."
        )
        if a
        else ""
    )
    base_note = (
        f"Provisional Dy/Tb-grade share {sh:.2f} of ndfeb_sintered output, derived from its "
        "customers (EV traction motors, wind generators, industrial motors, defence actuators = "
        "1.0; auto ancillary actuators, HDD motors, Indian motor makers = 0.5; appliance, phone, "
        "electronics, industrial-user edges listed as Nd;Pr = 0)."
    )
    L(
        s,
        "dy_tb_grade",
        "",
        "t REO",
        a,
        "derived: ndfeb_sintered out-edges x grade share by customer (rules in "
        f"line_rules.csv) ; {GRAPH}",
        "assumption",
        base_note + ck,
    )
    L(
        s,
        "ndpr_grade",
        "",
        "t REO",
        b,
        f"derived: ndfeb_sintered out-edges x (1 − grade share) ; {GRAPH}",
        "assumption",
        "Nd/Pr-only grades (consumer electronics, HDD, small motors, appliances).",
    )
smco = sum(
    float(e["flow_t"])
    for e in E
    if e["supplier"] == "de-vac-hanau" and e["material"] == "smco_magnet"
)
L(
    "de-vac-hanau",
    "smco",
    "",
    "t REO",
    smco,
    f"derived: smco_magnet out-edges of VAC Hanau ; {GRAPH}",
    "assumption",
    "SmCo line fed by sm_metal; separate from NdFeB grades.",
)
with open("lines.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(
        f,
        fieldnames=["node", "line", "sector", "unit", "baseline_units", "source", "status", "note"],
        quoting=csv.QUOTE_MINIMAL,
    )
    w.writeheader()
    w.writerows(rows)
print(len(rows), "lines")
# checks
mf = [n for n, r in N.items() if r["stage"] == "manufacturer"]
have = {r["node"] for r in rows}
print("manufacturers without line:", [n for n in mf if n not in have])

assert all(re.fullmatch(r"[A-Za-z0-9_.:\-]+", r["line"]) for r in rows)
assert len({(r["node"], r["line"]) for r in rows}) == len(rows)
su = collections.defaultdict(set)
for r in rows:
    if r["sector"]:
        su[r["sector"]].add(r["unit"])
print(dict(su))
print(collections.Counter(r["status"] for r in rows))
