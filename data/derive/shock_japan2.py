"""Issue 24, the shock path's Japanese block, third pass (SOURCES.md 11y).

usage: python3 shock_japan2.py [DATA_DIR]     then: python3 grades.py, python3 ranges.py

Runs on the data of main at b54885d (after shock_japan.py, 11w, and shock_electronics2.py,
11x) and sets absolute values, so a second run finds its own result and changes nothing; it
refuses any other data (see `state`). Every figure below is written down, with its source, in
data/SOURCES.md 11y, before any backtest was run on the result. No node's inflow or outflow
changes: two rows of each pair trade tonnes, and the carmakers' parts follow (grades.py).

What it changes (SOURCES.md 11y):

* 11y-1  **The sintered makers' magnets for Japan's auto-parts makers are graded by the
         sourced share.** Shin-Etsu's, Proterial's and TDK's pairs of rows to
         `jp-auto-parts-agg` were split 0.5 / 0.5 between their Dy/Tb and Nd/Pr grades by
         LINES.md's provisional rule for auto ancillary parts (A1 there; SOURCES.md 11w: "the
         only assumed input" of the carmakers' parts, and material). They are now split by the
         one published production-wide share of Dy/Tb-bearing sintered NdFeB, 0.60 (Adamas
         Intelligence, 2018, the figure of derive/grade_split.csv, SOURCES.md 4d), read for
         these rows as a stated proxy, with its sourced range 0.60-0.90 (11j: JL Mag's over 90%
         with grain-boundary diffusion); the Japan Society of Newer Metals says that in magnets
         for cars Tb grain-boundary diffusion has become general (the 2017 edition of its
         rare-earth division's 業界業況), which points to the upper part of the range, not below
         it. Each pair keeps its total (the maker's tonnage stays A13's, so the rows stay
         assumptions). Daido's pair keeps 0.5: its hot-deformed magnets are outside a sintered
         share, and are reported heavy-rare-earth-free (11w).
         The carmakers' parts (`jp-auto-parts-agg -> jp-toyota`, `-> jp-automakers-agg`, both
         grades) then rest on sourced inputs only: the need by the rule of 11e, China's rows
         (estimates, 11w), the Japanese makers' combined supply (the need less China's rows)
         and the grade shares (China's by grades.py, the makers' by this step); the split of
         the Japanese supply among makers does not enter them, and Daido's assumed 100.2 t of
         the Dy/Tb line's inflow, were it heavy-free, would move them by 7.2% (materiality,
         SOURCES.md 11v). They are estimates; grades.py recomputes their tonnes from the
         aggregate's lines.

Sources (title – URL), in the rows they change: Adamas Intelligence, China's NdFeB
production increased 5% in 2018 – https://www.adamasintel.com/china-ndfeb-production-2018/ ;
新金属協会 希土類部会 業界業況 (Japan Society of Newer Metals, the 2017 edition) –
http://www.jsnm.or.jp/group/rea-earth.html
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue24 import Table, read, refresh_lines, write

PARTS = "jp-auto-parts-agg"
SINTERED_MAKERS = ("jp-shin-etsu-magnet", "jp-proterial-magnet", "jp-tdk-magnet")
CARMAKERS = ("jp-toyota", "jp-automakers-agg")
SHARE = 0.60  # derive/grade_split.csv (SOURCES.md 4d); its range 0.60-0.90 (11j)
OLD_NOTE = "50% Dy/Tb grade for auto ancillary parts (A1)"
NEW_NOTE = (
    "60% Dy/Tb grade for auto ancillary parts: Adamas's production-wide share of sintered "
    "NdFeB as a stated proxy, range 0.60-0.90 (SOURCES.md 4d, 11j, 11y)"
)
GRADE_CITE = (
    " ; the pair split 0.60 Dy/Tb grade / 0.40 Nd/Pr grade: Adamas's production-wide share "
    "of Dy/Tb-bearing (medium and high grade) sintered NdFeB, read for these rows as a stated "
    "proxy (range 0.60-0.90, SOURCES.md 11j) – China's NdFeB production increased 5% in "
    "2018 (Adamas Intelligence: almost 60% medium- or high-grade) – "
    "https://www.adamasintel.com/china-ndfeb-production-2018/ ; in magnets for cars Tb "
    "grain-boundary diffusion has become general (自動車向け磁石はTb粒界拡散法が一般化: "
    "新金属協会 希土類部会 業界業況, the 2017 edition, Japan Society of Newer Metals) – "
    "http://www.jsnm.or.jp/group/rea-earth.html"
)
PARTS_CITE = (
    " ; the aggregate's grade lines rest on sourced inputs only since SOURCES.md 11y: China's "
    "rows (estimates, 11w), the Japanese makers' combined supply (the need less China's "
    "rows) and their grade share 0.60 (Adamas's production-wide share of Dy/Tb-bearing "
    "sintered NdFeB as a stated proxy, range 0.60-0.90, 11j) – "
    "https://www.adamasintel.com/china-ndfeb-production-2018/ ; Daido's hot-deformed pair "
    "(assumed 0.5) moves the Dy/Tb part by under 10% (materiality, 11v)"
)


def maker_pairs(edges):
    """{maker: (Dy/Tb-grade row, Nd/Pr-grade row)} of the sintered makers to the parts makers."""
    pairs = {}
    for maker in SINTERED_MAKERS:
        rows = {e["from_line"]: e for e in edges.find(s=maker, c=PARTS, m="ndfeb_sintered")}
        pairs[maker] = (rows["dy_tb_grade"], rows["ndpr_grade"])
    return pairs


def part_rows(edges):
    return [
        e
        for c in CARMAKERS
        for e in edges.find(s=PARTS, c=c)
        if e["material"] in ("actuator", "actuator_ht")
    ]


def state(edges):
    """'before' on main's data at b54885d, 'after' on this script's result; else refuse."""
    pairs, parts = maker_pairs(edges), part_rows(edges)
    shares = {
        round(float(dy["flow_t"]) / (float(dy["flow_t"]) + float(nd["flow_t"])), 3)
        for dy, nd in pairs.values()
    }
    statuses = {e["status"] for e in parts}
    old_notes = all(OLD_NOTE in dy["note"] for dy, _ in pairs.values())
    if len(parts) == 4 and shares == {0.5} and statuses == {"assumption"} and old_notes:
        return "before"
    if len(parts) == 4 and shares == {SHARE} and statuses == {"estimate"}:
        return "after"
    raise SystemExit("shock_japan2.py runs on main's data at b54885d only (SOURCES.md 11y)")


def cite(row, text):
    head, sep, tail = row["source"].partition(" ; range (")
    row["source"] = head + text + (sep + tail if sep else "")


def regrade(edges):
    """11y-1: each sintered maker's pair to the parts makers, 0.60 Dy/Tb grade."""
    for dy, nd in maker_pairs(edges).values():
        total = float(dy["flow_t"]) + float(nd["flow_t"])
        dy_t = round(total * SHARE, 1)
        for row, flow in ((dy, dy_t), (nd, round(total - dy_t, 1))):
            old = float(row["flow_t"])
            # each row's range scales with it until ranges.py restates it
            for k in ("flow_t_low", "flow_t_high"):
                row[k] = f"{float(row[k]) * flow / old:.1f}" if row[k] else ""
            row["flow_t"] = f"{flow:.1f}"
            row["note"] = row["note"].replace(OLD_NOTE, NEW_NOTE)
            cite(row, GRADE_CITE)


def parts_estimates(edges):
    """11y-1: the carmakers' parts rest on sourced inputs: estimates."""
    for e in part_rows(edges):
        e["status"] = "estimate"
        cite(e, PARTS_CITE)


CHECK = re.compile(
    r"Provisional Dy/Tb-grade share [\d.]+ of ndfeb_sintered output(.*?)Check: Dy\+Tb metal "
    r"intake (\d+) t = [\d.]+% of the RE in the dy_tb_grade tonnes \(≈[\d.]+ wt%"
)


def maker_lines(edges, lines):
    """The makers' grade-line notes state the new Dy/Tb-grade share and check."""
    for r in lines:
        if r["node"] not in SINTERED_MAKERS or r["line"] != "dy_tb_grade":
            continue
        out = edges.find(s=r["node"], m="ndfeb_sintered")
        dy = sum(float(e["flow_t"]) for e in out if e["from_line"] == "dy_tb_grade")
        total = sum(float(e["flow_t"]) for e in out)
        m = CHECK.search(r["note"])
        intake = int(m.group(2))
        middle = m.group(1).replace(
            "auto ancillary actuators, HDD motors",
            "Japanese auto-parts makers = 0.60 (Adamas's share as a stated proxy, SOURCES.md "
            "11y); HDD motors",
        )
        r["note"] = r["note"].replace(
            m.group(0),
            f"Provisional Dy/Tb-grade share {dy / total:.2f} of ndfeb_sintered output{middle}"
            f"Check: Dy+Tb metal intake {intake} t = {100 * intake / dy:.1f}% of the RE in the "
            f"dy_tb_grade tonnes (≈{0.3 * intake / dy * 100:.1f} wt%",
        )


def main():
    nodes, _ = read("nodes.csv")
    rows, efields = read("edges.csv")
    lines, lfields = read("lines.csv")
    edges = Table(rows, efields)
    if state(edges) == "after":
        print("shock_japan2.py: already applied, nothing to do")
        return
    regrade(edges)
    parts_estimates(edges)
    refresh_lines(edges, lines, nodes)
    maker_lines(edges, lines)
    write("edges.csv", edges.rows, efields, True)
    write("lines.csv", lines, lfields, True)
    for maker, (dy, nd) in maker_pairs(edges).items():
        print(f"{maker} -> {PARTS}: Dy/Tb grade {dy['flow_t']} t, Nd/Pr grade {nd['flow_t']} t")
    print(f"{len(part_rows(edges))} carmaker parts of {PARTS}: estimates (grades.py sizes them)")


if __name__ == "__main__":
    main()
