"""The shock path: edges whose flow a scenario changes, and their tonnage by status (issue 24).

usage: python3 shock_path.py [data_dir] [--list] [--scenario NAME ...]

Runs `supplygraph simulate -s NAME --no-reroute` for each scenario (default: 2025-10-package
and 2025-04-heavy-licences) on the data folder (default: the folder above this script), takes
the edges whose `after_t` differs from their `baseline_t` in the run's `edges.csv`, and sums
their baseline tonnage by the `status` of the matching row of the data's `edges.csv` (matched
by row order, checked on supplier, customer and material). Prints edges and tonnes by status
and the share of the shocked tonnage resting on `assumption`; `--list` also prints every
shocked edge, heaviest first.
"""

import collections
import csv
import pathlib
import subprocess
import sys
import tempfile

STATUSES = ("reported", "estimate", "assumption")
DEFAULT = ("2025-10-package", "2025-04-heavy-licences")


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shocked(folder, scenario):
    """(data row, baseline_t, after_t) for every edge the scenario changes."""
    data = read(folder / "edges.csv")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "supplygraph",
                "simulate",
                "-s",
                scenario,
                "--data",
                str(folder),
                "--no-reroute",
                "--no-html",
                "-q",
                "--out",
                out,
            ],
            check=True,
        )
        run = read(pathlib.Path(out) / "edges.csv")
    assert len(run) == len(data), (len(run), len(data))
    rows = []
    for d, r in zip(data, run):
        assert (d["supplier"], d["customer"], d["material"]) == (
            r["supplier"],
            r["customer"],
            r["material"],
        )
        base, after = float(r["baseline_t"]), float(r["after_t"])
        if abs(base - after) > 1e-6 * max(1.0, base):
            rows.append((d, base, after))
    return rows


def main(argv):
    listing = "--list" in argv
    argv = [a for a in argv if a != "--list"]
    scenarios = []
    if "--scenario" in argv:
        i = argv.index("--scenario")
        scenarios, argv = argv[i + 1 :], argv[:i]
    here = pathlib.Path(__file__).resolve().parent.parent
    folder = pathlib.Path(argv[0]) if argv else here
    for scenario in scenarios or DEFAULT:
        rows = shocked(folder, scenario)
        count, tonnes = collections.Counter(), collections.Counter()
        for d, base, _ in rows:
            count[d["status"]] += 1
            tonnes[d["status"]] += base
        total = sum(tonnes.values())
        print(f"{scenario}: {len(rows)} shocked edges, {total:,.0f} t baseline")
        for s in STATUSES:
            share = 100 * tonnes[s] / total if total else 0.0
            print(f"  {s:<11}{count[s]:>5} edges {tonnes[s]:>10,.0f} t {share:>6.1f}%")
        if listing:
            for d, base, after in sorted(rows, key=lambda x: -x[1]):
                print(
                    f"    {base:>9,.0f} -> {after:>9,.0f}  {d['status']:<10} {d['supplier']} -> "
                    f"{d['customer']} ({d['material']}; {d['from_line']}>{d['line']})"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
