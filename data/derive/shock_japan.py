"""Issue 24, the shock path's Japanese automotive block (SOURCES.md 11w).

usage: python3 shock_japan.py [DATA_DIR]     then: python3 grades.py, python3 ranges.py

Runs on the data of main at 8b6bf96 (after status_audit.py, 11v, and shock_us.py, 11s) and
sets absolute values, so a second run finds its own result and changes nothing; it refuses
any other data (see `state`). Every figure below is written down, with its source, in
data/SOURCES.md 11w, before any backtest was run on the result. No `flow_t` changes.

What it changes (SOURCES.md 11w):

* 11w-1  **Daido's magnets for the EV-motor makers are heavy-rare-earth-free.** Daido
         Electronics makes hot-deformed NdFeB magnets without Dy or Tb, in Honda's hybrid drive
         motors since 2016 (Daido Steel and Honda, July 2016), about 40 t a month in 2025 for
         hybrid vehicles and industrial equipment (Chukei News, 10 July 2025); the data booked
         `jp-daido-magnet -> jp-ev-motor-agg` (124.5 t REO) on the maker's `dy_tb_grade` line
         with Dy;Tb. It now leaves `ndpr_grade` with Nd;Pr; the tonnage stays the assumption
         it was (A13: the split of Japan's output by maker). The maker's grade lines follow.
         The EV-motor makers then take both grades: like every such customer they get the
         lines `dy_tb_magnets` / `ndpr_magnets` (grades.py's rule, A26), and their traction
         motors leave them in two parts in proportion to the lines' intake (1,138.7 and 124.5
         of 1,263.2 t), so that the engine weighs the lines by their tonnes (a component's
         lines that ship nothing of their own share its edges equally). The heavy-free part
         is an assumption (Daido's tonnage, A13); the Dy/Tb-grade part of Toyota's row stays
         an estimate (without Daido's row it would be 11% larger: materiality, 11v).
* 11w-2  **China's share of Japan's sintered magnets is bracketed by a second JSNM figure.**
         China's rows to the Japanese EV-motor and auto-parts makers are the makers' need by
         the rule (11e) x 0.228 = China's customs return (1,094.3 t REO) over it plus Japan's
         output (3,715 t REO from JSNM's 2024 Nd/didymium demand, A13's 0.9 and A14's 0.95).
         JSNM's rare-earth division states Japan's neodymium-magnet production itself: about
         12,400 t in 2020 (4,340 t REO by section 1's 0.35), which gives a share of 0.201: the
         rows x 0.885, inside an estimate's +-25%. By the materiality reading of 11v the
         assumed factors inside the total no longer set the rows' status: they are estimates
         (JL Mag's and the other Chinese makers' rows to the two users, both grades). The
         residual to the industrial users stays an assumption: the bonded magnets' share of it
         (A16) is three quarters of the residual.

Sources (title – URL), in the rows they change: Daido Steel and Honda develop world's first
heavy rare earth free hybrid vehicle motors (PM Review, 13 July 2016) –
https://www.pm-review.com/daido-steel-honda-rare-earth-free-hybrid-vehicle-motors/ ; ダイドー
電子、米生産検討 レアアース不使用ネオジム磁石需要増で (Chukei News, 10 July 2025) –
https://www.chukei-news.co.jp/news/2025/07/10/OK0002507100101_02 ; 新金属協会 希土類部会
業界業況 (Japan Society of Newer Metals, the 2020 edition) –
http://www.jsnm.or.jp/group/rea-earth.html
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue24 import Table, read, refresh_lines, write

DAIDO, JP_EV, JP_PARTS = "jp-daido-magnet", "jp-ev-motor-agg", "jp-auto-parts-agg"
DY_LINE, ND_LINE = "dy_tb_magnets", "ndpr_magnets"
CHINESE = ("cn-jl-mag", "cn-other-sintered-agg")
SHARE_TEXT = "China's share of Japan's sintered magnets 0.228"
SHARE_OLD = "Japan's output 3,715 t REO, JSNM-derived, SOURCES.md 4a)"
# JSNM's production statement for 2020 in t of magnets, and China's customs return to Japan
# (t REO, SOURCES.md 11l); A13's total in t REO
JSNM_2020_T, CN_TO_JP, A13_TOTAL = 12_400, 1_094.3, 3_715
REO_PER_T = 0.35  # data/hs.csv, 8505.11; SOURCES.md 1
SHARE_2020 = CN_TO_JP / (CN_TO_JP + JSNM_2020_T * REO_PER_T)
SHARE_A13 = CN_TO_JP / (CN_TO_JP + A13_TOTAL)
SHARE_NEW = (
    f"{SHARE_OLD[:-1]}; bracketed by JSNM's own statement of Japan's neodymium-magnet "
    f"production, about {JSNM_2020_T:,} t in 2020 x {REO_PER_T} = "
    f"{JSNM_2020_T * REO_PER_T:,.0f} t REO, share {SHARE_2020:.3f}: the row x "
    f"{SHARE_2020 / SHARE_A13:.3f}, inside an estimate's +-25%, so the assumed factors of the "
    "total (A13's 0.9, A14's 0.95) do not set the status: SOURCES.md 11v, 11w)"
)
JSNM_2020 = (
    "新金属協会 希土類部会 業界業況, 2020: Japan's neodymium-magnet production about 12,400 t "
    "(-8%), the automotive market its main one (Japan Society of Newer Metals) – "
    "http://www.jsnm.or.jp/group/rea-earth.html"
)
DAIDO_GRADE = (
    " ; heavy-rare-earth-free grade: Daido Steel and Honda develop world's first heavy rare "
    "earth free hybrid vehicle motors: hot-deformed neodymium magnets with no Dy or Tb in "
    "Honda's hybrid drive motors (PM Review, 13 July 2016) – "
    "https://www.pm-review.com/daido-steel-honda-rare-earth-free-hybrid-vehicle-motors/ ; "
    "ダイドー電子、米生産検討 レアアース不使用ネオジム磁石需要増で: hot-deformed magnets with "
    "high heat resistance and coercivity without heavy rare earths, about 40 t a month for "
    "hybrid vehicles and industrial equipment (Chukei News, 10 July 2025) – "
    "https://www.chukei-news.co.jp/news/2025/07/10/OK0002507100101_02"
)
DAIDO_NOTE = (
    " | heavy-rare-earth-free hot-deformed grade (SOURCES.md 11w): the tonnage stays A13's, "
    "the grade is sourced"
)


def daido_row(edges):
    (row,) = edges.find(s=DAIDO, c=JP_EV, m="ndfeb_sintered")
    return row


def share_rows(edges):
    """China's rows to the Japanese EV-motor and auto-parts makers split by the 0.228 share."""
    return [
        e
        for s in CHINESE
        for c in (JP_EV, JP_PARTS)
        for e in edges.find(s=s, c=c, m="ndfeb_sintered")
        if SHARE_TEXT in e["source"]
    ]


def motor_rows(edges):
    return edges.find(s=JP_EV, m="traction_motor")


def state(edges):
    """'before' on main's data at 8b6bf96, 'after' on this script's result; else refuse."""
    daido, rows = daido_row(edges), share_rows(edges)
    statuses = {e["status"] for e in rows}
    motors = {e["from_line"] for e in motor_rows(edges)}
    old_grade = daido["from_line"] == "dy_tb_grade" and daido["flow_t"] == "124.5"
    old_share = statuses == {"assumption"} and all(SHARE_OLD in e["source"] for e in rows)
    if len(rows) == 6 and old_grade and old_share and motors == {""}:
        return "before"
    split = motors == {DY_LINE, ND_LINE}
    if daido["from_line"] == "ndpr_grade" and len(rows) == 6 and statuses == {"estimate"} and split:
        return "after"
    raise SystemExit("shock_japan.py runs on main's data at 8b6bf96 only (SOURCES.md 11w)")


def daido_heavy_free(edges, lines):
    """11w-1: Daido's row to the EV-motor makers leaves its Nd/Pr-grade line."""
    row = daido_row(edges)
    row.update(from_line="ndpr_grade", elements="Nd;Pr")
    head, sep, tail = row["source"].partition(" ; range (")
    row["source"] = head + DAIDO_GRADE + (sep + tail if sep else "")
    row["note"] += DAIDO_NOTE
    (grade,) = [r for r in lines if r["node"] == DAIDO and r["line"] == "dy_tb_grade"]
    grade["note"] = (
        "Dy/Tb-grade share 0.31 of ndfeb_sintered output: its magnets for the EV-motor makers "
        "are the heavy-rare-earth-free hot-deformed grade (SOURCES.md 11w); the rest by the "
        "provisional rule of its customers (auto ancillary actuators = 0.5). Check: Dy+Tb "
        "metal intake 23 t = 23% of the RE in the dy_tb_grade tonnes: A14's 5% is applied to "
        "the whole output, as for the other makers (SOURCES.md 11w: recorded, not changed)."
    )


def ev_motor_lines(edges, lines):
    """The EV-motor makers take both grades: lines, and their motors in two parts (11w-1)."""
    intake = {DY_LINE: 0.0, ND_LINE: 0.0}
    for e in edges.find(c=JP_EV, m="ndfeb_sintered"):
        e["line"] = DY_LINE if e["from_line"] == "dy_tb_grade" else ND_LINE
        intake[e["line"]] += float(e["flow_t"])
    total = sum(intake.values())
    for e in motor_rows(edges):
        flow = float(e["flow_t"])
        dy = round(flow * intake[DY_LINE] / total, 1)
        head, sep, tail = e["source"].partition(" ; range (")
        head += (
            f" ; in two parts by the makers' grade lines: Dy/Tb grade x {intake[DY_LINE]:,.1f}"
            f" / {total:,.1f}, Daido's heavy-rare-earth-free grade x {intake[ND_LINE]:,.1f} / "
            f"{total:,.1f} (SOURCES.md 11w)"
        )
        e["source"] = head + sep + tail
        part = dict(e, from_line=ND_LINE, elements="Nd;Pr", flow_t=f"{flow - dy:.1f}")
        # each part's range scales with it until ranges.py restates it
        for row, share in ((e, dy / flow), (part, (flow - dy) / flow)):
            for k in ("flow_t_low", "flow_t_high"):
                row[k] = f"{float(row[k]) * share:.1f}" if row[k] else ""
        e.update(from_line=DY_LINE, flow_t=f"{dy:.1f}")
        part["status"] = "assumption"
        part["note"] = (e["note"] + " | " if e["note"] else "") + (
            "Daido's heavy-rare-earth-free part: its tonnage is A13's (SOURCES.md 11w)"
        )
        at = next(i for i, row in enumerate(edges.rows) if row is e)
        edges.rows.insert(at + 1, part)
    for name, note in (
        (
            DY_LINE,
            "products needing Dy/Tb grades (high-temperature motors and actuators); fed "
            "only by Dy/Tb-grade NdFeB.",
        ),
        (ND_LINE, "products made with Nd/Pr-only NdFeB (sintered or bonded)."),
    ):
        lines.append(
            {
                "node": JP_EV,
                "line": name,
                "sector": "",
                "unit": "t REO",
                "baseline_units": f"{intake[name]:.0f}",
                "source": f"derived: sum of the in-edges feeding the line ({name}) ; "
                "supplygraph data/edges.csv (grade rule of derive/grades.py)",
                "status": "assumption",
                "note": "A26: " + note,
            }
        )


def japan_share(edges):
    """11w-2: China's rows split by the 0.228 share are estimates (materiality, 11v)."""
    for e in share_rows(edges):
        head, sep, tail = e["source"].partition(" ; range (")
        head = head.replace(SHARE_OLD, SHARE_NEW)
        e["source"] = head + f" ; {JSNM_2020}" + (sep + tail if sep else "")
        e["status"] = "estimate"


def main():
    nodes, _ = read("nodes.csv")
    rows, efields = read("edges.csv")
    lines, lfields = read("lines.csv")
    edges = Table(rows, efields)
    if state(edges) == "after":
        print("shock_japan.py: already applied, nothing to do")
        return
    daido_heavy_free(edges, lines)
    ev_motor_lines(edges, lines)
    japan_share(edges)
    refresh_lines(edges, lines, nodes)
    write("edges.csv", edges.rows, efields, True)
    write("lines.csv", lines, lfields, True)
    print(
        f"Daido to {JP_EV}: ndpr_grade; China's share {SHARE_A13:.3f} against JSNM 2020's "
        f"{SHARE_2020:.3f} (x {SHARE_2020 / SHARE_A13:.3f}): {len(share_rows(edges))} rows "
        "estimates"
    )


if __name__ == "__main__":
    main()
