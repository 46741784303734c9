"""Apply the sourced Dy/Tb grade split to China's sintered NdFeB edges, and keep grades apart.

usage: python grades.py [DATA_DIR]      (default: the data folder above this script)

Rewrites DATA_DIR/edges.csv and DATA_DIR/lines.csv in place (run it from a clean checkout;
git shows what moved). The rule, written in data/SOURCES.md 4d (A25, A26) before it was run:

* The figure: the share of China's sintered NdFeB tonnes that carries Dy or Tb, read from
  derive/grade_split.csv (its one home). China's exports and China's domestic deliveries
  are each given that share.
* Within each of the two groups, edges to customers whose whole product needs
  high-coercivity grades (they ship traction motors or wind generators, or supply defence
  makers) leave the supplier's `dy_tb_grade` line whole; so does the part of a customer's
  edges that its traction motors beside other products need (pro rata over its sintered
  intake; Mexico's parts and motor plants, SOURCES.md 11s); every other edge of the group
  (and the rest of those) is split with one common share s = (share x T - N) / (T - N) (T
  the group's tonnes, N those needing Dy/Tb grades): a `dy_tb_grade` row with elements
  Nd;Pr;Dy;Tb and an `ndpr_grade` row with Nd;Pr. Edges split earlier are merged back
  first, so the script can be run again.
* A customer that then takes both grades gets lines: `dy_tb_magnets` (its Dy/Tb-grade
  edges only), `ndpr_magnets` (Nd/Pr-grade and bonded NdFeB edges) and, for a maker that
  takes anything else, `other`. Their baselines are the tonnes their edges carry (t REO).
* China's makers' own grade lines (`dy_tb_grade` / `ndpr_grade` in lines.csv) get the
  tonnes they now ship.

The `licence` column is left alone: No. 18's rule decides on the elements.
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SINTERED, BONDED = "ndfeb_sintered", "ndfeb_bonded"
DY, ND = "dy_tb_grade", "ndpr_grade"
DY_LINE, ND_LINE, OTHER_LINE = "dy_tb_magnets", "ndpr_magnets", "other"
NEEDS_DY = {"traction_motor", "wind_generator"}  # what a customer ships that needs Dy/Tb grades
MARK = " | grade split"  # start of the note this script appends (removed on a re-run)
ACTUATOR, ACTUATOR_HT = "actuator", "actuator_ht"
PART_MARK = " | parts by grade"  # likewise, for the actuators split by split_parts


def read(name):
    with open(DATA / name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, list(rows[0].keys())


def write(name, rows, fields):
    with open(DATA / name, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)


def t(x):
    return f"{x:.1f}"


def figure():
    with open(HERE / "grade_split.csv", encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    return float(row["dy_tb_share"])


def merge_parts(edges):
    """Merge back the actuator rows an earlier run split by grade (see split_parts)."""
    merged, out = {}, []
    for e in edges:
        if e["material"] not in (ACTUATOR, ACTUATOR_HT) or e["from_line"] not in (DY_LINE, ND_LINE):
            out.append(e)
            continue
        key = (e["supplier"], e["customer"])
        if key not in merged:
            merged[key] = dict(
                e,
                material=ACTUATOR,
                elements="Nd;Pr;Dy;Tb",
                from_line="",
                flow_t=0.0,
                note=e["note"].split(PART_MARK)[0],
            )
            out.append(merged[key])
        merged[key]["flow_t"] += float(e["flow_t"])
    for e in merged.values():
        e["flow_t"] = t(e["flow_t"])
    return out


def split_parts(edges, intake, nodes, motors):
    """Ship a carmaker's actuators from an auto-parts aggregate in two parts, one per grade.

    A vehicle carries both kinds (EPS, brake and pump motors with Dy/Tb grades; seat, window
    and speaker magnets with Nd/Pr grades; facts.md 4a), so a carmaker cannot use one for the
    other: the Dy/Tb-grade part is its own material, `actuator_ht`, leaving the aggregate's
    `dy_tb_magnets` line; the rest stays `actuator` (elements Nd;Pr) from `ndpr_magnets`. The
    parts are in proportion to the aggregate's two lines (A26), less the traction motors the
    aggregate also ships from its Dy/Tb line (`motors`, t REO by supplier).
    """
    out = []
    for e in edges:
        lines = intake.get(e["supplier"], {})
        carmaker = nodes[e["customer"]]["stage"] == "manufacturer" and nodes[e["customer"]][
            "sector"
        ] in ("automotive", "ev")
        if e["material"] != ACTUATOR or not carmaker or not {DY_LINE, ND_LINE} <= set(lines):
            out.append(e)
            continue
        flow = float(e["flow_t"])
        own = motors.get(e["supplier"], 0.0)
        dy = round(flow * (lines[DY_LINE] - own) / (lines[DY_LINE] + lines[ND_LINE] - own), 1)
        note = (e["note"] + PART_MARK if e["note"] else PART_MARK[3:]) + (
            " (derive/grades.py; A26): high-temperature actuators (Dy/Tb grades) and the rest"
            " are different parts of a vehicle, in proportion to the aggregate's grade lines"
        )
        out.append(dict(e, material=ACTUATOR_HT, from_line=DY_LINE, flow_t=t(dy), note=note))
        out.append(dict(e, from_line=ND_LINE, elements="Nd;Pr", flow_t=t(flow - dy), note=note))
    return out


def main():
    share = figure()
    with open(DATA / "nodes.csv", encoding="utf-8") as f:
        nodes = {r["id"]: r for r in csv.DictReader(f)}
    edges, fields = read("edges.csv")
    lines, line_fields = read("lines.csv")
    country = {k: v["country"] for k, v in nodes.items()}
    makers = {k for k, v in nodes.items() if v["stage"] == "magnet" and v["country"] == "CN"}

    def chinese_sintered(e):
        return e["material"] == SINTERED and e["supplier"] in makers

    edges = merge_parts(edges)

    # customers needing Dy/Tb grades throughout: they ship traction motors or wind
    # generators, or supply defence makers only
    ships = defaultdict(set)
    for e in edges:
        ships[e["supplier"]].add(
            "defence" if nodes[e["customer"]]["sector"] == "defence" else e["material"]
        )
    needs = {k for k, m in ships.items() if m and (m <= NEEDS_DY or m == {"defence"})}
    # a customer shipping traction motors or generators beside other products needs Dy/Tb
    # grades for that part: it leaves the suppliers' Dy/Tb lines whole, pro rata over the
    # customer's sintered intake; the rest of its edges is split like the others' (A25)
    part, sintered_in = defaultdict(float), defaultdict(float)
    for e in edges:
        if e["material"] in NEEDS_DY and e["supplier"] not in needs:
            part[e["supplier"]] += float(e["flow_t"])
        if e["material"] == SINTERED:
            sintered_in[e["customer"]] += float(e["flow_t"])

    def part_of(customer, flow):
        return part[customer] * flow / sintered_in[customer] if customer in part else 0.0

    # merge the rows an earlier split made, keeping the first row's place
    merged, order = {}, []
    for i, e in enumerate(edges):
        if not chinese_sintered(e):
            order.append(("row", i))
            continue
        key = (e["supplier"], e["customer"])
        if key not in merged:
            merged[key] = dict(e, flow_t=0.0, elements="Nd;Pr;Dy;Tb", line="", from_line="")
            merged[key]["note"] = e["note"].split(MARK)[0].split(" | split by line_rules")[0]
            order.append(("merged", key))
        merged[key]["flow_t"] += float(e["flow_t"])
        if e["from_line"] == DY:  # the Dy/Tb row holds the edge's citation
            merged[key]["source"], merged[key]["status"] = e["source"], e["status"]

    # one common share for the other edges of each group (exports, domestic)
    total, needed = defaultdict(float), defaultdict(float)
    for (_, c), e in merged.items():
        group = country[c] != "CN"
        total[group] += e["flow_t"]
        needed[group] += e["flow_t"] if c in needs else part_of(c, e["flow_t"])
    rest = {g: (share * total[g] - needed[g]) / (total[g] - needed[g]) for g in total}
    for g, s in rest.items():
        assert 0 <= s <= 1, f"customers needing Dy/Tb take more than {share:.0%} ({g})"

    out = []
    for kind, ref in order:
        if kind == "row":
            out.append(dict(edges[ref]))
            continue
        e = merged[ref]
        flow = round(e["flow_t"], 1)
        s = 1.0 if ref[1] in needs else rest[country[ref[1]] != "CN"]
        p = 0.0 if ref[1] in needs else round(part_of(ref[1], flow), 1)
        dy = round(p + (flow - p) * s, 1)
        why = "needs Dy/Tb grades" if s == 1.0 else f"{s:.3f} of the rest"
        if p:
            why = f"{p:.1f} t for its traction motors or generators, {why}"
        note = (e["note"] + MARK if e["note"] else MARK[3:]) + (
            f" (derive/grades.py; SOURCES 4d, A25): CN {share:.2f} Dy/Tb-bearing, {why}"
        )
        if dy > 0:
            out.append(dict(e, flow_t=t(dy), from_line=DY, note=note))
        if flow - dy > 0:
            out.append(dict(e, flow_t=t(flow - dy), from_line=ND, elements="Nd;Pr", note=note))

    # customers that take both grades: lines, so that grades do not pool
    grades = defaultdict(set)
    for e in out:
        if e["material"] == SINTERED and e["from_line"] in (DY, ND):
            grades[e["customer"]].add(e["from_line"])
    both = sorted(c for c, g in grades.items() if g == {DY, ND})
    intake = defaultdict(lambda: defaultdict(float))
    for e in out:
        if e["customer"] not in both:
            continue
        if e["material"] == SINTERED:
            e["line"] = DY_LINE if e["from_line"] == DY else ND_LINE
        elif e["material"] == BONDED:
            e["line"] = ND_LINE
        elif nodes[e["customer"]]["stage"] == "manufacturer":
            e["line"] = OTHER_LINE
        else:
            # a component's lines share its out-edges equally (no own shipments, no units):
            # its other inputs keep feeding every line, as they did its one line before
            continue
        intake[e["customer"]][e["line"]] += float(e["flow_t"])

    shipped = defaultdict(float)
    for e in out:
        if e["supplier"] in makers and e["from_line"]:
            shipped[(e["supplier"], e["from_line"])] += float(e["flow_t"])
    kept = []
    for r in lines:
        if r["node"] in both:
            continue  # rewritten below
        if r["node"] in makers and (r["node"], r["line"]) in shipped:
            tonnes = shipped[(r["node"], r["line"])]
            r = dict(
                r,
                baseline_units=f"{tonnes:.0f}",
                source=f"derived: ndfeb_sintered out-edges leaving {r['line']} (grade rule of "
                "derive/grades.py) ; supplygraph data/edges.csv",
                note=f"A25: China's sintered NdFeB is {share:.2f} Dy/Tb-bearing, exports and "
                "domestic deliveries alike (Adamas, SOURCES 4d); customers needing Dy/Tb grades "
                "take them only, the rest is spread evenly.",
            )
        kept.append(r)
    for c in both:
        node = nodes[c]
        maker = node["stage"] == "manufacturer"
        for name in (DY_LINE, ND_LINE, OTHER_LINE):
            if name not in intake[c]:
                continue
            kept.append(
                {
                    "node": c,
                    "line": name,
                    "sector": node["sector"] if maker else "",
                    "unit": "t REO",
                    "baseline_units": f"{intake[c][name]:.0f}",
                    "source": f"derived: sum of the in-edges feeding the line ({name}) ; "
                    "supplygraph data/edges.csv (grade rule of derive/grades.py)",
                    "status": "assumption",
                    "note": "A26: "
                    + {
                        DY_LINE: "products needing Dy/Tb grades (high-temperature motors and "
                        "actuators); fed only by Dy/Tb-grade NdFeB.",
                        ND_LINE: "products made with Nd/Pr-only NdFeB (sintered or bonded).",
                        OTHER_LINE: "products made from its other inputs (SmCo, oxides, coatings).",
                    }[name],
                }
            )
    out = split_parts(out, intake, nodes, part)
    write("edges.csv", out, fields)
    write("lines.csv", kept, line_fields)
    for g, s in sorted(rest.items()):
        print(
            f"{'exports' if g else 'domestic'}: {total[g]:.0f} t, needing Dy/Tb {needed[g]:.0f} t,"
            f" common share of the rest {s:.3f}"
        )
    print("customers with both grades:", ", ".join(both))


if __name__ == "__main__":
    main()
