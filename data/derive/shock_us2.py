"""Issue 24, the shock path's US, European and wind block, second pass (SOURCES.md 11z).

usage: python3 shock_us2.py [DATA_DIR]     then: python3 grades.py [DATA_DIR]
                                            then: python3 ranges.py [DATA_DIR]

Runs on the data of main at b54885d and sets absolute values, so running it (and the two
scripts after it) twice gives the same rows; it refuses data it does not recognise
(`check_start`). Every change is written down in data/SOURCES.md 11z, with what the search
found for the rest of the block, before any backtest was run on it.

What it changes (SOURCES.md 11z):

* 11z-1  SGI Vina's magnets to the US EV-motor makers: 171.7 t REO -> 0. The row was the
         plant's assumed output less its Korean row (A13, A16). The plant in Quang Nam opened
         in February 2025 (The Investor via Rare Earth Exchanges), its named customers are
         VinFast and Hyundai (Reuters, 22 Aug 2023), and the US's own customs report 22.8 t of
         8505.11 from all of Vietnam in 2024 (USD 1.16 m; 8.0 t REO by the unit-value rule;
         UN Comtrade, the US's report): a zero-flow row (estimate), its intake scaled to the
         output left (the Korean row, which is not this block's).
* 11z-2  China's rows to the US EV-motor makers: their need by the rule of 11e (675.1 t REO)
         less their other suppliers' rows (Proterial 189.4 t, Japan's customs return; MP
         Independence 35 t, A21) = 450.7 t, JL Mag's part by its filing as before: the
         makers then receive what they ship (805.8 t against 675.1 before). The assumed
         35 t moves the rows by 7.8%, inside an estimate's +-25% (11v's materiality):
         estimates. The auto-parts makers take the rest of China's total after the assumed
         industrial and defence rows (A16): those 535 t would move them by 29%, so they and
         the carmakers' parts they feed stay assumptions; the carmakers' ancillary parts from
         US makers and from China (A33) follow the new share, and the Chinese parts makers'
         rows and their industrial motors follow as in shock_us.py (11s-3).
* 11z-3  VAC to Siemens Gamesa's generators (147.2 t REO): the non-Chinese 15% of the
         generators' need (ECA, 11h) booked to VAC, the one EU maker of sintered magnets in
         2024 modelled (proxy): Japan's own customs return sends Germany 8.9 t REO of
         magnets in all (11t), Neo Narva started in 2025. An estimate (the figure's inputs
         are cited, the supplier is the stated proxy).
* 11z-4  The German carmakers' (BMW, Mercedes-Benz, Tesla Grünheide) traction motors: made
         in Germany (BMW's e-drives in Dingolfing, Mercedes's electric powertrains at
         Untertürkheim, Tesla's drive-unit building at Grünheide), not 0.472 from Chinese
         motor makers (A18, no source): the German motor makers ship the whole need by the
         rule, 213.9 t REO (an estimate; Tesla's 23.6% of the units, the weakest source,
         would move it by less than 25%), Chinese motors none; China's rows to the German
         motor makers become their need less their other suppliers' rows (the non-Chinese
         15% of the need before, ECA, A13: 61.2 t; the ECA's 0.85 of the new need would give
         3.4% less), so the makers receive what they ship, and the German industrial users
         (the residual of China's customs total) give up as much; China's motor makers ship
         100.9 t less abroad and the other Chinese makers' industrial motors (the remainder
         of their output, A16) take it back.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shock_us

# the 11s helpers and node ids (one home: shock_us.py)
read, write, find, flow, scale, t = (
    shock_us.read,
    shock_us.write,
    shock_us.find,
    shock_us.flow,
    shock_us.scale,
    shock_us.t,
)
CN_JL, CN_OTHER, CN_PARTS = shock_us.CN_JL, shock_us.CN_OTHER, shock_us.CN_PARTS
US_CARS, US_EV, US_PARTS = shock_us.US_CARS, shock_us.US_EV, shock_us.US_PARTS

SGI, VTRE, GANZHOU = "vn-sgi-vina", "vn-vtre-metal", "cn-ganzhou-metal-agg"
VAC, SGRE = "de-vac-hanau", "de-sgre-generator"
US_VN = (22_787.541, 1_158_202.0)  # the US's 2024 imports of 8505.11 from Vietnam: kg, USD
USD_PER_KG = 49.18  # data/hs.csv's unit-value rule for rare-earth magnets
INVESTOR = (
    "South Korea's Star Group Industries prepares to open its USD 80 m magnet factory in Quang "
    "Nam (SGI Vina, 4,000 t a year) in February 2025 (The Investor via Rare Earth Exchanges) – "
    "https://rareearthexchanges.com/news/magnet-manufacturing"
)
REUTERS_SGI = (
    "SGI, which supplies magnets to Vietnamese EV maker VinFast and Korea's Hyundai Motor, is "
    "investing USD 80 m in its new Vietnam factory with production starting in 2024 (Reuters, "
    "22 Aug 2023, via Benzinga) – https://news.futunn.com/en/post/30957037/earlier-reported-sgi-"
    "which-supplies-magnets-to-vietnamese-ev-maker"
)
US_CUSTOMS = (
    "UN Comtrade, the United States (reporter 842) imports of HS 8505.11 by partner, annual "
    "2024, the US's own report (Vietnam 22,787.5 kg, USD 1,158,202; as kept in the "
    "critical-materials atlas's raw extract, reconcile/fixtures/raw/comtrade/comtrade_2024.csv.gz)"
    " – https://comtradeplus.un.org/"
)
ECA = (
    "EU faces major reliance on China for critical minerals, auditors warn: EU industry used "
    "about 20,000 t of permanent magnets in 2024, 17,000 t from China (European Court of "
    "Auditors via Plataforma Media) – https://www.plataformamedia.com/en/2026/02/03/eu-faces-"
    "major-reliance-on-china-for-critical-minerals-auditors-warn"
)
JP_RETURN = (
    "UN Comtrade, Japan (reporter 392) exports of HS 8505.11 by partner, annual 2024, Japan's "
    "customs return (rows in tests/data/trade/comtrade-jp-850511-2024.csv): Germany 25.3 t, "
    "8.9 t REO by the unit-value rule of data/hs.csv (SOURCES.md 11t) – https://comtradeplus.un.org/"
)
VAC_TEXT = (
    "VAC, the largest producer of rare-earth permanent magnets in the Western Hemisphere "
    "(VACUUMSCHMELZE press release via Handelsblatt) – "
    "https://magnethzxfco.de/news/ots-vacuumschmelze-gmbh-amp-co-kg-vacuumschmelze-vac-k"
)
BMW = (
    "BMW Group steps up electromobility: e-drives for half a million electrified vehicles: "
    "'The majority of high-voltage batteries and electric motors for all BMW Group electrified "
    "vehicles come from the Competence Centre for E-Drive Production' in Dingolfing (BMW Group, "
    "7 Jul 2020, via Telematics News) – https://telematicsnews.info/2020/07/07/bmw-group-steps-"
    "up-electromobility-e-drives-for-half-a-million-electrified-vehicles/"
)
MERCEDES = (
    "Mercedes-Benz Untertürkheim plant to produce electric powertrain: the production site for "
    "the electric powertrain (eATS: electric motor, power electronics, transmission) in the "
    "global Mercedes-Benz Cars powertrain network (Electric Cars Report, Dec 2019) – "
    "https://electriccarsreport.com/2019/12/mercedes-benz-unterturkheim-plant-to-produce-"
    "electric-powertrain-in-the-future/ ; Untertürkheim already produces the axles of the "
    "plug-in hybrids and Mercedes-EQ models, its own electric drive units ramping up from 2024 "
    "(Green Car Congress, 7 Dec 2022) – https://www.greencarcongress.com/2022/12/20221207-benz.html"
)
TESLA = (
    "Tesla Giga Berlin progress: the drive unit building; the plant will produce batteries "
    "and powertrains for the Model Y (InsideEVs, 10 Oct 2020; 'unofficial') – "
    "https://insideevs.com/news/448284/tesla-giga-berlin-progress-october-9-2020/"
)
DE_CARS, DE_EV, DE_IND, CN_EV = (
    "de-automakers-agg",
    "de-ev-motor-agg",
    "de-industrial-users-agg",
    "cn-ev-motor-agg",
)
MOTOR = "traction_motor"
EU_SHARE = 17_000 / 20_000  # China's share of the EU's magnets in 2024 (ECA, SOURCES.md 11g)
DE_NEED_TEXT = re.compile(
    r"x China's share of the EU's magnets 0\.85 \(ECA: 17,000 of 20,000 t\) x the German "
    r"EV-motor makers' need [\d.]+ t REO \([^)]*\)"
    r"|the German EV-motor makers' need by the rule of SOURCES\.md 11e, [\d.]+ t REO "
    r"\([^)]*\), less their other suppliers' rows \([^)]*\) = [\d.]+ t REO from China "
    r"\([^)]*\)"
)
SGRE_NEED = 981.5  # Siemens Gamesa's generator need, t REO (SOURCES.md 11h)
EV_SPLIT = re.compile(r"^derived: .*?(?=; JL Mag's share|; less JL Mag's share)")
PARTS_TEXT = re.compile(
    r"the rest split between the US EV-motor and auto-parts makers by their need by the rule "
    r"of SOURCES\.md 11e \([^)]*\)"
)
COVER_TEXT = re.compile(r"x [\d.]+ \(the share US auto-parts makers' Chinese magnets cover\)")


def check_start(edges):
    """Refuse data other than main's at b54885d, before or after this script."""
    sgi = flow(edges, SGI, US_EV)
    before = sgi == 171.7 and flow(edges, CN_OTHER, US_EV) == 344.0
    into_ev = sum(float(e["flow_t"]) for e in find(edges, None, US_EV))
    after = sgi == 0.0 and abs(into_ev - 675.1) < 0.15
    total = sum(flow(edges, s, u) for s in (CN_JL, CN_OTHER) for u in (US_EV, US_PARTS))
    assert (before or after) and abs(total - 2278.3) < 0.15, (
        "shock_us2.py runs on main's data at b54885d (SOURCES.md 11z)"
    )


def sgi_11z(edges, lines, nodes):
    """11z-1: SGI Vina opened in 2025; the US's imports from Vietnam are 8 t REO in all."""
    kg, usd = US_VN
    counted = min(kg, usd / USD_PER_KG) / 1000  # t of rare-earth magnets, the hs.csv rule
    (row,) = find(edges, SGI, US_EV)
    row["flow_t"] = t(0.0)
    row["status"] = "estimate"
    row["source"] = (
        f"derived: 0 t in 2024: the plant opened in February 2025, and the US's imports of "
        f"8505.11 from all of Vietnam were {kg / 1000:.1f} t (USD {usd / 1e6:.2f} m; "
        f"{counted:.1f} t of rare-earth magnets by the unit-value rule x 0.35 = "
        f"{counted * 0.35:.1f} t REO), not the 171.7 t REO booked before (A13, A16) ; "
        f"{INVESTOR} ; {REUTERS_SGI} ; {US_CUSTOMS}"
    )
    row["note"] = (
        "A zero-flow row kept for rerouting (as A23's plants); SGI Vina's named customers are "
        "VinFast and Hyundai; the US's 8.0 t REO from Vietnam are not booked to a maker "
        "(SOURCES.md 11z)"
    )
    out = sum(float(e["flow_t"]) for e in edges if e["supplier"] == SGI)
    (dy_line,) = [r for r in lines if r["node"] == SGI and r["line"] == "dy_tb_grade"]
    was = float(dy_line["baseline_units"])
    if was > out:  # the intake follows the output left, in its earlier proportions (A17)
        for e in find(edges, VTRE, SGI) + find(edges, GANZHOU, SGI):
            e["flow_t"] = t(float(e["flow_t"]) * out / was)
            e["note"] = e["note"].split(" | ")[0] + (
                " | scaled to SGI Vina's 2024 output left after 11z (the plant opened in "
                "February 2025)"
            )
    dy_line["baseline_units"] = t(out)
    (node,) = [n for n in nodes if n["id"] == SGI]
    node["note"] = (
        "Capacity 4,000-5,000 t/yr (2025); opened February 2025 (The Investor via REEx, "
        "SOURCES.md 11z): no 2024 flow to the US; its Korean row stays [A13]"
    )


def us_split_11z(edges):
    """11z-2: China's US EV-motor rows are the makers' need less their other suppliers."""
    need = sum(float(e["flow_t"]) for e in edges if e["supplier"] == US_EV)
    china = (CN_JL, CN_OTHER)
    others = {
        e["supplier"]: float(e["flow_t"])
        for e in edges
        if e["customer"] == US_EV and e["supplier"] not in china
    }
    r_us = sum(flow(edges, s, u) for s in china for u in (US_EV, US_PARTS))
    jl_share = sum(flow(edges, CN_JL, u) for u in (US_EV, US_PARTS)) / r_us
    ev = need - sum(others.values())
    parts = r_us - ev
    assumed = others["us-mp-independence-magnet"]
    named = (
        f"Proterial {others['jp-proterial-magnet']:.1f} t, Japan's customs return to the US, "
        f"SOURCES.md 11t; MP Independence {assumed:.1f} t, A21; SGI Vina none, its plant "
        f"opened in 2025, 11z"
    )
    ev_text = (
        f"derived: the US EV-motor makers' need by the rule of SOURCES.md 11e, {need:.1f} t "
        f"REO (the traction motors they ship), less their other suppliers' rows ({named}) = "
        f"{ev:.1f} t REO from China, within China's 2024 magnet exports to the US 2,813 t REO "
        f"(China's customs return 2024, HS 8505.11 to US: 17,749 t, USD 395.3 m; rare-earth "
        f"magnets by the unit-value rule 8,038 t)"
    )
    parts_text = (
        f"the EV-motor makers get their need less their other suppliers' rows, {ev:.1f} t "
        f"({named}), the auto-parts makers the rest, {parts:.1f} t (SOURCES.md 11z)"
    )
    for s, part in ((CN_JL, jl_share), (CN_OTHER, 1 - jl_share)):
        rows = find(edges, s, US_EV)
        scale(rows, ev * part)
        for e in rows:
            e["status"] = "estimate"
            e["source"], n = EV_SPLIT.subn(ev_text, e["source"])
            assert n == 1, e["source"][:80]
            head, _, graded = e["note"].partition(" | grade split")
            head = head.split(" | MP Independence's assumed")[0]
            e["note"] = (
                f"{head} | MP Independence's assumed {assumed:.0f} t (A21) moves the row by "
                f"{assumed / ev:.1%}, inside an estimate's +-25% (SOURCES.md 11v): an "
                f"estimate (11z)" + (f" | grade split{graded}" if graded else "")
            )
        rows = find(edges, s, US_PARTS)
        scale(rows, parts * part)
        for e in rows:
            e["source"], n = PARTS_TEXT.subn(parts_text, e["source"])
            assert n == 1 or parts_text in e["source"], e["source"][:80]
    anc = {c: flow(edges, US_PARTS, c) + flow(edges, CN_PARTS, c) for c in US_CARS}
    share = parts / sum(anc.values())
    for c in US_CARS:
        rows = find(edges, US_PARTS, c)
        scale(rows, anc[c] * share)
        for e in rows:
            e["source"] = COVER_TEXT.sub(
                f"x {share:.3f} (the share US auto-parts makers' Chinese magnets cover)",
                e["source"],
            )
        scale(find(edges, CN_PARTS, c), anc[c] * (1 - share))


def vac_11z(edges):
    """11z-3: the non-Chinese 15% of Siemens Gamesa's generators, booked to VAC (a proxy)."""
    (row,) = find(edges, VAC, SGRE)
    figure = round(SGRE_NEED * (1 - 17_000 / 20_000), 1)
    assert abs(float(row["flow_t"]) - figure) < 0.05, row["flow_t"]
    row["status"] = "estimate"
    row["source"] = (
        f"derived: the non-Chinese 15% (ECA: 17,000 of the EU's 20,000 t of magnets from China "
        f"in 2024) of Siemens Gamesa's generator need {SGRE_NEED} t REO (SOURCES.md 11h) = "
        f"{figure:.1f} t, booked to VAC, the one EU maker of sintered magnets in 2024 modelled "
        f"(proxy: Japan's own customs return sends Germany 8.9 t REO of magnets in all, "
        f"SOURCES.md 11t; Neo Narva started in 2025) ; {ECA} ; {JP_RETURN} ; {VAC_TEXT}"
    )
    row["note"] = (
        "[A13] VAC's output; the figure is the generators' need x the ECA's non-Chinese share, "
        "its supplier a stated proxy (SOURCES.md 11z)"
    )


def german_motors_11z(edges, nodes):
    """11z-4: BMW's, Mercedes's and Tesla's German EVs take motors made in Germany."""
    (de_row,) = find(edges, DE_EV, DE_CARS, MOTOR)
    (cn_row,) = find(edges, CN_EV, DE_CARS, MOTOR)
    moved = float(cn_row["flow_t"])
    need = round(float(de_row["flow_t"]) + moved, 1)
    made = (
        "made in Germany: BMW's e-drives in Dingolfing, Mercedes's electric powertrains at "
        "Untertürkheim, Tesla's drive units at Grünheide (SOURCES.md 11z; 0.472 from Chinese "
        "motor makers before, A18)"
    )
    de_row["flow_t"] = t(need)
    de_row["status"] = "estimate"
    de_row["note"] = de_row["note"].split("; [A18]")[0].split("; made in Germany")[0] + f"; {made}"
    if BMW not in de_row["source"]:
        head, sep, rng = de_row["source"].partition(" ; range (")
        de_row["source"] = f"{head} ; {BMW} ; {MERCEDES} ; {TESLA}{sep}{rng}"
    cn_row["flow_t"] = t(0.0)
    cn_row["status"] = "estimate"
    cn_row["source"] = (
        f"derived: 0 t: the German carmakers' traction motors are {made} ; {BMW} ; {MERCEDES} ; "
        f"{TESLA}"
    )
    cn_row["note"] = (
        "A zero-flow row kept for rerouting; finished goods: outside No. 18 (SOURCES.md 4d)"
    )
    # China's rows to the German EV-motor makers: their need less their other suppliers'
    # rows, which are the non-Chinese 15% of the need before this step (ECA, 11g; A13)
    d_need = sum(float(e["flow_t"]) for e in edges if e["supplier"] == DE_EV)
    others = sum(
        float(e["flow_t"])
        for e in edges
        if e["customer"] == DE_EV and e["supplier"] not in (CN_JL, CN_OTHER)
    )
    ev = round(d_need - others, 1)
    text = (
        f"the German EV-motor makers' need by the rule of SOURCES.md 11e, {d_need:.1f} t REO "
        f"(BMW's, Mercedes's and Tesla's motors made in Germany, 11z), less their other "
        f"suppliers' rows (VAC, Neo Narva and the Japanese makers: {others:.1f} t, A13) = "
        f"{ev:.1f} t REO from China (the ECA's 0.85 of the need would give "
        f"{EU_SHARE * d_need:.1f} t)"
    )
    # JL Mag's part is its share of China's rows to Germany, which this step leaves whole
    country = {n["id"]: n["country"] for n in nodes}
    to_de = {
        s: sum(
            float(e["flow_t"])
            for e in edges
            if e["supplier"] == s and country[e["customer"]] == "DE"
        )
        for s in (CN_JL, CN_OTHER)
    }
    cn_ev = {s: find(edges, s, DE_EV) for s in (CN_JL, CN_OTHER)}
    for s, rows in cn_ev.items():
        old = sum(float(e["flow_t"]) for e in rows)
        new = round(ev * to_de[s] / sum(to_de.values()), 1)
        scale(rows, new)
        for e in rows:
            e["source"], n = DE_NEED_TEXT.subn(text, e["source"])
            assert n == 1, e["source"][:80]
        # the German industrial users take the customs total's residual (11g)
        res = find(edges, s, DE_IND)
        scale(res, sum(float(e["flow_t"]) for e in res) - (new - old))
    # China's motor makers ship less abroad: the other makers' rows to them follow, and
    # their industrial motors (the remainder of their output, A16) take the tonnes back
    out = sum(float(e["flow_t"]) for e in edges if e["supplier"] == CN_EV)
    others = sum(
        float(e["flow_t"]) for e in edges if e["customer"] == CN_EV and e["supplier"] != CN_OTHER
    )
    rows = find(edges, CN_OTHER, CN_EV)
    was = sum(float(e["flow_t"]) for e in rows)
    scale(rows, out - others)
    for e in rows:
        e["source"] = re.sub(
            r"traction motors by the rule \([\d,]+ t REO",
            f"traction motors by the rule ({out:,.0f} t REO",
            e["source"],
        )
    ind = find(edges, CN_OTHER, shock_us.CN_MOTORS)
    scale(ind, sum(float(e["flow_t"]) for e in ind) + was - (out - others))
    inflow = sum(float(e["flow_t"]) for e in edges if e["customer"] == shock_us.CN_MOTORS)
    (row,) = find(edges, shock_us.CN_MOTORS, shock_us.CN_USERS)
    row["flow_t"] = t(inflow)
    row["source"] = re.sub(
        r"component inflow [\d,.]+ t REO", f"component inflow {inflow:,.0f} t REO", row["source"]
    )


def main():
    edges, efields = read("edges.csv")
    nodes, nfields = read("nodes.csv")
    lines, lfields = read("lines.csv")
    check_start(edges)
    sgi_11z(edges, lines, nodes)
    us_split_11z(edges)
    shock_us.chinese_parts_11s(edges, nodes)
    shock_us.users_line_11s(edges, lines)
    vac_11z(edges)
    german_motors_11z(edges, nodes)
    shock_us.users_line_11s(edges, lines)
    write("edges.csv", edges, efields)
    write("nodes.csv", nodes, nfields)
    write("lines.csv", lines, lfields)


if __name__ == "__main__":
    main()
