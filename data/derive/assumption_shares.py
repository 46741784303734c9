"""Count edges and tonnage by status, overall and by supplier stage (SOURCES.md section 9).

usage: python3 assumption_shares.py [data_dir]   (default: the folder above this script)

An edge belongs to its supplier's stage, as in tests/test_data.py. Prints, per stage and in
total, the number of edges and the share of edge tonnage for each status, and the largest
`assumption` edges of the separation and metal stages (the blocks issue 13 asks to cut).
"""

import collections
import csv
import pathlib
import sys

STATUSES = ("reported", "estimate", "assumption")
STAGES = ("mine", "separation", "metal", "magnet", "component", "manufacturer")


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def main(folder):
    stage = {row["id"]: row["stage"] for row in read(folder / "nodes.csv")}
    edges = read(folder / "edges.csv")
    count = collections.Counter()
    tonnes = collections.Counter()
    for edge in edges:
        flow = float(edge["flow_t"])
        for group in (stage[edge["supplier"]], "all"):
            count[group, edge["status"]] += 1
            tonnes[group, edge["status"]] += flow
    print(
        f"{'stage':<13}{'edges':>7}{'assumed':>9}{'% edges':>9}"
        f"{'t total':>11}{'t assumed':>11}{'% t':>7}  reported/estimate/assumption t"
    )
    for group in (*STAGES, "all"):
        n = sum(count[group, s] for s in STATUSES)
        t = sum(tonnes[group, s] for s in STATUSES)
        if n == 0:
            continue
        n_a, t_a = count[group, "assumption"], tonnes[group, "assumption"]
        split = " / ".join(f"{tonnes[group, s]:,.0f}" for s in STATUSES)
        print(
            f"{group:<13}{n:>7}{n_a:>9}{100 * n_a / n:>8.1f}%"
            f"{t:>11,.0f}{t_a:>11,.0f}{100 * t_a / t:>6.1f}%  {split}"
        )
    for group in ("separation", "metal"):
        rows = [e for e in edges if stage[e["supplier"]] == group and e["status"] == "assumption"]
        rows.sort(key=lambda e: (-float(e["flow_t"]), e["supplier"], e["customer"]))
        print(f"\nlargest assumption edges, {group}:")
        for e in rows[:12]:
            flow = float(e["flow_t"])
            print(f"  {flow:>9,.0f}  {e['supplier']} -> {e['customer']} ({e['material']})")


if __name__ == "__main__":
    here = pathlib.Path(__file__).resolve().parent.parent
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here)
