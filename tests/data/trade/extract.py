"""How the trade fixtures beside this file were cut from the critical-materials atlas (README.md).

Usage: python tests/data/trade/extract.py ATLAS_CHECKOUT

ATLAS_CHECKOUT is a checkout of github.com/Varcolacus/critical-materials-atlas (commit
17b328d). Each fixture keeps the published rows as they are; only the columns are laid out
as the publisher lays them out (the atlas renamed or trimmed them), as README.md says.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAGNETS = "850511"
CHINA = "156"
JAPAN = "392"
COUNTRY_CODES = "reconcile/fixtures/raw/baci/country_codes_V202601.csv"
MIRROR_REPORTERS = ("842", "392", "410")  # one row each for imports from China: totals only
COMTRADE_ANNUAL = (
    "typeCode", "freqCode", "refYear", "refMonth", "period", "reporterCode", "flowCode",
    "partnerCode", "cmdCode", "netWgt", "primaryValue",
)  # fmt: skip


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def comtrade_annual(atlas: Path) -> None:
    """China's 2024 exports of 8505.11 by partner (with World) and three importers' mirrors."""
    source = atlas / "reconcile/fixtures/raw/comtrade/comtrade_2024.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))  # reporter,partner,cmd,flow,value,netwgt
    kept = [
        r
        for r in rows
        if r["cmd"] == MAGNETS
        and (
            (r["reporter"] == CHINA and r["flow"] == "X")
            or (r["reporter"] in MIRROR_REPORTERS and r["partner"] == CHINA and r["flow"] == "M")
        )
    ]
    out = [
        [
            "C",
            "A",
            "2024",
            "52",
            "2024",
            *(r[k] for k in ("reporter", "flow", "partner", "cmd")),
            r["netwgt"],
            r["value"],
        ]
        for r in kept
    ]
    _write(HERE / "comtrade-cn-850511-2024.csv", COMTRADE_ANNUAL, out)


def comtrade_japan(atlas: Path) -> None:
    """Japan's 2024 exports of 8505.11 by partner (with World): its own customs return."""
    source = atlas / "reconcile/fixtures/raw/comtrade/comtrade_2024.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))  # reporter,partner,cmd,flow,value,netwgt
    kept = [r for r in rows if r["cmd"] == MAGNETS and r["reporter"] == JAPAN and r["flow"] == "X"]
    kept.sort(key=lambda r: int(r["partner"]))
    out = [
        ["C", "A", "2024", "52", "2024", JAPAN, "X", r["partner"], MAGNETS, r["netwgt"], r["value"]]
        for r in kept
    ]
    _write(HERE / "comtrade-jp-850511-2024.csv", COMTRADE_ANNUAL, out)


def comtrade_monthly(atlas: Path) -> None:
    """China's exports of 8505.11 by partner in December 2024 (partner codes from ISO3)."""
    import pyarrow.parquet as pq

    codes = {}
    with open(atlas / COUNTRY_CODES, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            codes.setdefault(row["country_iso3"], row["country_code"])
    codes["TWN"] = "490"  # the atlas maps Comtrade's 490 to TWN (its commit 22bcdb4): undone
    flows = pq.read_table(atlas / "pipeline/data/flows.parquet").to_pandas()
    month = flows[
        (flows["source"] == "comtrade")
        & (flows["reporter"] == "CHN")
        & (flows["flow"] == "export")
        & (flows["hs6"] == MAGNETS)
        & (flows["period"] == 202412)
    ].sort_values("partner")
    out = [
        ["C", "M", "2024", "12", "202412", CHINA, "X", codes[p], MAGNETS, repr(kg), repr(usd)]
        for p, kg, usd in zip(month["partner"], month["qty_kg"], month["value_usd"])
    ]
    _write(HERE / "comtrade-cn-850511-2024-12.csv", COMTRADE_ANNUAL, out)


def baci(atlas: Path) -> None:
    """BACI HS17 V202601, 2024: China's exports of 8505.11 (exporter and importer as codes)."""
    import pyarrow.parquet as pq

    codes = {}
    with open(atlas / COUNTRY_CODES, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            codes[(row["country_iso3"], row["country_name"])] = row["country_code"]
    trade = pq.read_table(atlas / "pipeline/data/trade.parquet").to_pandas()
    china = trade[(trade["exporter"] == "CHN") & (trade["hs6"] == MAGNETS)]
    rows = []
    for r in china.itertuples(index=False):
        exporter = codes[(r.exporter, r.exporter_name)]
        importer = codes[(r.importer, r.importer_name)]
        q = "NA" if r.qty_t != r.qty_t else f"{r.qty_t:.3f}"
        rows.append([str(r.year), exporter, importer, r.hs6, f"{r.value_kusd:.3f}", q])
    rows.sort(key=lambda row: int(row[2]))
    _write(HERE / "baci-cn-850511-2024.csv", ("t", "i", "j", "k", "v", "q"), rows)


if __name__ == "__main__":
    checkout = Path(sys.argv[1])
    comtrade_annual(checkout)
    comtrade_japan(checkout)
    comtrade_monthly(checkout)
    baci(checkout)
