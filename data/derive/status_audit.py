"""Issue 24: the statuses on the shock path, audited row by row (SOURCES.md 11v).

usage: python3 status_audit.py [DATA_DIR]     then: python3 ranges.py [DATA_DIR]

Runs on main's data at e732aaf (after shock_asia.py and ranges.py) and sets absolute values:
each audited row's `status` becomes `assumption` and its `note` ends with the audit's reason,
so running it twice gives the same bytes; it refuses data it does not recognise
(`check_start`). No figure (`flow_t`) changes. The rule (SOURCES.md section 2): a row's
status is its weakest input's; an `estimate` needs a stated formula whose every input is
sourced, so a sourced total times an assumed share, or an assumed total times a sourced
share, is an `assumption`. The audit read every `estimate` row on the shock path of
`2025-10-package` and `2025-04-heavy-licences` (`shock_path.py --list`), heaviest first, to
100% of their tonnage; 11v gives the table, and the rows that stay with the reason.

What it changes (t REO; the Nd/Pr-grade twin of each row is off the path and changes with it,
being the same formula):

* 11v-1  JL Mag's rows to the Japanese EV-motor makers (23.7 t) and auto-parts makers (24.3 +
         20.7 t): China's customs total to Japan x "China's share of Japan's sintered magnets
         0.228", whose denominator is the Japanese makers' output of 3,715 t REO derived from
         JSNM's Nd/didymium demand x 0.9 to magnets / 0.95 (A13, A14): an assumed total in a
         share. The found inconsistency of 11t ("Noticed, not changed").
* 11v-2  JL Mag's rows to the Japanese industrial users (3.0 + 2.5 t): the residual of the
         customs total after the two rows of 11v-1 and less the bonded magnets' share (A16):
         a remainder after assumed rows.
* 11v-3  The auto-parts aggregates' actuator parts to the carmakers, split into a Dy/Tb-grade
         part (`actuator_ht`, on the path) and a Nd/Pr part in proportion to the aggregate's
         two grade lines (A26): the proportion is computed from the aggregate's inflow rows,
         some of which are assumed tonnages of the non-Chinese makers (A13):
         - `jp-auto-parts-agg` -> Toyota (744.9 + 718.5 t) and the other Japanese carmakers
           (477.0 + 460.0 t): 1,854 of its 2,400 t inflow are the Japanese makers' rows (A13);
         - `cn-auto-parts-agg` -> BYD (475.5 + 769.2 t), Tesla Shanghai (102.1 + 165.1 t) and
           the other Chinese carmakers (2,905.9 + 4,700.8 t), off the path (China's domestic
           deliveries are not shocked), changed by the same rule: all 11,506 t of its inflow
           are assumed rows (Ningbo Yunsheng's and Zhong Ke San Huan's, A12; the other
           makers' remainder, A16).
         The rows' totals (the rule's need per vehicle x the country's factor) are sourced;
         the grade part, which is what the licence shocks, is not.
         **Materiality** (the lead's rule, SOURCES.md 11v): an assumed input makes a row an
         assumption when it moves the row by more than the estimate's own rule range
         (+-25%). The Korean parts (`kr-auto-parts-agg` -> Hyundai, Star Group's 96.2 of
         1,203 t) and the German ones (`de-auto-actuators-agg` -> VW, the other German and
         the French carmakers, VAC's, Shin-Etsu's and Proterial's 217.6 of 1,451 t) move by
         under 1% without their assumed inflow (Hyundai's Dy/Tb part 645.3 -> 649.1 t): they
         stay estimates. Japan's 1,854 of 2,400 t does not pass that test.
* 11v-4  The Taiwanese electronics component makers' row to the Apple suppliers (469.9 t):
         the component makers' whole inflow (China's customs total to Taiwan, their single
         route) passed to one customer; the row's own note names A18 (component -> maker
         shares). The first hop is the single-route proxy section 2 allows; the second
         asserts an end use no source gives. Vestas's generator plants to Vestas stays an
         estimate: the plants are Vestas's own.

* 11v-5  China's aggregate rows to the same Japanese users (`cn-other-sintered-agg` ->
         `jp-ev-motor-agg` 263.7 t, `jp-auto-parts-agg` 270.4 + 230.7 t,
         `jp-industrial-users-agg` 33.1 + 28.2 t), by 11v-1 and 11v-2: the same formula as
         JL Mag's (applied by the lead after the audit; the helper had left them to a branch
         that split them and was not merged).

Left to the US pass (SOURCES.md 11v): `cn-creg-south-sep` -> `us-yttria-users-agg` (the US
imports 93% of its yttrium from China by its source, the row books 100%).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
DATA = Path(ARGS[0]) if ARGS else Path(__file__).resolve().parents[1]

MARK = " | status audit (SOURCES.md 11v): "
JP_SHARE = (
    "[A13] [A14] the split uses China's share of Japan's sintered magnets 0.228, whose "
    "denominator is the Japanese makers' output (3,715 t REO: JSNM's Nd/didymium demand x 0.9 "
    "to magnets / 0.95, A13, A14), an assumed total: an assumption, not an estimate"
)
JP_RESIDUAL = (
    "[A13] [A16] the residual of China's customs total to Japan after the EV-motor and "
    "auto-parts rows (which rest on A13) and the bonded magnets' share (A16): a remainder "
    "after assumed rows"
)


def parts(aggregate, assumed):
    return (
        f"[A26] [A13] the Dy/Tb-grade part is in proportion to {aggregate}'s two grade lines, "
        f"which hold {assumed} of assumed inflow (the non-Chinese makers' rows, A13): the "
        "vehicles' need is sourced, its split by grade is not"
    )


JP_PARTS = parts("jp-auto-parts-agg", "1,854 of 2,400 t")
TW_ROUTE = (
    "[A18] the Taiwanese component makers' whole inflow (China's customs total to Taiwan) "
    "passed to one customer, the Apple suppliers' smartphones: a share of 1.0 that no source "
    "gives (A18), unlike a plant that belongs to its customer (Vestas's generator plants)"
)
CN_PARTS = parts("cn-auto-parts-agg", "all 11,506 t (A12, A16)")

# (supplier, customer, material, from_line): (flow_t as found, reason)
CHANGES = {
    ("cn-jl-mag", "jp-ev-motor-agg", "ndfeb_sintered", "dy_tb_grade"): ("23.7", JP_SHARE),
    ("cn-jl-mag", "jp-auto-parts-agg", "ndfeb_sintered", "dy_tb_grade"): ("24.3", JP_SHARE),
    ("cn-jl-mag", "jp-auto-parts-agg", "ndfeb_sintered", "ndpr_grade"): ("20.7", JP_SHARE),
    ("cn-jl-mag", "jp-industrial-users-agg", "ndfeb_sintered", "dy_tb_grade"): ("3.0", JP_RESIDUAL),
    ("cn-jl-mag", "jp-industrial-users-agg", "ndfeb_sintered", "ndpr_grade"): ("2.5", JP_RESIDUAL),
    ("cn-other-sintered-agg", "jp-ev-motor-agg", "ndfeb_sintered", "dy_tb_grade"): (
        "263.7",
        JP_SHARE,
    ),
    ("cn-other-sintered-agg", "jp-auto-parts-agg", "ndfeb_sintered", "dy_tb_grade"): (
        "270.4",
        JP_SHARE,
    ),
    ("cn-other-sintered-agg", "jp-auto-parts-agg", "ndfeb_sintered", "ndpr_grade"): (
        "230.7",
        JP_SHARE,
    ),
    ("cn-other-sintered-agg", "jp-industrial-users-agg", "ndfeb_sintered", "dy_tb_grade"): (
        "33.1",
        JP_RESIDUAL,
    ),
    ("cn-other-sintered-agg", "jp-industrial-users-agg", "ndfeb_sintered", "ndpr_grade"): (
        "28.2",
        JP_RESIDUAL,
    ),
    ("jp-auto-parts-agg", "jp-toyota", "actuator_ht", "dy_tb_magnets"): ("744.9", JP_PARTS),
    ("jp-auto-parts-agg", "jp-toyota", "actuator", "ndpr_magnets"): ("718.5", JP_PARTS),
    ("jp-auto-parts-agg", "jp-automakers-agg", "actuator_ht", "dy_tb_magnets"): ("477.0", JP_PARTS),
    ("jp-auto-parts-agg", "jp-automakers-agg", "actuator", "ndpr_magnets"): ("460.0", JP_PARTS),
    ("cn-auto-parts-agg", "cn-byd", "actuator_ht", "dy_tb_magnets"): ("475.5", CN_PARTS),
    ("cn-auto-parts-agg", "cn-byd", "actuator", "ndpr_magnets"): ("769.2", CN_PARTS),
    ("cn-auto-parts-agg", "cn-tesla-shanghai", "actuator_ht", "dy_tb_magnets"): ("102.1", CN_PARTS),
    ("cn-auto-parts-agg", "cn-tesla-shanghai", "actuator", "ndpr_magnets"): ("165.1", CN_PARTS),
    ("cn-auto-parts-agg", "cn-automakers-agg", "actuator_ht", "dy_tb_magnets"): (
        "2905.9",
        CN_PARTS,
    ),
    ("cn-auto-parts-agg", "cn-automakers-agg", "actuator", "ndpr_magnets"): ("4700.8", CN_PARTS),
    ("tw-electronics-components-agg", "tw-apple-suppliers-agg", "actuator", ""): (
        "469.9",
        TW_ROUTE,
    ),
}


def read(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, list(rows[0].keys())


def write(name, rows, fields):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        crlf = f.readline().endswith("\r\n")
    with open(DATA / name, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n" if crlf else "\n")
        w.writeheader()
        w.writerows(rows)


def key(e):
    return (e["supplier"], e["customer"], e["material"], e["from_line"])


def check_start(edges):
    """Refuse data other than main's at e732aaf, before or after this script: each audited
    row is there once, with its figure, as an estimate (before) or with the audit's note."""
    found = {}
    for e in edges:
        if key(e) in CHANGES:
            found.setdefault(key(e), []).append(e)
    for k, (flow, _) in CHANGES.items():
        rows = found.get(k, [])
        assert len(rows) == 1, ("status_audit.py: expected one row", k, len(rows))
        e = rows[0]
        before = e["status"] == "estimate" and MARK not in e["note"]
        after = e["status"] == "assumption" and MARK in e["note"]
        assert e["flow_t"] == flow and (before or after), (
            "status_audit.py runs on main's data at e732aaf (SOURCES.md 11v)",
            k,
            e["flow_t"],
            e["status"],
        )


def main():
    edges, fields = read("edges.csv")
    check_start(edges)
    for e in edges:
        if key(e) not in CHANGES:
            continue
        _, why = CHANGES[key(e)]
        e["status"] = "assumption"
        e["note"] = e["note"].split(MARK)[0] + MARK + why
    write("edges.csv", edges, fields)


if __name__ == "__main__":
    main()
