"""Benchmark: reading a BACI-sized file filtered to the rare-earth codes, wall time and peak memory.

Usage: python benchmarks/bench_trade.py [--rows 10000000] [--gzip] [--repeat 1] [--keep DIR]

The file is synthetic and laid out as BACI's yearly CSV (t,i,j,k,v,q; about 35 bytes a
row, so 10^7 rows are about 350 MB, a full BACI year): exporters and importers drawn from
BACI's country codes, products from 5,000 six-digit codes among which the four rare-earth
headings of data/hs.csv take one row in 2,500 (about BACI's share), v and q with three
decimals, one q in fifty NA. The read runs in a fresh process, as `supplygraph trade` does.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

ROOT = Path(__file__).resolve().parents[1]
RARE_EARTHS = np.array([280530, 284610, 284690, 850511])
RARE_SHARE = 1 / 2500
CHUNK = 1_000_000
READ = (
    "import sys; from supplygraph.dataset.trade import read_trade_files; "
    "from supplygraph.dataset.trade_codes import load_hs_table; "
    "found = read_trade_files([sys.argv[1]], load_hs_table()['hs']); "
    "print(len(found.records), found.files[0]['rows'])"
)


def write_baci(path: Path, rows: int, seed: int, packed: bool) -> int:
    """Write a synthetic BACI year of ``rows`` rows; return the rows of rare-earth codes."""
    rng = np.random.default_rng(seed)
    codes_file = ROOT / "supplygraph" / "dataset" / "trade_codes" / "country_codes_V202601.csv"
    countries = np.loadtxt(codes_file, delimiter=",", skiprows=1, usecols=0, dtype=np.int64)
    products = rng.choice(np.arange(10_000, 999_999), size=5_000, replace=False)
    rare = 0
    with (gzip.open if packed else open)(path, "wb") as handle:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            k = rng.choice(products, size=n)
            is_rare = rng.random(n) < RARE_SHARE
            i, j = rng.choice(countries, size=n), rng.choice(countries, size=n)
            # each rare-earth row a flow of its own, as in BACI: one row per i, j, k
            m = rare + np.arange(int(is_rare.sum()))
            size = len(countries)
            i[is_rare], j[is_rare] = countries[m % size], countries[(m // size) % size]
            k[is_rare] = RARE_EARTHS[(m // size**2) % len(RARE_EARTHS)]
            rare += int(is_rare.sum())
            q = np.round(rng.lognormal(2, 2, n), 3).astype(str).astype(object)
            q[rng.random(n) < 0.02] = "NA"
            table = pa.table(
                {
                    "t": np.full(n, 2024),
                    "i": i,
                    "j": j,
                    "k": k,
                    "v": np.round(rng.lognormal(3, 2, n), 3),
                    "q": pa.array(q.tolist(), pa.string()),
                }
            )
            options = pa_csv.WriteOptions(include_header=start == 0, quoting_style="none")
            pa_csv.write_csv(table, handle, write_options=options)
    return rare


def run_read(path: Path) -> tuple[float, float, float, str]:
    """Read the file in a subprocess; return (wall s, CPU s, peak RSS MiB of any child, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", READ, str(path)], capture_output=True, text=True, cwd=ROOT
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"read failed ({done.returncode}):\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, after.ru_maxrss / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--gzip", action="store_true", help="Write and read it gzipped.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="Reads; the best counts.")
    parser.add_argument("--keep", type=Path, help="Write the file here and keep it.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("baci-synthetic.csv" + (".gz" if args.gzip else ""))
    try:
        rare = write_baci(path, args.rows, args.seed, args.gzip)
        size = path.stat().st_size / 1e6
        runs = [run_read(path) for _ in range(args.repeat)]
        seconds, cpu, _, stdout = min(runs)
        peak = max(run[2] for run in runs)
        kept, read = map(int, stdout.split())
        assert (kept, read) == (rare, args.rows), stdout
        print(f"{'rows':>12} {'MB on disk':>10} {'kept':>8} {'read s':>8} {'CPU s':>7}", end="")
        print(f" {'peak RSS MiB':>13}")
        print(
            f"{args.rows:>12,} {size:>10.1f} {kept:>8,} {seconds:>6.2f} s {cpu:>5.2f} s "
            f"{peak:>13,.0f}" + ("  (gzip)" if args.gzip else "")
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
