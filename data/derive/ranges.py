"""Ranges of the uncertain figures (issue 24, item 2; SOURCES.md 11n).

usage: python3 ranges.py [DATA_DIR]     (after issue24.py, grades.py and issue24.py --refresh)

Gives every `estimate` and `assumption` edge a range, `flow_t_low` <= `flow_t` <=
`flow_t_high`, and states its basis at the end of the row's `source` as
`range (<kind>): <basis>`, the kind being one of

* `interval`: a source's own interval (Siemens Gamesa's 625-850 kg NdFeB per MW of direct
  drive; the 2024 grade split 0.60-0.90 of SOURCES.md 11j, on China's makers' rows and,
  as a stated proxy, on the Japanese sintered makers' rows to Japan's auto-parts makers
  and the carmakers' parts that follow, 11y);
* `sources`: two sources' disagreement (China's customs return against CEPII BACI's
  reconciled figure for each destination; the IEA's 0.5 kg of rare earths per electric car
  against 5,000 t of magnets for 2 million EVs, Reuters; Japan's yttrium oxide imports of
  2023 against JSNM's demand of 2020 and the imports of 2022, SOURCES.md 11p; China's share
  of Japan's sintered magnets on A13's output against JSNM's production of 2020, 11w);
* `rule`: a stated rule where no source gives one: an estimate x 0.75-1.25 (its inputs are
  reported, its proxy or share is not), an assumption x 0.5-1.5.

Ranges multiply: an export row of China to a customs destination takes the customs range
times the grade split's. The rows of one customs destination share a `range_group`
(`cn-magnets-CC`): one statistic scales them together; an assumption row of the destination,
whose rule range is its own share's, is drawn on its own (SOURCES.md 11n). Nodes: stock cover
where a survey gives an interval (4e). The grade split's range goes into
`derive/grade_split.csv`. The script sets absolute values from the rows' own figures: running
it twice gives the same bytes.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
DATA = Path(ARGS[0]) if ARGS else Path(__file__).resolve().parents[1]
ROOT = Path(__file__).resolve().parents[2]
FILES = {
    "comtrade": ROOT / "tests/data/trade/comtrade-cn-850511-2024.csv",
    "baci": ROOT / "tests/data/trade/baci-cn-850511-2024.csv",
}
BACI = (
    "CEPII BACI HS17 V202601, China's exports of 8505.11 by importer, 2024 (reconciled "
    "exporter and importer reports) – "
    "http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
)
GRADE = (
    "the 2024 grade split 0.60-0.90 Dy/Tb-bearing (SOURCES.md 11j: Adamas's 0.60 for 2018; "
    "JL Mag's over 90% with grain-boundary diffusion)"
)
SGI = (
    "Reuters, Rare earths magnet firms turn to Vietnam in China hedge: SGI Vina's 5,000 t "
    "of magnets a year for about 2 million EVs (2.5 kg NdFeB, 0.875 kg REO per EV) – "
    "https://www.marketscreener.com/quote/stock/APPLE-INC-4849/news/Exclusive-Rare-earths-magnet-firms-turn-to-Vietnam-in-China-hedge-44665610/"
)
HEIM = "Heim & Vander Wal: 625-850 kg NdFeB per MW of direct drive – https://encyclopedia.pub/entry/50309"
# Japan's yttrium oxide imports a year (SOURCES.md 11p): MoF's 2023 pace, 1,359.6 t, against
# JSNM's demand of 2020, 1,160 t, and MoF's 2022 pace, 1,133 / (1 - 0.295) x 12/10 = 1,928.5 t
Y_JP = (
    1_160 / 1_359.6,
    1_133 / (1 - 0.295) * 1.2 / 1_359.6,
    "Japan's yttrium demand 1,160 t in 2020 (Japan Society of Newer Metals via Japan Metal "
    "Daily – https://www.japanmetaldaily.com/articles/-/82747) and its imports at 2022's pace, "
    "1,133 t / (1 - 0.295) x 12/10 = 1,928.5 t (Ministry of Finance via IRU-MIRU – "
    "https://www.iru-miru.com/article_detail.php?id=64656), against 2023's 1,359.6 t",
)
# China's share of Japan's sintered magnets (SOURCES.md 11w): 0.228 on A13's JSNM-derived
# output, 0.201 on JSNM's own production statement for 2020 (12,400 t of magnets x 0.35)
JP_SHARE = (
    "bracketed by JSNM's own statement",
    (1_094.3 / (1_094.3 + 12_400 * 0.35)) / (1_094.3 / (1_094.3 + 3_715)),
    "China's share of Japan's sintered magnets 0.228 (Japan's output 3,715 t REO from JSNM's "
    "2024 demand, A13) against 0.201 (JSNM's production statement for 2020, about 12,400 t of "
    "magnets: 新金属協会 希土類部会 業界業況 – http://www.jsnm.or.jp/group/rea-earth.html)",
)
MAGNETS = ("ndfeb_sintered", "ndfeb_bonded", "smco_magnet")
# the Japanese sintered makers' pairs to Japan's auto-parts makers are graded by the 0.60
# share as a stated proxy, and the carmakers' parts that follow rest on it (SOURCES.md 11y)
JP_GRADED = "read for these rows as a stated proxy"
JP_PARTS = "rest on sourced inputs only since SOURCES.md 11y"
# a row sized by its customer's need less the customer's other suppliers, not as a share of
# the destination's customs total (SOURCES.md 11z): the customs range is not its range
NEED_LESS_OTHERS = "less their other suppliers' rows ("
RANGE_TEXT = re.compile(r" ; range \((?:interval|sources|rule)\): .*$")
CLEPA = (
    "CLEPA: inventories deplete within 3-4 weeks (Reuters via Today Headline, 4e) – "
    "https://todayheadline.co/european-auto-supplier-plants-shut-081958659-html/"
)
YTTRIUM = (
    "Y stocks outside China 1-12 months (Reuters via Samarium.dev, 4e) – "
    "https://samarium.dev/news/yttrium-shortages-threaten-aerospace-and-chip-supply-chains"
)


def stock_range(node):
    """(low, high, basis) of a node's stock cover where its tier's survey gives an interval
    (SOURCES.md 4e), else None: the auto component suppliers' 25 days (CLEPA's 3-4 weeks) and
    the fabs' and yttrium users' 90 days (1-12 months)."""
    if node["stage"] == "component" and node["stock_days"] == "25":
        return 21, 28, CLEPA
    fab_or_yttrium = node["sector"] == "semiconductors" or "yttri" in node["id"]
    if fab_or_yttrium and node["stock_days"] == "90":
        return 30, 365, YTTRIUM
    return None


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, list(rows[0].keys())


def write(path, rows, fields):
    with open(path, encoding="utf-8", newline="") as f:
        crlf = f.readline().endswith("\r\n")
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n" if crlf else "\n")
        w.writeheader()
        w.writerows(rows)


def customs():
    """{iso2: (China's return, BACI)} in t of rare-earth magnets, 2024, by the hs.csv rule."""
    from supplygraph.analyses.trade import count_records
    from supplygraph.dataset.trade import read_trade_files
    from supplygraph.dataset.trade_codes import load_hs_table

    hs = load_hs_table(DATA / "hs.csv")
    out = {}
    for name, path in FILES.items():
        r = count_records(read_trade_files([path], hs["hs"]), hs)
        flow = r["flow"].isin(["X", "BACI"])  # China's exports; BACI's reconciled flows
        r = r[flow & (r["exporter"] == "CN") & (r["importer_kind"] == "country")]
        for iso, t in r.groupby("importer")["counted_t"].sum().items():
            out.setdefault(iso, {})[name] = float(t)
    return out


def grade_factors(row, twins):
    """The grade split's factors for a graded row of a Chinese maker (or of a Japanese maker
    graded by the same share as a stated proxy, SOURCES.md 11y) that has its other grade's
    row: the Dy/Tb share rises from 0.60 to at most 0.90, the NdPr share falls as much (a
    customer taking Dy/Tb grades only has one row, sized by its need: none)."""
    graded = row["supplier"].startswith("cn-") or JP_GRADED in row["source"]
    if not graded or (row["supplier"], row["customer"]) not in twins:
        return None
    if row["from_line"] == "dy_tb_grade" and "Dy" in row["elements"]:
        return 1.0, 0.90 / 0.60
    if row["from_line"] == "ndpr_grade":
        return 1.0 - 0.30 / 0.40, 1.0  # the NdPr share 0.40 falls to 0.10 at most
    return None


def parts_factors(edges):
    """{auto-parts aggregate: (its Dy/Tb part's high factor, its Nd/Pr part's low factor)}
    where its inflow holds pairs graded by the proxy share (SOURCES.md 11y): the parts follow
    the aggregate's two lines, whose Dy/Tb share moves as those pairs go from 0.60 to 0.90."""
    fixed, graded, total = {}, {}, {}
    for e in edges:
        if e["material"] != "ndfeb_sintered":
            continue
        c, flow = e["customer"], float(e["flow_t"])
        total[c] = total.get(c, 0.0) + flow
        if JP_GRADED in e["source"]:
            graded[c] = graded.get(c, 0.0) + flow
        elif e["from_line"] == "dy_tb_grade":
            fixed[c] = fixed.get(c, 0.0) + flow
    out = {}
    for c, g in graded.items():
        dy_low = fixed.get(c, 0.0) + 0.60 * g
        dy_high = fixed.get(c, 0.0) + 0.90 * g
        out[c] = dy_high / dy_low, (total[c] - dy_high) / (total[c] - dy_low)
    return out


def fmt(x):
    return f"{x:.1f}"


def main():
    nodes, nfields = read(DATA / "nodes.csv")
    edges, efields = read(DATA / "edges.csv")
    country = {n["id"]: n["country"] for n in nodes}
    stats = customs()
    for col in ("flow_t_low", "flow_t_high", "range_group"):
        if col not in efields:
            efields.append(col)
    kinds = {"interval": 0, "sources": 0, "rule": 0}
    lines = {}
    for e in edges:
        if e["from_line"] in ("dy_tb_grade", "ndpr_grade"):
            lines.setdefault((e["supplier"], e["customer"]), set()).add(e["from_line"])
    twins = {k for k, v in lines.items() if len(v) == 2}
    parts = parts_factors(edges)
    for e in edges:
        e["source"] = RANGE_TEXT.sub("", e["source"])
        e["flow_t_low"] = e["flow_t_high"] = e["range_group"] = ""
        if e["status"] not in ("estimate", "assumption"):
            continue
        flow = float(e["flow_t"])
        lo, hi, bases, sourced = 1.0, 1.0, [], set()
        dest = country[e["customer"]]
        exported = (
            country[e["supplier"]] == "CN"
            and dest not in ("CN", "HK")
            and e["material"] in MAGNETS
            and NEED_LESS_OTHERS not in e["source"]
        )
        covered = False  # a source gives the figure's own range (else the rule does)
        if exported and dest in stats and len(stats[dest]) == 2:
            ours, baci = stats[dest]["comtrade"], stats[dest]["baci"]
            lo, hi = min(ours, baci) / ours, max(ours, baci) / ours
            bases.append(
                f"China's customs return {ours:,.0f} t against BACI's {baci:,.0f} t of "
                f"rare-earth magnets to {dest} in 2024 ({BACI})"
            )
            sourced.add("sources")
            covered = e["status"] == "estimate"  # the pair's split is the rule's otherwise
            # one statistic moves the destination's rows together only where it is their
            # range; an assumed split's rule range is the row's own (SOURCES.md 11n)
            e["range_group"] = f"cn-magnets-{dest.lower()}" if covered else ""
        if e["customer"] == "es-siemens-gamesa" or e["supplier"] == "de-sgre-generator":
            lo, hi = lo * 0.625 / 0.7375, hi * 0.850 / 0.7375
            bases.append(HEIM)
            sourced.add("interval")
            covered = covered or e["status"] == "estimate"
        elif e["status"] == "estimate" and "Japan's yttrium oxide imports" in e["source"]:
            lo, hi = lo * Y_JP[0], hi * Y_JP[1]
            bases.append(Y_JP[2])
            sourced.add("sources")
            e["range_group"] = "jp-y-oxide"
            covered = True
        elif e["material"] == "traction_motor" and "IEA 2021" in e["source"]:
            hi = hi * 0.875 / (0.5 * 1.166)
            bases.append(f"the IEA's 0.5 kg of rare earths per electric car against {SGI}")
            sourced.add("sources")
            covered = covered or e["status"] == "estimate"
        if e["status"] == "estimate" and JP_SHARE[0] in e["source"]:
            lo = lo * JP_SHARE[1]
            bases.append(JP_SHARE[2])
            sourced.add("sources")
        if e["status"] == "estimate" and JP_PARTS in e["source"] and e["supplier"] in parts:
            high, low = parts[e["supplier"]]
            if e["material"] == "actuator_ht":
                hi = hi * high
            else:
                lo = lo * low
            bases.append(
                f"{GRADE}, applied to the Japanese sintered makers' pairs feeding the "
                "aggregate (SOURCES.md 11y)"
            )
            sourced.add("interval")
        g = grade_factors(e, twins)
        if g:
            lo, hi = lo * g[0], hi * g[1]
            bases.append(GRADE)
            sourced.add("interval")
        if not covered:
            r_lo, r_hi = (0.75, 1.25) if e["status"] == "estimate" else (0.5, 1.5)
            lo, hi = lo * r_lo, hi * r_hi
            bases.append(
                f"an {e['status']} x {r_lo:g}-{r_hi:g}"
                + (
                    " (its inputs are cited, its proxy or share is not)"
                    if e["status"] == "estimate"
                    else " (no source for the figure: A-numbers of SOURCES.md 5)"
                )
            )
        kind = "rule" if not covered else ("sources" if "sources" in sourced else "interval")
        e["flow_t_low"], e["flow_t_high"] = fmt(flow * lo), fmt(flow * hi)
        if float(e["flow_t_low"]) > flow:  # rounding: the range holds the central figure
            e["flow_t_low"] = e["flow_t"]
        if float(e["flow_t_high"]) < flow:
            e["flow_t_high"] = e["flow_t"]
        e["source"] += f" ; range ({kind}): " + " ; ".join(bases)
        kinds[kind] += 1
    write(DATA / "edges.csv", edges, efields)
    for col in ("stock_days_low", "stock_days_high"):
        if col not in nfields:
            nfields.append(col)
    for n in nodes:
        n["source"] = re.sub(r" ; stock range \(interval\): .*$", "", n["source"])
        n["stock_days_low"] = n["stock_days_high"] = ""
        hit = stock_range(n)
        if hit:
            n["stock_days_low"], n["stock_days_high"] = str(hit[0]), str(hit[1])
            n["source"] += f" ; stock range (interval): {hit[2]}"
    write(DATA / "nodes.csv", nodes, nfields)
    grade, gfields = read(DATA / "derive/grade_split.csv")
    for col in ("dy_tb_share_low", "dy_tb_share_high"):
        if col not in gfields:
            gfields.append(col)
    for r in grade:
        r["dy_tb_share_low"], r["dy_tb_share_high"] = "0.60", "0.90"
        r["source"] = RANGE_TEXT.sub("", r["source"]) + (
            " ; range (interval): 0.60-0.90 for 2024, SOURCES.md 11j: no production-wide mix "
            "newer than 2018's is published; JL Mag made over 90% of its 2024 components with "
            "grain-boundary diffusion, which puts Dy or Tb into the magnet (JL Mag 2024 results "
            "call, 4d)"
        )
    write(DATA / "derive/grade_split.csv", grade, gfields)
    print("edge ranges by kind:", kinds)


if __name__ == "__main__":
    main()
