"""Issue 24: the data changes, in one place, with every figure's source and formula.

usage: python3 issue24.py [DATA_DIR] [--upto=11b|11d|11h]   then: python3 grades.py [DATA_DIR]
       python3 issue24.py [DATA_DIR] --refresh                (line baselines, after grades.py)
       python3 ranges.py [DATA_DIR]                           (the ranges of 11n, last)

Run once on the data of commit c496cd7 (before issue 24), then `python3 grades.py` (it
re-splits China's sintered edges by grade and the auto-parts aggregates' actuators by part).
The script sets absolute values, so running it twice gives the same rows; it refuses to run
on data it does not recognise (see `check_start`). Every rule here is written down in
data/SOURCES.md section 11 (issue 24), before the backtest was run on the result.

What it does (SOURCES.md 11a-11k):

* 11a  product lines for two plants whose minor controlled input stopped unrelated outputs:
       Solvay La Rochelle (La/Ce line and Y/Gd line) and the Japanese metal makers (NdPr
       line and Dy/Tb line);
* 11b  No. 61's 0.1% rule restricted to the items of Part II of its Annex 1 (rare-earth
       permanent-magnet materials and targets): the regime's `materials`;
* 11c  the EU's imports by origin (Eurostat 2024: Russia, Malaysia);
* 11d  customers the sources name: Energy Fuels' NdPr goes to POSCO International; MP's
       NdPr sold outside China goes to Japan through Sumitomo;
* 11e  one rule for rare-earth content per vehicle, applied to every carmaker: traction
       motors (IEA) feed only electric and hybrid lines, ancillary motors and actuators
       (Reuters citing the IEA) feed every line, both scaled to the country's production
       (OICA);
* 11f  Indian electric two-wheelers (Vahan / The Hindu BusinessLine);
* 11g  China's magnet exports by destination re-derived: the named makers' exports from
       their filings (JL Mag), each customs country's total split over its users by the
       users' demand (the rules above) and China's share of the country's supply;
* 11h  the wind generator of Siemens Gamesa from its offshore MW and direct-drive intensity;
* 11l  China's magnet exports by destination from its 2024 customs return by partner (UN
       Comtrade, HS 8505.11, the rows of tests/data/trade/, read by supplygraph's own reader
       and counted by hs.csv's unit-value rule): every modelled destination's total, the
       residual node's (Hong Kong and the partners without a node), the single routes
       (Vietnam, Mexico, Taiwan, Denmark) and the scaled pairs (Thailand, France);
* 11o  components pass on their new inflow: the Vietnamese phone assemblers, GE's generator
       plant and the French defence actuators had kept the outflow of before 11l.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
DATA = Path(ARGS[0]) if ARGS else Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------ sources (title – URL)
EUROSTAT = (
    "Imports of rare earth elements saw 30% drop in 2024: EU imports 12,900 t, China 6,000 t, "
    "Russia 3,700 t, Malaysia 2,600 t (Eurostat news, 9 Apr 2025, dataset ds-045409) – "
    "https://ec.europa.eu/eurostat/en/web/products-eurostat-news/w/ddn-20250409-1"
)
USGS25 = (
    "USGS Mineral Commodity Summaries 2025 - Rare Earths: Russia mine production 2024e 2,500 t "
    "REO – https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-rare-earths.pdf"
)
SILMET_RU = (
    "Silmet sold to rare earth giant: 'we have worked on the basis of Russian raw material all "
    "the time' (The Baltic Times) – https://www.baltictimes.com/news/articles/28400/"
)
NEO_SC = (
    "Neo Performance Materials, supply chain: Silmet's inputs from Australia (via Malaysia), "
    "Russia, China and Vietnam (company sustainability site) – "
    "https://sustainability.neomaterials.com/supply-chain/"
)
EF_POSCO = (
    "Energy Fuels and POSCO International MOU: Energy Fuels' NdPr oxide for POSCO's EV "
    "traction-motor supply chain (Magnetics Magazine, Mar 2025) – "
    "https://magneticsmag.com/energy-fuels-builds-ndpr-momentum-allies-with-posco-to-create-non-china-rare-earth-magnet-supply-chain/ ; "  # noqa: E501
    "Mine-to-magnet without China: Energy Fuels' NdPr qualified and used at industrial scale in "
    "POSCO's magnet production, first shipment for about 1,500 vehicles (rawmaterials.net, "
    "10 Sep 2025) – https://rawmaterials.net/mine-to-magnet-without-china-energy-fuels-announces-breakthrough"
)
MP_SUMITOMO = (
    "MP Materials and Sumitomo Corp.: Sumitomo exclusive distributor of MP's NdPr oxide to "
    "Japanese customers (SME, 21 Feb 2023) – https://me.smenet.org/webContent.cfm?context=1&webarticleid=4256 ; "  # noqa: E501
    "MP Materials Form 10-Q Q1 2025, subsequent events: shipments of concentrate to China ceased "
    "17 April 2025; separated products to customers outside China including Japan and South "
    "Korea (SEC EDGAR) – https://www.sec.gov/Archives/edgar/data/1801368/000180136825000019/R29.htm"
)
IEA_EV = (
    "The Role of Critical Minerals in Clean Energy Transitions, 'Minerals used in electric cars "
    "compared to conventional cars': rare earths 0.5 kg per electric car, none counted for a "
    "conventional car (IEA 2021, as transcribed by SAE) – "
    "https://www.sae.org/site/news/2022/03/where-key-ev-minerals-come-from"
)
REUTERS_ICE = (
    "Car companies 'in full panic' over rare earths bottleneck: 'The average electric vehicle "
    "uses about 0.5kg of rare earths elements, and a fossil-fuel car uses half that, according "
    "to the International Energy Agency' (Reuters, 9 Jun 2025, via TimesLive) – "
    "https://www.timeslive.co.za/motoring/news/2025-06-09-car-companies-in-full-panic-over-rare-earths-bottleneck/"
)
OICA = (
    "Mapped: Global Vehicle Production By Country, OICA 2024: China 31,281,592, US 10,562,188, "
    "Japan 8,234,681, India 6,014,691, South Korea 4,127,252, Germany 4,069,222, France 910,243 "
    "(Visual Capitalist via TalkMarkets) – "
    "https://talkmarkets.com/content/mapped-global-vehicle-production-by-country?post=515804"
)
E2W_UNITS = (
    "India's FY25 electric two-wheeler sales about 1.15 million units and their magnet use about "
    "690 t (The Hindu BusinessLine, as checked against Vahan by Rare Earth Exchanges) – "
    "https://rareearthexchanges.com/news/indias-ev-slowdown-when-magnets-become-the-missing-spark"
)
JL_AR = (
    "JL MAG 2024 annual report digest: NdFeB sales 20,850.18 t; domestic revenue RMB 5,541 m "
    "(81.93%), overseas RMB 1,222 m (18.07%) (SZSE announcement 2025-007 via Reportify) – "
    "https://reportify.cn/filings/1103124204397662208 ; JL MAG 2024 annual results (HKEX "
    "filing digest): overseas sales RMB 1,222.2 m, of which exports to the Americas about "
    "RMB 418.4 m (Reportify) – https://reportify.cn/filings/1103132697590632448"
)
ADAMAS_EXPORTS = (
    "Record rare earth magnet exports from China in 2024: 58,152 t (GAC data, Adamas "
    "Intelligence) – https://www.adamasintel.com/record-rare-earth-magnet-exports-from-china-in-2024/"
)
ASIACITY = (
    "China rare earth magnet exports by destination, Sep 2025 with y/y changes (customs data, "
    "Asia City) [secondary: repost of customs figures] – https://asiacity.news/?p=138890"
)
TELEGRAPH = (
    "China rare earth magnet exports Sep 2025: 5,774 t, +17.5% y/y (Reuters via Telegraph "
    "India) – https://www.telegraphindia.com/business/chinas-rare-earth-magnet-exports-dip-6-1-in-september-amid-tighter-export-scrutiny-and-curbs/cid/2128671"
)
GOLDSEA = (
    "China rare earth exports to US, Japan fell in December; full-year 2025 magnet exports to "
    "the US 5,933 t (-20.3%); to Japan 280 t in December 2025, +31.4% y/y (Reuters via "
    "Goldsea) [secondary: repost of Reuters] – "
    "http://www.goldsea.com/public/index.php/article_details/china-rare-earth-exports-to-us-japan-fell-in-december"
)
IBNEWS = (
    "China's rare earth magnet exports to the US hit six-month high: July 2025 India 418 t "
    "(+60% y/y) (Ferroalloy Online compilation of GAC customs data, IB News) – "
    "https://www.ibnews.com/2025/08/21/chinas-rare-earth-magnet-exports-to-the-us-hit-six-month-high"
)
ENERGYNEWS_JULY = (
    "China's rare-earth magnet exports reached a six-month peak in July: 5,577 t, vs 5,278 t in "
    "July 2024 (Reuters via Energy News) – "
    "https://energynews.oedigital.com/mineral-resources/2025/08/20/chinas-rareearth-magnet-exports-reached-a-sixmonth-peak-in-july"
)
ECA = (
    "EU faces major reliance on China for critical minerals, auditors warn: EU industry used "
    "about 20,000 t of permanent magnets in 2024, 17,000 t from China (European Court of "
    "Auditors via Plataforma Media) – "
    "https://www.plataformamedia.com/en/2026/02/03/eu-faces-major-reliance-on-china-for-critical-minerals-auditors-warn"
)
ICRA = (
    "Electric two-wheelers launches this year to be hit by rare earth magnets crunch: India "
    "imported about $200 million of magnets in FY25, around 85% from China (ICRA via The Hindu "
    "BusinessLine) – "
    "https://www.thehindubusinessline.com/economy/electric-two-wheelers-launches-this-year-to-be-hit-by-rare-earth-magnets-crunch/article69691008.ece"
)
JSNM = (
    "Japan Society of Newer Metals, rare-earth division: 2024 domestic demand for Nd/didymium "
    "5,500 t (association) – https://jsnm.or.jp/news/?p=1562"
)
GWEC_SGRE = (
    "Chinese turbine makers dominate but Siemens Gamesa rules the waves: Siemens Gamesa 32.5% "
    "of 2024 offshore installations (GWEC via Recharge) – "
    "https://stc-stage.dngroup.com/wind/chinese-turbine-makers-dominate-but-siemens-gamesa-rules-the-waves-gwec/2-1-1820948 ; "  # noqa: E501
    "Chinese manufacturers lead global wind turbine installations: 11.7 GW offshore in 2024 "
    "(BNEF) – https://about.bnef.com/blog/chinese-manufacturers-lead-global-wind-turbine-installations-bloombergnef-report-shows"
)
HEIM = (
    "NdFeB Permanent Magnet Uses: direct-drive generators 625-850 kg NdFeB per MW (Heim & "
    "Vander Wal, Encyclopedia/MDPI) – https://encyclopedia.pub/entry/50309"
)
COMMERCE232 = (
    "Biden Administration concludes Section 232 investigation into imports of NdFeB magnets: "
    "'in 2020, China controlled about 92 percent of the global NdFeB magnet and magnet alloy "
    "market' (Commerce report via Mayer Brown) – "
    "https://www.mayerbrown.com/en/perspectives-events/publications/2022/09/biden-administration-concludes-section-232-investigation-into-imports-of-ndfeb-magnets-but-does-not-impose-tariffs"
)

# ------------------------------------------------------------------ figures
REO = 1.166  # t oxide per t metal (SOURCES.md 1)
MAG = 0.35  # t REO per t sintered NdFeB (SOURCES.md 1)
TRACTION_KG = 0.5 * REO  # kg REO per electric or hybrid car (IEA: 0.5 kg REE)
ANCILLARY_KG = 0.25 * REO  # kg REO per vehicle, any powertrain (Reuters citing the IEA)
OICA_2024 = {
    "CN": 31_281_592,
    "US": 10_562_188,
    "JP": 8_234_681,
    "IN": 6_014_691,
    "KR": 4_127_252,
    "DE": 4_069_222,
    "FR": 910_243,
}
# Mexico: the node's units are INEGI light vehicles (3,989,403; lines.csv), the rule's basis
E2W_UNITS_FY25 = 1_150_000
E2W_KG = 690_000 / 1_150_000  # kg NdFeB per electric two-wheeler (690 t / 1.15 m units)
SGRE_OFFSHORE_MW = 0.325 * 11_700  # 3,802 MW (lines.csv)
DIRECT_DRIVE_T_PER_MW = (0.625 + 0.850) / 2  # midpoint of Heim & Vander Wal's range
EU_CHINA_SHARE = 17_000 / 20_000  # ECA
JL_EXPORT_T = 20_850.18 * 0.1807 * MAG  # t REO
JL_AMERICAS = 418.4 / 1_222.2  # share of JL's overseas revenue

# China's 2024 magnet exports by destination, t rare-earth magnets: China's own customs return
# to UN Comtrade (HS 8505.11 by partner), counted by the unit-value rule of data/hs.csv
# (SOURCES.md 11l); the fixture is the published rows (tests/data/trade/README.md)
COMTRADE_FILE = Path(__file__).resolve().parents[2] / "tests/data/trade/comtrade-cn-850511-2024.csv"
COMTRADE = (
    "UN Comtrade, China (reporter 156) exports of HS 8505.11 by partner, annual 2024, China's "
    "customs return (rows in tests/data/trade/comtrade-cn-850511-2024.csv), rare-earth magnets "
    "counted by the unit-value rule of data/hs.csv: min(weight, value / 49.18 USD/kg) – "
    "https://comtradeplus.un.org/"
)
MODELLED = ("DE", "KR", "VN", "US", "JP", "IN", "MX", "TH", "FR", "DK", "TW")


def comtrade_2024():
    """China's 2024 exports of 8505.11 by partner: {iso2: (weight t, USD, counted t)}, and
    the tonnes counted for areas that are not countries (SOURCES.md 11l)."""
    from supplygraph.analyses.trade import count_records
    from supplygraph.dataset.trade import read_trade_files
    from supplygraph.dataset.trade_codes import load_hs_table

    hs = load_hs_table(DATA / "hs.csv")
    r = count_records(read_trade_files([COMTRADE_FILE], hs["hs"]), hs)
    r = r[(r["flow"] == "X") & (r["exporter"] == "CN") & (r["year"] == 2024)]
    by = {
        row.importer: (row.weight_t, row.value_usd, row.counted_t)
        for row in r[r["importer_kind"] == "country"].itertuples()
    }
    areas = float(r.loc[r["importer_kind"] == "area", "counted_t"].sum())
    return by, areas


COMTRADE_BY, COMTRADE_AREAS = comtrade_2024()
CUSTOMS_T = {c: COMTRADE_BY[c][2] for c in MODELLED}
CHINA_TOTAL_T = sum(v[2] for v in COMTRADE_BY.values())  # partner countries, areas apart


def read(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, list(rows[0].keys())


def write(name, rows, fields, crlf):
    with open(DATA / name, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n" if crlf else "\n")
        w.writeheader()
        w.writerows(rows)


def t(x: float) -> str:
    return f"{x:.1f}"


class Table:
    """The edges as rows, with lookups by supplier, customer, material and lines."""

    def __init__(self, rows, fields):
        self.rows, self.fields = rows, fields

    def find(self, s=None, c=None, m=None, from_line=None, line=None):
        return [
            e
            for e in self.rows
            if (s is None or e["supplier"] == s)
            and (c is None or e["customer"] == c)
            and (m is None or e["material"] == m)
            and (from_line is None or e["from_line"] == from_line)
            and (line is None or e["line"] == line)
        ]

    def flow(self, **kw):
        return sum(float(e["flow_t"]) for e in self.find(**kw))

    def drop(self, **kw):
        gone = self.find(**kw)
        self.rows = [e for e in self.rows if not any(e is g for g in gone)]
        return gone

    def put(
        self,
        s,
        c,
        m,
        flow,
        source,
        status,
        note="",
        elements=None,
        from_line="",
        line="",
        licence="",
    ):
        """Set the one row of (s, c, m, from_line, line), adding it if absent."""
        rows = self.find(s=s, c=c, m=m, from_line=from_line, line=line)
        assert len(rows) <= 1, (s, c, m, from_line, line)
        if rows:
            row = rows[0]
        else:
            row = {f: "" for f in self.fields}
            row.update(supplier=s, customer=c, material=m, from_line=from_line, line=line)
            self.rows.append(row)
        row.update(flow_t=t(flow), source=source, status=status, note=note, licence=licence)
        if elements is not None:
            row["elements"] = elements
        return row


def check_start(edges):
    """Refuse to run on data other than the pre-issue-24 data (c496cd7)."""
    (jl_de,) = edges.find(s="cn-jl-mag", c="de-ev-motor-agg")
    ru = edges.find(s="ru-solikamsk", c="ee-neo-silmet")
    assert float(jl_de["flow_t"]) == 525.0 and float(ru[0]["flow_t"]) == 300.0, (
        "issue24.py runs once, on the data of c496cd7"
    )


def lines_11a(edges, lines):
    """Solvay La Rochelle and the Japanese metal makers get two lines each (11a)."""
    for e in edges.find(c="fr-solvay-la-rochelle"):
        e["line"] = "y_gd" if set(e["elements"].split(";")) <= {"Y", "Gd"} else "la_ce"
    for e in edges.find(s="fr-solvay-la-rochelle"):
        e["from_line"] = "y_gd" if e["material"] in ("y_oxide", "gd_oxide") else "la_ce"
    for e in edges.find(c="jp-re-metal-agg"):
        e["line"] = "ndpr" if e["material"] == "ndpr_oxide" else "dy_tb"
    for e in edges.find(s="jp-re-metal-agg"):
        e["from_line"] = "ndpr" if e["material"] == "ndpr_metal" else "dy_tb"
    why = {
        ("fr-solvay-la-rochelle", "la_ce"): (
            "A9: the La/Ce-rich feed from the Chinese import separators; makes the Ce/La "
            "oxides for catalysts and polishing. Before this line a cut of the Y/Gd feed "
            "(same material) pooled with it and cut the catalyst output by a fifteenth "
            "(issue 24)"
        ),
        ("fr-solvay-la-rochelle", "y_gd"): (
            "A9: the Y/Gd-bearing feed from the southern ionic-clay separators; makes the Y and "
            "Gd oxides (SOURCES.md 4c: a No. 18 cut stops the Y and Gd lines, not the "
            "catalyst lines)"
        ),
        ("jp-re-metal-agg", "ndpr"): (
            "NdPr oxide in, NdPr metal out. Before this line the node's Dy/Tb inputs (a "
            "different material, hence a complement) capped its NdPr metal: a Dy/Tb cut "
            "stopped Japan's NdPr metal (issue 24)"
        ),
        ("jp-re-metal-agg", "dy_tb"): "Dy/Tb oxide and metal in, Dy/Tb metal out",
    }
    for (node, name), note in why.items():
        fed = sum(float(e["flow_t"]) for e in edges.find(c=node) if e["line"] == name)
        lines.append(
            {
                "node": node,
                "line": name,
                "sector": "",
                "unit": "t REO",
                "baseline_units": f"{fed:.0f}",
                "source": f"derived: sum of the in-edges feeding the line ({name}) ; "
                "supplygraph data/edges.csv",
                "status": "assumption" if node.startswith("fr-") else "estimate",
                "note": note,
            }
        )


def regimes_11b(regimes, edges):
    """No. 61's 0.1% rule reaches only the items of Part II of its Annex 1 (11b)."""
    (no61,) = [r for r in regimes if r["id"] == "CN-2025-61"]
    no61["materials"] = "ndfeb_sintered;ndfeb_bonded;smco_magnet"
    no61["title"] = (
        "Extraterritorial rule: foreign-made rare-earth permanent-magnet materials and targets "
        "(Annex 1 Part II) whose Chinese-origin controlled rare-earth value (Annex 1 Part I) is "
        "at least 0.1% of the item's value need a Chinese licence"
    )
    no61["source"] = (
        "MOFCOM Announcement No. 61 of 2025, para. 1(1): items listed in Part II of Annex 1 "
        "made abroad that contain Part I items of Chinese origin at 0.1% or more of their value "
        "(SSCollege translation) – http://www.sscollege.cn/en/news/44800.html ; Part II = "
        "rare-earth permanent-magnet materials and rare-earth targets made abroad, Part I = Sm, "
        "Dy, Gd, Tb, Lu, Sc, Y metals, SmCo, Tb-Fe, Dy-Fe, Tb-Dy-Fe alloys, Dy and Tb oxides "
        "(UDN summary of the annex, 9 Oct 2025) – https://udn.com/news/story/7333/9059047 ; "
        "(Chosun Biz, 9 Oct 2025) – "
        "https://biz.chosun.com/en/en-international/2025/10/09/MBFVRFFRLFEJHCQVAL6OMUXLCQ/?outputType=amp ; "  # noqa: E501
        "suspension No. 70 of 2025 (Pillsbury) – "
        "https://www.pillsburylaw.com/en/news-and-insights/china-suspends-export-controls-certain-critical-minerals-related-items.html"
    )
    # a ScAl sputtering target is a Part II "rare-earth target"; the edge's material name
    # (sc_oxide) is the target maker's input, so the regime names it explicitly
    (target,) = edges.find(s="jp-scaln-target-agg", c="us-rf-filter-makers-agg")
    target["licence"] = "+CN-2025-61"
    target["note"] = (
        target["note"]
        + " | No. 61 Annex 1 Part II lists rare-earth targets: ScAl(N) sputtering targets made "
        "from Chinese Sc oxide are caught (licence column, issue 24)"
    ).lstrip(" |")


def eu_11c(edges, lines):
    """The EU's imports by origin (Eurostat 2024): Russia and Malaysia (11c)."""
    russia = 2_500.0  # t REO: Russia's whole 2024 mine output (USGS)
    edges.put(
        "ru-solikamsk",
        "ee-neo-silmet",
        "mixed_carbonate",
        russia,
        f"derived: Russia's 2024 REO output 2,500 t (USGS) shipped whole to the EU: Eurostat "
        f"counts 3,700 t (product weight) of EU rare-earth imports from Russia in 2024, more "
        f"than Russia mines as REO, so the REO output is the binding figure; the EU plant on "
        f"Russian feed is Silmet ; {EUROSTAT} ; {USGS25} ; {SILMET_RU}",
        "estimate",
        "Range: 2,500 t REO (all of Russia's output) down to about 1,700 t if the 3,700 t are "
        "carbonates at about 45% REO; the model keeps the USGS output (issue 24)",
    )
    edges.put(
        "ru-solikamsk",
        "ru-re-users-agg",
        "la_ce_oxide",
        0.0,
        f"derived: Russia's output 2,500 t less its exports to the EU 2,500 t (Eurostat, "
        f"above) ; {EUROSTAT} ; {USGS25}",
        "estimate",
        "No Russian rare earths are left for Russian users in 2024 by this formula (issue 24: "
        "before, 1,800 t stayed in Russia and 300 t went to Silmet against Eurostat's 3,700 t)",
    )
    malaysia = 2_600.0
    edges.put(
        "my-lynas-kuantan",
        "de-auto-catalyst-agg",
        "la_ce_oxide",
        malaysia,
        f"derived: EU imports from Malaysia 2024 2,600 t (Eurostat; product weight, read as "
        f"t REO: an upper bound) from Lynas Kuantan, Malaysia's only separator ; {EUROSTAT}",
        "estimate",
        "Range 1,200-2,600 t REO (carbonates about 45% REO, oxides about 100%). Destination in "
        "the EU not in our sources: booked to the EU catalyst and glass users; taken from "
        "Lynas's La/Ce formerly all booked to Japan (A6) (issue 24)",
        elements="La;Ce",
    )
    # the Japanese catalyst and glass makers' outputs (A19) follow their smaller intake; the
    # US share (USGS Japan 6% of US imports) stays
    jp_in = 4_213.0 - malaysia + 3_000.0  # Lynas rest + Shenghe 3,000 (A6)
    jp_scale = (jp_in - 480.0) / 6_000.0
    for c in ("jp-toyota", "jp-automakers-agg", "jp-industrial-users-agg"):
        (e,) = edges.find(s="jp-catalyst-glass-agg", c=c)
        e["flow_t"] = t(float(e["flow_t"]) * jp_scale)
        e["note"] = (
            e["note"] + " | [A19] scaled to the node's intake after Lynas's EU shipments (issue 24)"
        ).lstrip(" |")
    (to_japan,) = edges.find(s="my-lynas-kuantan", c="jp-catalyst-glass-agg")
    to_japan["flow_t"] = t(4_213.0 - malaysia)
    to_japan["note"] = (
        "[A6] Lynas La/Ce 5,253 t less 1,040 t to the US (USGS) less 2,600 t to the EU "
        "(Eurostat, issue 24)"
    )
    # Silmet at its 3,000 t/yr capacity: Russian feed first, the rest Chinese (A8)
    (china,) = edges.find(s="cn-other-import-sep-agg", c="ee-neo-silmet")
    china["flow_t"] = t(3_000.0 - russia)
    china["note"] = (
        "[A8] Silmet's feed at its 3,000 t/yr capacity (Argus) less the Russian feed (2,500 t, "
        "Eurostat/USGS); Chinese imports of the EU modelled: Solvay 4,500 + VAC metals 535 + "
        "Silmet 500 = 5,535 t against Eurostat's 6,000 t (product weight) (issue 24)"
    )
    # Silmet's outputs scaled to its feed (A8: output/feed 1,410/1,800 as before; the US share
    # is USGS's and stays)
    scale = (3_000.0 * 1_410.0 / 1_800.0 - 400.0) / (650.0 + 360.0)
    for customer, old in (("de-auto-catalyst-agg", 650.0), ("th-magnequench-korat", 360.0)):
        (e,) = edges.find(s="ee-neo-silmet", c=customer)
        e["flow_t"] = t(old * scale)
        e["note"] = (e["note"] + " | [A8] scaled to Silmet's 3,000 t feed (issue 24)").lstrip(" |")
    (korat,) = edges.find(s="th-magnequench-korat", c="th-hdd-motor-agg")
    korat["flow_t"] = t(360.0 * scale)
    for r in lines:
        if r["node"] == "ru-re-users-agg":
            r["baseline_units"] = "0"


def customers_11d(edges, nodes):
    """Customers the sources name (11d)."""
    edges.drop(s="us-energy-fuels-white-mesa", c="us-mp-independence-metal")
    edges.put(
        "us-energy-fuels-white-mesa",
        "kr-posco-international",
        "ndpr_oxide",
        0.0,
        f"derived: no 2024 shipment (first NdPr delivered to POSCO in 2025) ; {EF_POSCO}",
        "estimate",
        "Energy Fuels' NdPr customer is POSCO International (MOU 17 March 2025), not MP "
        "Materials as the data said before issue 24",
        elements="Nd;Pr",
    )
    edges.put(
        "kr-posco-international",
        "kr-ev-motor-agg",
        "ndfeb_sintered",
        0.0,
        f"derived: no 2024 flow ; {EF_POSCO}",
        "estimate",
        "POSCO International: EV traction-motor cores; its magnets from Energy Fuels' NdPr "
        "from 2025 (magnet maker not named in our sources)",
        elements="Nd;Pr;Dy;Tb",
        from_line="",
    )
    nodes.append(
        {
            "id": "kr-posco-international",
            "name": "POSCO International (NdPr oxide to magnets for EV traction motors)",
            "stage": "magnet",
            "country": "KR",
            "company": "POSCO International",
            "sector": "",
            "capacity_t": "",
            "stock_days": "30",
            "source": EF_POSCO,
            "status": "assumption",
            "note": "No 2024 flow; Energy Fuels' customer from 2025 (issue 24). [A20] stock cover "
            "of its tier",
        }
    )
    (mp_jp,) = edges.find(s="us-mp-mountain-pass-sep", c="jp-re-metal-agg")
    mp_jp["source"] = (
        "derived: MP NdPr sold 2024 1,142 t less 232 t imported by China (TREO, low quality) = "
        "910 t, all to Japan (Sumitomo is MP's exclusive NdPr distributor in Japan) ; MP "
        "Materials Corp. Form 10-K for fiscal year 2024 (SEC EDGAR) – "
        "https://www.sec.gov/Archives/edgar/data/1801368/000180136825000009/mp-20241231.htm ; "
        f"{MP_SUMITOMO} ; Special analysis of China's rare earth trade (The Rare Earth Observer, "
        "low quality) – https://treo.substack.com/p/special-analysis-of-chinas-rare-earth"
    )
    mp_jp["status"] = "estimate"
    mp_jp["note"] = (
        "Proxy: every tonne sold outside China went to Japan in 2024 (the 10-Q names Japan and "
        "South Korea for 2025) (issue 24; A7 before)"
    )


# ------------------------------------------------------------------ 11e-11h
CARMAKERS = {
    "cn-byd": "CN",
    "cn-tesla-shanghai": "CN",
    "cn-automakers-agg": "CN",
    "us-tesla": "US",
    "us-automakers-agg": "US",
    "de-volkswagen": "DE",
    "de-automakers-agg": "DE",
    "fr-automakers-agg": "FR",
    "jp-toyota": "JP",
    "jp-automakers-agg": "JP",
    "kr-hyundai": "KR",
    "in-automakers-agg": "IN",
    "mx-automakers-agg": "MX",
}
ELECTRIC = ("ev", "hybrid")  # lines with a permanent-magnet traction motor


def vehicles(lines):
    units = defaultdict(dict)
    for r in lines:
        if r["node"] in CARMAKERS and r["unit"] == "vehicles":
            units[r["node"]][r["line"]] = float(r["baseline_units"])
    return units


def rule_11e(lines):
    """Traction and ancillary intake per carmaker, t REO, with the formula in words."""
    units = vehicles(lines)
    by_country = defaultdict(float)
    for k, c in CARMAKERS.items():
        by_country[c] += sum(units[k].values())
    factor = {c: (OICA_2024[c] / n if c in OICA_2024 else 1.0) for c, n in by_country.items()}
    out = {}
    for k, c in CARMAKERS.items():
        ev = sum(v for line, v in units[k].items() if line in ELECTRIC)
        allv = sum(units[k].values())
        f = factor[c]
        scale = (
            ""
            if abs(f - 1) < 1e-3
            else f" x {f:.4f} (the country's production, OICA {OICA_2024[c]:,}, over its "
            f"carmakers' "
            f"vehicles {by_country[c]:,.0f}: the domestic supply chain supplies domestic output)"
        )
        out[k] = {
            "traction": ev * TRACTION_KG / 1000 * f,
            "ancillary": allv * ANCILLARY_KG / 1000 * f,
            "traction_formula": f"{ev:,.0f} electric and hybrid vehicles (lines.csv) x 0.5 kg "
            f"REE x 1.166 (REO) = 0.583 kg REO each{scale}",
            "ancillary_formula": f"{allv:,.0f} vehicles (lines.csv, all lines) x 0.25 kg REE x "
            f"1.166 = 0.2915 kg REO each{scale}",
            "factor": f,
        }
    return out


def split(total, weights):
    s = sum(weights.values())
    return {k: total * w / s for k, w in weights.items()} if s > 0 else {k: 0.0 for k in weights}


CUSTOMS_SRC = {
    c: (
        f"China's customs return 2024, HS 8505.11 to {c}: {COMTRADE_BY[c][0]:,.0f} t, "
        f"USD {COMTRADE_BY[c][1] / 1e6:,.1f} m; rare-earth magnets by the unit-value rule "
        f"{COMTRADE_BY[c][2]:,.0f} t"
    )
    for c in MODELLED
}
CUSTOMS_CITES = {c: COMTRADE for c in MODELLED}


def customs_reo(c):
    return CUSTOMS_T[c] * MAG


def jl_exports():
    """JL Mag's exports by destination, t REO (11g)."""
    americas = JL_EXPORT_T * JL_AMERICAS
    rest = JL_EXPORT_T - americas
    others = {c: CUSTOMS_T[c] for c in ("DE", "KR", "VN", "JP", "IN")}
    out = {"US": americas}
    out.update(split(rest, others))
    return out


JL_FORMULA = (
    "JL Mag's exports 2024 = sales 20,850.18 t x overseas share of revenue 18.07% x 0.35 = "
    "1,318.6 t REO; to the Americas (read as the US) 418.4/1,222.2 of it = 451.4 t; the rest "
    "split over China's other customs destinations (DE, KR, VN, JP, IN) by their 2024 "
    "tonnages"
)


def chinese_rows(edges, country, user, total, why, status, extra_cites="", grade_row=True):
    """Put China's supply to one user of a customs country: JL Mag's share and the rest."""
    jl = jl_exports().get(country, 0.0) / customs_reo(country) * total
    customs = (
        f"China 2024 magnet exports to {country} {CUSTOMS_T[country]:,.0f} t x 0.35 "
        f"= {customs_reo(country):,.0f} t REO ({CUSTOMS_SRC[country]})"
    )
    base = f"derived: {customs} ; {why}"
    cites = f"{CUSTOMS_CITES[country]}{extra_cites}"
    note = (
        "China's supply to the user; JL Mag's part by its filing, the rest other Chinese "
        "makers (issue 24, SOURCES.md 11g)"
    )
    fl = "dy_tb_grade" if grade_row else ""
    if jl > 0:
        edges.put(
            "cn-jl-mag",
            user,
            "ndfeb_sintered",
            jl,
            f"{base}; JL Mag's share = its exports to {country} over China's ({JL_FORMULA}) "
            f"; {cites} ; {JL_AR}",
            status,
            note,
            elements="Nd;Pr;Dy;Tb",
            from_line=fl,
        )
    edges.put(
        "cn-other-sintered-agg",
        user,
        "ndfeb_sintered",
        total - jl,
        f"{base}; less JL Mag's share ({JL_FORMULA}) ; {cites} ; {JL_AR}",
        status,
        note,
        elements="Nd;Pr;Dy;Tb",
        from_line=fl,
    )


def clear_sintered(edges, supplier, customer):
    """Remove a supplier's sintered rows to a customer (both grades)."""
    edges.drop(s=supplier, c=customer, m="ndfeb_sintered")


def jp_maker_rows(edges, maker, customer, flow, why):
    """A Japanese, Vietnamese, Korean or European maker's edge, split 50/50 by grade as the
    provisional rule for auto ancillary parts does (LINES.md 3g, A1)."""
    clear_sintered(edges, maker, customer)
    src = f"derived: {why} ; {JSNM}" if maker.startswith("jp-") else f"derived: {why} ; {ECA}"
    for fl, el in (("dy_tb_grade", "Nd;Pr;Dy;Tb"), ("ndpr_grade", "Nd;Pr")):
        edges.put(
            maker,
            customer,
            "ndfeb_sintered",
            flow / 2,
            src,
            "assumption",
            "[A13] [A16] maker's customers not published; 50% Dy/Tb grade for auto "
            "ancillary parts (A1)",
            elements=el,
            from_line=fl,
        )


def single_rows(edges, maker, customer, flow, why, fl="dy_tb_grade", el="Nd;Pr;Dy;Tb"):
    clear_sintered(edges, maker, customer)
    if flow <= 0.05:
        return
    edges.put(
        maker,
        customer,
        "ndfeb_sintered",
        flow,
        f"derived: {why} ; {JSNM}",
        "assumption",
        "[A13] [A16] maker's customers not published",
        elements=el,
        from_line=fl,
    )


def node(
    id_,
    name,
    stage,
    country,
    sector="",
    stock="",
    source="",
    status="assumption",
    note="[A20] stock cover of the component tier",
    company="",
):
    return {
        "id": id_,
        "name": name,
        "stage": stage,
        "country": country,
        "company": company,
        "sector": sector,
        "capacity_t": "",
        "stock_days": stock,
        "source": source,
        "status": status,
        "note": note,
    }


def automotive_11e_to_11h(edges, nodes, lines):
    rule = rule_11e(lines)
    T = {c: customs_reo(c) for c in CUSTOMS_T}
    JL = jl_exports()
    old_total = {}  # each maker's sintered output before, kept (A12, A13)
    for m in (
        "cn-jl-mag",
        "cn-ningbo-yunsheng",
        "cn-zhong-ke-san-huan",
        "cn-other-sintered-agg",
        "jp-shin-etsu-magnet",
        "jp-proterial-magnet",
        "jp-tdk-magnet",
        "jp-daido-magnet",
        "kr-star-group",
        "vn-sgi-vina",
        "de-vac-hanau",
    ):
        old_total[m] = edges.flow(s=m, m="ndfeb_sintered")
    traction = {k: v["traction"] for k, v in rule.items()}
    anc = {k: v["ancillary"] for k, v in rule.items()}

    def trac_src(k):
        return f"derived: {rule[k]['traction_formula']} ; {IEA_EV} ; {OICA}"

    def anc_src(k):
        return f"derived: {rule[k]['ancillary_formula']} ; {REUTERS_ICE} ; {OICA}"

    note_t = (
        "One rule for every carmaker (SOURCES.md 11e): traction motors feed the electric "
        "and hybrid lines only"
    )
    note_a = (
        "One rule for every carmaker (SOURCES.md 11e): ancillary motors and actuators "
        "(EPS, brakes, pumps, seats, windows, speakers) feed every line; the supplier's "
        "two grades become two parts (derive/grades.py)"
    )

    # -------------------------------------------------- nodes added
    comp = "component"
    nodes.extend(
        [
            node(
                "cn-auto-parts-agg",
                "Chinese auto parts and micro-motor makers (aggregate)",
                comp,
                "CN",
                stock="21",
                source=f"{REUTERS_ICE}",
                note="Ancillary motors and actuators "
                "for Chinese carmakers, and components exported to carmakers abroad (issue 24). "
                "[A20] stock cover of the component tier",
            ),
            node(
                "jp-auto-parts-agg",
                "Japanese auto parts and micro-motor makers (aggregate)",
                comp,
                "JP",
                stock="25",
                source=f"{REUTERS_ICE}",
                note="Ancillary motors and actuators "
                "for Japanese carmakers (issue 24). [A20] stock cover of the component tier",
            ),
            node(
                "kr-auto-parts-agg",
                "Korean auto parts makers (aggregate)",
                comp,
                "KR",
                stock="25",
                source=f"{REUTERS_ICE}",
                note="Ancillary motors and actuators for Hyundai-Kia "
                "(issue 24). [A20] stock cover of the component tier",
            ),
            node(
                "in-auto-parts-agg",
                "Indian auto parts makers (aggregate)",
                comp,
                "IN",
                stock="25",
                source=f"{REUTERS_ICE}",
                note="Ancillary motors and actuators for Indian carmakers "
                "(issue 24). [A20] stock cover of the component tier",
            ),
            node(
                "in-two-wheelers-agg",
                "Indian electric two-wheeler makers (Ola, TVS, Bajaj, Ather; aggregate)",
                "manufacturer",
                "IN",
                sector="two_wheelers",
                stock="21",
                source=E2W_UNITS,
                note="Bajaj's Chetak output halved in July 2025 and deliveries "
                "resumed on 20 August once magnets arrived (issue 24). [A20] stock cover of the "
                "automaker tier",
            ),
        ]
    )
    lines.append(
        {
            "node": "in-two-wheelers-agg",
            "line": "e2w",
            "sector": "two_wheelers",
            "unit": "vehicles",
            "baseline_units": str(E2W_UNITS_FY25),
            "source": f"India electric two-wheeler sales FY25 (April 2024-March 2025) about 1.15 "
            f"million, used for calendar 2024 ; {E2W_UNITS}",
            "status": "estimate",
            "note": "Sales as production proxy; the fiscal year FY25 stands for 2024. Calendar "
            "2024: '1 million+' (India Today); 2023 860,000 +33% (Vahan via Samayam)",
        }
    )

    # -------------------------------------------------- traction motors
    edges.drop(s="jp-ev-motor-agg", c="jp-automakers-agg", m="traction_motor")
    edges.drop(s="in-motor-agg", c="in-automakers-agg", m="traction_motor")
    de_cn_share = 912.0 / (912.0 + 1021.0)  # old split of DE-agg's motors (A18)
    plan = [
        ("cn-byd-fudi-motors", "cn-byd", "ev", traction["cn-byd"], "estimate"),
        ("cn-ev-motor-agg", "cn-automakers-agg", "ev", traction["cn-automakers-agg"], "estimate"),
        ("cn-ev-motor-agg", "cn-tesla-shanghai", "ev", traction["cn-tesla-shanghai"], "estimate"),
        ("us-ev-motor-agg", "us-tesla", "ev", traction["us-tesla"], "estimate"),
        ("us-ev-motor-agg", "us-automakers-agg", "ev", traction["us-automakers-agg"], "estimate"),
        ("de-ev-motor-agg", "de-volkswagen", "ev", traction["de-volkswagen"], "estimate"),
        (
            "de-ev-motor-agg",
            "de-automakers-agg",
            "ev",
            traction["de-automakers-agg"] * (1 - de_cn_share),
            "assumption",
        ),
        (
            "cn-ev-motor-agg",
            "de-automakers-agg",
            "ev",
            traction["de-automakers-agg"] * de_cn_share,
            "assumption",
        ),
        ("de-ev-motor-agg", "fr-automakers-agg", "ev", traction["fr-automakers-agg"], "estimate"),
        ("jp-ev-motor-agg", "jp-toyota", "ev;hybrid", traction["jp-toyota"], "estimate"),
        ("jp-ev-motor-agg", "jp-automakers-agg", "ev", traction["jp-automakers-agg"], "assumption"),
        ("kr-ev-motor-agg", "kr-hyundai", "ev", traction["kr-hyundai"], "estimate"),
        ("in-motor-agg", "in-automakers-agg", "ev", traction["in-automakers-agg"], "estimate"),
        ("us-ev-motor-agg", "mx-automakers-agg", "ev", traction["mx-automakers-agg"], "assumption"),
    ]
    for s, c, line, flow, status in plan:
        note = note_t
        if c == "de-automakers-agg":
            note += (
                f"; [A18] split between German and Chinese motors as before "
                f"({de_cn_share:.3f} Chinese)"
            )
        if c == "jp-automakers-agg":
            note += "; [A2] Honda and Nissan plug-ins 150,000 (assumption). Before issue 24 this "
            note += "edge fed all of Honda's and Nissan's lines, petrol cars included"
        if c == "mx-automakers-agg":
            note += (
                "; [A16] Mexico's EV motors booked to the US motor makers (supplier not in "
                "our sources); the edge was missing before issue 24"
            )
        for e in edges.find(s=s, c=c, m="traction_motor"):
            e["line"] = line  # an old row keeps its place
        row = edges.put(
            s,
            c,
            "traction_motor",
            flow,
            trac_src(c),
            status,
            note,
            elements="Nd;Pr;Dy;Tb",
            line=line,
            licence="exempt" if s.startswith("cn-") and not c.startswith("cn-") else "",
        )
        if row["licence"] == "exempt":
            row["note"] += "; finished goods: outside No. 18 (SOURCES.md 4d)"
    e2w = E2W_KG * E2W_UNITS_FY25 / 1000 * MAG
    edges.put(
        "in-motor-agg",
        "in-two-wheelers-agg",
        "traction_motor",
        e2w,
        f"derived: 1.15 million electric two-wheelers x 0.6 kg NdFeB (690 t / 1.15 m, "
        f"The Hindu BusinessLine) x 0.35 = {e2w:.1f} t REO ; {E2W_UNITS}",
        "estimate",
        "Hub and mid-drive motors of Indian e-scooters and motorcycles (issue 24: missing before)",
        elements="Nd;Pr;Dy;Tb",
        line="e2w",
    )

    # the actuator edges to carmakers: merged rows, split by grades.py
    for s in ("de-auto-actuators-agg", "us-auto-actuators-agg", "mx-auto-parts-agg"):
        edges.drop(s=s, m="actuator")
        edges.drop(s=s, m="actuator_ht")

    def actuator(s, c, flow, status, note_extra="", licence="", part=None):
        """A carmaker's ancillary parts from one supplier; `part` names the share of the
        rule's need the supplier covers when it is not all of it."""
        if flow <= 0.05:
            return
        if status == "balance":
            src = (
                f"derived: the carmaker's ancillary need by the rule "
                f"({rule[c]['ancillary_formula']}) less what its country's modelled magnet "
                f"supply covers (SOURCES.md 11e) ; {REUTERS_ICE} ; {OICA}"
            )
        elif part:
            src = (
                f"derived: the carmaker's ancillary need by the rule "
                f"({rule[c]['ancillary_formula']}) x {part} ; {REUTERS_ICE} ; {OICA}"
            )
        else:
            src = anc_src(c)
        edges.put(
            s,
            c,
            "actuator",
            flow,
            src,
            "assumption" if status == "balance" else status,
            note_a + note_extra,
            elements="Nd;Pr;Dy;Tb",
            licence=licence,
        )

    balance_note = (
        "; [A33] the rest of the rule's need arrives as components made in China "
        "(micro-motors, EPS units): no tonnage source; finished goods, outside No. "
        "18 (SOURCES.md 4d)"
    )

    # -------------------------------------------------- Germany and France (ECA share)
    d_ev_de = (
        traction["de-volkswagen"]
        + traction["de-automakers-agg"] * (1 - de_cn_share)
        + traction["fr-automakers-agg"]
    )
    d_act_de = anc["de-volkswagen"] + anc["de-automakers-agg"] + anc["fr-automakers-agg"]
    d_sgre = SGRE_OFFSHORE_MW * DIRECT_DRIVE_T_PER_MW * MAG
    cn = {
        "de-ev-motor-agg": EU_CHINA_SHARE * d_ev_de,
        "de-auto-actuators-agg": EU_CHINA_SHARE * d_act_de,
        "de-sgre-generator": EU_CHINA_SHARE * d_sgre,
    }
    cn["de-industrial-users-agg"] = T["DE"] - sum(cn.values())
    assert cn["de-industrial-users-agg"] > 0
    for s in ("cn-jl-mag", "cn-other-sintered-agg", "cn-ningbo-yunsheng"):
        for u in cn:
            clear_sintered(edges, s, u)
    why_de = {
        "de-ev-motor-agg": f"x China's share of the EU's magnets 0.85 (ECA: 17,000 of 20,000 t) "
        f"x the German EV-motor makers' need {d_ev_de:.1f} t REO (the carmakers' traction "
        f"motors by the rule of SOURCES.md 11e)",
        "de-auto-actuators-agg": f"x 0.85 (ECA) x the German auto-parts makers' need "
        f"{d_act_de:.1f} t REO (ancillary parts of German and French carmakers, rule 11e)",
        "de-sgre-generator": f"x 0.85 (ECA) x Siemens Gamesa's generator need {d_sgre:.1f} t REO "
        f"(3,802 offshore MW x 0.7375 t NdFeB/MW x 0.35, SOURCES.md 11h)",
        "de-industrial-users-agg": "less the three users above: German industrial users, other "
        "uses and re-exports within the EU (the residual of the customs total)",
    }
    for u, flow in cn.items():
        chinese_rows(
            edges,
            "DE",
            u,
            flow,
            why_de[u],
            "estimate",
            f" ; {ECA}"
            if u != "de-industrial-users-agg"
            else f" ; {ECA} ; {IEA_EV} ; {REUTERS_ICE} ; {OICA} ; {GWEC_SGRE} ; {HEIM}",
        )
    # non-Chinese 15%: the EV motors keep their suppliers' proportions; VAC first elsewhere
    non_cn_ev = (1 - EU_CHINA_SHARE) * d_ev_de
    old = {
        "jp-shin-etsu-magnet": 186.0,
        "jp-proterial-magnet": 139.0,
        "de-vac-hanau": 140.0,
        "ee-neo-narva": 7.0,
    }
    for m, f in split(non_cn_ev, old).items():
        single_rows(
            edges,
            m,
            "de-ev-motor-agg",
            f,
            f"non-Chinese 15% (ECA) of the German EV-motor makers' need {d_ev_de:.1f} t "
            f"REO, in the suppliers' earlier proportions",
        )
    vac_sgre = (1 - EU_CHINA_SHARE) * d_sgre
    single_rows(
        edges,
        "de-vac-hanau",
        "de-sgre-generator",
        vac_sgre,
        f"non-Chinese 15% (ECA) of Siemens Gamesa's generator need {d_sgre:.1f} t REO",
    )
    vac_ev = split(non_cn_ev, old)["de-vac-hanau"]
    vac_act = old_total["de-vac-hanau"] - 105.0 - 35.0 - vac_ev - vac_sgre
    non_cn_act = (1 - EU_CHINA_SHARE) * d_act_de
    jp_act = split(
        non_cn_act - vac_act, {"jp-shin-etsu-magnet": 186.0, "jp-proterial-magnet": 139.0}
    )
    jp_maker_rows(
        edges,
        "de-vac-hanau",
        "de-auto-actuators-agg",
        vac_act,
        f"VAC's output 350 t REO (A13) less its other customers: part of the non-Chinese "
        f"15% (ECA) of the German auto-parts makers' need {d_act_de:.1f} t REO",
    )
    for m, f in jp_act.items():
        jp_maker_rows(
            edges,
            m,
            "de-auto-actuators-agg",
            f,
            "the rest of the non-Chinese 15% (ECA) of the German auto-parts makers' "
            "need, split by the makers' earlier German sales",
        )
    for k in ("de-volkswagen", "de-automakers-agg", "fr-automakers-agg"):
        actuator("de-auto-actuators-agg", k, anc[k], "estimate")
    edges.put(
        "de-sgre-generator",
        "es-siemens-gamesa",
        "wind_generator",
        d_sgre,
        f"derived: Siemens Gamesa's 2024 offshore MW 3,802 (32.5% of 11.7 GW: GWEC, BNEF) x "
        f"0.7375 t NdFeB per MW (midpoint of 625-850 kg/MW for direct drive) x 0.35 ; "
        f"{GWEC_SGRE} ; {HEIM}",
        "estimate",
        "Range: 0.625-0.850 t/MW gives 832-1,131 t REO (issue 24: 692 t before, sized "
        "from the graph's own flow)",
        elements="Nd;Pr;Dy;Tb",
        line="pm",
    )

    return rule, T, JL, old_total, actuator, balance_note


def single_route_11l(edges, T):
    """China's customs totals for the destinations with one modelled user (DK, TW) and for
    those whose users share a pair (TH, FR): SOURCES.md 11l."""
    # Denmark: Vestas's generator plants, the one Danish user modelled; the generator plant
    # passes its intake on to Vestas
    for country, user, buyer, material in (
        ("DK", "dk-vestas-generator", "dk-vestas", "wind_generator"),
        ("TW", "tw-electronics-components-agg", "tw-apple-suppliers-agg", "actuator"),
    ):
        clear_sintered(edges, "cn-other-sintered-agg", user)
        chinese_rows(
            edges,
            country,
            user,
            T[country],
            f"all of it to {user}, the only {country} user of Chinese magnets modelled (a "
            f"country total for its single route, SOURCES.md 2)",
            # the pair's only edge is the statistic itself (trade apply's rule, SOURCES.md 2);
            # Taiwan's is split by grade
            "reported" if country == "DK" else "estimate",
        )
        inflow = edges.flow(c=user)
        (out,) = edges.find(s=user, c=buyer, m=material)
        out["flow_t"] = t(inflow)
        out["source"] = (
            f"derived: component inflow {inflow:,.1f} t REO (pass-through: the plant's one "
            f"customer modelled) ; {COMTRADE}"
        )
        out["status"] = "estimate"
    # Thailand and France: the pair's rows scaled to the customs total, their split as before
    # (A16: Shin-Etsu China's and the bonded magnets' share of Thailand; GE's and the defence
    # makers' share of France)
    for country, users in (
        ("TH", ("th-hdd-motor-agg",)),
        ("FR", ("fr-ge-st-nazaire-generator", "fr-defence-actuators-agg")),
    ):
        rows = [
            e
            for e in edges.rows
            if e["customer"] in users
            and e["supplier"].startswith("cn-")
            and e["material"] in ("ndfeb_sintered", "ndfeb_bonded")
        ]
        smco_rows = [
            e
            for e in edges.rows
            if e["customer"] in users
            and e["supplier"].startswith("cn-")
            and e["material"] == "smco_magnet"
        ]
        smco = sum(float(e["flow_t"]) for e in smco_rows)
        for e in smco_rows:
            e["source"] = (
                f"{e['source']} ; kept (A22) within China's 2024 magnet exports to {country} "
                f"{T[country]:,.1f} t REO ({CUSTOMS_SRC[country]} x 0.35) ; {COMTRADE}"
            )
        before = sum(float(e["flow_t"]) for e in rows)
        factor = (T[country] - smco) / before
        for e in rows:
            was = float(e["flow_t"])
            e["flow_t"] = t(was * factor)
            e["source"] = (
                f"derived: (China's 2024 magnet exports to {country} {T[country]:,.1f} t REO "
                f"({CUSTOMS_SRC[country]} x 0.35) less its SmCo rows {smco:g} t) x this edge's "
                f"{was:g} t of the pair's NdFeB {before:g} t before (A16) ; {COMTRADE}"
            )
            e["status"] = "assumption"
            e["note"] = (e["note"] + f" | x {factor:.3f} to China's customs total (11l)").lstrip(
                " |"
            )


def automotive_part2(edges, nodes, lines, rule, T, JL, old_total, actuator, balance_note):
    traction = {k: v["traction"] for k, v in rule.items()}
    anc = {k: v["ancillary"] for k, v in rule.items()}
    balance = {}  # carmaker -> t REO of ancillary parts arriving from China as components
    single_route_11l(edges, T)

    # -------------------------------------------------- United States
    # China's customs total (11l) is below 92% of the US auto users' need by the rule, so no
    # sourced share fits: as before, the industrial and defence users keep 505 t (A16) and
    # the rest is split between the EV-motor and auto-parts makers by their need (assumption)
    d_ev_us = traction["us-tesla"] + traction["us-automakers-agg"] + traction["mx-automakers-agg"]
    d_act_us = anc["us-tesla"] + anc["us-automakers-agg"]
    kept_us = 470.0 + 35.0  # China's magnets to US industrial users and defence (A16), kept
    r_us = T["US"] - kept_us - 30.0  # and China's SmCo magnets to US defence, 30 t (A22)
    cn_us = split(r_us, {"us-ev-motor-agg": d_ev_us, "us-auto-actuators-agg": d_act_us})
    for s in ("cn-jl-mag", "cn-other-sintered-agg"):
        for u in cn_us:
            clear_sintered(edges, s, u)
    for u, flow in cn_us.items():
        chinese_rows(
            edges,
            "US",
            u,
            flow,
            f"less China's magnets to US industrial users and defence (505 t, A16), the "
            f"rest split between the US EV-motor and auto-parts makers by their need by "
            f"the rule of SOURCES.md 11e ({d_ev_us:.1f} and {d_act_us:.1f} t REO)",
            "assumption",
            f" ; {IEA_EV} ; {REUTERS_ICE} ; {OICA}",
        )
    kept_rows = [
        e
        for e in edges.rows
        if e["supplier"] in ("cn-other-sintered-agg", "cn-smco-agg")
        and e["customer"] in ("us-industrial-users-agg", "us-defence-actuators-agg")
    ]
    for e in kept_rows:
        e["source"] = (
            f"{e['source']} ; kept (A16, A22) within China's 2024 magnet exports to the US "
            f"{customs_reo('US'):,.1f} t REO ({CUSTOMS_SRC['US']} x 0.35), whose rest the "
            f"EV-motor and auto-parts makers take ; {COMTRADE}"
        )
    us_act_share = cn_us["us-auto-actuators-agg"] / d_act_us
    for k in ("us-tesla", "us-automakers-agg"):
        need = anc[k]
        actuator(
            "us-auto-actuators-agg",
            k,
            need * us_act_share,
            "assumption",
            "; [A16] the US share of China's US exports after the industrial and defence "
            "users (assumed)",
            part=f"{us_act_share:.3f} (the share US auto-parts makers' Chinese magnets cover)",
        )
        balance[k] = need * (1 - us_act_share)
    # Mexican parts for US carmakers (420 t, A16) are gone: China's customs total to Mexico
    # does not cover Mexico's own need (below)
    edges.drop(s="mx-auto-parts-agg", c="us-automakers-agg")

    # -------------------------------------------------- Japan (customs over JSNM)
    sigma_jp = T["JP"] / (T["JP"] + 3_715.0)
    d_ev_jp = traction["jp-toyota"] + traction["jp-automakers-agg"]
    d_anc_jp = anc["jp-toyota"] + anc["jp-automakers-agg"]
    cn_jp = {"jp-ev-motor-agg": sigma_jp * d_ev_jp, "jp-auto-parts-agg": sigma_jp * d_anc_jp}
    # the industrial users take the rest of the customs total, sintered and bonded magnets
    # alike (8505.11 counts both): split in the rows' earlier proportions (A16, 11l)
    named_cn = ("cn-jl-mag", "cn-other-sintered-agg", "cn-zhong-ke-san-huan")
    sintered_was = sum(edges.flow(s=m, c="jp-industrial-users-agg") for m in named_cn)
    (bonded,) = edges.find(s="cn-bonded-ndfeb-agg", c="jp-industrial-users-agg")
    bonded_was = float(bonded["flow_t"])
    rest_jp = T["JP"] - sum(cn_jp.values())
    cn_jp["jp-industrial-users-agg"] = rest_jp * sintered_was / (sintered_was + bonded_was)
    bonded["flow_t"] = t(rest_jp - cn_jp["jp-industrial-users-agg"])
    bonded["source"] = (
        f"derived: (China's 2024 magnet exports to JP {customs_reo('JP'):,.1f} t REO "
        f"({CUSTOMS_SRC['JP']} x 0.35) less its EV-motor and auto-parts makers' rows) x the "
        f"bonded row's {bonded_was:g} t of the industrial users' {sintered_was + bonded_was:g} t "
        f"before (A16) ; {COMTRADE}"
    )
    bonded["status"] = "assumption"
    for s in named_cn:
        for u in cn_jp:
            clear_sintered(edges, s, u)
    sig = (
        f"x China's share of Japan's sintered magnets {sigma_jp:.3f} (China's exports to "
        f"Japan {customs_reo('JP'):,.0f} t REO over those plus Japan's output 3,715 t REO, "
        f"JSNM-derived, SOURCES.md 4a)"
    )
    why_jp = {
        "jp-ev-motor-agg": f"{sig} x the Japanese EV-motor makers' need {d_ev_jp:.1f} t REO "
        f"(rule of SOURCES.md 11e)",
        "jp-auto-parts-agg": f"{sig} x the Japanese auto-parts makers' need {d_anc_jp:.1f} t REO "
        f"(rule of SOURCES.md 11e)",
        "jp-industrial-users-agg": "less the two users above: Japanese industrial and other "
        "users (the residual of the customs total), less the bonded magnets' share of it (A16)",
    }
    for u, flow in cn_jp.items():
        chinese_rows(
            edges,
            "JP",
            u,
            flow,
            why_jp[u],
            "estimate",
            f" ; {JSNM} ; {IEA_EV} ; {REUTERS_ICE} ; {OICA}",
        )
    # Japanese makers serve Japan's automotive need by the rule first ((1 - sigma) of it, less
    # Shin-Etsu Vietnam's 140 t to the EV-motor makers); their other customers (HDD motors in
    # Thailand, US EV motors, Korean electronics, Japanese industrial users: A16) share the
    # rest of their output in the earlier proportions; their German rows (above) are kept
    makers = ("jp-shin-etsu-magnet", "jp-proterial-magnet", "jp-tdk-magnet", "jp-daido-magnet")
    old_ev = {
        "jp-shin-etsu-magnet": 836.0,
        "jp-proterial-magnet": 696.0,
        "jp-tdk-magnet": 325.0,
        "jp-daido-magnet": 325.0,
    }
    need_ev = (1 - sigma_jp) * d_ev_jp - 140.0
    need_anc = (1 - sigma_jp) * d_anc_jp
    others = (
        "th-hdd-motor-agg",
        "us-ev-motor-agg",
        "kr-electronics-components-agg",
        "jp-industrial-users-agg",
    )
    german = sum(
        edges.flow(s=m, c=c) for m in makers for c in ("de-ev-motor-agg", "de-auto-actuators-agg")
    )
    other_old = sum(edges.flow(s=m, c=c) for m in makers for c in others)
    room = sum(old_total[m] for m in makers) - german - need_ev - need_anc
    assert room > 0, room
    cut = min(1.0, room / other_old)
    for m in makers:
        for c in others:
            for e in edges.find(s=m, c=c, m="ndfeb_sintered"):
                e["flow_t"] = t(float(e["flow_t"]) * cut)
                e["note"] = (
                    e["note"] + f" | x {cut:.3f}: the maker's output serves Japan's "
                    f"automotive need by the rule first (issue 24)"
                ).lstrip(" |")
    for m, f in split(need_ev, old_ev).items():
        single_rows(
            edges,
            m,
            "jp-ev-motor-agg",
            f,
            f"non-Chinese share {1 - sigma_jp:.3f} of the Japanese EV-motor makers' need "
            f"{d_ev_jp:.1f} t REO (rule 11e) less Shin-Etsu Vietnam's 140 t, split by the "
            f"makers' earlier sales",
        )
    for m in makers:
        spare = old_total[m] - edges.flow(s=m, m="ndfeb_sintered")
        assert spare >= -0.5, (m, spare)
        jp_maker_rows(
            edges,
            m,
            "jp-auto-parts-agg",
            max(spare, 0.0),
            f"the maker's output (JSNM-derived national total split as before, A13) "
            f"less its other customers: together the non-Chinese share "
            f"{1 - sigma_jp:.3f} of the Japanese auto-parts makers' need "
            f"{d_anc_jp:.1f} t REO (rule 11e)",
        )
    for k in ("jp-toyota", "jp-automakers-agg"):
        actuator("jp-auto-parts-agg", k, anc[k], "estimate")
    # the HDD motor makers ship what they now receive, by the HDD makers' shares (A24)
    hdd_in = edges.flow(c="th-hdd-motor-agg")
    for c, sh in (("us-seagate", 0.407), ("us-western-digital", 0.397), ("jp-toshiba-hdd", 0.196)):
        (e,) = edges.find(s="th-hdd-motor-agg", c=c)
        e["flow_t"] = t(hdd_in * sh)
        e["source"] = e["source"].replace(
            "component inflow 2,126 t REO", f"component inflow {hdd_in:,.0f} t REO"
        )

    # -------------------------------------------------- Korea (Commerce's 92% as proxy)
    sigma = 0.92
    d_ev_kr, d_anc_kr = traction["kr-hyundai"], anc["kr-hyundai"]
    cn_kr = {"kr-ev-motor-agg": sigma * d_ev_kr, "kr-auto-parts-agg": sigma * d_anc_kr}
    cn_kr["kr-electronics-components-agg"] = T["KR"] - sum(cn_kr.values())
    for s in ("cn-jl-mag", "cn-other-sintered-agg", "cn-ningbo-yunsheng"):
        for u in cn_kr:
            clear_sintered(edges, s, u)
    sig = (
        "x China's share of world NdFeB magnets 0.92 (Commerce Section 232 report, 2020), "
        "as a proxy for its share of Korea's supply"
    )
    why_kr = {
        "kr-ev-motor-agg": f"{sig} x the Korean EV-motor makers' need {d_ev_kr:.1f} t REO (rule "
        f"of SOURCES.md 11e)",
        "kr-auto-parts-agg": f"{sig} x the Korean auto-parts makers' need {d_anc_kr:.1f} t REO "
        f"(rule of SOURCES.md 11e)",
        "kr-electronics-components-agg": "less the two users above: Korean electronics "
        "components makers and other users (the residual of the customs total)",
    }
    for u, flow in cn_kr.items():
        chinese_rows(
            edges,
            "KR",
            u,
            flow,
            why_kr[u],
            "estimate",
            f" ; {COMMERCE232} ; {IEA_EV} ; {REUTERS_ICE} ; {OICA}",
        )
    non_ev = (1 - sigma) * d_ev_kr
    for m, f in split(non_ev, {"kr-star-group": 350.0, "vn-sgi-vina": 105.0}).items():
        single_rows(
            edges,
            m,
            "kr-ev-motor-agg",
            f,
            f"non-Chinese 8% of the Korean EV-motor "
            f"makers' need {d_ev_kr:.1f} t REO, by the suppliers' earlier proportions",
        )
    jp_maker_rows(
        edges,
        "kr-star-group",
        "kr-auto-parts-agg",
        (1 - sigma) * d_anc_kr,
        f"non-Chinese 8% of the Korean auto-parts makers' need {d_anc_kr:.1f} t REO",
    )
    star_left = (
        old_total["kr-star-group"]
        - edges.flow(s="kr-star-group", m="ndfeb_sintered")
        + edges.flow(s="kr-star-group", c="kr-electronics-components-agg")
    )
    single_rows(
        edges,
        "kr-star-group",
        "kr-electronics-components-agg",
        star_left,
        "Star Group's output (A13) less its other customers",
        fl="ndpr_grade",
        el="Nd;Pr",
    )
    sgi_left = (
        old_total["vn-sgi-vina"]
        - edges.flow(s="vn-sgi-vina", m="ndfeb_sintered")
        + edges.flow(s="vn-sgi-vina", c="us-ev-motor-agg")
    )
    single_rows(
        edges,
        "vn-sgi-vina",
        "us-ev-motor-agg",
        sgi_left,
        "SGI Vina's output (A13) less its Korean customers",
    )
    actuator("kr-auto-parts-agg", "kr-hyundai", anc["kr-hyundai"], "estimate")
    kr_el_in = (
        cn_kr["kr-electronics-components-agg"]
        + star_left
        + edges.flow(s="jp-tdk-magnet", c="kr-electronics-components-agg")
    )
    for c, sh in (("kr-samsung-mobile", 0.7), ("tw-apple-suppliers-agg", 0.3)):
        (e,) = edges.find(s="kr-electronics-components-agg", c=c)
        e["flow_t"] = t(kr_el_in * sh)
        e["source"] = f"derived: component inflow {kr_el_in:,.0f} t REO x {sh} ; assumption"

    # -------------------------------------------------- India
    d_motor = traction["in-automakers-agg"] + E2W_KG * E2W_UNITS_FY25 / 1000 * MAG
    d_anc_in = anc["in-automakers-agg"]
    cn_in = split(T["IN"], {"in-motor-agg": d_motor, "in-auto-parts-agg": d_anc_in})
    cap = 0.85 * (d_motor + d_anc_in)  # ICRA: about 85% of India's magnets from China
    assert T["IN"] <= cap, "India's customs total exceeds 85% of the rule's need"
    for u in cn_in:
        clear_sintered(edges, "cn-other-sintered-agg", u)
        clear_sintered(edges, "cn-jl-mag", u)
    for u, flow in cn_in.items():
        chinese_rows(
            edges,
            "IN",
            u,
            flow,
            f"split between India's motor makers (cars' traction motors and electric "
            f"two-wheelers, {d_motor:.1f} t REO) and auto-parts makers ({d_anc_in:.1f} t "
            f"REO) by their need (rules of SOURCES.md 11e, 11f); China's total is below "
            f"85% of that need (ICRA: about 85% of India's magnets from China), so all of "
            f"it is allocated",
            "estimate",
            f" ; {ICRA} ; {E2W_UNITS} ; {IEA_EV} ; {REUTERS_ICE} ; {OICA}",
        )
    actuator(
        "in-auto-parts-agg",
        "in-automakers-agg",
        cn_in["in-auto-parts-agg"],
        "estimate",
        "; China's magnets to India's auto-parts makers (customs x need share)",
        part=f"{cn_in['in-auto-parts-agg'] / d_anc_in:.3f} (China's customs total to India "
        f"times the auto-parts makers' share of India's need, over that need) ; {ICRA} ; "
        f"{ADAMAS_EXPORTS} ; {IBNEWS}",
    )
    balance["in-automakers-agg"] = d_anc_in - cn_in["in-auto-parts-agg"]

    # -------------------------------------------------- Vietnam (single route)
    clear_sintered(edges, "cn-other-sintered-agg", "vn-phone-assembly-agg")
    chinese_rows(
        edges,
        "VN",
        "vn-phone-assembly-agg",
        T["VN"],
        "all of it to the phone assemblers, the only Vietnamese user of Chinese magnets "
        "modelled (proxy: a country total for its single route, SOURCES.md 2)",
        "estimate",
    )

    # -------------------------------------------------- Mexico (customs, 11l)
    # China's customs total covers part of the Mexican carmakers' ancillary need by the rule;
    # the rest arrives as components made in China (A33), as for the US and India. Mexican
    # parts for US carmakers (420 t, A16) are gone: the customs total does not cover Mexico's
    # own need
    d_mx = anc["mx-automakers-agg"]
    clear_sintered(edges, "cn-other-sintered-agg", "mx-auto-parts-agg")
    mx_in = min(T["MX"], d_mx)
    chinese_rows(
        edges,
        "MX",
        "mx-auto-parts-agg",
        mx_in,
        f"all of it to the Mexican auto-parts makers, the only Mexican user of Chinese magnets "
        f"modelled (a country total for its single route, SOURCES.md 2); their need by the "
        f"rule is {d_mx:.1f} t REO (Mexico's {rule['mx-automakers-agg']['ancillary_formula']})",
        "estimate",
        f" ; {REUTERS_ICE} ; {OICA}",
    )
    actuator(
        "mx-auto-parts-agg",
        "mx-automakers-agg",
        mx_in,
        "estimate",
        "; China's magnets to Mexico's auto-parts makers (customs, 11l)",
        part=f"{mx_in / d_mx:.3f} (China's customs total to Mexico over the need) ; {COMTRADE}",
    )
    balance["mx-automakers-agg"] = d_mx - mx_in

    # -------------------------------------------------- China
    for k in ("cn-byd", "cn-tesla-shanghai", "cn-automakers-agg"):
        actuator("cn-auto-parts-agg", k, anc[k], "estimate")
    for k, flow in balance.items():
        actuator("cn-auto-parts-agg", k, flow, "balance", balance_note, licence="exempt")
    d_cn_parts = sum(anc[k] for k in ("cn-byd", "cn-tesla-shanghai", "cn-automakers-agg")) + sum(
        balance.values()
    )
    # named makers: exports from filings (JL) or none (NY, ZKSH: customers unpublished);
    # their freed tonnes go to Chinese auto parts (Ningbo Yunsheng: NEV 47.6% of H1-2024
    # NdFeB revenue), totals kept (A12)
    for m in ("cn-ningbo-yunsheng", "cn-zhong-ke-san-huan"):
        gone = old_total[m] - edges.flow(s=m, m="ndfeb_sintered")
        edges.put(
            m,
            "cn-auto-parts-agg",
            "ndfeb_sintered",
            gone,
            "derived: the maker's exports formerly booked to named foreign customers "
            "(A16, no source) moved to Chinese auto parts; the maker's total is kept "
            "(A12) ; Ningbo Yunsheng H1 2024: NEV 47.6% of NdFeB revenue (broker report "
            "digest) – https://reportify.cc/reports/1028712307104026624",
            "assumption",
            "[A12] [A16] (issue 24)",
            elements="Nd;Pr;Dy;Tb",
            from_line="dy_tb_grade",
        )
    jl_gone = old_total["cn-jl-mag"] - edges.flow(s="cn-jl-mag", m="ndfeb_sintered")
    # JL's domestic industrial motors absorb the change of its exports (A16)
    ind = edges.find(s="cn-jl-mag", c="cn-industrial-motor-agg")
    ind_total = sum(float(e["flow_t"]) for e in ind)
    edges.drop(s="cn-jl-mag", c="cn-industrial-motor-agg")
    edges.put(
        "cn-jl-mag",
        "cn-industrial-motor-agg",
        "ndfeb_sintered",
        ind_total + jl_gone,
        ind[0]["source"],
        "assumption",
        "[A16] less the change of JL's exports (issue 24)",
        elements="Nd;Pr;Dy;Tb",
        from_line="dy_tb_grade",
    )
    named_parts = edges.flow(c="cn-auto-parts-agg", m="ndfeb_sintered")
    clear_sintered(edges, "cn-other-sintered-agg", "cn-auto-parts-agg")
    edges.put(
        "cn-other-sintered-agg",
        "cn-auto-parts-agg",
        "ndfeb_sintered",
        d_cn_parts - named_parts,
        f"derived: Chinese auto parts' need by the rule (China's carmakers' ancillary parts "
        f"{d_cn_parts - sum(balance.values()):,.0f} t REO plus components to carmakers "
        f"abroad {sum(balance.values()):,.0f} t, A33) less Ningbo Yunsheng's and Zhong Ke "
        f"San Huan's parts (A16) ; {REUTERS_ICE} ; {OICA}",
        "assumption",
        "[A16] [A33] (issue 24)",
        elements="Nd;Pr;Dy;Tb",
        from_line="dy_tb_grade",
    )
    # traction-motor makers: other Chinese makers fill the rule's need after the named ones
    for motor, customers in (
        ("cn-byd-fudi-motors", ("cn-byd",)),
        ("cn-ev-motor-agg", ("cn-automakers-agg", "cn-tesla-shanghai", "de-automakers-agg")),
    ):
        need = sum(edges.flow(s=motor, c=c, m="traction_motor") for c in customers)
        named = sum(
            edges.flow(s=m, c=motor, m="ndfeb_sintered")
            for m in ("cn-jl-mag", "cn-ningbo-yunsheng", "cn-zhong-ke-san-huan")
        )
        clear_sintered(edges, "cn-other-sintered-agg", motor)
        edges.put(
            "cn-other-sintered-agg",
            motor,
            "ndfeb_sintered",
            need - named,
            f"derived: the motor makers' traction motors by the rule ({need:,.0f} t REO, "
            f"SOURCES.md 11e) less the named makers' edges (A16) ; {IEA_EV} ; {OICA}",
            "assumption",
            "[A16] (issue 24)",
            elements="Nd;Pr;Dy;Tb",
            from_line="dy_tb_grade",
        )
    # the rest-of-world residual: China's exports to Hong Kong, to the destinations without a
    # node of their own and to areas, from the customs return (11l); the modelled pairs take
    # their customs totals above, so this is also China's total less every other export edge
    country = {n["id"]: n["country"] for n in nodes}
    clear_sintered(edges, "cn-other-sintered-agg", "hk-reexport-other-agg")
    exported = sum(
        float(e["flow_t"])
        for e in edges.rows
        if e["material"] in ("ndfeb_sintered", "ndfeb_bonded", "smco_magnet")
        and country[e["supplier"]] == "CN"
        and country[e["customer"]] != "CN"
    )
    # areas that are not countries (COMTRADE_AREAS, 12 t) are left out, as trade reconcile
    # leaves them out of its pairs
    rest_t = sum(v[2] for c, v in COMTRADE_BY.items() if c not in MODELLED)
    residual = rest_t * MAG
    pairs = sum(customs_reo(c) for c in MODELLED)
    # the pairs' edges carry the customs totals (the SmCo and Korea's, US defence's kept rows
    # are within them), so the residual closes China's total
    by_pair = defaultdict(float)
    for e in edges.rows:
        if (
            e["material"] in ("ndfeb_sintered", "ndfeb_bonded", "smco_magnet")
            and country[e["supplier"]] == "CN"
            and country[e["customer"]] not in ("CN", "HK")
        ):
            by_pair[country[e["customer"]]] += float(e["flow_t"])
    # every modelled pair carries its customs total
    off = {c: round(by_pair[c] - customs_reo(c), 1) for c in by_pair}
    assert all(abs(v) < 0.5 for v in off.values()), off
    print(
        f"China's magnet exports {exported:,.1f} t REO: pairs {pairs:,.1f}, residual "
        f"{residual:,.1f}, graph less statistic by pair {off}"
    )
    hk = COMTRADE_BY["HK"][2]
    edges.put(
        "cn-other-sintered-agg",
        "hk-reexport-other-agg",
        "ndfeb_sintered",
        residual,
        f"derived: China's 2024 exports of rare-earth magnets to Hong Kong ({hk:,.0f} t), to "
        f"the {len(COMTRADE_BY) - len(MODELLED) - 1} other partner countries without a node "
        f"of their own (Poland, Italy, Hungary, Malaysia, ...): {rest_t:,.0f} t x 0.35 (areas "
        f"that are not countries, {COMTRADE_AREAS:,.0f} t, left out) ; {COMTRADE}",
        "estimate",
        "Residual destinations: Hong Kong, the rest of the EU and others, from China's customs "
        "return by partner (issue 24, SOURCES.md 11l); before, the residual of a total",
        elements="Nd;Pr;Dy;Tb",
        from_line="dy_tb_grade",
    )
    # the remainder of other Chinese makers' output: industrial motors (as before)
    other_now = edges.flow(s="cn-other-sintered-agg", m="ndfeb_sintered")
    ind_rows = edges.find(s="cn-other-sintered-agg", c="cn-industrial-motor-agg")
    ind_other = sum(float(e["flow_t"]) for e in ind_rows)
    rest = old_total["cn-other-sintered-agg"] - other_now + ind_other
    assert rest > 0, rest
    src = ind_rows[0]["source"]
    clear_sintered(edges, "cn-other-sintered-agg", "cn-industrial-motor-agg")
    edges.put(
        "cn-other-sintered-agg",
        "cn-industrial-motor-agg",
        "ndfeb_sintered",
        rest,
        src,
        "assumption",
        "[A16] the remainder of other Chinese makers' output (issue 24)",
        elements="Nd;Pr;Dy;Tb",
        from_line="dy_tb_grade",
    )
    inflow = edges.flow(c="cn-industrial-motor-agg")
    (out,) = edges.find(s="cn-industrial-motor-agg", c="cn-industrial-users-agg")
    out["flow_t"] = t(inflow)
    out["source"] = f"derived: component inflow {inflow:,.0f} t REO (pass-through) ; assumption"
    # components pass through: their outflow is their inflow (motors)
    for motor in ("cn-byd-fudi-motors", "cn-ev-motor-agg"):
        assert abs(edges.flow(c=motor) - edges.flow(s=motor)) < 1.0, motor
    return balance


PASS_THROUGH_11O = (
    "vn-phone-assembly-agg",
    "fr-ge-st-nazaire-generator",
    "fr-defence-actuators-agg",
)


def pass_through_11o(edges):
    """Components pass on what they receive (11o): the rows of these nodes say "component
    inflow N t REO x share", but 11l replaced their inflow by China's customs return and left
    N at the back-cast figure. Each outflow becomes the node's inflow times its share."""
    for node in PASS_THROUGH_11O:
        inflow = edges.flow(c=node)
        rows = edges.find(s=node)
        before = sum(float(e["flow_t"]) for e in rows)
        for e in rows:
            e["flow_t"] = t(float(e["flow_t"]) * inflow / before)
            stated = f"component inflow {inflow:,.1f} t REO"
            e["source"] = re.sub(r"component inflow [\d,.]+ t REO", stated, e["source"])
        assert abs(edges.flow(s=node) - inflow) < 0.5, node


def refresh_lines(edges, lines, nodes):
    """Line baselines that are the graph's own tonnes: refresh them from the edges.

    Run after grades.py (which sets the grade lines of China's makers and of customers
    taking both grades): a magnet maker's grade lines are what leaves them; a node's only
    line, or a named line of Solvay or the Japanese metal makers, what feeds it.
    """
    stage = {n["id"]: n["stage"] for n in nodes}
    count = defaultdict(int)
    for r in lines:
        count[r["node"]] += 1
    for r in lines:
        node, name = r["node"], r["line"]
        if r["unit"] != "t REO" or name in ("dy_tb_magnets", "ndpr_magnets", "other"):
            continue
        if stage[node] == "magnet" and name in ("dy_tb_grade", "ndpr_grade", "smco"):
            v = sum(float(e["flow_t"]) for e in edges.find(s=node) if e["from_line"] == name)
        elif r["source"].startswith("derived: nimh_alloy intake"):
            v = edges.flow(c=node, m="nimh_alloy")
        elif count[node] == 1 or name in ("la_ce", "y_gd", "ndpr", "dy_tb"):
            v = sum(
                float(e["flow_t"])
                for e in edges.find(c=node)
                if count[node] == 1 or name in e["line"].split(";")
            )
        else:
            continue
        r["baseline_units"] = f"{v:.0f}"


def main():
    nodes, nfields = read("nodes.csv")
    rows, efields = read("edges.csv")
    lines, lfields = read("lines.csv")
    regimes, rfields = read("regimes.csv")
    edges = Table(rows, efields)
    if "--refresh" in sys.argv:
        refresh_lines(edges, lines, nodes)
        write("lines.csv", lines, lfields, True)
        return
    check_start(edges)
    upto = next((a.split("=")[1] for a in sys.argv if a.startswith("--upto=")), "11h")
    lines_11a(edges, lines)
    regimes_11b(regimes, edges)
    balance = {}
    if upto >= "11c":
        eu_11c(edges, lines)
        customers_11d(edges, nodes)
    if upto >= "11e":
        state = automotive_11e_to_11h(edges, nodes, lines)
        balance = automotive_part2(edges, nodes, lines, *state)
        pass_through_11o(edges)
    if upto >= "11c":
        write("nodes.csv", nodes, nfields, True)
    write("edges.csv", edges.rows, efields, True)
    write("lines.csv", lines, lfields, True)
    write("regimes.csv", regimes, rfields, False)
    print("components from China (A33):", {k: round(v, 1) for k, v in balance.items()})


if __name__ == "__main__":
    main()
